package api

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/cursor"
)

// List cursors: the API seals the key of a page's last item into an
// opaque, authenticated cursor (internal/cursor) bound to the list and the
// request's filters, and opens it again on the next request. A cursor
// this server did not seal, or sealed for another list, other filters or
// another caller's scope, is 400 naming cursor.

// sealer is the server's cursor sealer: one with CursorKey, else a random
// key of this process's own.
func (s *Server) sealer() cursor.Sealer {
	s.cursorOnce.Do(func() {
		if sl, err := cursor.New(s.CursorKey); err == nil {
			s.cursors = sl
			return
		}
		s.cursors = cursor.Random()
	})
	return s.cursors
}

// cursorScope is what a cursor is bound to: the list's path, the caller's
// role and scope, and the query without cursor and limit in a canonical
// order (a client may change the page size between pages, not the
// filters).
func cursorScope(r *http.Request) string {
	q := r.URL.Query()
	q.Del("cursor")
	q.Del("limit")
	p := principal(r)
	return r.URL.Path + "\x00" + string(p.Role) + "\x00" + p.Scope + "\x00" + q.Encode()
}

// cursorOf opens the request's cursor.
func (s *Server) cursorOf(r *http.Request) parser[uuid.UUID] {
	return func(name, v string) (uuid.UUID, error) {
		after, err := s.sealer().Open(cursorScope(r), v)
		if err != nil {
			return uuid.Nil, cursorRefused(name)
		}
		return after, nil
	}
}

// cursorRefused is the one answer to every cursor that does not open.
func cursorRefused(name string) error {
	return paramRefused(name, cursor.ErrInvalid.Error(), "must be the next_cursor of the previous page of this list, with the same filters")
}

// sealFor seals a page's last key into the next page's cursor for r.
func (s *Server) sealFor(r *http.Request) func(uuid.UUID) string {
	scope := cursorScope(r)
	return func(after uuid.UUID) string { return s.sealer().Seal(scope, after) }
}
