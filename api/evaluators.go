package api

import (
	"net/http"
	"strconv"

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
	q := usecase.DeviationQuery{Threshold: 8, MinStations: 5}
	v := r.URL.Query()
	var err error
	if t := v.Get("threshold"); t != "" {
		if q.Threshold, err = strconv.ParseFloat(t, 64); err != nil || q.Threshold < 0 || q.Threshold > 100 {
			return q, problem(http.StatusBadRequest, ProblemInvalid, "bad threshold", FieldError{Field: "threshold", Message: "must be 0 to 100 points"})
		}
	}
	if m := v.Get("min_stations"); m != "" {
		if q.MinStations, err = strconv.Atoi(m); err != nil || q.MinStations < 1 || q.MinStations > 10000 {
			return q, problem(http.StatusBadRequest, ProblemInvalid, "bad min_stations", FieldError{Field: "min_stations", Message: "must be 1 to 10000"})
		}
	}
	return q, nil
}
