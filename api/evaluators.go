package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/usecase"
)

// cycleEvaluators measures each evaluator against their peers over the
// cycle and flags those who stray (?threshold= points, 8 by default, over
// ?min_stations=, 5 by default).
func (s *Server) cycleEvaluators(w http.ResponseWriter, r *http.Request) error {
	q, devs, err := s.cases().EvaluatorDeviations(r.Context(), principal(r), pathID(r), func() (usecase.DeviationQuery, error) {
		return deviationQuery(r)
	})
	return answer(w, http.StatusOK, map[string]any{"threshold": q.Threshold, "min_stations": q.MinStations, "evaluators": devs}, err)
}

func deviationQuery(r *http.Request) (usecase.DeviationQuery, error) {
	var q usecase.DeviationQuery
	var err error
	if q.Threshold, err = optional(r, "threshold", 8, floatIn(0, 100)); err != nil {
		return q, err
	}
	q.MinStations, err = optional(r, "min_stations", 5, intIn(1, 10000))
	return q, err
}
