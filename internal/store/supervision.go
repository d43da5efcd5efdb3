package store

import (
	"context"
	"encoding/json"
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
	rows, _ := s.Pool.Query(ctx, `SELECT `+quarterColumns+` FROM supervision_quarters WHERE station_id = $1 AND period = $2`, stationID, period)
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

// Scorecard is an issued scorecard. Document is the whole issued content,
// stored as the exact bytes ContentHash was computed over; the row can
// never change once written.
type Scorecard struct {
	ID             uuid.UUID
	StationID      uuid.UUID
	OrganisationID *uuid.UUID
	RegionCode     string
	Kind           string
	Period         string
	TaskID         uuid.UUID
	RubricVersion  string
	Total          float64
	Passed         bool
	Late           bool
	Document       json.RawMessage
	ContentHash    string
	FiledBy        string
	IssuedAt       time.Time
}

// MarshalJSON shows the issued document with the row's identity beside it.
func (c Scorecard) MarshalJSON() ([]byte, error) {
	fields := map[string]json.RawMessage{}
	if len(c.Document) > 0 {
		if err := json.Unmarshal(c.Document, &fields); err != nil {
			return nil, fmt.Errorf("scorecard %s: document is not an object: %w", c.ID, err)
		}
	}
	set := func(k string, v any) {
		b, err := json.Marshal(v)
		if err == nil {
			fields[k] = b
		}
	}
	set("id", c.ID)
	set("station_id", c.StationID)
	set("organisation_id", c.OrganisationID)
	set("region_code", c.RegionCode)
	set("kind", c.Kind)
	set("period", c.Period)
	set("task_id", c.TaskID)
	set("rubric_version", c.RubricVersion)
	set("total", c.Total)
	set("passed", c.Passed)
	set("late", c.Late)
	set("content_hash", c.ContentHash)
	set("filed_by", c.FiledBy)
	set("issued_at", c.IssuedAt)
	return json.Marshal(fields)
}

const scorecardColumns = `id, station_id, organisation_id, region_code, kind, period, task_id, rubric_version, total::float8, passed, late,
	document::text, content_hash, filed_by, issued_at`

func scanScorecard(r pgx.CollectableRow) (Scorecard, error) {
	var c Scorecard
	var doc string
	err := r.Scan(&c.ID, &c.StationID, &c.OrganisationID, &c.RegionCode, &c.Kind, &c.Period, &c.TaskID, &c.RubricVersion, &c.Total,
		&c.Passed, &c.Late, &doc, &c.ContentHash, &c.FiledBy, &c.IssuedAt)
	c.Document = json.RawMessage(doc)
	return c, err
}

// IssueScorecard writes a scorecard once. Its ID is derived by the caller
// from what it scores, so issuing it again returns the stored row and
// writes nothing.
func (s *Store) IssueScorecard(ctx context.Context, c Scorecard, actor string) (Scorecard, error) {
	var out Scorecard
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO scorecards (id, station_id, organisation_id, region_code, kind, period, task_id, rubric_version,
				total, passed, late, document, content_hash, filed_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::json, $13, $14) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.StationID, c.OrganisationID, c.RegionCode, c.Kind, c.Period, c.TaskID, c.RubricVersion, c.Total, c.Passed, c.Late,
			string(c.Document), c.ContentHash, c.FiledBy)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			if err := AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "scorecard.issued", ObjectType: "scorecard",
				ObjectID: c.ID.String(), Detail: mustJSON(map[string]any{"station_id": c.StationID, "period": c.Period,
					"total": c.Total, "passed": c.Passed, "content_hash": c.ContentHash})}); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT `+scorecardColumns+` FROM scorecards WHERE id = $1`, c.ID)
		out, err = collectOne(rows, scanScorecard)
		return err
	})
	return out, err
}

// GetScorecard returns one scorecard or ErrNotFound.
func (s *Store) GetScorecard(ctx context.Context, id uuid.UUID) (Scorecard, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+scorecardColumns+` FROM scorecards WHERE id = $1`, id)
	return collectOne(rows, scanScorecard)
}

// ScorecardFilter narrows a list of scorecards.
type ScorecardFilter struct {
	StationID uuid.UUID
	Kind      string
	Period    string
}

// ListScorecards lists a station's scorecards in ID order.
func (s *Store) ListScorecards(ctx context.Context, f ScorecardFilter, p Page) (List[Scorecard], error) {
	q := newQuery(`SELECT ` + scorecardColumns + ` FROM scorecards`)
	q.whereIf(true, "station_id = ?", f.StationID)
	q.whereIf(f.Kind != "", "kind = ?", f.Kind)
	q.whereIf(f.Period != "", "period = ?", f.Period)
	return listPage(ctx, s.Pool, q, p, scanScorecard, func(c Scorecard) string { return c.ID.String() })
}

// Rectification states.
const (
	RectificationOpen      = "open"      // waiting for the organisation's response
	RectificationResponded = "responded" // waiting for the verifier
	RectificationVerified  = "verified"  // closed: the fix was accepted
)

// Rectification is an item (整改) a failed indicator opened. Its workflow
// is its only writer.
type Rectification struct {
	ID                  uuid.UUID   `json:"id"`
	StationID           uuid.UUID   `json:"station_id"`
	OrganisationID      *uuid.UUID  `json:"organisation_id"`
	RegionCode          string      `json:"region_code"`
	ScorecardID         uuid.UUID   `json:"scorecard_id"`
	Period              string      `json:"period"`
	Indicator           string      `json:"indicator"`
	IndicatorName       string      `json:"indicator_name"`
	Critical            bool        `json:"critical"`
	Points              float64     `json:"points"`
	MaxPoints           int         `json:"max_points"`
	VerifierKind        string      `json:"verifier_kind"`
	VerifierID          string      `json:"verifier_id"`
	State               string      `json:"state"`
	Round               int         `json:"round"`
	TaskID              *uuid.UUID  `json:"task_id"`
	DueAt               *time.Time  `json:"due_at"`
	Overdue             bool        `json:"overdue"`
	Response            string      `json:"response"`
	EvidenceIDs         []uuid.UUID `json:"evidence_ids"`
	VerificationComment string      `json:"verification_comment"`
	Version             int64       `json:"version"`
	CreatedAt           time.Time   `json:"created_at"`
	UpdatedAt           time.Time   `json:"updated_at"`
	ClosedAt            *time.Time  `json:"closed_at"`
}

// The due date and overdue flag come from the item's current task.
const rectificationColumns = `r.id, r.station_id, r.organisation_id, r.region_code, r.scorecard_id, r.period, r.indicator, r.indicator_name,
	r.critical, r.points::float8, r.max_points, r.verifier_kind, r.verifier_id, r.state, r.round, r.task_id, t.due_at,
	coalesce(t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now(), false), r.response, r.evidence_ids,
	r.verification_comment, r.version, r.created_at, r.updated_at, r.closed_at`

const rectificationFrom = ` FROM rectifications r LEFT JOIN tasks t ON t.id = r.task_id`

func scanRectification(row pgx.CollectableRow) (Rectification, error) {
	var r Rectification
	err := row.Scan(&r.ID, &r.StationID, &r.OrganisationID, &r.RegionCode, &r.ScorecardID, &r.Period, &r.Indicator, &r.IndicatorName,
		&r.Critical, &r.Points, &r.MaxPoints, &r.VerifierKind, &r.VerifierID, &r.State, &r.Round, &r.TaskID, &r.DueAt, &r.Overdue,
		&r.Response, &r.EvidenceIDs, &r.VerificationComment, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt)
	if r.EvidenceIDs == nil {
		r.EvidenceIDs = []uuid.UUID{}
	}
	return r, err
}

// ProjectRectification upserts an item with its event in the audit log. A
// version not above the stored one is a repeat: nothing changes.
func (s *Store) ProjectRectification(ctx context.Context, r Rectification, event, actor, reason string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if r.EvidenceIDs == nil {
			r.EvidenceIDs = []uuid.UUID{}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO rectifications (id, station_id, organisation_id, region_code, scorecard_id, period, indicator,
				indicator_name, critical, points, max_points, verifier_kind, verifier_id, state, round, task_id, response, evidence_ids,
				verification_comment, version, closed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
				CASE WHEN $14 = 'verified' THEN now() END)
			ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, round = EXCLUDED.round, task_id = EXCLUDED.task_id,
				response = EXCLUDED.response, evidence_ids = EXCLUDED.evidence_ids, verification_comment = EXCLUDED.verification_comment,
				version = EXCLUDED.version, updated_at = now(), closed_at = COALESCE(rectifications.closed_at, EXCLUDED.closed_at)
			WHERE rectifications.version < EXCLUDED.version`,
			r.ID, r.StationID, r.OrganisationID, r.RegionCode, r.ScorecardID, r.Period, r.Indicator, r.IndicatorName, r.Critical,
			r.Points, r.MaxPoints, r.VerifierKind, r.VerifierID, r.State, r.Round, r.TaskID, r.Response, r.EvidenceIDs,
			r.VerificationComment, r.Version)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "rectification." + event, ObjectType: "rectification",
			ObjectID: r.ID.String(), Detail: mustJSON(map[string]any{"state": r.State, "round": r.Round, "version": r.Version,
				"indicator": r.Indicator, "reason": reason})})
	})
}

// GetRectification returns one item or ErrNotFound.
func (s *Store) GetRectification(ctx context.Context, id uuid.UUID) (Rectification, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+rectificationColumns+rectificationFrom+` WHERE r.id = $1`, id)
	return collectOne(rows, scanRectification)
}

// RectificationFilter selects items. Exactly one scope applies; the rest
// narrow it.
type RectificationFilter struct {
	RegionPrefix string     // an office: items in its region
	Org          *uuid.UUID // an organisation: items it owns
	Verifier     *uuid.UUID // a supervisor: items they verify
	All          bool       // admins

	StationID *uuid.UUID
	State     string
	Open      bool // not verified yet
	Overdue   bool
}

// ListRectifications lists items in ID order.
func (s *Store) ListRectifications(ctx context.Context, f RectificationFilter, p Page) (List[Rectification], error) {
	q := newQuery(`SELECT ` + rectificationColumns + rectificationFrom)
	switch {
	case f.RegionPrefix != "":
		q.whereIf(true, "r.region_code LIKE ?", f.RegionPrefix+"%")
	case f.Org != nil:
		q.whereIf(true, "r.organisation_id = ?", f.Org)
	case f.Verifier != nil:
		q.whereIf(true, "r.verifier_kind = 'person' AND r.verifier_id = ?", f.Verifier.String())
	case !f.All:
		return List[Rectification]{Items: []Rectification{}}, nil
	}
	q.whereIf(f.StationID != nil, "r.station_id = ?", f.StationID)
	q.whereIf(f.State != "", "r.state = ?", f.State)
	q.whereIf(f.Open, "r.state <> 'verified'")
	q.whereIf(f.Overdue, "t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now()")
	// listPage orders and pages by "id": qualify it for the join.
	q.base = `SELECT * FROM (` + q.sql("") + `) AS page`
	q.where = nil
	return listPage(ctx, s.Pool, q, p, scanRectification, func(r Rectification) string { return r.ID.String() })
}

// OverdueGroup counts overdue work of one kind at one level of station.
type OverdueGroup struct {
	Kind         string    `json:"kind"`
	StationLevel string    `json:"station_level"`
	Count        int64     `json:"count"`
	Escalated    int64     `json:"escalated"`
	OldestDueAt  time.Time `json:"oldest_due_at"`
}

// OverdueSummary counts overdue open tasks of every kind in a region (""
// for everywhere), by kind and station level.
func (s *Store) OverdueSummary(ctx context.Context, regionPrefix string) ([]OverdueGroup, error) {
	rows, err := s.Pool.Query(ctx, `SELECT t.kind, st.level, count(*), count(*) FILTER (WHERE t.escalation_level > 0), min(t.due_at)
		FROM tasks t JOIN stations st ON st.id = t.station_id
		WHERE t.region_code LIKE $1 || '%' AND t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now()
		GROUP BY t.kind, st.level ORDER BY t.kind, st.level`, regionPrefix)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OverdueGroup, error) {
		var g OverdueGroup
		err := r.Scan(&g.Kind, &g.StationLevel, &g.Count, &g.Escalated, &g.OldestDueAt)
		return g, err
	})
}
