package calendar

import (
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// FuzzParseYearFile: whatever the bytes, a year file is refused with
// FileErrors or yields a schedule that keeps the rules: every date in the
// file's year, make-up working days on weekends and outside holidays.
func FuzzParseYearFile(f *testing.F) {
	_, sch, years := committedCalendars(f)
	for _, b := range years {
		f.Add(b)
	}
	f.Add([]byte(`{"year": 2026, "source": "x", "holidays": [], "workdays": [{"date": "2026-09-23", "reason": "x"}]}`))
	f.Add([]byte(`{"year": 2026, "source": "x", "holidays": [{"name": "x", "from": "2026-10-07", "to": "2026-10-01"}], "workdays": []}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, errs := parseYearFile("cn-fuzz.json", data, sch)
		if len(errs) > 0 {
			for _, err := range errs {
				if _, ok := err.(*FileError); !ok {
					t.Fatalf("refused with %T %v, not a *FileError", err, err)
				}
			}
			return
		}
		for d := range s.holidays {
			if d.year() != s.year {
				t.Fatalf("holiday %s outside year %d", d, s.year)
			}
		}
		for d := range s.makeup {
			if d.year() != s.year || !d.weekend() {
				t.Fatalf("make-up day %s is not a weekend day of %d", d, s.year)
			}
			if _, off := s.holidays[d]; off {
				t.Fatalf("make-up day %s is also a holiday", d)
			}
		}
	})
}

// committedCalendars reads the committed calendar schema, compiled, and the
// committed year files, as seeds.
func committedCalendars(f *testing.F) (schemaJSON []byte, sch *jsonschema.Schema, years [][]byte) {
	f.Helper()
	schemaJSON, err := os.ReadFile("../../schemas/calendar/" + SchemaFile)
	if err != nil {
		f.Fatal(err)
	}
	if sch, err = compileSchema(SchemaFile, schemaJSON); err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"cn-2025.json", "cn-2026.json"} {
		b, err := os.ReadFile("../../schemas/calendar/" + name)
		if err != nil {
			f.Fatal(err)
		}
		years = append(years, b)
	}
	return schemaJSON, sch, years
}
