package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// createStation registers a station and starts its lifecycle.
func (s *Server) createStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cases().CreateStation(r.Context(), principal(r), body[usecase.NewStation](w, r))
	if err == nil {
		w.Header().Set("Location", "/v1/stations/"+st.ID.String())
	}
	return answer(w, http.StatusCreated, st, err)
}

func (s *Server) getStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.cases().Station(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, st, err)
}

// listStations filters by region prefix (region), level and phase, within
// the caller's scope.
func (s *Server) listStations(w http.ResponseWriter, r *http.Request) error {
	return writePage(w, r, func(page store.Page) (store.List[store.Station], error) {
		f, outside, err := stationFilter(r)
		if err != nil || outside {
			return store.List[store.Station]{Items: []store.Station{}}, err
		}
		return s.Store.ListStations(r.Context(), f, page)
	})
}

// stationFilter reads the list's query and narrows it to the caller's
// scope; outside says an office asked for a region outside its own, where
// it sees nothing.
func stationFilter(r *http.Request) (f store.StationFilter, outside bool, err error) {
	q := r.URL.Query()
	f = store.StationFilter{RegionPrefix: q.Get("region"), Level: q.Get("level")}
	if f.RegionPrefix != "" {
		if _, err := codes.ParseRegion(f.RegionPrefix); err != nil {
			return f, false, problem(http.StatusBadRequest, ProblemInvalid, "region is not a region code",
				FieldError{Field: "region", Message: err.Error()})
		}
	}
	if f.Phase, err = enumParam(r, "phase", "phase is not a station phase", "must be one of: awaiting_operator, operating",
		store.PhaseAwaitingOperator, store.PhaseOperating); err != nil {
		return f, false, err
	}
	if f.Level != "" {
		if _, err := codes.ParseStationLevel(f.Level); err != nil {
			return f, false, problem(http.StatusBadRequest, ProblemInvalid, "level is not a station level",
				FieldError{Field: "level", Message: err.Error()})
		}
	}
	switch p := principal(r); p.Role {
	case auth.RoleOffice:
		switch {
		case f.RegionPrefix == "" || codes.Within(p.Scope, f.RegionPrefix):
			f.RegionPrefix = p.Scope
		case !codes.Within(f.RegionPrefix, p.Scope):
			return f, true, nil
		}
	case auth.RoleOrg:
		id := p.ScopeID()
		f.OperatorOrOpen = &id
	case auth.RoleSupervisor:
		id := p.ScopeID()
		f.SupervisedBy = &id
	}
	return f, false, nil
}
