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
	list, err := s.cases().Rectifications(r.Context(), principal(r), query(r, func(page store.Page) (usecase.RectificationQuery, error) {
		q := usecase.RectificationQuery{Page: page}
		var err error
		if q.State, err = enumParam(r, "state", "unknown state", "must be one of: open, responded, verified, unverified",
			store.RectificationOpen, store.RectificationResponded, store.RectificationVerified, "unverified"); err != nil {
			return q, err
		}
		if q.Overdue, err = boolParam(r, "overdue"); err != nil {
			return q, err
		}
		if v := r.URL.Query().Get("station_id"); v != "" {
			id, err := uuid.Parse(v)
			if err != nil {
				return q, problem(http.StatusBadRequest, ProblemInvalid, "station_id is not an ID", FieldError{Field: "station_id", Message: "must be an ID"})
			}
			q.StationID = &id
		}
		return q, nil
	}))
	return answer(w, http.StatusOK, list, err)
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
