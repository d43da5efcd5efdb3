package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/grading"
)

// Cycle states.
const (
	CycleStarting   = "starting"   // stations are being started
	CycleRunning    = "running"    // every station is started; evaluations go on
	CycleCompleted  = "completed"  // every station has finished
	CycleCancelling = "cancelling" // the office cancelled; stations are being stopped
	CycleCancelled  = "cancelled"
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

// Skip reasons of a cycle preview.
const (
	SkipNotOperating = "not_operating"  // no operator, or no active contract
	SkipTermTooShort = "term_too_short" // the contract's term covers too little of the year
	SkipInOtherCycle = "in_other_cycle" // the station is in another cycle of the year
)

// CycleSettings is what an office starts a cycle with; it is frozen into
// the cycle.
type CycleSettings struct {
	RegionCode            string        `json:"region_code"`
	Year                  int           `json:"year"`
	RubricVersion         string        `json:"rubric_version"`
	Bands                 grading.Bands `json:"bands"`
	SelfAssessmentDue     time.Time     `json:"self_assessment_due"`
	EvaluationDue         time.Time     `json:"evaluation_due"`
	EvaluatorsPerStation  int           `json:"evaluators_per_station"`
	DisagreementThreshold float64       `json:"disagreement_threshold"`
	OnDisagreement        string        `json:"on_disagreement"`
	AppealWorkdays        int           `json:"appeal_workdays"`
	MinTermDays           int           `json:"min_term_days"`
}

// Cycle is an annual evaluation cycle with its progress.
type Cycle struct {
	ID uuid.UUID `json:"id"`
	CycleSettings
	State      string     `json:"state"`
	Stations   int        `json:"stations"`
	Started    int        `json:"started"`
	WorkflowID string     `json:"workflow_id"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// Counts holds the number of stations in each state; Done is the share
	// that has finished (done, failed or cancelled), 0 to 1.
	Counts   map[string]int `json:"counts"`
	Done     float64        `json:"done"`
	Failures []CycleFailure `json:"failures"`
}

// CycleFailure is a station whose evaluation failed, with the reason.
type CycleFailure struct {
	StationID uuid.UUID `json:"station_id"`
	Reason    string    `json:"reason"`
}

// SkippedStation is a station a cycle leaves out, and why.
type SkippedStation struct {
	StationID  uuid.UUID `json:"station_id"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	Reason     string    `json:"reason"`
}

// CyclePreview is what a cycle would include, before anything starts.
// Digest names the included set; starting the cycle with it fails when the
// set has changed since.
type CyclePreview struct {
	Included        int              `json:"included"`
	Skipped         int              `json:"skipped"`
	SkippedByReason map[string]int   `json:"skipped_by_reason"`
	SkippedStations []SkippedStation `json:"skipped_stations"` // the first MaxPreviewSkipped, by region
	Digest          string           `json:"digest"`
}

// MaxPreviewSkipped bounds the skipped stations a preview lists one by one.
const MaxPreviewSkipped = 200

// cycleCandidates gives, for every station of a region, the reason a cycle
// of the year would skip it (” when included). $1 region prefix, $2 year,
// $3 minimum days of the year under contract.
const cycleCandidates = `WITH candidates AS (
	SELECT s.id, s.name, s.region_code, s.operator_id, c.id AS contract_id,
		CASE WHEN s.phase <> 'operating' OR c.id IS NULL THEN 'not_operating'
			WHEN EXISTS (SELECT 1 FROM cycle_stations cs WHERE cs.station_id = s.id AND cs.year = $2 AND cs.state <> 'cancelled')
				THEN 'in_other_cycle'
			WHEN (LEAST(c.term_end, make_date($2, 12, 31)) - GREATEST(c.term_start, make_date($2, 1, 1)) + 1) < GREATEST($3::int, 1)
				THEN 'term_too_short'
			ELSE '' END AS skip
	FROM stations s
	LEFT JOIN LATERAL (SELECT id, term_start, term_end FROM contracts
		WHERE station_id = s.id AND state = 'active' ORDER BY term_start DESC, id LIMIT 1) c ON true
	WHERE s.region_code LIKE $1 || '%')`

// PreviewCycle says which of a region's stations a cycle of the year would
// include, and which it would skip and why.
func (s *Store) PreviewCycle(ctx context.Context, region string, year, minTermDays int) (CyclePreview, error) {
	return previewCycle(ctx, s.Pool, region, year, minTermDays)
}

func previewCycle(ctx context.Context, db DBTX, region string, year, minTermDays int) (CyclePreview, error) {
	p := CyclePreview{SkippedByReason: map[string]int{}, SkippedStations: []SkippedStation{}}
	err := db.QueryRow(ctx, cycleCandidates+`
		SELECT count(*) FILTER (WHERE skip = ''), count(*) FILTER (WHERE skip <> ''),
			encode(sha256(convert_to(coalesce(string_agg(id::text, ',' ORDER BY id) FILTER (WHERE skip = ''), ''), 'UTF8')), 'hex')
		FROM candidates`, region, year, minTermDays).Scan(&p.Included, &p.Skipped, &p.Digest)
	if err != nil {
		return p, err
	}
	rows, err := db.Query(ctx, cycleCandidates+`SELECT skip, count(*) FROM candidates WHERE skip <> '' GROUP BY skip`, region, year, minTermDays)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var reason string
		var n int
		if err := rows.Scan(&reason, &n); err != nil {
			rows.Close()
			return p, err
		}
		p.SkippedByReason[reason] = n
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	rows, _ = db.Query(ctx, cycleCandidates+`SELECT id, name, region_code, skip FROM candidates WHERE skip <> ''
		ORDER BY region_code, id LIMIT `+fmt.Sprint(MaxPreviewSkipped), region, year, minTermDays)
	skipped, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SkippedStation, error) {
		var st SkippedStation
		err := r.Scan(&st.StationID, &st.Name, &st.RegionCode, &st.Reason)
		return st, err
	})
	if err != nil {
		return p, err
	}
	p.SkippedStations = append(p.SkippedStations, skipped...)
	return p, nil
}

// ErrPreviewChanged is returned when a cycle is started with a preview's
// digest and the stations it would include have changed since.
var ErrPreviewChanged = errors.New("the stations the cycle includes have changed since the preview")

// CreateCycle writes a cycle and the stations it includes, in one
// transaction: the stations a preview with the same settings would include
// now. With digest set, it fails with ErrPreviewChanged unless that set is
// the one previewed. Cycles of one year are created one at a time, so no
// station is included twice.
func (s *Store) CreateCycle(ctx context.Context, id uuid.UUID, set CycleSettings, digest, workflowID, actor string) (Cycle, error) {
	var out Cycle
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('cycle-year/' || $1::int))`, set.Year); err != nil {
			return err
		}
		p, err := previewCycle(ctx, tx, set.RegionCode, set.Year, set.MinTermDays)
		if err != nil {
			return err
		}
		if digest != "" && digest != p.Digest {
			return ErrPreviewChanged
		}
		bands, err := json.Marshal(set.Bands)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cycles (id, region_code, year, rubric_version, bands, self_assessment_due, evaluation_due,
				evaluators_per_station, disagreement_threshold, on_disagreement, appeal_workdays, min_term_days, stations, workflow_id, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			id, set.RegionCode, set.Year, set.RubricVersion, bands, set.SelfAssessmentDue, set.EvaluationDue, set.EvaluatorsPerStation,
			set.DisagreementThreshold, set.OnDisagreement, set.AppealWorkdays, set.MinTermDays, p.Included, workflowID, actor); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, cycleCandidates+`
			INSERT INTO cycle_stations (cycle_id, station_id, year, region_code, organisation_id, contract_id)
			SELECT $4::uuid, id, $2, region_code, operator_id, contract_id FROM candidates WHERE skip = ''`,
			set.RegionCode, set.Year, set.MinTermDays, id); err != nil {
			return err
		}
		if err := AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "cycle.started", ObjectType: "cycle", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"region_code": set.RegionCode, "year": set.Year, "rubric_version": set.RubricVersion,
				"stations": p.Included, "skipped": p.SkippedByReason})}); err != nil {
			return err
		}
		out, err = getCycle(ctx, tx, id)
		return err
	})
	return out, err
}

const cycleColumns = `id, region_code, year, rubric_version, bands::text, self_assessment_due, evaluation_due, evaluators_per_station,
	disagreement_threshold::float8, on_disagreement, appeal_workdays, min_term_days, state, stations, started, workflow_id, created_by,
	created_at, finished_at`

func scanCycle(r pgx.CollectableRow) (Cycle, error) {
	var c Cycle
	var bands string
	err := r.Scan(&c.ID, &c.RegionCode, &c.Year, &c.RubricVersion, &bands, &c.SelfAssessmentDue, &c.EvaluationDue,
		&c.EvaluatorsPerStation, &c.DisagreementThreshold, &c.OnDisagreement, &c.AppealWorkdays, &c.MinTermDays, &c.State,
		&c.Stations, &c.Started, &c.WorkflowID, &c.CreatedBy, &c.CreatedAt, &c.FinishedAt)
	if err == nil {
		err = json.Unmarshal([]byte(bands), &c.Bands)
	}
	return c, err
}

// GetCycle returns a cycle with its progress: the stations in each state
// and every failed station with its reason (the first 1,000).
func (s *Store) GetCycle(ctx context.Context, id uuid.UUID) (Cycle, error) {
	return getCycle(ctx, s.Pool, id)
}

func getCycle(ctx context.Context, db DBTX, id uuid.UUID) (Cycle, error) {
	rows, _ := db.Query(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE id = $1`, id)
	c, err := collectOne(rows, scanCycle)
	if err != nil {
		return c, err
	}
	c.Counts = map[string]int{}
	for _, st := range EvalStates {
		c.Counts[st] = 0
	}
	rows, err = db.Query(ctx, `SELECT state, count(*) FROM cycle_stations WHERE cycle_id = $1 GROUP BY state`, id)
	if err != nil {
		return c, err
	}
	finished := 0
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return c, err
		}
		c.Counts[state] = n
		if state == EvalDone || state == EvalFailed || state == EvalCancelled {
			finished += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if c.Stations > 0 {
		c.Done = float64(finished) / float64(c.Stations)
	} else {
		c.Done = 1
	}
	rows, _ = db.Query(ctx, `SELECT station_id, failure FROM cycle_stations WHERE cycle_id = $1 AND state = 'failed'
		ORDER BY station_id LIMIT 1000`, id)
	c.Failures, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CycleFailure, error) {
		var f CycleFailure
		err := r.Scan(&f.StationID, &f.Reason)
		return f, err
	})
	return c, err
}

// CycleFilter narrows a list of cycles.
type CycleFilter struct {
	RegionPrefix string // an office: cycles in its region ("" with All)
	All          bool
	Year         int
}

// ListCycles lists cycles in ID order, without their progress.
func (s *Store) ListCycles(ctx context.Context, f CycleFilter, p Page) (List[Cycle], error) {
	q := newQuery(`SELECT ` + cycleColumns + ` FROM cycles`)
	if !f.All {
		q.whereIf(true, "region_code LIKE ?", f.RegionPrefix+"%")
	}
	q.whereIf(f.Year != 0, "year = ?", f.Year)
	return listPage(ctx, s.Pool, q, p, scanCycle, func(c Cycle) string { return c.ID.String() })
}

// CyclesStarting lists cycles written at least olderThan ago that are
// still starting: their workflow may never have been started.
func (s *Store) CyclesStarting(ctx context.Context, olderThan time.Duration, limit int) ([]Cycle, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+cycleColumns+` FROM cycles WHERE state = 'starting' AND created_at < now() - $1::interval
		ORDER BY created_at LIMIT $2`, olderThan, limit)
	return pgx.CollectRows(rows, scanCycle)
}

// SetCycleState moves a cycle to a state and records how many stations
// have been started; a finished cycle never moves again.
func (s *Store) SetCycleState(ctx context.Context, id uuid.UUID, state string, started int, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var old string
		err := tx.QueryRow(ctx, `SELECT state FROM cycles WHERE id = $1 FOR UPDATE`, id).Scan(&old)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("cycle %s: %w", id, ErrNotFound)
		}
		if err != nil || old == CycleCompleted || old == CycleCancelled {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cycles SET state = $2, started = GREATEST(started, $3), updated_at = now(),
				finished_at = CASE WHEN $2 IN ('completed', 'cancelled') THEN now() END
			WHERE id = $1`, id, state, started); err != nil {
			return err
		}
		if old == state { // progress only
			return nil
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "cycle." + state, ObjectType: "cycle", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"started": started})})
	})
}

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

func scanCycleStation(r pgx.CollectableRow) (CycleStation, error) {
	var c CycleStation
	err := r.Scan(c.targets()...)
	return c, err
}

// GetCycleStation returns a station's way through a cycle.
func (s *Store) GetCycleStation(ctx context.Context, cycleID, stationID uuid.UUID) (CycleStation, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+cycleStationColumns+cycleStationFrom+` WHERE cs.cycle_id = $1 AND cs.station_id = $2`,
		cycleID, stationID)
	return collectOne(rows, scanCycleStation)
}

// LatestCycleStation returns the station's place in its most recent cycle
// that has not been cancelled.
func (s *Store) LatestCycleStation(ctx context.Context, stationID uuid.UUID) (CycleStation, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+cycleStationColumns+cycleStationFrom+`
		WHERE cs.station_id = $1 AND cs.state <> 'cancelled' ORDER BY cs.year DESC LIMIT 1`, stationID)
	return collectOne(rows, scanCycleStation)
}

// CycleStationsAfter lists up to limit of a cycle's stations with IDs
// after the given one (uuid.Nil for the first), in ID order: the page a
// cycle starts next.
func (s *Store) CycleStationsAfter(ctx context.Context, cycleID, after uuid.UUID, limit int) ([]CycleStation, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+cycleStationColumns+cycleStationFrom+`
		WHERE cs.cycle_id = $1 AND cs.station_id > $2 ORDER BY cs.station_id LIMIT $3`, cycleID, after, limit)
	return pgx.CollectRows(rows, scanCycleStation)
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
	return listPage(ctx, s.Pool, q, p, func(r pgx.CollectableRow) (CycleStation, error) {
		var c CycleStation
		var id uuid.UUID
		err := r.Scan(append(c.targets(), &id)...)
		return c, err
	}, func(c CycleStation) string { return c.StationID.String() })
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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE cycle_stations SET state = $3, failure = $4,
				self_assessment = coalesce($5, self_assessment), funding_used_yuan = coalesce($6, funding_used_yuan),
				total = coalesce($7, total), grade = coalesce($8, grade), arbitrated = arbitrated OR $9,
				scorecard_id = coalesce($10, scorecard_id), proposal = coalesce($11, proposal), decision = coalesce($12, decision),
				decision_reason = coalesce($13, decision_reason), appeal = coalesce($14, appeal), appeal_reason = coalesce($15, appeal_reason),
				final_decision = coalesce($16, final_decision), conditions_due = coalesce($17, conditions_due),
				appeal_until = coalesce($19, appeal_until), version = $18, updated_at = now()
			WHERE cycle_id = $1 AND station_id = $2 AND version < $18`,
			u.CycleID, u.StationID, u.State, u.Failure, u.SelfAssessment, u.FundingUsedYuan, u.Total, u.Grade, u.Arbitrated,
			u.ScorecardID, u.Proposal, u.Decision, u.DecisionReason, u.Appeal, u.AppealReason, u.FinalDecision, u.ConditionsDue, u.Version,
			u.AppealUntil)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cycle_stations WHERE cycle_id = $1 AND station_id = $2)`,
				u.CycleID, u.StationID).Scan(&exists); err != nil {
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
		return tx.QueryRow(ctx, `SELECT count(*) FROM cycle_stations WHERE cycle_id = $1 AND state NOT IN ('done', 'failed', 'cancelled')`,
			u.CycleID).Scan(&remaining)
	})
	return remaining, err
}

// UnfinishedCycleStations lists up to limit of a cycle's stations that have
// not finished, in ID order.
func (s *Store) UnfinishedCycleStations(ctx context.Context, cycleID uuid.UUID, limit int) ([]uuid.UUID, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT station_id FROM cycle_stations
		WHERE cycle_id = $1 AND state NOT IN ('done', 'failed', 'cancelled') ORDER BY station_id LIMIT $2`, cycleID, limit)
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// CancelCycleStations marks stations of a cancelled cycle cancelled, above
// any version their evaluations could still write.
func (s *Store) CancelCycleStations(ctx context.Context, cycleID uuid.UUID, ids []uuid.UUID) error {
	_, err := s.Pool.Exec(ctx, `UPDATE cycle_stations SET state = 'cancelled', version = version + 1000000, updated_at = now()
		WHERE cycle_id = $1 AND station_id = ANY($2) AND state NOT IN ('done', 'failed', 'cancelled')`, cycleID, ids)
	return err
}

// Evaluation is one evaluator's slot at a station in a cycle.
type Evaluation struct {
	Slot        int        `json:"slot"`
	EvaluatorID *uuid.UUID `json:"evaluator_id"`
	TaskID      uuid.UUID  `json:"task_id"`
	Total       *float64   `json:"total"`
	Passed      *bool      `json:"passed"`
	FiledAt     *time.Time `json:"filed_at"`
}

// AssignEvaluator gives a station's evaluation slot its evaluator: the
// supervisor with the least open work among those of the station's county
// (widening to its city, then its province, when the county has nobody
// free), never one employed by the operating organisation and never one
// already evaluating the station. With nobody eligible the office holds
// the task (EvaluatorID nil). Assigning a slot again returns the first
// answer. Assignments in one region are serialised.
func (s *Store) AssignEvaluator(ctx context.Context, cycleID, stationID uuid.UUID, slot int, taskID uuid.UUID, org *uuid.UUID, stationRegion, actor string) (Evaluation, error) {
	var out Evaluation
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		county := stationRegion[:min(6, len(stationRegion))]
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('supervision-assign/' || $1))`, county); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT slot, evaluator_id, task_id, total::float8, passed, filed_at FROM cycle_evaluations
			WHERE cycle_id = $1 AND station_id = $2 AND slot = $3`, cycleID, stationID, slot)
		existing, err := collectOne(rows, scanEvaluation)
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		var evaluator *uuid.UUID
		for _, prefix := range []string{county, stationRegion[:min(4, len(stationRegion))], stationRegion[:min(2, len(stationRegion))]} {
			err = tx.QueryRow(ctx, `SELECT p.id FROM people p
				WHERE p.role = 'supervisor' AND p.region_code LIKE $1 || '%'
					AND (p.organisation_id IS NULL OR $2::uuid IS NULL OR p.organisation_id <> $2::uuid)
					AND NOT EXISTS (SELECT 1 FROM cycle_evaluations e WHERE e.cycle_id = $3 AND e.station_id = $4 AND e.evaluator_id = p.id)
				ORDER BY (SELECT count(*) FROM cycle_evaluations e WHERE e.evaluator_id = p.id AND e.total IS NULL)
					+ (SELECT count(*) FROM tasks t WHERE t.assignee_kind = 'person' AND t.assignee_id = p.id::text
						AND t.state IN ('open', 'claimed', 'escalated') AND t.kind <> 'annual_evaluation'), p.id
				LIMIT 1`, prefix, org, cycleID, stationID).Scan(&evaluator)
			if err == nil {
				break
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		rows, _ = tx.Query(ctx, `INSERT INTO cycle_evaluations (cycle_id, station_id, slot, evaluator_id, task_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING slot, evaluator_id, task_id, total::float8, passed, filed_at`,
			cycleID, stationID, slot, evaluator, taskID)
		if out, err = collectOne(rows, scanEvaluation); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "evaluation.evaluator_assigned", ObjectType: "station",
			ObjectID: stationID.String(), Detail: mustJSON(map[string]any{"cycle_id": cycleID, "slot": slot, "evaluator_id": evaluator, "task_id": taskID})})
	})
	return out, err
}

func scanEvaluation(r pgx.CollectableRow) (Evaluation, error) {
	var e Evaluation
	err := r.Scan(&e.Slot, &e.EvaluatorID, &e.TaskID, &e.Total, &e.Passed, &e.FiledAt)
	return e, err
}

// RecordEvaluation stores an evaluator's total; recording it again changes
// nothing.
func (s *Store) RecordEvaluation(ctx context.Context, cycleID, stationID uuid.UUID, slot int, total float64, passed bool) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE cycle_evaluations SET total = $4, passed = $5, filed_at = now()
		WHERE cycle_id = $1 AND station_id = $2 AND slot = $3 AND total IS NULL`, cycleID, stationID, slot, total, passed)
	if err != nil || tag.RowsAffected() > 0 {
		return err
	}
	var exists bool
	if err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cycle_evaluations WHERE cycle_id = $1 AND station_id = $2 AND slot = $3)`,
		cycleID, stationID, slot).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("evaluation slot %d of station %s: %w", slot, stationID, ErrNotFound)
	}
	return nil
}

// Evaluations lists a station's evaluation slots in a cycle.
func (s *Store) Evaluations(ctx context.Context, cycleID, stationID uuid.UUID) ([]Evaluation, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT slot, evaluator_id, task_id, total::float8, passed, filed_at FROM cycle_evaluations
		WHERE cycle_id = $1 AND station_id = $2 ORDER BY slot`, cycleID, stationID)
	return pgx.CollectRows(rows, scanEvaluation)
}

// EvaluatorScores lists every filed evaluator total of a cycle.
func (s *Store) EvaluatorScores(ctx context.Context, cycleID uuid.UUID) ([]grading.Scored, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT station_id::text, evaluator_id::text, total::float8 FROM cycle_evaluations
		WHERE cycle_id = $1 AND evaluator_id IS NOT NULL AND total IS NOT NULL`, cycleID)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (grading.Scored, error) {
		var sc grading.Scored
		err := r.Scan(&sc.StationID, &sc.EvaluatorID, &sc.Total)
		return sc, err
	})
}

// OpenRectifications counts a station's rectification items not yet
// verified, and those of them on critical indicators, with their IDs.
func (s *Store) OpenRectifications(ctx context.Context, stationID uuid.UUID) (ids []uuid.UUID, critical int, err error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, critical FROM rectifications WHERE station_id = $1 AND state <> 'verified' ORDER BY id`, stationID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	ids = []uuid.UUID{}
	for rows.Next() {
		var id uuid.UUID
		var crit bool
		if err := rows.Scan(&id, &crit); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
		if crit {
			critical++
		}
	}
	return ids, critical, rows.Err()
}

// StillOpen returns which of the given rectification items are not yet
// verified.
func (s *Store) StillOpen(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id FROM rectifications WHERE id = ANY($1) AND state <> 'verified' ORDER BY id`, ids)
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// RenewContract starts the term after a contract's, for the same
// organisation, funding and targets, and ends the old one. A retry with
// the same new ID writes nothing twice.
func (s *Store) RenewContract(ctx context.Context, oldID, newID uuid.UUID, start, end time.Time, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO contracts (id, station_id, organisation_id, term_start, term_end, funding_yuan, targets)
			SELECT $2, station_id, organisation_id, $3, $4, funding_yuan, targets FROM contracts WHERE id = $1
			ON CONFLICT (id) DO NOTHING`, oldID, newID, start, end)
		if err != nil || tag.RowsAffected() == 0 {
			if err == nil {
				var exists bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contracts WHERE id = $1)`, newID).Scan(&exists); err != nil {
					return err
				}
				if !exists {
					return fmt.Errorf("contract %s: %w", oldID, ErrNotFound)
				}
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contracts SET state = 'ended' WHERE id = $1 AND state = 'active'`, oldID); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.renewed", ObjectType: "contract", ObjectID: newID.String(),
			Detail: mustJSON(map[string]any{"previous": oldID, "term_start": start.Format(time.DateOnly), "term_end": end.Format(time.DateOnly)})})
	})
}

// GetContract returns a contract or ErrNotFound.
func (s *Store) GetContract(ctx context.Context, id uuid.UUID) (Contract, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, station_id, organisation_id, term_start, term_end, funding_yuan::float8, targets::text, state
		FROM contracts WHERE id = $1`, id)
	return collectOne(rows, scanContract)
}

// TerminateContract ends a contract early because its organisation exits.
func (s *Store) TerminateContract(ctx context.Context, id uuid.UUID, reason, actor string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE contracts SET state = 'terminated' WHERE id = $1 AND state = 'active'`, id)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "contract.terminated", ObjectType: "contract", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"reason": reason})})
	})
}

// OpenCycleTasks lists a cycle's open tasks of one kind.
func (s *Store) OpenCycleTasks(ctx context.Context, cycleID uuid.UUID, kind string) ([]Task, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+taskListColumns+` FROM tasks
		WHERE subject_id = $1 AND kind = $2 AND state IN ('open', 'claimed', 'escalated') ORDER BY id`, cycleID, kind)
	return pgx.CollectRows(rows, scanTask)
}

// ReportRow is one station's line in a cycle's report.
type ReportRow struct {
	CycleStation
	StationName  string
	CountyCode   string
	CountyName   string
	Organisation string
	Evaluations  []float64
}

// CycleReport streams a cycle's stations, by county and station, with
// what the report shows of each.
func (s *Store) CycleReport(ctx context.Context, cycleID uuid.UUID) iter.Seq2[ReportRow, error] {
	return func(yield func(ReportRow, error) bool) {
		rows, err := s.Pool.Query(ctx, `SELECT `+cycleStationColumns+`, st.name, left(cs.region_code, 6), coalesce(r.name, ''),
				coalesce(o.name, ''),
				coalesce((SELECT array_agg(e.total::float8 ORDER BY e.slot) FROM cycle_evaluations e
					WHERE e.cycle_id = cs.cycle_id AND e.station_id = cs.station_id AND e.total IS NOT NULL), '{}')
			`+cycleStationFrom+`
			LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
			LEFT JOIN organisations o ON o.id = cs.organisation_id
			WHERE cs.cycle_id = $1 ORDER BY cs.region_code, st.level, cs.station_id`, cycleID)
		if err != nil {
			yield(ReportRow{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r ReportRow
			if err := rows.Scan(append(r.targets(), &r.StationName, &r.CountyCode, &r.CountyName, &r.Organisation, &r.Evaluations)...); err != nil {
				yield(r, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ReportRow{}, err)
		}
	}
}

// CountyGrades counts a county's stations in a cycle by grade.
type CountyGrades struct {
	CountyCode string         `json:"county_code"`
	CountyName string         `json:"county_name"`
	Counts     map[string]int `json:"counts"`
	Ungraded   int            `json:"ungraded"`
}

// GradeDistribution counts a cycle's stations by county and grade.
func (s *Store) GradeDistribution(ctx context.Context, cycleID uuid.UUID) ([]CountyGrades, error) {
	rows, err := s.Pool.Query(ctx, `SELECT left(cs.region_code, 6) AS county, coalesce(r.name, ''), coalesce(cs.grade, ''), count(*)
		FROM cycle_stations cs LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
		WHERE cs.cycle_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 3`, cycleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CountyGrades{}
	for rows.Next() {
		var county, name, grade string
		var n int
		if err := rows.Scan(&county, &name, &grade, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].CountyCode != county {
			out = append(out, CountyGrades{CountyCode: county, CountyName: name, Counts: map[string]int{}})
		}
		if grade == "" {
			out[len(out)-1].Ungraded += n
		} else {
			out[len(out)-1].Counts[grade] += n
		}
	}
	return out, rows.Err()
}
