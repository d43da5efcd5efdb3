package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Station phases, as the station's lifecycle workflow reports them.
const (
	PhaseAwaitingOperator = "awaiting_operator"
	PhaseOperating        = "operating"
)

// InitialPhaseVersion is the projection version of a new station's first
// phase, awaiting_operator, written with its row; the lifecycle workflow
// starts from it.
const InitialPhaseVersion = 1

// Station is a social-work station (社工站) at one of the four levels.
type Station struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Level      string     `json:"level"`
	RegionCode string     `json:"region_code"`
	RegionName string     `json:"region_name"`
	ParentID   *uuid.UUID `json:"parent_id"`
	OperatorID *uuid.UUID `json:"operator_id"`
	Phase      string     `json:"phase"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// WorkflowID is the ID of the station's lifecycle workflow.
func (s Station) WorkflowID() string { return "station/" + s.ID.String() }

// StationRuleError says why a station cannot stand where it was asked to:
// its parent is missing or is not the station one level up in its region.
type StationRuleError struct {
	Field   string
	Message string
}

func (e *StationRuleError) Error() string { return e.Field + ": " + e.Message }

// CheckStationParent checks the level/parent rule: a city centre has no
// parent; every other station's parent, required only where that station
// exists, is the station one level up whose region contains it.
func CheckStationParent(ctx context.Context, dbtx DBTX, level codes.StationLevel, regionCode string, parentID *uuid.UUID) error {
	wantLevel, hasParent := level.Parent()
	if !hasParent {
		if parentID != nil {
			return &StationRuleError{Field: "parent_id", Message: "a city_centre has no parent station"}
		}
		return nil
	}
	wantRegion, _ := codes.ParentStationRegion(level, regionCode)
	if parentID == nil {
		// Where no station stands one level up (Sichuan has 21 cities but
		// 5 city centres) the station has no parent; escalation follows the
		// region codes, not parent links.
		exists, err := db.New(dbtx).StationAt(ctx, db.StationAtParams{Level: string(wantLevel), RegionCode: wantRegion})
		if err != nil || !exists {
			return err
		}
		return &StationRuleError{Field: "parent_id", Message: fmt.Sprintf("a %s needs its parent %s (region %s)", level, wantLevel, wantRegion)}
	}
	got, err := db.New(dbtx).StationParent(ctx, *parentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return &StationRuleError{Field: "parent_id", Message: "no such station"}
	}
	if err != nil {
		return err
	}
	if got.Level != string(wantLevel) || got.RegionCode != wantRegion {
		return &StationRuleError{Field: "parent_id", Message: fmt.Sprintf(
			"the parent of a %s in region %s must be the %s of region %s, not a %s of region %s",
			level, regionCode, wantLevel, wantRegion, got.Level, got.RegionCode)}
	}
	return nil
}

// CreateStation inserts a station in phase awaiting_operator, not yet marked
// as having its workflow started, with its audit row. A second station of the
// same level in the same region is ErrConflict.
func (s *Store) CreateStation(ctx context.Context, actor string, st Station) (Station, error) {
	st.ID = NewID()
	st.Phase = PhaseAwaitingOperator
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := CheckStationParent(ctx, tx, codes.StationLevel(st.Level), st.RegionCode, st.ParentID); err != nil {
			return err
		}
		if err := ensureRegions(ctx, tx, st.RegionCode); err != nil {
			return err
		}
		var err error
		if st.RegionName, err = regionName(ctx, q, st.RegionCode); err != nil {
			return err
		}
		at, err := q.InsertStation(ctx, db.InsertStationParams{ID: st.ID, Name: st.Name, Level: st.Level, RegionCode: st.RegionCode,
			ParentID: st.ParentID, Phase: st.Phase, PhaseVersion: InitialPhaseVersion})
		st.CreatedAt, st.UpdatedAt = at.CreatedAt, at.UpdatedAt
		if isUniqueViolation(err) {
			return fmt.Errorf("region %s has a %s already: %w", st.RegionCode, st.Level, ErrConflict)
		}
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "station.created", ObjectType: "station",
			ObjectID: st.ID.String(), Detail: mustJSON(map[string]string{"level": st.Level, "region_code": st.RegionCode})})
	})
	return st, err
}

const stationColumns = `id, name, level, region_code, parent_id, operator_id, phase, created_at, updated_at, ` + regionNameColumn

func scanStation(r pgx.CollectableRow) (Station, error) {
	var s Station
	err := r.Scan(&s.ID, &s.Name, &s.Level, &s.RegionCode, &s.ParentID, &s.OperatorID, &s.Phase, &s.CreatedAt, &s.UpdatedAt, &s.RegionName)
	return s, err
}

// GetStation returns one station or ErrNotFound.
func (s *Store) GetStation(ctx context.Context, id uuid.UUID) (Station, error) {
	r, err := s.q.GetStation(ctx, id)
	if err != nil {
		return Station{}, notFound(err)
	}
	st := stationFromDB(r)
	st.RegionName, err = regionName(ctx, s.q, st.RegionCode)
	return st, err
}

func stationFromDB(r db.Station) Station {
	return Station{ID: r.ID, Name: r.Name, Level: r.Level, RegionCode: r.RegionCode, ParentID: r.ParentID, OperatorID: r.OperatorID,
		Phase: r.Phase, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// StationFilter narrows a list of stations. The scope fields come from the
// caller's token; the others from the request.
type StationFilter struct {
	RegionPrefix string
	Level        string
	Phase        string
	// OperatorOrOpen limits to stations this organisation operates, plus
	// stations open for tender (awaiting_operator).
	OperatorOrOpen *uuid.UUID
	// SupervisedBy limits to stations assigned to this supervisor.
	SupervisedBy *uuid.UUID
}

// ListStations lists stations in ID order.
func (s *Store) ListStations(ctx context.Context, f StationFilter, p Page) (List[Station], error) {
	q := newQuery(`SELECT ` + stationColumns + ` FROM stations`)
	q.whereIf(f.RegionPrefix != "", "region_code LIKE ?", f.RegionPrefix+"%")
	q.whereIf(f.Level != "", "level = ?", f.Level)
	q.whereIf(f.Phase != "", "phase = ?", f.Phase)
	q.whereIf(f.OperatorOrOpen != nil, "(operator_id = ? OR phase = '"+PhaseAwaitingOperator+"')", f.OperatorOrOpen)
	q.whereIf(f.SupervisedBy != nil, "id IN (SELECT station_id FROM supervisor_assignments WHERE person_id = ?)", f.SupervisedBy)
	return listPage(ctx, s.pool, q, p, scanStation, func(x Station) uuid.UUID { return x.ID })
}

// IsAssignedSupervisor reports whether the person supervises the station.
func (s *Store) IsAssignedSupervisor(ctx context.Context, personID, stationID uuid.UUID) (bool, error) {
	return s.q.IsAssignedSupervisor(ctx, db.IsAssignedSupervisorParams{PersonID: personID, StationID: stationID})
}

// AssignSupervisor records that a supervisor follows a station; assigning
// twice changes nothing.
func (s *Store) AssignSupervisor(ctx context.Context, actor string, personID, stationID uuid.UUID) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.AssignSupervisor(ctx, db.AssignSupervisorParams{PersonID: personID, StationID: stationID})
		if err != nil || n == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "supervisor.assigned", ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]string{"person_id": personID.String()})})
	})
}

// MarkWorkflowStarted records that the station's lifecycle workflow exists.
func (s *Store) MarkWorkflowStarted(ctx context.Context, ids ...uuid.UUID) error {
	return s.q.MarkWorkflowStarted(ctx, ids)
}

// StationsWithoutWorkflow returns up to limit stations whose lifecycle
// workflow has not been confirmed started, for the reconciler to start.
func (s *Store) StationsWithoutWorkflow(ctx context.Context, limit int) ([]Station, error) {
	rows, err := s.q.StationsWithoutWorkflow(ctx, limit)
	return mapRows(rows, stationFromDB), err
}

// StationProjection is the part of a station its lifecycle workflow owns.
type StationProjection struct {
	StationID  uuid.UUID
	Phase      string
	OperatorID *uuid.UUID
	// Version increases with every change the workflow makes; a projection
	// carrying a version not above the stored one is a repeat and is skipped.
	Version int64
	Actor   string
	Reason  string
}

// ProjectStation writes the workflow's view of a station into the read
// model with an audit row. It is idempotent: replaying the same version (a
// retried activity) changes nothing and reports false.
func (s *Store) ProjectStation(ctx context.Context, p StationProjection) (bool, error) {
	changed := false
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		oldPhase, err := q.ProjectStationPhase(ctx, db.ProjectStationPhaseParams{StationID: p.StationID, Phase: p.Phase,
			OperatorID: p.OperatorID, Version: p.Version})
		if errors.Is(err, pgx.ErrNoRows) {
			exists, err := q.StationExists(ctx, p.StationID)
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("station %s: %w", p.StationID, ErrNotFound)
			}
			return nil
		}
		if err != nil {
			return err
		}
		changed = true
		if oldPhase == p.Phase {
			return nil
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: p.Actor, Action: "station.phase_changed", ObjectType: "station",
			ObjectID: p.StationID.String(), Detail: mustJSON(map[string]any{"from": oldPhase, "to": p.Phase, "version": p.Version, "reason": p.Reason})})
	})
	return changed, err
}
