package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

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
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.InsertScorecard(ctx, db.InsertScorecardParams{ID: c.ID, StationID: c.StationID, OrganisationID: c.OrganisationID,
			RegionCode: c.RegionCode, Kind: c.Kind, Period: c.Period, TaskID: c.TaskID, RubricVersion: c.RubricVersion, Total: c.Total,
			Passed: c.Passed, Late: c.Late, Document: c.Document, ContentHash: c.ContentHash, FiledBy: c.FiledBy})
		if err != nil {
			return err
		}
		if n > 0 {
			if err := AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "scorecard.issued", ObjectType: "scorecard",
				ObjectID: c.ID.String(), Detail: mustJSON(map[string]any{"station_id": c.StationID, "period": c.Period,
					"total": c.Total, "passed": c.Passed, "content_hash": c.ContentHash})}); err != nil {
				return err
			}
		}
		r, err := q.GetScorecard(ctx, c.ID)
		out = scorecardFromDB(r)
		return notFound(err)
	})
	return out, err
}

// GetScorecard returns one scorecard or ErrNotFound.
func (s *Store) GetScorecard(ctx context.Context, id uuid.UUID) (Scorecard, error) {
	r, err := s.q.GetScorecard(ctx, id)
	return scorecardFromDB(r), notFound(err)
}

func scorecardFromDB(r db.GetScorecardRow) Scorecard {
	return Scorecard{ID: r.ID, StationID: r.StationID, OrganisationID: r.OrganisationID, RegionCode: r.RegionCode, Kind: r.Kind,
		Period: r.Period, TaskID: r.TaskID, RubricVersion: r.RubricVersion, Total: r.Total, Passed: r.Passed, Late: r.Late,
		Document: json.RawMessage(r.Document), ContentHash: r.ContentHash, FiledBy: r.FiledBy, IssuedAt: r.IssuedAt}
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
	return listPage(ctx, s.pool, q, p, scanScorecard, func(c Scorecard) uuid.UUID { return c.ID })
}
