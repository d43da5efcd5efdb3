package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

type createOrganisationRequest struct {
	Name       string `json:"name" validate:"required,max=200"`
	CreditCode string `json:"credit_code" validate:"required,creditcode"`
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return err
	}
	var req createOrganisationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := s.Store.CreateOrganisation(r.Context(), principal(r).Actor(), store.Organisation{Name: req.Name, CreditCode: req.CreditCode})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/organisations/"+o.ID.String())
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	var f store.OrganisationFilter
	if p.Role == auth.RoleOrg {
		id := p.ScopeID()
		f.OnlyID = &id
	}
	list, err := s.Store.ListOrganisations(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	id, err := pathID(r, "organisation")
	if err != nil {
		return err
	}
	if !canSeeOrganisation(principal(r), id) {
		return notFound("organisation")
	}
	o, err := s.Store.GetOrganisation(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}
