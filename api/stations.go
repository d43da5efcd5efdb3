package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// createStation registers a station and starts its lifecycle.
func (s *Server) createStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cases().CreateStation(r.Context(), principal(r), body[usecase.NewStation](w, r))
	return created(w, "/v1/stations", st.ID, st, err)
}

func (s *Server) getStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cases().Station(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, st, err)
}

// listStations filters by region prefix (region), level and phase, within
// the caller's scope.
func (s *Server) listStations(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Stations(r.Context(), principal(r), query(r, func(page store.Page) (usecase.StationQuery, error) {
		v := r.URL.Query()
		q := usecase.StationQuery{Region: v.Get("region"), Level: v.Get("level"), Page: page}
		if q.Region != "" {
			if _, err := codes.ParseRegion(q.Region); err != nil {
				return q, problem(http.StatusBadRequest, ProblemInvalid, "region is not a region code",
					FieldError{Field: "region", Message: err.Error()})
			}
		}
		var err error
		if q.Phase, err = enumParam(r, "phase", "phase is not a station phase", "must be one of: awaiting_operator, operating",
			store.PhaseAwaitingOperator, store.PhaseOperating); err != nil {
			return q, err
		}
		if q.Level != "" {
			if _, err := codes.ParseStationLevel(q.Level); err != nil {
				return q, problem(http.StatusBadRequest, ProblemInvalid, "level is not a station level",
					FieldError{Field: "level", Message: err.Error()})
			}
		}
		return q, nil
	}))
	return answer(w, http.StatusOK, list, err)
}
