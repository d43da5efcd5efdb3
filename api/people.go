package api

import (
	"net/http"

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
	list, err := s.cases().People(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.PersonQuery, error) {
		role, err := optional(r, "role", "", oneOf(store.PersonSupervisor, store.PersonOfficeStaff, store.PersonSocialWorker))
		return usecase.PersonQuery{Role: role, Page: page}, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}
