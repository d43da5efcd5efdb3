package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/forms"
)

// ImportRowError is one refused cell or row of an import. Line counts the
// header as line 1; Column is the CSV column's name, empty when the fault
// is the row's as a whole.
type ImportRowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// MaxImportErrors is how many bad rows an import lists before it stops.
const MaxImportErrors = 100

// ImportErrors is returned (as error) when any row of an import is bad;
// nothing was stored. At most MaxImportErrors are listed; Truncated says
// more existed.
type ImportErrors struct {
	Rows      []ImportRowError
	Truncated bool
}

// Error lists the first few bad rows.
func (e *ImportErrors) Error() string {
	parts := make([]string, 0, min(len(e.Rows), 5)+1)
	for i, r := range e.Rows {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Rows)-5))
			break
		}
		where := "line " + strconv.Itoa(r.Line)
		if r.Column != "" {
			where += " " + r.Column
		}
		parts = append(parts, where+": "+r.Message)
	}
	more := ""
	if e.Truncated {
		more = " (listing stopped there)"
	}
	return fmt.Sprintf("import refused, nothing stored: %s%s", strings.Join(parts, "; "), more)
}

// add lists one more error, or marks the list truncated when it is full;
// it reports whether there was room.
func (e *ImportErrors) add(line int, column, message string) bool {
	if len(e.Rows) >= MaxImportErrors {
		e.Truncated = true
		return false
	}
	e.Rows = append(e.Rows, ImportRowError{Line: line, Column: column, Message: message})
	return true
}

func (e *ImportErrors) any() bool { return len(e.Rows) > 0 || e.Truncated }

// recordColumns are the columns a copy into service_records fills.
var recordColumns = []string{"id", "station_id", "organisation_id", "import_id", "line", "date", "service_line", "activity_type",
	"beneficiaries_elderly", "beneficiaries_children", "beneficiaries_disabled", "beneficiaries_hardship",
	"volunteers", "volunteer_hours", "resources_yuan", "cases", "project_id"}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ImportServiceRecordsCSV streams a CSV file of service records into the
// station's records in one transaction. The header row must name exactly
// forms.CSVColumns, in any order, and may name project_id, whose cells
// must name a project of the station (or be empty). Each row is parsed and checked
// (forms.CheckServiceRecord) as it streams; after the first bad row no row
// is sent on, but scanning goes on to list up to MaxImportErrors bad rows,
// and then the import fails with *ImportErrors and stores nothing. Empty
// numeric cells are zero. At most maxRows rows are taken (maxRows <= 0: no
// limit). The same bytes sent again for the station are a replay: the
// earlier import's result comes back with Replayed set and nothing is
// added. A read error from r is returned wrapped.
func (s *Store) ImportServiceRecordsCSV(ctx context.Context, actor string, stationID, orgID uuid.UUID, r io.Reader, today time.Time, maxRows int) (ImportResult, error) {
	digest := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(r, digest), 64<<10)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	var parseErr *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return ImportResult{}, &ImportErrors{Rows: []ImportRowError{{Line: 1, Message: "the file is empty; it needs a header row naming the columns " +
			strings.Join(forms.CSVColumns, ",")}}}
	case errors.As(err, &parseErr):
		return ImportResult{}, &ImportErrors{Rows: []ImportRowError{{Line: 1, Message: "the header row cannot be read: " + parseErr.Err.Error()}}}
	case err != nil:
		return ImportResult{}, fmt.Errorf("reading the import: %w", err)
	}
	src, herrs := newCSVRecordSource(cr, header, stationID, orgID, today, maxRows)
	if herrs != nil {
		return ImportResult{}, herrs
	}
	if src.projects, err = s.StationProjectIDs(ctx, stationID); err != nil {
		return ImportResult{}, fmt.Errorf("reading the station's projects: %w", err)
	}
	var res ImportResult
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"service_records"}, recordColumns, src)
		switch {
		case src.readErr != nil:
			return fmt.Errorf("reading the import: %w", src.readErr)
		case src.errs.any():
			return &src.errs
		case err != nil:
			return fmt.Errorf("copying service records: %w", err)
		case n == 0:
			return &ImportErrors{Rows: []ImportRowError{{Line: 2, Message: "no records follow the header row"}}}
		}
		var sum [sha256.Size]byte
		digest.Sum(sum[:0])
		res, err = finishImport(ctx, tx, actor, src.importID, stationID, orgID, "csv", sum, n)
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

// csvRecordSource feeds checked CSV rows to CopyFrom. After the first bad
// row it feeds nothing more but keeps reading to list further bad rows;
// Err then fails the copy.
type csvRecordSource struct {
	csv       *csv.Reader
	header    forms.CSVHeader
	stationID uuid.UUID
	orgID     uuid.UUID
	importID  uuid.UUID
	today     time.Time
	maxRows   int
	projects  map[uuid.UUID]bool // the station's projects, which a row's project_id must name
	rows      int                // data rows read
	done      bool
	values    []any
	errs      ImportErrors
	readErr   error
}

// newCSVRecordSource reads the rows after header for a new import, or
// lists what is wrong with the header row.
func newCSVRecordSource(cr *csv.Reader, header []string, stationID, orgID uuid.UUID, today time.Time, maxRows int) (*csvRecordSource, *ImportErrors) {
	h, herrs := forms.ReadCSVHeader(header)
	if len(herrs) > 0 {
		var errs ImportErrors
		for _, e := range herrs {
			errs.add(1, e.Column, e.Message)
		}
		return nil, &errs
	}
	return &csvRecordSource{csv: cr, header: h, stationID: stationID, orgID: orgID, importID: NewID(),
		today: today, maxRows: maxRows}, nil
}

var errBadRows = errors.New("the import has bad rows")

// Next reads rows until one is good to feed, or the input ends.
func (s *csvRecordSource) Next() bool {
	for !s.done {
		rec, err := s.csv.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			s.fail(parseErr.StartLine, "", "cannot be read as CSV: "+parseErr.Err.Error())
			break
		}
		if err != nil {
			s.readErr = err
			break
		}
		line, _ := s.csv.FieldPos(0)
		s.rows++
		if s.maxRows > 0 && s.rows > s.maxRows {
			s.fail(line, "", fmt.Sprintf("an import may hold at most %d rows", s.maxRows))
			break
		}
		if len(rec) != s.header.Width() {
			s.fail(line, "", fmt.Sprintf("has %d fields; the header row has %d", len(rec), s.header.Width()))
			continue
		}
		if s.parse(rec, line) && !s.errs.any() {
			return true
		}
	}
	s.done = true
	return false
}

// fail lists one error; a full list stops the scan.
func (s *csvRecordSource) fail(line int, column, message string) {
	if !s.errs.add(line, column, message) {
		s.done = true
	}
}

// parse reads and checks one row into s.values (forms.ParseCSVRow),
// listing what is wrong with it; it reports whether the row is good.
func (s *csvRecordSource) parse(rec []string, line int) bool {
	r, date, errs := forms.ParseCSVRow(s.header, rec, s.today)
	if r.ProjectID != nil && !s.projects[*r.ProjectID] {
		errs = append(errs, forms.CSVError{Column: "project_id", Message: forms.ProjectMessage})
	}
	if len(errs) > 0 {
		for _, e := range errs {
			s.fail(line, e.Column, e.Message)
		}
		return false
	}
	s.values = recordValues(s.values[:0], s.stationID, s.orgID, s.importID, line, date, r)
	return true
}

// Values is the row Next found good.
func (s *csvRecordSource) Values() ([]any, error) { return s.values, nil }

// Err fails the copy when a row was bad or the input could not be read.
func (s *csvRecordSource) Err() error {
	if s.readErr != nil {
		return s.readErr
	}
	if s.errs.any() {
		return errBadRows
	}
	return nil
}
