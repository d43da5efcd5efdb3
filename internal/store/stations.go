package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
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
// parent; every other station's parent is the station one level up whose
// region contains it.
func CheckStationParent(ctx context.Context, db DBTX, level codes.StationLevel, regionCode string, parentID *uuid.UUID) error {
	wantLevel, hasParent := level.Parent()
	if !hasParent {
		if parentID != nil {
			return &StationRuleError{Field: "parent_id", Message: "a city_centre has no parent station"}
		}
		return nil
	}
	wantRegion, _ := codes.ParentStationRegion(level, regionCode)
	if parentID == nil {
		return &StationRuleError{Field: "parent_id", Message: fmt.Sprintf("a %s needs its parent %s (region %s)", level, wantLevel, wantRegion)}
	}
	var gotLevel, gotRegion string
	err := db.QueryRow(ctx, `SELECT level, region_code FROM stations WHERE id = $1`, parentID).Scan(&gotLevel, &gotRegion)
	if err == pgx.ErrNoRows {
		return &StationRuleError{Field: "parent_id", Message: "no such station"}
	}
	if err != nil {
		return err
	}
	if gotLevel != string(wantLevel) || gotRegion != wantRegion {
		return &StationRuleError{Field: "parent_id", Message: fmt.Sprintf(
			"the parent of a %s in region %s must be the %s of region %s, not a %s of region %s",
			level, regionCode, wantLevel, wantRegion, gotLevel, gotRegion)}
	}
	return nil
}

// CreateStation inserts a station in phase awaiting_operator, not yet marked
// as having its workflow started, with its audit row. A second station of the
// same level in the same region is ErrConflict.
func (s *Store) CreateStation(ctx context.Context, actor string, st Station) (Station, error) {
	st.ID = NewID()
	st.Phase = PhaseAwaitingOperator
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := CheckStationParent(ctx, tx, codes.StationLevel(st.Level), st.RegionCode, st.ParentID); err != nil {
			return err
		}
		if err := ensureRegions(ctx, tx, st.RegionCode); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO stations (id, name, level, region_code, parent_id, phase, phase_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at, updated_at`,
			st.ID, st.Name, st.Level, st.RegionCode, st.ParentID, st.Phase, InitialPhaseVersion).Scan(&st.CreatedAt, &st.UpdatedAt)
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

const stationColumns = `id, name, level, region_code, parent_id, operator_id, phase, created_at, updated_at`

func scanStation(r pgx.CollectableRow) (Station, error) {
	var s Station
	err := r.Scan(&s.ID, &s.Name, &s.Level, &s.RegionCode, &s.ParentID, &s.OperatorID, &s.Phase, &s.CreatedAt, &s.UpdatedAt)
	return s, err
}

// GetStation returns one station or ErrNotFound.
func (s *Store) GetStation(ctx context.Context, id uuid.UUID) (Station, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+stationColumns+` FROM stations WHERE id = $1`, id)
	return collectOne(rows, scanStation)
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
	return listPage(ctx, s.pool, q, p, scanStation, func(x Station) string { return x.ID.String() })
}

// IsAssignedSupervisor reports whether the person supervises the station.
func (s *Store) IsAssignedSupervisor(ctx context.Context, personID, stationID uuid.UUID) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM supervisor_assignments WHERE person_id = $1 AND station_id = $2)`,
		personID, stationID).Scan(&ok)
	return ok, err
}

// AssignSupervisor records that a supervisor follows a station; assigning
// twice changes nothing.
func (s *Store) AssignSupervisor(ctx context.Context, actor string, personID, stationID uuid.UUID) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO supervisor_assignments (person_id, station_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			personID, stationID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "supervisor.assigned", ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]string{"person_id": personID.String()})})
	})
}

// MarkWorkflowStarted records that the station's lifecycle workflow exists.
func (s *Store) MarkWorkflowStarted(ctx context.Context, ids ...uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `UPDATE stations SET workflow_started = true WHERE id = ANY($1) AND NOT workflow_started`, ids)
	return err
}

// StationsWithoutWorkflow returns up to limit stations whose lifecycle
// workflow has not been confirmed started, for the reconciler to start.
func (s *Store) StationsWithoutWorkflow(ctx context.Context, limit int) ([]Station, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+stationColumns+` FROM stations WHERE NOT workflow_started ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanStation)
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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var oldPhase string
		err := tx.QueryRow(ctx, `UPDATE stations AS s SET phase = $2, operator_id = $3, phase_version = $4, updated_at = now(),
				workflow_started = true
			FROM (SELECT id, phase FROM stations WHERE id = $1 FOR UPDATE) AS old
			WHERE s.id = old.id AND s.phase_version < $4
			RETURNING old.phase`, p.StationID, p.Phase, p.OperatorID, p.Version).Scan(&oldPhase)
		if err == pgx.ErrNoRows {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stations WHERE id = $1)`, p.StationID).Scan(&exists); err != nil {
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
