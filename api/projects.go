package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Projects (民生项目): the operating organisation records the projects its
// station runs, each with its funder and amount in fen; the station's
// office, organisation and assigned supervisors list them.

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cases().CreateProject(r.Context(), principal(r), pathID(r), body[forms.Project](w, r))
	return answer(w, http.StatusCreated, p, err)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Projects(r.Context(), principal(r), pathID(r), query(s, r, func(page store.Page) (store.Page, error) {
		return page, nil
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}
