package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stationflow/stationflow/internal/docschema"
)

// SchemaFile is the name of the JSON Schema beside the year files; it is not
// a year file itself, and neither is any other *.schema.json.
const SchemaFile = "calendar.schema.json"

// ErrInvalidCalendar is matched by every *FileError.
var ErrInvalidCalendar = errors.New("invalid working-day calendar")

// FileError is one thing wrong with one calendar file.
type FileError struct {
	// File is the file's path: within the file system for Load, on disk for
	// an override directory.
	File string
	// Field is where in the file, as in "workdays[1].date"; empty for the
	// file as a whole.
	Field string
	// Problem says what is wrong.
	Problem string
}

func (e *FileError) Error() string {
	if e.Field == "" {
		return e.File + ": " + e.Problem
	}
	return e.File + ": " + e.Field + ": " + e.Problem
}

// Unwrap returns ErrInvalidCalendar.
func (e *FileError) Unwrap() error { return ErrInvalidCalendar }

// Load reads every year file (*.json other than *.schema.json) in dir of
// fsys, checks each against dir/calendar.schema.json and against the rules
// below, and returns the calendar of all of them. The rules: every date lies
// in the file's year (and cn-YYYY.json holds year YYYY); a holiday does not
// end before it starts nor overlap another; a make-up working day is a
// Saturday or Sunday, listed once, outside every holiday; no two files give
// the same year. The error joins a *FileError for every problem found.
func Load(fsys fs.FS, dir string) (*Calendar, error) {
	sch, err := loadSchema(fsys, dir)
	if err != nil {
		return nil, err
	}
	years, err := loadDir(fsys, dir, func(name string) string { return path.Join(dir, name) }, sch)
	if err != nil {
		return nil, err
	}
	return &Calendar{years: years}, nil
}

// LoadWithOverrides loads the calendar in baseDir of base (the built-in
// files) and then the year files in extraDir on disk, checked by the same
// schema and rules: a year in extraDir replaces the built-in one, a new year
// is added. So a deployment can add next year's schedule, or correct one,
// without a new build. An empty extraDir loads the built-in files only; a
// named extraDir that cannot be read is an error.
func LoadWithOverrides(base fs.FS, baseDir string, extraDir string) (*Calendar, error) {
	c, err := Load(base, baseDir)
	if err != nil || extraDir == "" {
		return c, err
	}
	sch, err := loadSchema(base, baseDir)
	if err != nil {
		return nil, err
	}
	extra, err := loadDir(os.DirFS(extraDir), ".", func(name string) string { return filepath.Join(extraDir, name) }, sch)
	if err != nil {
		return nil, err
	}
	years := make(map[int]*schedule, len(c.years)+len(extra))
	for y, s := range c.years {
		years[y] = s
	}
	for y, s := range extra {
		years[y] = s
	}
	return &Calendar{years: years}, nil
}

func loadSchema(fsys fs.FS, dir string) (*jsonschema.Schema, error) {
	name := path.Join(dir, SchemaFile)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("working-day calendar schema: %w", err)
	}
	return compileSchema(name, data)
}

func compileSchema(name string, data []byte) (*jsonschema.Schema, error) {
	sch, err := docschema.Compile(name, "urn:stationflow:calendar.schema.json", data)
	if err != nil {
		return nil, fmt.Errorf("working-day calendar: %w", err)
	}
	return sch, nil
}

// loadDir reads the year files in dir of fsys; display turns a file name
// into the path errors show.
func loadDir(fsys fs.FS, dir string, display func(name string) string, sch *jsonschema.Schema) (map[int]*schedule, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("working-day calendar directory %s: %w", display(""), err)
	}
	years := map[int]*schedule{}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".schema.json") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			errs = append(errs, &FileError{File: display(name), Problem: err.Error()})
			continue
		}
		s, ferrs := parseYearFile(display(name), data, sch)
		if len(ferrs) > 0 {
			errs = append(errs, ferrs...)
			continue
		}
		if prev, dup := years[s.year]; dup {
			errs = append(errs, &FileError{File: s.file, Field: "year",
				Problem: fmt.Sprintf("%d is already given by %s", s.year, prev.file)})
			continue
		}
		years[s.year] = s
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return years, nil
}

// yearFile is the JSON form of one year, as calendar.schema.json defines it.
type yearFile struct {
	Year     int    `json:"year"`
	Source   string `json:"source"`
	Holidays []struct {
		Name string `json:"name"`
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"holidays"`
	Workdays []struct {
		Date   string `json:"date"`
		Reason string `json:"reason"`
	} `json:"workdays"`
}

var yearFileName = regexp.MustCompile(`^cn-([0-9]{4})\.json$`)

// parseYearFile checks one year file (file is the path errors show) and
// returns its schedule, or every problem found.
func parseYearFile(file string, data []byte, sch *jsonschema.Schema) (*schedule, []error) {
	yf, errs := decodeYearFile(file, data, sch)
	if errs != nil {
		return nil, errs
	}
	c := &yearCheck{file: file, year: yf.Year}
	c.checkFileName()
	s := &schedule{year: yf.Year, source: yf.Source, file: file, holidays: map[day]string{}, makeup: map[day]string{}}
	spans := c.holidays(yf, s)
	c.makeupDays(yf, s, spans)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return s, nil
}

// decodeYearFile reads one year file after checking it against the schema,
// so that the rules below see only well-formed dates and fields.
func decodeYearFile(file string, data []byte, sch *jsonschema.Schema) (*yearFile, []error) {
	fail := func(format string, args ...any) []error {
		return []error{&FileError{File: file, Problem: fmt.Sprintf(format, args...)}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fail("not valid JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		var errs []error
		for _, p := range docschema.Problems(err) {
			errs = append(errs, &FileError{File: file, Field: p.Field, Problem: p.Message})
		}
		return nil, errs
	}
	var yf yearFile
	if err := json.Unmarshal(data, &yf); err != nil {
		return nil, fail("%v", err)
	}
	return &yf, nil
}

// yearCheck collects every problem of one year file, so that one run
// reports them all.
type yearCheck struct {
	file string
	year int
	errs []error
}

func (c *yearCheck) add(field, format string, args ...any) {
	c.errs = append(c.errs, &FileError{File: c.file, Field: field, Problem: fmt.Sprintf(format, args...)})
}

// checkFileName makes cn-YYYY.json hold year YYYY; other names say nothing
// about the year.
func (c *yearCheck) checkFileName() {
	if m := yearFileName.FindStringSubmatch(path.Base(filepath.ToSlash(c.file))); m != nil {
		if named, _ := strconv.Atoi(m[1]); named != c.year {
			c.add("year", "is %d, but the file name says %d", c.year, named)
		}
	}
}

// date reads a date the schema has already checked the form of, and
// requires it to lie in the file's year.
func (c *yearCheck) date(field, value string) (day, bool) {
	t, err := time.Parse(time.DateOnly, value)
	if err != nil {
		c.add(field, "%q is not a date: %v", value, err)
		return 0, false
	}
	if t.Year() != c.year {
		c.add(field, "%s is not in %d, the file's year", value, c.year)
		return 0, false
	}
	return civil(t.Date()), true
}

// holidaySpan is one holiday of a year file; a zero name marks an entry
// that did not check, which later rules skip.
type holidaySpan struct {
	from, to day
	name     string
}

// holidays checks that each holiday ends on or after its first day and
// overlaps no other, puts its days in s, and returns the spans by index.
func (c *yearCheck) holidays(yf *yearFile, s *schedule) []holidaySpan {
	spans := make([]holidaySpan, len(yf.Holidays))
	for i, h := range yf.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		from, ok1 := c.date(field+".from", h.From)
		to, ok2 := c.date(field+".to", h.To)
		if !ok1 || !ok2 {
			continue
		}
		if to < from {
			c.add(field+".to", "%s is before from %s: a holiday ends on or after its first day", h.To, h.From)
			continue
		}
		for j, other := range spans[:i] {
			if other.name != "" && from <= other.to && other.from <= to {
				c.add(field, "%s (%s to %s) overlaps holidays[%d] %s (%s to %s)", h.Name, h.From, h.To, j, other.name, other.from, other.to)
			}
		}
		spans[i] = holidaySpan{from, to, h.Name}
		for d := from; d <= to; d++ {
			s.holidays[d] = h.Name
		}
	}
	return spans
}

// makeupDays checks that each make-up working day is a Saturday or Sunday,
// listed once, outside every holiday, and puts it in s.
func (c *yearCheck) makeupDays(yf *yearFile, s *schedule, spans []holidaySpan) {
	listed := map[day]int{}
	for i, w := range yf.Workdays {
		field := fmt.Sprintf("workdays[%d].date", i)
		d, ok := c.date(field, w.Date)
		if !ok {
			continue
		}
		if j, dup := listed[d]; dup {
			c.add(field, "%s is listed twice (also workdays[%d])", w.Date, j)
			continue
		}
		listed[d] = i
		if !d.weekend() {
			c.add(field, "%s is a %s; a make-up working day is a Saturday or Sunday", w.Date, d.weekday())
		}
		inside := func(sp holidaySpan) bool { return sp.name != "" && sp.from <= d && d <= sp.to }
		if j := slices.IndexFunc(spans, inside); j >= 0 {
			c.add(field, "%s falls within holidays[%d] %s (%s to %s); a make-up working day lies outside every holiday",
				w.Date, j, spans[j].name, spans[j].from, spans[j].to)
		}
		s.makeup[d] = w.Reason
	}
}
