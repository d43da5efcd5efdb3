package usecase

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Evidence: the service records and files an operating organisation
// records for its station, and the rule that a form may cite only the
// station's own evidence.

// MaxImportRows bounds one CSV import of service records.
const MaxImportRows = 200_000

// FileKinds are the kinds of evidence file.
var FileKinds = []string{"photo", "sign_in_sheet", "case_document", "document"}

// FileTypes are the content types an evidence file may have.
var FileTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// Today is the current date in China time, the day evidence may not pass.
func Today() time.Time {
	now := time.Now().In(calendar.Location())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// RecordBatch is a batch of service records with the digest of the batch
// as sent, which makes sending the same batch again a replay.
type RecordBatch struct {
	forms.ServiceRecordBatch
	Digest [32]byte
}

// AddServiceRecords records a batch for a station the caller records
// evidence for; every record is checked and a bad one refuses the batch.
func (c *Cases) AddServiceRecords(ctx context.Context, who Caller, stationID string, in Input[RecordBatch]) (store.ImportResult, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.ImportResult{}, err
	}
	batch, err := in()
	if err != nil {
		return store.ImportResult{}, err
	}
	if err := invalidIf(forms.CheckServiceRecordBatch(batch.ServiceRecordBatch, Today())); err != nil {
		return store.ImportResult{}, err
	}
	if err := c.checkRecordProjects(ctx, st.ID, batch.Records); err != nil {
		return store.ImportResult{}, err
	}
	return c.Store.AddServiceRecords(ctx, who.Actor(), st.ID, *st.OperatorID, batch.Digest, batch.Records)
}

// ImportServiceRecords streams a CSV into the station's records. A bad row
// fails the whole import with every bad line and column listed (a
// *store.ImportErrors); an error reading csv comes back as it is.
func (c *Cases) ImportServiceRecords(ctx context.Context, who Caller, stationID string, csv Input[io.Reader]) (store.ImportResult, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.ImportResult{}, err
	}
	r, err := csv()
	if err != nil {
		return store.ImportResult{}, err
	}
	return c.Store.ImportServiceRecordsCSV(ctx, who.Actor(), st.ID, *st.OperatorID, r, Today(), MaxImportRows)
}

// Upload is one evidence file as received.
type Upload struct {
	Kind string
	// Date is the day the evidence is of, written 2006-01-02; empty is
	// today.
	Date string
	// File is nil when no file was sent.
	File *UploadedFile
}

// UploadedFile is a file's name, content and the content type its bytes
// show (sniffed by the face that received them, never as declared).
type UploadedFile struct {
	Name        string
	ContentType string
	Content     []byte
}

// UploadFile stores one evidence file for a station the caller records
// evidence for.
func (c *Cases) UploadFile(ctx context.Context, who Caller, stationID string, in Input[Upload]) (store.EvidenceFile, error) {
	st, err := c.recordingStation(ctx, who, stationID)
	if err != nil {
		return store.EvidenceFile{}, err
	}
	up, err := in()
	if err != nil {
		return store.EvidenceFile{}, err
	}
	date, errs := checkUpload(up)
	if err := invalidIf(errs); err != nil {
		return store.EvidenceFile{}, err
	}
	return c.Store.SaveStationFile(ctx, who.Actor(), store.StationFile{StationID: st.ID, OrganisationID: *st.OperatorID,
		Kind: up.Kind, EvidenceDate: date, Filename: up.File.Name, ContentType: up.File.ContentType, Content: up.File.Content})
}

// checkUpload names every rule an upload breaks and reads its date.
func checkUpload(up Upload) (time.Time, forms.Errors) {
	var errs forms.Errors
	if !slices.Contains(FileKinds, up.Kind) {
		errs = append(errs, forms.FieldError{Field: "kind", Message: "must be one of: photo, sign_in_sheet, case_document, document"})
	}
	date := Today()
	if up.Date != "" {
		d, err := time.Parse(time.DateOnly, up.Date)
		switch {
		case err != nil:
			errs = append(errs, forms.FieldError{Field: "date", Message: "must be a date written 2006-01-02"})
		case d.After(date):
			errs = append(errs, forms.FieldError{Field: "date", Message: "must not be in the future"})
		}
		date = d
	}
	f := up.File
	if f == nil {
		return date, append(errs, forms.FieldError{Field: "file", Message: "is required"})
	}
	if len(f.Content) == 0 {
		errs = append(errs, forms.FieldError{Field: "file", Message: "is empty"})
	} else if !slices.Contains(FileTypes, f.ContentType) {
		errs = append(errs, forms.FieldError{Field: "file", Message: "must be a PDF, JPEG or PNG file, not " + f.ContentType})
	}
	if len([]rune(f.Name)) > 200 {
		errs = append(errs, forms.FieldError{Field: "file", Message: "the file name may be at most 200 characters long"})
	}
	return date, errs
}

// checkCitations refuses cited evidence that is not a record or file of
// the station (and, when q is given, of that quarter), naming each bad
// citation by its field.
func (c *Cases) checkCitations(ctx context.Context, stationID uuid.UUID, q *period.Quarter, cited map[string][]string) error {
	var all []uuid.UUID
	for _, ids := range cited {
		for _, v := range ids {
			if id, err := uuid.Parse(v); err == nil {
				all = append(all, id)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	foreign, err := c.Store.ForeignEvidence(ctx, stationID, q, all)
	if err != nil {
		return err
	}
	where := "of this station"
	if q != nil {
		where = "of this station in " + q.String()
	}
	var errs forms.Errors
	for _, field := range sortedKeys(cited) {
		for i, v := range cited[field] {
			if id, err := uuid.Parse(v); err == nil && slices.Contains(foreign, id) {
				errs = append(errs, forms.FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Message: "is not a service record or file " + where})
			}
		}
	}
	return invalidIf(errs)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkScoredForm refuses a supervision form whose scores cite evidence
// from another station or quarter; the task's workflow checks the rest.
func (c *Cases) checkScoredForm(ctx context.Context, t store.Task, raw json.RawMessage) error {
	var f rubric.Form
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil // the workflow's validator names what is wrong
	}
	q, err := taskQuarter(t)
	if err != nil {
		return err
	}
	cited := map[string][]string{}
	for i, sc := range f.Scores {
		if len(sc.EvidenceIDs) > 0 {
			cited[fmt.Sprintf("scores[%d].evidence_ids", i)] = sc.EvidenceIDs
		}
	}
	return c.checkCitations(ctx, t.StationID, &q, cited)
}

// EvidenceQuery asks for a station's evidence of a quarter, or of a year
// when Year is set.
type EvidenceQuery struct {
	Year    int
	Quarter period.Quarter
}

// StationEvidence is a station's evidence of a quarter (Quarter) or of a
// year (Year); one of the two is set.
type StationEvidence struct {
	Quarter *store.EvidencePack
	Year    *store.AnnualEvidence
}

// Evidence gathers the evidence of a station whose evidence the caller may
// see, collected when asked so records imported late are seen.
func (c *Cases) Evidence(ctx context.Context, who Caller, stationID string, in Input[EvidenceQuery]) (StationEvidence, error) {
	st, err := c.EvidenceStation(ctx, who, stationID)
	if err != nil {
		return StationEvidence{}, err
	}
	q, err := in()
	if err != nil {
		return StationEvidence{}, err
	}
	if q.Year != 0 {
		ev, err := c.Store.AnnualEvidence(ctx, st.ID, q.Year)
		return StationEvidence{Year: &ev}, err
	}
	pack, err := c.Store.EvidencePack(ctx, st.ID, q.Quarter)
	return StationEvidence{Quarter: &pack}, err
}
