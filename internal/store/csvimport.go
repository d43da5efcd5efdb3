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
	"math"
	"slices"
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
	"volunteers", "volunteer_hours", "resources_yuan", "cases"}

// Indexes into forms.CSVColumns.
const (
	colDate = iota
	colServiceLine
	colActivityType
	colElderly
	colChildren
	colDisabled
	colHardship
	colVolunteers
	colVolunteerHours
	colResourcesYuan
	colCases
	numColumns
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ImportServiceRecordsCSV streams a CSV file of service records into the
// station's records in one transaction. The header row must name exactly
// forms.CSVColumns, in any order. Each row is parsed and checked
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
	src := &csvRecordSource{csv: cr, width: len(header), stationID: stationID, orgID: orgID, importID: NewID(),
		today: today, maxRows: maxRows}
	if herrs := src.mapHeader(header); herrs != nil {
		return ImportResult{}, herrs
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
	width     int             // fields in the header row
	index     [numColumns]int // position of each forms.CSVColumns entry in a row
	stationID uuid.UUID
	orgID     uuid.UUID
	importID  uuid.UUID
	today     time.Time
	maxRows   int
	rows      int // data rows read
	done      bool
	values    []any
	errs      ImportErrors
	readErr   error
	rowErrs   []ImportRowError
	parsed    [numColumns]bool
}

var errBadRows = errors.New("the import has bad rows")

func (s *csvRecordSource) mapHeader(header []string) *ImportErrors {
	var errs ImportErrors
	for i := range s.index {
		s.index[i] = -1
	}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		j := slices.Index(forms.CSVColumns, name)
		switch {
		case name == "":
			errs.add(1, "", fmt.Sprintf("column %d has no name", i+1))
		case j < 0:
			errs.add(1, name, "is not a column of a service-record import; the columns are "+strings.Join(forms.CSVColumns, ","))
		case s.index[j] >= 0:
			errs.add(1, name, "appears twice in the header row")
		default:
			s.index[j] = i
		}
	}
	for j, name := range forms.CSVColumns {
		if s.index[j] < 0 {
			errs.add(1, name, "is missing from the header row")
		}
	}
	if errs.any() {
		return &errs
	}
	return nil
}

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
		if len(rec) != s.width {
			s.fail(line, "", fmt.Sprintf("has %d fields; the header row has %d", len(rec), s.width))
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

// parse reads and checks one row into s.values, listing what is wrong
// with it; it reports whether the row is good.
func (s *csvRecordSource) parse(rec []string, line int) bool {
	s.rowErrs = s.rowErrs[:0]
	s.parsed = [numColumns]bool{}
	cell := func(c int) string { return strings.TrimSpace(rec[s.index[c]]) }
	whole := func(c int) int {
		v := cell(c)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			s.rowErrs = append(s.rowErrs, ImportRowError{Line: line, Column: forms.CSVColumns[c], Message: "must be a whole number"})
			s.parsed[c] = true
		}
		return n
	}
	number := func(c int) float64 {
		v := cell(c)
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			s.rowErrs = append(s.rowErrs, ImportRowError{Line: line, Column: forms.CSVColumns[c], Message: "must be a number"})
			s.parsed[c] = true
			return 0
		}
		return f
	}
	r := forms.ServiceRecord{
		Date:         cell(colDate),
		ServiceLine:  cell(colServiceLine),
		ActivityType: cell(colActivityType),
		Beneficiaries: forms.Beneficiaries{Elderly: whole(colElderly), Children: whole(colChildren),
			Disabled: whole(colDisabled), Hardship: whole(colHardship)},
		Volunteers:     whole(colVolunteers),
		VolunteerHours: number(colVolunteerHours),
		ResourcesYuan:  number(colResourcesYuan),
		Cases:          whole(colCases),
	}
	// s.parsed marks the columns that failed to parse; a rule error on them
	// (or on hours, judged against unreadable volunteers) would only repeat it.
	for _, fe := range forms.CheckServiceRecord(r, s.today) {
		column := strings.ReplaceAll(fe.Field, ".", "_")
		c := slices.Index(forms.CSVColumns, column)
		if c >= 0 && (s.parsed[c] || (c == colVolunteerHours && s.parsed[colVolunteers])) {
			continue
		}
		s.rowErrs = append(s.rowErrs, ImportRowError{Line: line, Column: column, Message: fe.Message})
	}
	if len(s.rowErrs) > 0 {
		slices.SortStableFunc(s.rowErrs, func(a, b ImportRowError) int {
			return slices.Index(forms.CSVColumns, a.Column) - slices.Index(forms.CSVColumns, b.Column)
		})
		for _, e := range s.rowErrs {
			s.fail(e.Line, e.Column, e.Message)
		}
		return false
	}
	date, _ := time.Parse(time.DateOnly, r.Date) // checked above
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
