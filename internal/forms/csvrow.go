package forms

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Indexes into CSVColumns.
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
	colProjectID
	numCSVColumns
)

// CSVOptionalColumns may follow CSVColumns in a header row: project_id,
// the station's project a row's work belongs to (empty cell: none).
var CSVOptionalColumns = []string{"project_id"}

// csvAllColumns are CSVColumns then CSVOptionalColumns, in the order of
// the col constants.
var csvAllColumns = append(slices.Clip(CSVColumns), CSVOptionalColumns...)

// CSVError is one refused cell of a CSV row, or the row as a whole when
// Column is empty.
type CSVError struct {
	Column  string
	Message string
}

// CSVHeader is where each of CSVColumns stands in a file's rows.
type CSVHeader struct {
	index [numCSVColumns]int
	width int // fields in the header row
}

// Width is the number of fields in the header row, which every row has.
func (h CSVHeader) Width() int { return h.width }

// ReadCSVHeader maps a header row that names exactly CSVColumns, and
// perhaps CSVOptionalColumns, in any order, case and surrounding space
// aside. It lists every column that has
// no name, is unknown, appears twice or is missing.
func ReadCSVHeader(header []string) (CSVHeader, []CSVError) {
	h := CSVHeader{width: len(header)}
	for i := range h.index {
		h.index[i] = -1
	}
	var errs []CSVError
	for i, name := range header {
		if msg := CheckText(name); msg != "" {
			errs = append(errs, CSVError{"", fmt.Sprintf("column %d's name %s", i+1, msg)})
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		j := slices.Index(csvAllColumns, name)
		switch {
		case name == "":
			errs = append(errs, CSVError{"", fmt.Sprintf("column %d has no name", i+1)})
		case j < 0:
			errs = append(errs, CSVError{name, "is not a column of a service-record import; the columns are " + strings.Join(csvAllColumns, ",")})
		case h.index[j] >= 0:
			errs = append(errs, CSVError{name, "appears twice in the header row"})
		default:
			h.index[j] = i
		}
	}
	for j, name := range CSVColumns {
		if h.index[j] < 0 {
			errs = append(errs, CSVError{name, "is missing from the header row"})
		}
	}
	return h, errs
}

// ParseCSVRow reads one row of width fields into a service record and
// checks it (CheckServiceRecord), returning its date. Empty numeric cells
// are zero. The errors come in CSVColumns order, each cell refused once: a
// rule is not reported on a cell that does not parse.
func ParseCSVRow(h CSVHeader, rec []string, today time.Time) (ServiceRecord, time.Time, []CSVError) {
	p := rowParser{h: h, rec: rec}
	r := ServiceRecord{
		Date:         p.cell(colDate),
		ServiceLine:  p.cell(colServiceLine),
		ActivityType: p.cell(colActivityType),
		Beneficiaries: Beneficiaries{Elderly: p.whole(colElderly), Children: p.whole(colChildren),
			Disabled: p.whole(colDisabled), Hardship: p.whole(colHardship)},
		Volunteers:     p.whole(colVolunteers),
		VolunteerHours: p.number(colVolunteerHours),
		ResourcesYuan:  p.number(colResourcesYuan),
		Cases:          p.whole(colCases),
		ProjectID:      p.id(colProjectID),
	}
	// p.bad marks the columns that failed to parse; a rule error on them
	// (or on hours, judged against unreadable volunteers) would only repeat it.
	for _, fe := range CheckServiceRecord(r, today) {
		column := strings.ReplaceAll(fe.Field, ".", "_")
		c := slices.Index(csvAllColumns, column)
		if c >= 0 && (p.bad[c] || (c == colVolunteerHours && p.bad[colVolunteers])) {
			continue
		}
		p.errs = append(p.errs, CSVError{column, fe.Message})
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b CSVError) int {
			return slices.Index(csvAllColumns, a.Column) - slices.Index(csvAllColumns, b.Column)
		})
		return r, time.Time{}, p.errs
	}
	date, _ := time.Parse(time.DateOnly, r.Date) // checked above
	return r, date, nil
}

// rowParser reads the cells of one row, noting those that do not parse.
type rowParser struct {
	h    CSVHeader
	rec  []string
	bad  [numCSVColumns]bool
	errs []CSVError
}

// cell is column c's text, trimmed; a cell that is not text stationflow
// can store (CheckText) is refused here, once, and read as empty.
func (p *rowParser) cell(c int) string {
	v := p.rec[p.h.index[c]]
	if msg := CheckText(v); msg != "" {
		p.errs = append(p.errs, CSVError{csvAllColumns[c], msg})
		p.bad[c] = true
		return ""
	}
	return strings.TrimSpace(v)
}

// id reads an optional column's ID; an absent column or empty cell is nil.
func (p *rowParser) id(c int) *uuid.UUID {
	if p.h.index[c] < 0 {
		return nil
	}
	v := p.cell(c)
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		p.errs = append(p.errs, CSVError{csvAllColumns[c], "must be an ID such as 0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21"})
		p.bad[c] = true
		return nil
	}
	return &id
}

func (p *rowParser) whole(c int) int {
	v := p.cell(c)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.errs = append(p.errs, CSVError{csvAllColumns[c], "must be a whole number"})
		p.bad[c] = true
	}
	return n
}

func (p *rowParser) number(c int) float64 {
	v := p.cell(c)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.errs = append(p.errs, CSVError{csvAllColumns[c], "must be a number"})
		p.bad[c] = true
		return 0
	}
	return f
}
