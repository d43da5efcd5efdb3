package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// createPerson: admins register anyone; an office registers people in its
// region; an organisation registers its own social workers.
func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	person, err := s.cases().CreatePerson(r.Context(), principal(r), body[usecase.NewPerson](w, r))
	return answer(w, http.StatusCreated, person, err)
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	return writePage(w, r, func(page store.Page) (store.List[store.Person], error) {
		role, err := enumParam(r, "role", "role is not a person's role", "must be one of: supervisor, office_staff, social_worker",
			store.PersonSupervisor, store.PersonOfficeStaff, store.PersonSocialWorker)
		if err != nil {
			return store.List[store.Person]{}, err
		}
		f := store.PersonFilter{Role: role}
		switch p.Role {
		case auth.RoleOffice:
			f.RegionPrefix = p.Scope
		case auth.RoleOrg:
			id := p.ScopeID()
			f.OrganisationID = &id
		}
		return s.Store.ListPeople(r.Context(), f, page)
	})
}
