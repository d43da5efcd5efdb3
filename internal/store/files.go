package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store/db"
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
	// URL is where those who may see the file's station download it.
	URL string `json:"url"`
}

// FileURL is the path a stored file is downloaded from.
func FileURL(id uuid.UUID) string { return "/v1/files/" + id.String() }

// FileLink is a reference to a stored file with where it is downloaded.
type FileLink struct {
	ID  uuid.UUID `json:"id"`
	URL string    `json:"url"`
}

// FileLinks links each of the ids; nil gives an empty list.
func FileLinks(ids []uuid.UUID) []FileLink {
	out := make([]FileLink, len(ids))
	for i, id := range ids {
		out[i] = FileLink{ID: id, URL: FileURL(id)}
	}
	return out
}

// StoredFile is a stored file with its bytes and what it belongs to: the
// station it was filed for and the organisation that filed it, either nil
// when none.
type StoredFile struct {
	FileRef
	StationID *uuid.UUID
	OwnerOrg  *uuid.UUID
	Content   []byte
}

// GetFile returns a stored file with its bytes, or ErrNotFound.
func (s *Store) GetFile(ctx context.Context, id uuid.UUID) (StoredFile, error) {
	r, err := s.q.GetFile(ctx, id)
	if err != nil {
		return StoredFile{}, notFound(err)
	}
	return StoredFile{FileRef: FileRef{ID: r.ID, SHA256: r.Sha256, SizeBytes: r.SizeBytes, ContentType: r.ContentType, Filename: r.Filename,
		URL: FileURL(r.ID)}, StationID: r.StationID, OwnerOrg: r.OwnerOrg, Content: r.Content}, nil
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

func evidenceFileFromDB(r db.InsertStationFileRow) EvidenceFile {
	return EvidenceFile{FileRef: FileRef{ID: r.ID, SHA256: r.Sha256, SizeBytes: r.SizeBytes, ContentType: r.ContentType, Filename: r.Filename,
		URL: FileURL(r.ID)}, Kind: r.Kind, Period: r.Period, EvidenceDate: r.EvidenceDate, CreatedAt: r.CreatedAt}
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
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		row, err := q.InsertStationFile(ctx, db.InsertStationFileParams{ID: NewID(), Sha256: sum[:], SizeBytes: int64(len(f.Content)),
			ContentType: f.ContentType, Filename: f.Filename, Content: f.Content, OwnerOrg: &f.OrganisationID, StationID: &f.StationID,
			Kind: f.Kind, Period: &quarter, EvidenceDate: &day})
		out = evidenceFileFromDB(row)
		if errors.Is(err, pgx.ErrNoRows) { // stored before: return that file
			row, err := q.StationFileByHash(ctx, db.StationFileByHashParams{StationID: &f.StationID, Period: &quarter, Sha256: sum[:]})
			out = evidenceFileFromDB(db.InsertStationFileRow(row))
			return notFound(err)
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
	own, err := s.q.OwnEvidence(ctx, db.OwnEvidenceParams{StationID: stationID, Ids: ids, FromDay: from, ToDay: to, Period: quarter})
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

// HoldsStationTask reports whether the person is, or was, assigned a task
// on the station.
func (s *Store) HoldsStationTask(ctx context.Context, personID string, stationID uuid.UUID) (bool, error) {
	return s.q.HoldsStationTask(ctx, db.HoldsStationTaskParams{StationID: stationID, PersonID: personID})
}
