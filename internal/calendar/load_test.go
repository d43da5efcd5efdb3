package calendar_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stationflow/stationflow/internal/calendar"
)

func schemaFile(t *testing.T) *fstest.MapFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(schemasRoot, "calendar", calendar.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

// withFiles is a calendar directory holding the real schema and the given
// year files.
func withFiles(t *testing.T, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"calendar/" + calendar.SchemaFile: schemaFile(t)}
	for name, body := range files {
		fsys["calendar/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// year2026 is a valid 2026 file with the given holidays and workdays JSON.
func year2026(holidays, workdays string) string {
	return `{"year": 2026, "source": "test", "holidays": [` + holidays + `], "workdays": [` + workdays + `]}`
}

func TestBadFilesAreRefusedNamingFileAndField(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		field   string
		message string
	}{
		{
			name:    "a make-up working day on a Wednesday",
			files:   map[string]string{"cn-2026.json": year2026(``, `{"date": "2026-09-23", "reason": "国庆节调休"}`)},
			field:   "workdays[0].date",
			message: "2026-09-23 is a Wednesday; a make-up working day is a Saturday or Sunday",
		},
		{
			name: "a make-up working day inside a holiday",
			files: map[string]string{"cn-2026.json": year2026(`{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"}`,
				`{"date": "2026-10-03", "reason": "国庆节调休"}`)},
			field:   "workdays[0].date",
			message: "falls within holidays[0] 国庆节 (2026-10-01 to 2026-10-07)",
		},
		{
			name:    "a make-up working day listed twice",
			files:   map[string]string{"cn-2026.json": year2026(``, `{"date": "2026-10-10", "reason": "a"}, {"date": "2026-10-10", "reason": "b"}`)},
			field:   "workdays[1].date",
			message: "listed twice (also workdays[0])",
		},
		{
			name:    "a holiday that ends before it starts",
			files:   map[string]string{"cn-2026.json": year2026(`{"name": "国庆节", "from": "2026-10-07", "to": "2026-10-01"}`, ``)},
			field:   "holidays[0].to",
			message: "2026-10-01 is before from 2026-10-07",
		},
		{
			name:    "a holiday in another year",
			files:   map[string]string{"cn-2026.json": year2026(`{"name": "元旦", "from": "2025-12-31", "to": "2026-01-01"}`, ``)},
			field:   "holidays[0].from",
			message: "2025-12-31 is not in 2026, the file's year",
		},
		{
			name: "overlapping holidays",
			files: map[string]string{"cn-2026.json": year2026(`{"name": "中秋节", "from": "2026-09-25", "to": "2026-10-02"},
				{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"}`, ``)},
			field:   "holidays[1]",
			message: "overlaps holidays[0] 中秋节",
		},
		{
			name:    "a file name that disagrees with its year",
			files:   map[string]string{"cn-2027.json": year2026(``, ``)},
			field:   "year",
			message: "is 2026, but the file name says 2027",
		},
		{
			name:    "a date in the wrong form",
			files:   map[string]string{"cn-2026.json": year2026(``, `{"date": "2026-9-20", "reason": "国庆节调休"}`)},
			field:   "workdays[0].date",
			message: "'2026-9-20' is not valid date",
		},
		{
			name:    "a date that does not exist",
			files:   map[string]string{"cn-2026.json": year2026(`{"name": "春节", "from": "2026-02-15", "to": "2026-02-30"}`, ``)},
			field:   "holidays[0].to",
			message: "not valid date",
		},
		{
			name:    "a missing source",
			files:   map[string]string{"cn-2026.json": `{"year": 2026, "holidays": [], "workdays": []}`},
			field:   "",
			message: "missing property 'source'",
		},
		{
			name:    "a year that is not a number",
			files:   map[string]string{"cn-2026.json": `{"year": "2026", "source": "test", "holidays": [], "workdays": []}`},
			field:   "year",
			message: "want integer",
		},
		{
			name:    "a holiday without a name",
			files:   map[string]string{"cn-2026.json": year2026(`{"from": "2026-10-01", "to": "2026-10-07"}`, ``)},
			field:   "holidays[0]",
			message: "missing property 'name'",
		},
		{
			name:    "a misspelt field",
			files:   map[string]string{"cn-2026.json": `{"year": 2026, "source": "test", "holidays": [], "workday": []}`},
			field:   "",
			message: "workday",
		},
		{
			name:    "not JSON at all",
			files:   map[string]string{"cn-2026.json": `{"year": 2026,`},
			field:   "",
			message: "not valid JSON",
		},
		{
			name: "two files for one year",
			files: map[string]string{
				"cn-2026.json":         year2026(``, ``),
				"cn-2026-amended.json": year2026(``, ``),
			},
			field:   "year",
			message: "2026 is already given by calendar/cn-2026",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := calendar.Load(withFiles(t, tt.files), "calendar")
			if err == nil {
				t.Fatalf("Load accepted the files; calendar has years %v", c.Years())
			}
			if !errors.Is(err, calendar.ErrInvalidCalendar) {
				t.Errorf("error %v is not ErrInvalidCalendar", err)
			}
			var fe *calendar.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v holds no *FileError", err)
			}
			if !strings.HasPrefix(fe.File, "calendar/cn-2026") && !strings.HasPrefix(fe.File, "calendar/cn-2027") {
				t.Errorf("the error names file %q", fe.File)
			}
			if fe.Field != tt.field {
				t.Errorf("the error names field %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not say %q", err, tt.message)
			}
			if !strings.HasPrefix(err.Error(), fe.File+": ") {
				t.Errorf("error %q does not start with the file's name", err)
			}
		})
	}
}

func TestEveryProblemInAFileIsReported(t *testing.T) {
	files := map[string]string{"cn-2026.json": year2026(``,
		`{"date": "2026-09-23", "reason": "a"}, {"date": "2026-09-24", "reason": "b"}`)}
	_, err := calendar.Load(withFiles(t, files), "calendar")
	for _, field := range []string{"workdays[0].date: 2026-09-23 is a Wednesday", "workdays[1].date: 2026-09-24 is a Thursday"} {
		if err == nil || !strings.Contains(err.Error(), "calendar/cn-2026.json: "+field) {
			t.Errorf("error %v does not report %q", err, field)
		}
	}
}

func TestSchemaAndOtherFilesAreNotYears(t *testing.T) {
	fsys := withFiles(t, map[string]string{"cn-2026.json": year2026(``, ``)})
	fsys["calendar/README.md"] = &fstest.MapFile{Data: []byte("not a year")}
	fsys["calendar/draft.schema.json"] = &fstest.MapFile{Data: []byte(`{}`)}
	c, err := calendar.Load(fsys, "calendar")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); len(got) != 1 || got[0] != 2026 {
		t.Errorf("Years() = %v, want [2026]", got)
	}
}

func TestLoadNeedsTheSchema(t *testing.T) {
	fsys := fstest.MapFS{"calendar/cn-2026.json": &fstest.MapFile{Data: []byte(year2026(``, ``))}}
	if _, err := calendar.Load(fsys, "calendar"); err == nil || !strings.Contains(err.Error(), calendar.SchemaFile) {
		t.Errorf("Load without the schema = %v, want an error naming %s", err, calendar.SchemaFile)
	}
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOverrideDirectoryReplacesAndAddsYears(t *testing.T) {
	dir := t.TempDir()
	// A deployment's corrected 2026 in which 国庆节 runs to 8 October and 10
	// October stays a rest day (test data, not a published schedule).
	writeFile(t, dir, "cn-2026.json", year2026(`{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-08"}`, ``))
	writeFile(t, dir, "cn-2027.json", `{"year": 2027, "source": "test", "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}], "workdays": []}`)

	c, err := calendar.LoadWithOverrides(os.DirFS(schemasRoot), "calendar", dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(date(2026, 10, 8)) || c.IsWorkday(date(2026, 10, 10)) {
		t.Error("the override's 2026 did not replace the built-in one")
	}
	if !c.IsWorkday(date(2026, 2, 16)) {
		t.Error("the built-in 2026 holidays survived the override (16 February 2026 is a plain Monday in it)")
	}
	if c.IsWorkday(date(2025, 10, 8)) {
		t.Error("the built-in 2025 was lost")
	}
	if !c.Covers(2027) || c.IsWorkday(date(2027, 1, 1)) {
		t.Error("the override's 2027 was not added")
	}

	base, err := calendar.Load(os.DirFS(schemasRoot), "calendar")
	if err != nil {
		t.Fatal(err)
	}
	if !base.IsWorkday(date(2026, 10, 8)) {
		t.Error("loading overrides changed the built-in calendar")
	}
}

func TestOverrideDirectoryIsChecked(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "cn-2026.json", year2026(``, `{"date": "2026-09-23", "reason": "国庆节调休"}`))
	_, err := calendar.LoadWithOverrides(os.DirFS(schemasRoot), "calendar", dir)
	var fe *calendar.FileError
	if !errors.As(err, &fe) || fe.File != filepath.Join(dir, "cn-2026.json") || fe.Field != "workdays[0].date" {
		t.Errorf("LoadWithOverrides = %v, want a FileError naming %s and workdays[0].date", err, filepath.Join(dir, "cn-2026.json"))
	}

	if _, err := calendar.LoadWithOverrides(os.DirFS(schemasRoot), "calendar", filepath.Join(dir, "missing")); err == nil {
		t.Error("a named override directory that does not exist must be an error")
	}

	c, err := calendar.LoadWithOverrides(os.DirFS(schemasRoot), "calendar", "")
	if err != nil || !c.Covers(2026) {
		t.Errorf("no override directory: %v", err)
	}
}
