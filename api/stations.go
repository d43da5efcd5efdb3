package api

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

type createStationRequest struct {
	Name       string     `json:"name" validate:"required,max=200"`
	Level      string     `json:"level" validate:"required,stationlevel"`
	RegionCode string     `json:"region_code" validate:"required,regioncode"`
	ParentID   *uuid.UUID `json:"parent_id"`
}

// createStation writes the station, then starts its lifecycle workflow. If
// the start fails the station is still created: the worker's reconciler
// starts every station whose workflow was not confirmed.
func (s *Server) createStation(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return err
	}
	var req createStationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := codes.CheckStationRegion(codes.StationLevel(req.Level), req.RegionCode); err != nil {
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "the region code does not fit the station level",
			FieldError{Field: "region_code", Message: err.Error()})
	}
	if err := inOfficeScope(p, "region_code", req.RegionCode); err != nil {
		return err
	}
	st, err := s.Store.CreateStation(r.Context(), p.Actor(), store.Station{Name: req.Name, Level: req.Level,
		RegionCode: req.RegionCode, ParentID: req.ParentID})
	if err != nil {
		return err
	}
	if err := workflows.StartStation(r.Context(), s.Temporal, s.TaskQueue, st.FlowInput()); err != nil {
		s.Logger.Warn("station lifecycle not started yet; the reconciler will start it", "station_id", st.ID, "error", err)
	} else if err := s.Store.MarkWorkflowStarted(r.Context(), st.ID); err != nil {
		s.Logger.Warn("recording lifecycle start", "station_id", st.ID, "error", err)
	}
	w.Header().Set("Location", "/v1/stations/"+st.ID.String())
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (s *Server) getStation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.visibleStation(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// listStations filters by region prefix (region), level and phase, within
// the caller's scope.
func (s *Server) listStations(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.StationFilter{RegionPrefix: q.Get("region"), Level: q.Get("level"), Phase: q.Get("phase")}
	if f.RegionPrefix != "" {
		if _, err := codes.ParseRegion(f.RegionPrefix); err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "region is not a region code",
				FieldError{Field: "region", Message: err.Error()})
		}
	}
	if f.Phase != "" && !oneOf(f.Phase, store.PhaseAwaitingOperator, store.PhaseOperating) {
		return problem(http.StatusBadRequest, ProblemInvalid, "phase is not a station phase",
			FieldError{Field: "phase", Message: "must be one of: awaiting_operator, operating"})
	}
	if f.Level != "" {
		if _, err := codes.ParseStationLevel(f.Level); err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "level is not a station level",
				FieldError{Field: "level", Message: err.Error()})
		}
	}
	switch p.Role {
	case auth.RoleOffice:
		switch {
		case f.RegionPrefix == "" || codes.Within(p.Scope, f.RegionPrefix):
			f.RegionPrefix = p.Scope
		case !codes.Within(f.RegionPrefix, p.Scope):
			writeJSON(w, http.StatusOK, store.List[store.Station]{Items: []store.Station{}})
			return nil
		}
	case auth.RoleOrg:
		id := p.ScopeID()
		f.OperatorOrOpen = &id
	case auth.RoleSupervisor:
		id := p.ScopeID()
		f.SupervisedBy = &id
	}
	list, err := s.Store.ListStations(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
