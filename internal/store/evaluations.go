package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// A station's states in a cycle.
const (
	EvalPending        = "pending"
	EvalSelfAssessment = "self_assessment"
	EvalEvaluation     = "evaluation"
	EvalArbitration    = "arbitration"
	EvalDecision       = "decision"
	EvalAppeal         = "appeal"
	EvalConditions     = "conditions"
	EvalDone           = "done"
	EvalFailed         = "failed"
	EvalCancelled      = "cancelled"
)

// EvalStates lists a station's states in a cycle, in the order it passes them.
var EvalStates = []string{EvalPending, EvalSelfAssessment, EvalEvaluation, EvalArbitration, EvalDecision,
	EvalAppeal, EvalConditions, EvalDone, EvalFailed, EvalCancelled}

// CycleStation is a station's way through a cycle.
type CycleStation struct {
	CycleID         uuid.UUID  `json:"cycle_id"`
	StationID       uuid.UUID  `json:"station_id"`
	Year            int        `json:"year"`
	RegionCode      string     `json:"region_code"`
	Level           string     `json:"level"`
	OrganisationID  *uuid.UUID `json:"organisation_id"`
	ContractID      *uuid.UUID `json:"contract_id"`
	State           string     `json:"state"`
	Failure         string     `json:"failure,omitempty"`
	SelfAssessment  *float64   `json:"self_assessment"`
	FundingUsedYuan *float64   `json:"funding_used_yuan"`
	Total           *float64   `json:"total"`
	Grade           *string    `json:"grade"`
	Arbitrated      bool       `json:"arbitrated"`
	ScorecardID     *uuid.UUID `json:"scorecard_id"`
	Proposal        *string    `json:"proposal"`
	Decision        *string    `json:"decision"`
	DecisionReason  string     `json:"decision_reason"`
	Appeal          string     `json:"appeal"`
	AppealReason    string     `json:"appeal_reason"`
	FinalDecision   *string    `json:"final_decision"`
	AppealUntil     *time.Time `json:"appeal_until"`
	ConditionsDue   *time.Time `json:"conditions_due"`
	Version         int64      `json:"version"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

const cycleStationColumns = `cs.cycle_id, cs.station_id, cs.year, cs.region_code, st.level, cs.organisation_id, cs.contract_id, cs.state,
	cs.failure, cs.self_assessment::float8, cs.funding_used_yuan::float8, cs.total::float8, cs.grade, cs.arbitrated, cs.scorecard_id,
	cs.proposal, cs.decision, cs.decision_reason, cs.appeal, cs.appeal_reason, cs.final_decision, cs.appeal_until, cs.conditions_due, cs.version, cs.updated_at`

const cycleStationFrom = ` FROM cycle_stations cs JOIN stations st ON st.id = cs.station_id`

// targets are the scan destinations of cycleStationColumns.
func (c *CycleStation) targets() []any {
	return []any{&c.CycleID, &c.StationID, &c.Year, &c.RegionCode, &c.Level, &c.OrganisationID, &c.ContractID, &c.State,
		&c.Failure, &c.SelfAssessment, &c.FundingUsedYuan, &c.Total, &c.Grade, &c.Arbitrated, &c.ScorecardID,
		&c.Proposal, &c.Decision, &c.DecisionReason, &c.Appeal, &c.AppealReason, &c.FinalDecision, &c.AppealUntil, &c.ConditionsDue, &c.Version, &c.UpdatedAt}
}

// GetCycleStation returns a station's way through a cycle.
func (s *Store) GetCycleStation(ctx context.Context, cycleID, stationID uuid.UUID) (CycleStation, error) {
	r, err := s.q.GetCycleStation(ctx, db.GetCycleStationParams{CycleID: cycleID, StationID: stationID})
	return cycleStationFromDB(r), notFound(err)
}

func cycleStationFromDB(r db.GetCycleStationRow) CycleStation {
	c := r.CycleStation
	return CycleStation{CycleID: c.CycleID, StationID: c.StationID, Year: c.Year, RegionCode: c.RegionCode, Level: r.Level,
		OrganisationID: c.OrganisationID, ContractID: c.ContractID, State: c.State, Failure: c.Failure, SelfAssessment: c.SelfAssessment,
		FundingUsedYuan: c.FundingUsedYuan, Total: c.Total, Grade: c.Grade, Arbitrated: c.Arbitrated, ScorecardID: c.ScorecardID,
		Proposal: c.Proposal, Decision: c.Decision, DecisionReason: c.DecisionReason, Appeal: c.Appeal, AppealReason: c.AppealReason,
		FinalDecision: c.FinalDecision, AppealUntil: c.AppealUntil, ConditionsDue: c.ConditionsDue, Version: c.Version,
		UpdatedAt: c.UpdatedAt}
}

// LatestCycleStation returns the station's place in its most recent cycle
// that has not been cancelled.
func (s *Store) LatestCycleStation(ctx context.Context, stationID uuid.UUID) (CycleStation, error) {
	r, err := s.q.LatestCycleStation(ctx, stationID)
	return cycleStationFromDB(db.GetCycleStationRow(r)), notFound(err)
}

// CycleStationsAfter lists up to limit of a cycle's stations with IDs
// after the given one (uuid.Nil for the first), in ID order: the page a
// cycle starts next.
func (s *Store) CycleStationsAfter(ctx context.Context, cycleID, after uuid.UUID, limit int) ([]CycleStation, error) {
	rows, err := s.q.CycleStationsAfter(ctx, db.CycleStationsAfterParams{CycleID: cycleID, After: after, MaxRows: limit})
	return mapRows(rows, func(r db.CycleStationsAfterRow) CycleStation { return cycleStationFromDB(db.GetCycleStationRow(r)) }), err
}

// ListCycleStations lists a cycle's stations in ID order, optionally in
// one state or of one organisation.
func (s *Store) ListCycleStations(ctx context.Context, cycleID uuid.UUID, state string, org *uuid.UUID, p Page) (List[CycleStation], error) {
	// The page cursor runs over the station ID, which the inner query
	// names id.
	inner := newQuery(`SELECT ` + cycleStationColumns + `, cs.station_id AS id` + cycleStationFrom)
	inner.whereIf(true, "cs.cycle_id = ?", cycleID)
	inner.whereIf(state != "", "cs.state = ?", state)
	inner.whereIf(org != nil, "cs.organisation_id = ?", org)
	q := &query{base: `SELECT * FROM (` + inner.sql("") + `) AS x`, args: inner.args}
	return listPage(ctx, s.pool, q, p, func(r pgx.CollectableRow) (CycleStation, error) {
		var c CycleStation
		var id uuid.UUID
		err := r.Scan(append(c.targets(), &id)...)
		return c, err
	}, func(c CycleStation) uuid.UUID { return c.StationID })
}

// CycleStationUpdate is what an evaluation projects about its station. Nil
// fields leave the column as it is.
type CycleStationUpdate struct {
	CycleID         uuid.UUID
	StationID       uuid.UUID
	State           string
	Failure         string
	SelfAssessment  *float64
	FundingUsedYuan *float64
	Total           *float64
	Grade           *string
	Arbitrated      bool
	ScorecardID     *uuid.UUID
	Proposal        *string
	Decision        *string
	DecisionReason  *string
	Appeal          *string
	AppealReason    *string
	FinalDecision   *string
	AppealUntil     *time.Time
	ConditionsDue   *time.Time
	Version         int64
	Event           string
	Actor           string
	Reason          string
}

// ProjectCycleStation writes an evaluation's progress for its station; a
// write with a version not above the stored one changes nothing, so
// retries and late writes are harmless. It returns how many of the cycle's
// stations have not finished yet.
func (s *Store) ProjectCycleStation(ctx context.Context, u CycleStationUpdate) (int, error) {
	remaining := -1
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.ProjectCycleStation(ctx, db.ProjectCycleStationParams{CycleID: u.CycleID, StationID: u.StationID, State: u.State,
			Failure: u.Failure, SelfAssessment: u.SelfAssessment, FundingUsedYuan: u.FundingUsedYuan, Total: u.Total, Grade: u.Grade,
			Arbitrated: u.Arbitrated, ScorecardID: u.ScorecardID, Proposal: u.Proposal, Decision: u.Decision,
			DecisionReason: u.DecisionReason, Appeal: u.Appeal, AppealReason: u.AppealReason, FinalDecision: u.FinalDecision,
			ConditionsDue: u.ConditionsDue, AppealUntil: u.AppealUntil, Version: u.Version})
		if err != nil {
			return err
		}
		if n == 0 {
			exists, err := q.CycleStationExists(ctx, db.CycleStationExistsParams{CycleID: u.CycleID, StationID: u.StationID})
			if err != nil {
				return err
			}
			if !exists {
				return fmt.Errorf("station %s in cycle %s: %w", u.StationID, u.CycleID, ErrNotFound)
			}
		} else if u.Event != "" {
			detail := map[string]any{"cycle_id": u.CycleID, "state": u.State, "version": u.Version, "reason": u.Reason}
			if err := AppendAudit(ctx, tx, AuditEntry{Actor: u.Actor, Action: "evaluation." + u.Event, ObjectType: "station",
				ObjectID: u.StationID.String(), Detail: mustJSON(detail)}); err != nil {
				return err
			}
		}
		remaining, err = q.UnfinishedCount(ctx, u.CycleID)
		return err
	})
	return remaining, err
}

// UnfinishedCycleStations lists up to limit of a cycle's stations that have
// not finished, in ID order.
func (s *Store) UnfinishedCycleStations(ctx context.Context, cycleID uuid.UUID, limit int) ([]uuid.UUID, error) {
	return s.q.UnfinishedCycleStations(ctx, db.UnfinishedCycleStationsParams{CycleID: cycleID, MaxRows: limit})
}

// CancelCycleStations marks stations of a cancelled cycle cancelled, above
// any version their evaluations could still write.
func (s *Store) CancelCycleStations(ctx context.Context, cycleID uuid.UUID, ids []uuid.UUID) error {
	return s.q.CancelCycleStations(ctx, db.CancelCycleStationsParams{CycleID: cycleID, Ids: ids})
}
