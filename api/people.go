package api

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

type createPersonRequest struct {
	Name           string     `json:"name" validate:"required,max=100"`
	Role           string     `json:"role" validate:"required,oneof=supervisor office_staff social_worker"`
	RegionCode     string     `json:"region_code" validate:"required,regioncode"`
	OrganisationID *uuid.UUID `json:"organisation_id"`
	Qualification  string     `json:"qualification" validate:"omitempty,oneof=none assistant intermediate senior"`
}

// rules that tie the role to the employer.
func (req createPersonRequest) check() error {
	switch {
	case req.Role == store.PersonSocialWorker && req.OrganisationID == nil:
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "a social worker works for an operating organisation",
			FieldError{Field: "organisation_id", Message: "is required for a social_worker"})
	case req.Role == store.PersonOfficeStaff && req.OrganisationID != nil:
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "office staff work for a civil-affairs office",
			FieldError{Field: "organisation_id", Message: "must be empty for office_staff"})
	}
	return nil
}

// createPerson: admins register anyone; an office registers people in its
// region; an organisation registers its own social workers.
func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	var req createPersonRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if err := inOfficeScope(p, "region_code", req.RegionCode); err != nil {
		return err
	}
	if p.Role == auth.RoleOrg {
		// Supervisors are appointed by civil-affairs offices: one an
		// organisation registered would join the pool that supervises
		// other organisations' stations.
		if req.Role != store.PersonSocialWorker {
			return problem(http.StatusForbidden, ProblemForbidden, "an organisation registers its own social workers only",
				FieldError{Field: "role", Message: "an org token may register social_worker only"})
		}
		if req.OrganisationID == nil || *req.OrganisationID != p.ScopeID() {
			return problem(http.StatusForbidden, ProblemForbidden, "an organisation registers its own staff only",
				FieldError{Field: "organisation_id", Message: "must be your own organisation"})
		}
	}
	person, err := s.Store.CreatePerson(r.Context(), p.Actor(), store.Person{Name: req.Name, Role: req.Role,
		RegionCode: req.RegionCode, OrganisationID: req.OrganisationID, Qualification: req.Qualification})
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "the organisation does not exist",
			FieldError{Field: "organisation_id", Message: "no such organisation"})
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, person)
	return nil
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.PersonFilter{Role: r.URL.Query().Get("role")}
	if f.Role != "" && !oneOf(f.Role, store.PersonSupervisor, store.PersonOfficeStaff, store.PersonSocialWorker) {
		return problem(http.StatusBadRequest, ProblemInvalid, "role is not a person's role",
			FieldError{Field: "role", Message: "must be one of: supervisor, office_staff, social_worker"})
	}
	switch p.Role {
	case auth.RoleOffice:
		f.RegionPrefix = p.Scope
	case auth.RoleOrg:
		id := p.ScopeID()
		f.OrganisationID = &id
	}
	list, err := s.Store.ListPeople(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
