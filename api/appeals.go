package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/usecase"
)

// Appeals against an evaluation's decision, and the station's place in its
// latest cycle.

// createAppeal lodges the operating organisation's appeal against its
// station's decision. Appealing again is refused as a conflict.
func (s *Server) createAppeal(w http.ResponseWriter, r *http.Request) error {
	a, err := s.cases().LodgeAppeal(r.Context(), principal(r), pathID(r), body[usecase.Appeal](w, r))
	return answer(w, http.StatusAccepted, map[string]any{"cycle_id": a.CycleID, "station_id": a.StationID,
		"review_task_id": a.ReviewTaskID, "office": a.Office}, err)
}

// stationEvaluation: a station's place in its latest cycle, for the
// station's office, its organisation and admins.
func (s *Server) stationEvaluation(w http.ResponseWriter, r *http.Request) error {
	cs, evals, err := s.cases().StationEvaluation(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, map[string]any{"evaluation": cs, "evaluations": evals}, err)
}
