package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// OpenRectifications counts a station's rectification items not yet
// verified, and those of them on critical indicators, with their IDs.
func (s *Store) OpenRectifications(ctx context.Context, stationID uuid.UUID) (ids []uuid.UUID, critical int, err error) {
	rows, err := s.pool.Query(ctx, `SELECT id, critical FROM rectifications WHERE station_id = $1 AND state <> 'verified' ORDER BY id`, stationID)
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
	rows, _ := s.pool.Query(ctx, `SELECT id FROM rectifications WHERE id = ANY($1) AND state <> 'verified' ORDER BY id`, ids)
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
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
	rows, _ := s.pool.Query(ctx, `SELECT `+rectificationColumns+rectificationFrom+` WHERE r.id = $1`, id)
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
	return listPage(ctx, s.pool, q, p, scanRectification, func(r Rectification) string { return r.ID.String() })
}
