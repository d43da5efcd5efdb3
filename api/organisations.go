package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.cases().CreateOrganisation(r.Context(), principal(r), body[usecase.NewOrganisation](w, r))
	return created(w, "/v1/organisations", o.ID, o, err)
}

func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Organisations(r.Context(), principal(r), func() (store.Page, error) { return s.pageParams(r) })
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

func (s *Server) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.cases().Organisation(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, o, err)
}

// organisationStatus: each station the organisation operates or applied
// for, its phase, and what is due there and by when.
func (s *Server) organisationStatus(w http.ResponseWriter, r *http.Request) error {
	o, lines, err := s.cases().OrganisationStatus(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, map[string]any{"organisation_id": o.ID, "stations": lines}, err)
}
