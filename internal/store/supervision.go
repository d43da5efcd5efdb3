package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store/db"
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
	err := s.inTx(ctx, func(tx pgx.Tx, qs *db.Queries) error {
		if err := qs.LockAssignments(ctx, officeRegion); err != nil {
			return err
		}
		existing, err := qs.GetSupervisionQuarter(ctx, db.GetSupervisionQuarterParams{StationID: q.StationID, Period: q.Period})
		if err == nil {
			out = SupervisionQuarter(existing)
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var supervisor *uuid.UUID
		id, err := qs.LeastBusySupervisor(ctx, db.LeastBusySupervisorParams{Region: officeRegion, OrganisationID: q.OrganisationID})
		switch {
		case err == nil:
			supervisor = &id
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if supervisor, err = eligible(ctx, qs, AssigneeTask{ID: q.TaskID, Kind: flow.KindSupervision, StationID: q.StationID}, supervisor); err != nil {
			return err
		}
		q.SupervisorID = supervisor
		row, err := qs.InsertSupervisionQuarter(ctx, db.InsertSupervisionQuarterParams{StationID: q.StationID, Period: q.Period,
			ContractID: q.ContractID, OrganisationID: q.OrganisationID, SupervisorID: q.SupervisorID, TaskID: q.TaskID,
			RubricVersion: q.RubricVersion})
		if err != nil {
			return err
		}
		out = SupervisionQuarter(row)
		if supervisor != nil {
			if _, err := qs.AssignSupervisor(ctx, db.AssignSupervisorParams{PersonID: *supervisor, StationID: q.StationID}); err != nil {
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
	r, err := s.q.GetSupervisionQuarter(ctx, db.GetSupervisionQuarterParams{StationID: stationID, Period: period})
	return SupervisionQuarter(r), notFound(err)
}

// CloseSupervisionQuarter marks a quarter filed (with its scorecard) or
// missed (with the office's reason). Closing it again changes nothing.
func (s *Store) CloseSupervisionQuarter(ctx context.Context, stationID uuid.UUID, period, state string, scorecardID *uuid.UUID, reason, actor string) error {
	if state != QuarterFiled && state != QuarterMissed {
		return fmt.Errorf("a quarter closes as filed or missed, not %q", state)
	}
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.CloseSupervisionQuarter(ctx, db.CloseSupervisionQuarterParams{StationID: stationID, Period: period, State: state,
			ScorecardID: scorecardID, Reason: reason})
		if err != nil {
			return err
		}
		if n == 0 {
			exists, err := q.SupervisionQuarterExists(ctx, db.SupervisionQuarterExistsParams{StationID: stationID, Period: period})
			if err != nil {
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
	return s.q.CountSupervisionQuarters(ctx, stationID)
}
