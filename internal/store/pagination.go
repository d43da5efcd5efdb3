package store

import (
	"github.com/google/uuid"
)

// Page asks for one page of a keyset-paginated list.
type Page struct {
	Limit int
	// After is the key of the last item of the previous page; uuid.Nil
	// asks for the first page. The API opens it from an authenticated
	// cursor (internal/cursor), so it is a key this server wrote.
	After uuid.UUID
}

// DefaultPageSize and MaxPageSize bound every list.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// List is one page of results with the cursor of the next, if any.
type List[T any] struct {
	Items []T `json:"items"`
	// NextCursor is Next sealed for the client (see Sealed).
	NextCursor *string `json:"next_cursor"`
	// Next is the key of the last item when another page follows: the
	// next page's Page.After.
	Next *uuid.UUID `json:"-"`
}

// Sealed is l with NextCursor set to seal(Next) when another page
// follows: the API seals the key into a cursor bound to the request.
func (l List[T]) Sealed(seal func(after uuid.UUID) string) List[T] {
	if l.Next != nil {
		c := seal(*l.Next)
		l.NextCursor = &c
	}
	return l
}

// pageOf trims the one extra row a query fetched to learn whether another
// page follows, and keeps the last item's key for the next page.
func pageOf[T any](items []T, limit int, key func(T) uuid.UUID) List[T] {
	if items == nil {
		items = []T{}
	}
	if len(items) <= limit {
		return List[T]{Items: items}
	}
	items = items[:limit]
	next := key(items[len(items)-1])
	return List[T]{Items: items, Next: &next}
}
