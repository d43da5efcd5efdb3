package api

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Rectifications (整改): the items a supervision opens for each failed
// indicator, the organisation's response and the verifier's finding.

// listRectifications: the items in the caller's scope, by state (or
// unverified), overdue and station.
func (s *Server) listRectifications(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Rectifications(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.RectificationQuery, error) {
		q := usecase.RectificationQuery{Page: page}
		var err error
		if q.State, err = optional(r, "state", "", oneOf(store.RectificationOpen, store.RectificationResponded,
			store.RectificationVerified, "unverified")); err != nil {
			return q, err
		}
		if q.Overdue, err = optional(r, "overdue", false, boolParam); err != nil {
			return q, err
		}
		id, err := optional(r, "station_id", uuid.Nil, uuidParam)
		if id != uuid.Nil {
			q.StationID = &id
		}
		return q, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
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
