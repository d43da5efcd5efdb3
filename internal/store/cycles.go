package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Cycle states.
const (
	CycleStarting   = "starting"   // stations are being started
	CycleRunning    = "running"    // every station is started; evaluations go on
	CycleCompleted  = "completed"  // every station has finished
	CycleCancelling = "cancelling" // the office cancelled; stations are being stopped
	CycleCancelled  = "cancelled"
)

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
	return previewCycle(ctx, s.pool, region, year, minTermDays)
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
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.LockCycleYear(ctx, set.Year); err != nil {
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
		if err := q.InsertCycle(ctx, db.InsertCycleParams{ID: id, RegionCode: set.RegionCode, Year: set.Year, RubricVersion: set.RubricVersion,
			Bands: bands, SelfAssessmentDue: set.SelfAssessmentDue, EvaluationDue: set.EvaluationDue,
			EvaluatorsPerStation: set.EvaluatorsPerStation, DisagreementThreshold: set.DisagreementThreshold,
			OnDisagreement: set.OnDisagreement, AppealWorkdays: set.AppealWorkdays, MinTermDays: set.MinTermDays, Stations: p.Included,
			WorkflowID: workflowID, CreatedBy: actor}); err != nil {
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
	return getCycle(ctx, s.pool, id)
}

func getCycle(ctx context.Context, dbtx DBTX, id uuid.UUID) (Cycle, error) {
	q := db.New(dbtx)
	r, err := q.GetCycle(ctx, id)
	if err != nil {
		return Cycle{}, notFound(err)
	}
	c, err := cycleFromDB(r)
	if err != nil {
		return c, err
	}
	c.Counts = map[string]int{}
	for _, st := range EvalStates {
		c.Counts[st] = 0
	}
	counts, err := q.CycleStateCounts(ctx, id)
	if err != nil {
		return c, err
	}
	finished := 0
	for _, n := range counts {
		c.Counts[n.State] = n.Count
		if n.State == EvalDone || n.State == EvalFailed || n.State == EvalCancelled {
			finished += n.Count
		}
	}
	if c.Stations > 0 {
		c.Done = float64(finished) / float64(c.Stations)
	} else {
		c.Done = 1
	}
	failures, err := q.CycleFailures(ctx, id)
	c.Failures = mapRows(failures, func(f db.CycleFailuresRow) CycleFailure {
		return CycleFailure{StationID: f.StationID, Reason: f.Failure}
	})
	return c, err
}

func cycleFromDB(r db.Cycle) (Cycle, error) {
	c := Cycle{ID: r.ID, CycleSettings: CycleSettings{RegionCode: r.RegionCode, Year: r.Year, RubricVersion: r.RubricVersion,
		SelfAssessmentDue: r.SelfAssessmentDue, EvaluationDue: r.EvaluationDue, EvaluatorsPerStation: r.EvaluatorsPerStation,
		DisagreementThreshold: r.DisagreementThreshold, OnDisagreement: r.OnDisagreement, AppealWorkdays: r.AppealWorkdays,
		MinTermDays: r.MinTermDays}, State: r.State, Stations: r.Stations, Started: r.Started, WorkflowID: r.WorkflowID,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}
	return c, json.Unmarshal(r.Bands, &c.Bands)
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
	return listPage(ctx, s.pool, q, p, scanCycle, func(c Cycle) uuid.UUID { return c.ID })
}

// CyclesStarting lists cycles written at least olderThan ago that are
// still starting: their workflow may never have been started.
func (s *Store) CyclesStarting(ctx context.Context, olderThan time.Duration, limit int) ([]Cycle, error) {
	rows, err := s.q.CyclesStarting(ctx, db.CyclesStartingParams{OlderThan: interval(olderThan), MaxRows: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Cycle, 0, len(rows))
	for _, r := range rows {
		c, err := cycleFromDB(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SetCycleState moves a cycle to a state and records how many stations
// have been started; a finished cycle never moves again.
func (s *Store) SetCycleState(ctx context.Context, id uuid.UUID, state string, started int, actor string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		old, err := q.LockCycleState(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("cycle %s: %w", id, ErrNotFound)
		}
		if err != nil || old == CycleCompleted || old == CycleCancelled {
			return err
		}
		if err := q.SetCycleState(ctx, db.SetCycleStateParams{ID: id, State: state, Started: started}); err != nil {
			return err
		}
		if old == state { // progress only
			return nil
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "cycle." + state, ObjectType: "cycle", ObjectID: id.String(),
			Detail: mustJSON(map[string]any{"started": started})})
	})
}

// OpenCycleTasks lists a cycle's open tasks of one kind.
func (s *Store) OpenCycleTasks(ctx context.Context, cycleID uuid.UUID, kind string) ([]Task, error) {
	rows, err := s.q.OpenCycleTasks(ctx, db.OpenCycleTasksParams{CycleID: cycleID, Kind: kind})
	return mapRows(rows, taskFromList), err
}
