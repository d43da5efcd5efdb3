package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store/db"
)

// ServiceRecord is a service record as stored. Its JSON uses the field
// names of forms.ServiceRecord, the date written 2006-01-02, plus the
// record's id, station, organisation, import and source line.
type ServiceRecord struct {
	ID             uuid.UUID           `json:"id"`
	StationID      uuid.UUID           `json:"station_id"`
	OrganisationID uuid.UUID           `json:"organisation_id"`
	ImportID       uuid.UUID           `json:"import_id"`
	Line           int                 `json:"line"`
	Date           time.Time           `json:"date"`
	ServiceLine    string              `json:"service_line"`
	ActivityType   string              `json:"activity_type"`
	Beneficiaries  forms.Beneficiaries `json:"beneficiaries"`
	Volunteers     int                 `json:"volunteers"`
	VolunteerHours float64             `json:"volunteer_hours"`
	ResourcesYuan  float64             `json:"resources_yuan"`
	Cases          int                 `json:"cases"`
	ProjectID      *uuid.UUID          `json:"project_id"`
	CreatedAt      time.Time           `json:"created_at"`
}

type plainServiceRecord ServiceRecord

// MarshalJSON writes the date as 2006-01-02.
func (r ServiceRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		plainServiceRecord
		Date string `json:"date"`
	}{plainServiceRecord(r), r.Date.Format(time.DateOnly)})
}

// UnmarshalJSON reads the date written 2006-01-02.
func (r *ServiceRecord) UnmarshalJSON(b []byte) error {
	var v struct {
		plainServiceRecord
		Date string `json:"date"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d, err := time.Parse(time.DateOnly, v.Date)
	if err != nil {
		return fmt.Errorf("service record date: %w", err)
	}
	*r = ServiceRecord(v.plainServiceRecord)
	r.Date = d
	return nil
}

// ImportResult is the outcome of an import or a JSON batch.
type ImportResult struct {
	ImportID uuid.UUID `json:"import_id"`
	Imported int64     `json:"imported"`
	Replayed bool      `json:"replayed"` // the same bytes were imported before; Imported is the earlier count and nothing was added
}

// errReplayed rolls back an import whose bytes were imported before.
var errReplayed = errors.New("replayed import")

// finishImport writes the import row once its records are in; if the
// station imported the same bytes before, it reads that import into the
// result and returns errReplayed so the caller's transaction rolls back.
func finishImport(ctx context.Context, tx pgx.Tx, actor string, importID, stationID, orgID uuid.UUID, source string, digest [32]byte, rows int64) (ImportResult, error) {
	q := db.New(tx)
	n, err := q.InsertImport(ctx, db.InsertImportParams{ID: importID, StationID: stationID, OrganisationID: orgID, Source: source,
		Sha256: digest[:], Rows: int(rows)})
	if err != nil {
		return ImportResult{}, err
	}
	if n == 0 {
		earlier, err := q.EarlierImport(ctx, db.EarlierImportParams{StationID: stationID, Sha256: digest[:]})
		if err != nil {
			return ImportResult{}, fmt.Errorf("reading the earlier import: %w", err)
		}
		return ImportResult{ImportID: earlier.ID, Imported: int64(earlier.Rows), Replayed: true}, errReplayed
	}
	err = AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "service_records.imported", ObjectType: "station",
		ObjectID: stationID.String(), Detail: mustJSON(map[string]any{"import_id": importID, "rows": rows, "source": source})})
	return ImportResult{ImportID: importID, Imported: rows}, err
}

// recordValues appends one service_records row in recordColumns order.
// IDs go in as pgtype.UUID: uuid.UUID would be encoded through its
// driver.Valuer, as text, several times slower over 100,000 rows.
func recordValues(dst []any, stationID, orgID, importID uuid.UUID, line int, date time.Time, r forms.ServiceRecord) []any {
	return append(dst, pgUUID(NewID()), pgUUID(stationID), pgUUID(orgID), pgUUID(importID), line, date, r.ServiceLine, r.ActivityType,
		r.Beneficiaries.Elderly, r.Beneficiaries.Children, r.Beneficiaries.Disabled, r.Beneficiaries.Hardship,
		r.Volunteers, r.VolunteerHours, r.ResourcesYuan, r.Cases, pgOptionalUUID(r.ProjectID))
}

func pgOptionalUUID(id *uuid.UUID) pgtype.UUID {
	if id == nil {
		return pgtype.UUID{}
	}
	return pgUUID(*id)
}

func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// AddServiceRecords stores a checked JSON batch (source 'json') in one
// transaction, each record's line being its index + 1. digest is the
// sha256 of the request body: the same body sent again for the station is
// a replay, answered with the earlier result and Replayed set.
func (s *Store) AddServiceRecords(ctx context.Context, actor string, stationID, orgID uuid.UUID, digest [32]byte, recs []forms.ServiceRecord) (ImportResult, error) {
	if len(recs) == 0 {
		return ImportResult{}, errors.New("a batch of service records needs at least one record")
	}
	importID := NewID()
	rows := make([][]any, len(recs))
	for i, r := range recs {
		date, err := time.Parse(time.DateOnly, r.Date)
		if err != nil {
			return ImportResult{}, fmt.Errorf("records[%d].date: %w", i, err)
		}
		rows[i] = recordValues(make([]any, 0, len(recordColumns)), stationID, orgID, importID, i+1, date, r)
	}
	var res ImportResult
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// The digest is known before the rows here, so a replay is found
		// before anything is copied.
		var err error
		res, err = finishImport(ctx, tx, actor, importID, stationID, orgID, "json", digest, int64(len(recs)))
		if err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"service_records"}, recordColumns, pgx.CopyFromRows(rows))
		return err
	})
	if errors.Is(err, errReplayed) {
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// CountServiceRecords is how many service records a station has.
func (s *Store) CountServiceRecords(ctx context.Context, stationID uuid.UUID) (int64, error) {
	return s.q.CountServiceRecords(ctx, stationID)
}

const serviceRecordColumns = `id, station_id, organisation_id, import_id, line, date, service_line, activity_type,
	beneficiaries_elderly, beneficiaries_children, beneficiaries_disabled, beneficiaries_hardship,
	coalesce(volunteers, 0), coalesce(volunteer_hours, 0)::float8, coalesce(resources_yuan, 0)::float8, coalesce(cases, 0), project_id, created_at`

func scanServiceRecord(row pgx.CollectableRow) (ServiceRecord, error) {
	var r ServiceRecord
	b := &r.Beneficiaries
	err := row.Scan(&r.ID, &r.StationID, &r.OrganisationID, &r.ImportID, &r.Line, &r.Date, &r.ServiceLine, &r.ActivityType,
		&b.Elderly, &b.Children, &b.Disabled, &b.Hardship, &r.Volunteers, &r.VolunteerHours, &r.ResourcesYuan, &r.Cases, &r.ProjectID, &r.CreatedAt)
	return r, err
}

// ListServiceRecords lists a station's records dated from..to (whole days,
// inclusive) in ID order.
func (s *Store) ListServiceRecords(ctx context.Context, stationID uuid.UUID, from, to time.Time, p Page) (List[ServiceRecord], error) {
	q := newQuery(`SELECT ` + serviceRecordColumns + ` FROM service_records`)
	q.whereIf(true, "station_id = ?", stationID)
	q.whereIf(true, "date >= ?", calendarDay(from))
	q.whereIf(true, "date <= ?", calendarDay(to))
	return listPage(ctx, s.pool, q, p, scanServiceRecord, func(r ServiceRecord) uuid.UUID { return r.ID })
}

// calendarDay is t's calendar day at midnight UTC, as a date column holds it.
func calendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
