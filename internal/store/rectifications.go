package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// OpenRectifications counts a station's rectification items not yet
// verified, and those of them on critical indicators, with their IDs.
func (s *Store) OpenRectifications(ctx context.Context, stationID uuid.UUID) (ids []uuid.UUID, critical int, err error) {
	rows, err := s.q.OpenRectifications(ctx, stationID)
	if err != nil {
		return nil, 0, err
	}
	ids = []uuid.UUID{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.Critical {
			critical++
		}
	}
	return ids, critical, nil
}

// StillOpen returns which of the given rectification items are not yet
// verified.
func (s *Store) StillOpen(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	return s.q.StillOpen(ctx, ids)
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
	ID             uuid.UUID   `json:"id"`
	StationID      uuid.UUID   `json:"station_id"`
	OrganisationID *uuid.UUID  `json:"organisation_id"`
	RegionCode     string      `json:"region_code"`
	ScorecardID    uuid.UUID   `json:"scorecard_id"`
	Period         string      `json:"period"`
	Indicator      string      `json:"indicator"`
	IndicatorName  string      `json:"indicator_name"`
	Critical       bool        `json:"critical"`
	Points         float64     `json:"points"`
	MaxPoints      int         `json:"max_points"`
	VerifierKind   string      `json:"verifier_kind"`
	VerifierID     string      `json:"verifier_id"`
	State          string      `json:"state"`
	Round          int         `json:"round"`
	TaskID         *uuid.UUID  `json:"task_id"`
	DueAt          *time.Time  `json:"due_at"`
	Overdue        bool        `json:"overdue"`
	Response       string      `json:"response"`
	EvidenceIDs    []uuid.UUID `json:"evidence_ids"`
	// EvidenceFiles links the files among the evidence cited (the rest are
	// service records); read only.
	EvidenceFiles       []FileLink `json:"evidence_files"`
	VerificationComment string     `json:"verification_comment"`
	Version             int64      `json:"version"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
	ClosedAt            *time.Time `json:"closed_at"`
}

// MarshalJSON writes the item with evidence_files a list, empty when the
// item cites no file or was built without reading them.
func (r Rectification) MarshalJSON() ([]byte, error) {
	type fields Rectification
	if r.EvidenceFiles == nil {
		r.EvidenceFiles = []FileLink{}
	}
	return json.Marshal(fields(r))
}

// The due date and overdue flag come from the item's current task.
const rectificationColumns = `r.id, r.station_id, r.organisation_id, r.region_code, r.scorecard_id, r.period, r.indicator, r.indicator_name,
	r.critical, r.points::float8, r.max_points, r.verifier_kind, r.verifier_id, r.state, r.round, r.task_id, t.due_at,
	coalesce(t.state IN ('open', 'claimed', 'escalated') AND t.due_at < now(), false), r.response, r.evidence_ids,
	r.verification_comment, r.version, r.created_at, r.updated_at, r.closed_at,
	ARRAY(SELECT f.id FROM files f WHERE f.id = ANY(r.evidence_ids) ORDER BY array_position(r.evidence_ids, f.id))::uuid[]`

const rectificationFrom = ` FROM rectifications r LEFT JOIN tasks t ON t.id = r.task_id`

func scanRectification(row pgx.CollectableRow) (Rectification, error) {
	var r Rectification
	var files []uuid.UUID
	err := row.Scan(&r.ID, &r.StationID, &r.OrganisationID, &r.RegionCode, &r.ScorecardID, &r.Period, &r.Indicator, &r.IndicatorName,
		&r.Critical, &r.Points, &r.MaxPoints, &r.VerifierKind, &r.VerifierID, &r.State, &r.Round, &r.TaskID, &r.DueAt, &r.Overdue,
		&r.Response, &r.EvidenceIDs, &r.VerificationComment, &r.Version, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt, &files)
	if r.EvidenceIDs == nil {
		r.EvidenceIDs = []uuid.UUID{}
	}
	r.EvidenceFiles = FileLinks(files)
	return r, err
}

// ProjectRectification upserts an item with its event in the audit log. A
// version not above the stored one is a repeat: nothing changes.
func (s *Store) ProjectRectification(ctx context.Context, r Rectification, event, actor, reason string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if r.EvidenceIDs == nil {
			r.EvidenceIDs = []uuid.UUID{}
		}
		n, err := q.ProjectRectification(ctx, db.ProjectRectificationParams{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID,
			RegionCode: r.RegionCode, ScorecardID: r.ScorecardID, Period: r.Period, Indicator: r.Indicator, IndicatorName: r.IndicatorName,
			Critical: r.Critical, Points: r.Points, MaxPoints: r.MaxPoints, VerifierKind: r.VerifierKind, VerifierID: r.VerifierID,
			State: r.State, Round: r.Round, TaskID: r.TaskID, Response: r.Response, EvidenceIds: r.EvidenceIDs,
			VerificationComment: r.VerificationComment, Version: r.Version})
		if err != nil || n == 0 {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "rectification." + event, ObjectType: "rectification",
			ObjectID: r.ID.String(), Detail: mustJSON(map[string]any{"state": r.State, "round": r.Round, "version": r.Version,
				"indicator": r.Indicator, "reason": reason})})
	})
}

// GetRectification returns one item or ErrNotFound.
func (s *Store) GetRectification(ctx context.Context, id uuid.UUID) (Rectification, error) {
	r, err := s.q.GetRectification(ctx, id)
	return rectificationFromDB(r), notFound(err)
}

func rectificationFromDB(r db.GetRectificationRow) Rectification {
	evidence := r.EvidenceIds
	if evidence == nil {
		evidence = []uuid.UUID{}
	}
	return Rectification{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, RegionCode: r.RegionCode,
		ScorecardID: r.ScorecardID, Period: r.Period, Indicator: r.Indicator, IndicatorName: r.IndicatorName, Critical: r.Critical,
		Points: r.Points, MaxPoints: r.MaxPoints, VerifierKind: r.VerifierKind, VerifierID: r.VerifierID, State: r.State, Round: r.Round,
		TaskID: r.TaskID, DueAt: r.DueAt, Overdue: r.Overdue, Response: r.Response, EvidenceIDs: evidence,
		VerificationComment: r.VerificationComment, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt,
		EvidenceFiles: FileLinks(r.EvidenceFileIds)}
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
	return listPage(ctx, s.pool, q, p, scanRectification, func(r Rectification) uuid.UUID { return r.ID })
}
