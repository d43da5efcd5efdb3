package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Internal supervision sessions (内部督导): the operating organisation
// records its own supervisor coaching the station's staff; the station's
// office, organisation and assigned supervisors list them.

func (s *Server) recordSupervisionSession(w http.ResponseWriter, r *http.Request) error {
	x, err := s.cases().RecordSupervisionSession(r.Context(), principal(r), pathID(r), body[forms.SupervisionSession](w, r))
	return answer(w, http.StatusCreated, x, err)
}

func (s *Server) listSupervisionSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().SupervisionSessions(r.Context(), principal(r), pathID(r), query(s, r, func(page store.Page) (store.Page, error) {
		return page, nil
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}
