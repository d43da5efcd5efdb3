package api

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Rectifications (整改): the items a supervision opens for each failed
// indicator, the organisation's response and the verifier's finding.

// listRectifications: an office sees the items in its region, an
// organisation its own, a supervisor those they verify.
func (s *Server) listRectifications(w http.ResponseWriter, r *http.Request) error {
	return writePage(w, r, func(page store.Page) (store.List[store.Rectification], error) {
		f, err := rectificationFilter(r)
		if err != nil {
			return store.List[store.Rectification]{}, err
		}
		return s.Store.ListRectifications(r.Context(), f, page)
	})
}

// rectificationFilter reads the list's query and narrows it to the
// caller's scope.
func rectificationFilter(r *http.Request) (store.RectificationFilter, error) {
	q := r.URL.Query()
	f := store.RectificationFilter{State: q.Get("state")}
	var err error
	if f.State == "unverified" {
		f.State, f.Open = "", true
	} else if f.State, err = enumParam(r, "state", "unknown state", "must be one of: open, responded, verified, unverified",
		store.RectificationOpen, store.RectificationResponded, store.RectificationVerified); err != nil {
		return f, err
	}
	if f.Overdue, err = boolParam(r, "overdue"); err != nil {
		return f, err
	}
	if v := q.Get("station_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return f, problem(http.StatusBadRequest, ProblemInvalid, "station_id is not an ID", FieldError{Field: "station_id", Message: "must be an ID"})
		}
		f.StationID = &id
	}
	switch p := principal(r); p.Role {
	case auth.RoleAdmin:
		f.All = true
	case auth.RoleOffice:
		f.RegionPrefix = p.Scope
	case auth.RoleOrg:
		id := p.ScopeID()
		f.Org = &id
	case auth.RoleSupervisor:
		id := p.ScopeID()
		f.Verifier = &id
	}
	return f, nil
}

func (s *Server) getRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.cases().Rectification(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, item, err)
}

// respondRectification sends the organisation's answer to the item's
// response task, after checking that what it cites is the station's own.
func (s *Server) respondRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.cases().RespondRectification(r.Context(), principal(r), pathID(r), formBody[forms.RectificationResponse](w, r))
	return answer(w, http.StatusOK, item, err)
}

func (s *Server) verifyRectification(w http.ResponseWriter, r *http.Request) error {
	item, err := s.cases().VerifyRectification(r.Context(), principal(r), pathID(r), formBody[forms.RectificationVerification](w, r))
	return answer(w, http.StatusOK, item, err)
}
