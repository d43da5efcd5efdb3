package forms

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
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
	numCSVColumns
)

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

// ReadCSVHeader maps a header row that names exactly CSVColumns, in any
// order, case and surrounding space aside. It lists every column that has
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
		j := slices.Index(CSVColumns, name)
		switch {
		case name == "":
			errs = append(errs, CSVError{"", fmt.Sprintf("column %d has no name", i+1)})
		case j < 0:
			errs = append(errs, CSVError{name, "is not a column of a service-record import; the columns are " + strings.Join(CSVColumns, ",")})
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
	}
	// p.bad marks the columns that failed to parse; a rule error on them
	// (or on hours, judged against unreadable volunteers) would only repeat it.
	for _, fe := range CheckServiceRecord(r, today) {
		column := strings.ReplaceAll(fe.Field, ".", "_")
		c := slices.Index(CSVColumns, column)
		if c >= 0 && (p.bad[c] || (c == colVolunteerHours && p.bad[colVolunteers])) {
			continue
		}
		p.errs = append(p.errs, CSVError{column, fe.Message})
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b CSVError) int {
			return slices.Index(CSVColumns, a.Column) - slices.Index(CSVColumns, b.Column)
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
		p.errs = append(p.errs, CSVError{CSVColumns[c], msg})
		p.bad[c] = true
		return ""
	}
	return strings.TrimSpace(v)
}

func (p *rowParser) whole(c int) int {
	v := p.cell(c)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.errs = append(p.errs, CSVError{CSVColumns[c], "must be a whole number"})
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
		p.errs = append(p.errs, CSVError{CSVColumns[c], "must be a number"})
		p.bad[c] = true
		return 0
	}
	return f
}
