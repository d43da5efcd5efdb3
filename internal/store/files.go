package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/period"
)

// UploadedFile is a document to store with its digest.
type UploadedFile struct {
	Filename    string
	ContentType string
	Content     []byte
}

// FileRef describes a stored file.
type FileRef struct {
	ID          uuid.UUID `json:"id"`
	SHA256      string    `json:"sha256"`
	SizeBytes   int64     `json:"size_bytes"`
	ContentType string    `json:"content_type"`
	Filename    string    `json:"filename"`
}

// Evidence file kinds.
const (
	FileDocument     = "document"
	FilePhoto        = "photo"
	FileSignInSheet  = "sign_in_sheet"
	FileCaseDocument = "case_document"
)

// StationFile is an evidence file to store for a station.
type StationFile struct {
	StationID      uuid.UUID
	OrganisationID uuid.UUID
	Kind           string
	EvidenceDate   time.Time // the day the evidence is of; its quarter files it
	Filename       string
	ContentType    string
	Content        []byte
}

// EvidenceFile is a stored evidence file, without its content.
type EvidenceFile struct {
	FileRef
	Kind         string    `json:"kind"`
	Period       string    `json:"period"`
	EvidenceDate string    `json:"evidence_date"`
	CreatedAt    time.Time `json:"created_at"`
}

const evidenceFileColumns = `id, encode(sha256, 'hex'), size_bytes, content_type, filename, kind, coalesce(period, ''),
	coalesce(to_char(evidence_date, 'YYYY-MM-DD'), ''), created_at`

func scanEvidenceFile(r pgx.CollectableRow) (EvidenceFile, error) {
	var f EvidenceFile
	err := r.Scan(&f.ID, &f.SHA256, &f.SizeBytes, &f.ContentType, &f.Filename, &f.Kind, &f.Period, &f.EvidenceDate, &f.CreatedAt)
	return f, err
}

// SaveStationFile stores an evidence file with its sha256, filed under the
// quarter of its evidence date, with an audit row that never names the
// file. The same bytes saved again for the same station and quarter return
// the file stored first, and nothing is added.
func (s *Store) SaveStationFile(ctx context.Context, actor string, f StationFile) (EvidenceFile, error) {
	if f.EvidenceDate.IsZero() {
		return EvidenceFile{}, errors.New("an evidence file needs its evidence date")
	}
	day := calendarDay(f.EvidenceDate)
	quarter := period.Of(day).String()
	sum := sha256.Sum256(f.Content)
	var out EvidenceFile
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `INSERT INTO files (id, sha256, size_bytes, content_type, filename, content, owner_org, station_id,
				kind, period, evidence_date)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (station_id, period, sha256) WHERE period IS NOT NULL DO NOTHING
			RETURNING `+evidenceFileColumns,
			NewID(), sum[:], len(f.Content), f.ContentType, f.Filename, f.Content, f.OrganisationID, f.StationID, f.Kind, quarter, day)
		var err error
		out, err = collectOne(rows, scanEvidenceFile)
		if errors.Is(err, ErrNotFound) { // stored before: return that file
			rows, _ := tx.Query(ctx, `SELECT `+evidenceFileColumns+` FROM files WHERE station_id = $1 AND period = $2 AND sha256 = $3`,
				f.StationID, quarter, sum[:])
			out, err = collectOne(rows, scanEvidenceFile)
			return err
		}
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "evidence_file.saved", ObjectType: "station",
			ObjectID: f.StationID.String(), Detail: mustJSON(map[string]any{"id": out.ID, "kind": out.Kind, "sha256": out.SHA256,
				"size": out.SizeBytes, "period": out.Period})})
	})
	if err != nil {
		return EvidenceFile{}, err
	}
	return out, nil
}

// ForeignEvidence returns, in the order given and once each, the ids that
// are not a service record or file of the station; with q, also those not
// dated inside the quarter (a record's date, a file's period). The caller
// refuses a form that cites them. With q nil any record or file of the
// station is its own, application documents included.
func (s *Store) ForeignEvidence(ctx context.Context, stationID uuid.UUID, q *period.Quarter, ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var from, to *time.Time
	var quarter *string
	if q != nil {
		f, l, qs := q.First(), q.Last(), q.String()
		from, to, quarter = &f, &l, &qs
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM service_records
			WHERE station_id = $1 AND id = ANY($2) AND ($3::date IS NULL OR date BETWEEN $3 AND $4)
		UNION ALL
		SELECT id FROM files WHERE station_id = $1 AND id = ANY($2) AND ($5::text IS NULL OR period = $5)`,
		stationID, ids, from, to, quarter)
	if err != nil {
		return nil, err
	}
	own, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, err
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	for _, id := range own {
		seen[id] = true
	}
	var foreign []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			foreign = append(foreign, id)
			seen[id] = true
		}
	}
	return foreign, nil
}
