package api

import (
	"net/http"
	"strconv"

	"github.com/stationflow/stationflow/internal/grading"
)

// cycleEvaluators measures each evaluator against their peers over the
// cycle and flags those who stray.
func (s *Server) cycleEvaluators(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().Cycle(r.Context(), principal(r), pathID(r))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	threshold, minStations := 8.0, 5
	if v := q.Get("threshold"); v != "" {
		if threshold, err = strconv.ParseFloat(v, 64); err != nil || threshold < 0 || threshold > 100 {
			return problem(http.StatusBadRequest, ProblemInvalid, "bad threshold", FieldError{Field: "threshold", Message: "must be 0 to 100 points"})
		}
	}
	if v := q.Get("min_stations"); v != "" {
		if minStations, err = strconv.Atoi(v); err != nil || minStations < 1 || minStations > 10000 {
			return problem(http.StatusBadRequest, ProblemInvalid, "bad min_stations", FieldError{Field: "min_stations", Message: "must be 1 to 10000"})
		}
	}
	scores, err := s.Store.EvaluatorScores(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"threshold": threshold, "min_stations": minStations,
		"evaluators": grading.Deviations(scores, threshold, minStations)})
	return nil
}
