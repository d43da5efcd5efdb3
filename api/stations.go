package api

import (
	"net/http"

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
	list, err := s.cases().Stations(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.StationQuery, error) {
		q := usecase.StationQuery{Page: page}
		var err error
		if q.Region, err = optional(r, "region", "", regionParam); err != nil {
			return q, err
		}
		if q.Level, err = optional(r, "level", "", levelParam); err != nil {
			return q, err
		}
		q.Phase, err = optional(r, "phase", "", oneOf(store.PhaseAwaitingOperator, store.PhaseOperating))
		return q, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}
