package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Supervision quarter states.
const (
	QuarterOpen   = "open"
	QuarterFiled  = "filed"
	QuarterMissed = "missed"
)

// SupervisionQuarter is one station's supervision for one quarter.
type SupervisionQuarter struct {
	StationID      uuid.UUID  `json:"station_id"`
	Period         string     `json:"period"`
	ContractID     *uuid.UUID `json:"contract_id"`
	OrganisationID *uuid.UUID `json:"organisation_id"`
	SupervisorID   *uuid.UUID `json:"supervisor_id"`
	TaskID         uuid.UUID  `json:"task_id"`
	RubricVersion  string     `json:"rubric_version"`
	State          string     `json:"state"`
	ScorecardID    *uuid.UUID `json:"scorecard_id"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

const quarterColumns = `station_id, period, contract_id, organisation_id, supervisor_id, task_id, rubric_version, state,
	scorecard_id, reason, created_at, updated_at`

func scanQuarter(r pgx.CollectableRow) (SupervisionQuarter, error) {
	var q SupervisionQuarter
	err := r.Scan(&q.StationID, &q.Period, &q.ContractID, &q.OrganisationID, &q.SupervisorID, &q.TaskID, &q.RubricVersion,
		&q.State, &q.ScorecardID, &q.Reason, &q.CreatedAt, &q.UpdatedAt)
	return q, err
}

// OpenSupervisionQuarter records that a station's quarter is open for
// supervision and assigns its supervisor: a supervisor of the station's
// county (the office region officeRegion), never one who works for the
// station's operating organisation, with the least open work (open
// supervisions and other open tasks, such as verifying rectifications),
// ties broken by ID. No eligible supervisor leaves SupervisorID nil: the county
// office holds the task. Opening the same quarter again returns the row
// written the first time, so a retried activity assigns no one twice.
func (s *Store) OpenSupervisionQuarter(ctx context.Context, q SupervisionQuarter, officeRegion, actor string) (SupervisionQuarter, error) {
	var out SupervisionQuarter
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// Assignments in one county are serialised so that stations opened
		// at the same moment spread over the supervisors.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('supervision-assign/' || $1))`, officeRegion); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+quarterColumns+` FROM supervision_quarters WHERE station_id = $1 AND period = $2`, q.StationID, q.Period)
		existing, err := collectOne(rows, scanQuarter)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		var supervisor *uuid.UUID
		err = tx.QueryRow(ctx, `SELECT p.id FROM people p
			WHERE p.role = 'supervisor' AND p.region_code LIKE $1 || '%'
				AND (p.organisation_id IS NULL OR $2::uuid IS NULL OR p.organisation_id <> $2::uuid)
			ORDER BY (SELECT count(*) FROM supervision_quarters sq WHERE sq.supervisor_id = p.id AND sq.state = 'open')
				+ (SELECT count(*) FROM tasks t WHERE t.assignee_kind = 'person' AND t.assignee_id = p.id::text
					AND t.state IN ('open', 'claimed', 'escalated') AND t.kind <> 'quarterly_supervision'), p.id
			LIMIT 1`, officeRegion, q.OrganisationID).Scan(&supervisor)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		q.SupervisorID = supervisor
		rows, _ = tx.Query(ctx, `INSERT INTO supervision_quarters (station_id, period, contract_id, organisation_id, supervisor_id, task_id, rubric_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+quarterColumns,
			q.StationID, q.Period, q.ContractID, q.OrganisationID, q.SupervisorID, q.TaskID, q.RubricVersion)
		if out, err = collectOne(rows, scanQuarter); err != nil {
			return err
		}
		if supervisor != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO supervisor_assignments (person_id, station_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				supervisor, q.StationID); err != nil {
				return err
			}
		}
		detail := map[string]any{"period": q.Period, "task_id": q.TaskID, "rubric_version": q.RubricVersion, "supervisor_id": supervisor}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "supervision.opened", ObjectType: "station",
			ObjectID: q.StationID.String(), Detail: mustJSON(detail)})
	})
	return out, err
}

// GetSupervisionQuarter returns one station's quarter or ErrNotFound.
func (s *Store) GetSupervisionQuarter(ctx context.Context, stationID uuid.UUID, period string) (SupervisionQuarter, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+quarterColumns+` FROM supervision_quarters WHERE station_id = $1 AND period = $2`, stationID, period)
	return collectOne(rows, scanQuarter)
}

// CloseSupervisionQuarter marks a quarter filed (with its scorecard) or
// missed (with the office's reason). Closing it again changes nothing.
func (s *Store) CloseSupervisionQuarter(ctx context.Context, stationID uuid.UUID, period, state string, scorecardID *uuid.UUID, reason, actor string) error {
	if state != QuarterFiled && state != QuarterMissed {
		return fmt.Errorf("a quarter closes as filed or missed, not %q", state)
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE supervision_quarters SET state = $3, scorecard_id = $4, reason = $5, updated_at = now()
			WHERE station_id = $1 AND period = $2 AND state = 'open'`, stationID, period, state, scorecardID, reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM supervision_quarters WHERE station_id = $1 AND period = $2)`,
				stationID, period).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("supervision of %s in %s: %w", stationID, period, ErrNotFound)
			}
			return nil
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "supervision." + state, ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]any{"period": period, "scorecard_id": scorecardID, "reason": reason})})
	})
}

// CountSupervisionQuarters is how many quarters have been opened for
// supervision at a station.
func (s *Store) CountSupervisionQuarters(ctx context.Context, stationID uuid.UUID) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM supervision_quarters WHERE station_id = $1`, stationID).Scan(&n)
	return n, err
}
