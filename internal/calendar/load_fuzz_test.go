package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stationflow/stationflow/internal/testkit"
)

// FuzzLoadCalendar: whatever cal/cn-2026.json holds, Load refuses it with
// errors that are each a *FileError naming that file, matching
// ErrInvalidCalendar, saying what is wrong and naming a field that is in
// the document, or none for the file as a whole (a document the schema and
// the decoder accept has its every problem named by field). A calendar it
// accepts covers 2026 only, and every day of 2026 is a working day exactly
// when the file says so: not in a holiday, and a make-up day or Monday to
// Friday. AddWorkdays, WorkdaysBetween and NextWorkday agree with each
// other on it.
func FuzzLoadCalendar(f *testing.F) {
	schemaJSON, sch, seeds := committedCalendars(f)
	seeds = append(seeds, []byte(`{"year": 2026, "source": "x", "holidays": [{"name": "全年", "from": "2026-01-01", "to": "2026-12-31"}], "workdays": []}`))
	seeds = append(seeds, []byte(`{"year": 2026, "source": "x", "holidays": [{"name": "a", "from": "2026-10-01", "to": "2026-10-08"}, {"name": "b", "from": "2026-10-08", "to": "2026-10-09"}], "workdays": [{"date": "2026-10-03", "reason": "x"}, {"date": "2026-10-03", "reason": "y"}]}`))
	seeds = append(seeds, []byte(`{"year": 2026, "source": "x", "holidays": [{"name": "x", "from": "2026-02-30", "to": "2027-01-01"}], "workdays": [{"date": "2026-09-26", "reason": "x"}], "$schema": "calendar.schema.json"}`))
	seeds = append(seeds, []byte(`{"year": 2026.0, "source": "", "holidays": null, "workdays": [{}], "extra": 1}`))
	check := func(t testing.TB, data []byte) {
		const file = "cal/cn-2026.json"
		fsys := fstest.MapFS{"cal/" + SchemaFile: {Data: schemaJSON}, file: {Data: data}}
		c, err := Load(fsys, "cal")
		if err != nil {
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("refused with %T %v, not a list of *FileError", err, err)
			}
			paths, valid := testkit.JSONPaths(data)
			var decodable bool
			if valid {
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				var yf yearFile
				decodable = err == nil && sch.Validate(inst) == nil && json.Unmarshal(data, &yf) == nil
			}
			for _, e := range joined.Unwrap() {
				fe, ok := e.(*FileError)
				if !ok || !errors.Is(e, ErrInvalidCalendar) {
					t.Fatalf("refused with %T %v, not a *FileError", e, e)
				}
				if fe.File != file || fe.Problem == "" {
					t.Fatalf("an error names file %q, not %s, or says nothing: %+v", fe.File, file, fe)
				}
				if valid && fe.Field != "" && !paths[fe.Field] {
					t.Fatalf("an error names %q, which is not in the document: %v", fe.Field, err)
				}
				if decodable && fe.Field == "" {
					t.Fatalf("a document the schema and the decoder accept has an error naming no field: %v", err)
				}
			}
			return
		}
		c = c.WithLogger(slog.New(slog.DiscardHandler))
		if !slices.Equal(c.Years(), []int{2026}) {
			t.Fatalf("cn-2026.json gave the years %v", c.Years())
		}
		var yf yearFile
		if err := json.Unmarshal(data, &yf); err != nil {
			t.Fatalf("an accepted file does not decode: %v", err)
		}
		off, on := map[string]bool{}, map[string]bool{}
		for _, h := range yf.Holidays {
			from, _ := time.Parse(time.DateOnly, h.From)
			to, _ := time.Parse(time.DateOnly, h.To)
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				off[d.Format(time.DateOnly)] = true
			}
		}
		for _, w := range yf.Workdays {
			on[w.Date] = true
		}
		loc := Location()
		for d := time.Date(2026, 1, 1, 9, 0, 0, 0, loc); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
			key := d.Format(time.DateOnly)
			weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
			want := !off[key] && (on[key] || weekday)
			if got := c.IsWorkday(d); got != want {
				t.Fatalf("%s (%s) is a working day: %v, want %v", key, d.Weekday(), got, want)
			}
		}
		start := time.Date(2026, 1, 1, 23, 30, 0, 0, loc)
		for _, n := range []int{1, 7, 60, 250} {
			due := c.AddWorkdays(start, n)
			if !c.IsWorkday(due) || due.Hour() != EndOfBusinessHour || c.WorkdaysBetween(start, due) != n || c.WorkdaysBetween(due, start) != -n {
				t.Fatalf("%d working days after %s is %s (a working day: %v; %d between)", n, start, due, c.IsWorkday(due), c.WorkdaysBetween(start, due))
			}
			if back := c.AddWorkdays(due, -n); back.After(start) || c.WorkdaysBetween(back, due) != n {
				t.Fatalf("%d working days back from %s is %s, after %s", n, due, back, start)
			}
		}
		next := c.NextWorkday(start)
		if first := c.AddWorkdays(start, 1); next.Hour() != 0 || next.Format(time.DateOnly) != first.Format(time.DateOnly) {
			t.Fatalf("the next working day after %s is %s, one working day later is %s", start, next, first)
		}
	}
	// Each seed is also checked before fuzzing, in each worker process: the
	// first load fills caches (encoding/json's, the schema's) whose code
	// then never runs again, and coverage first seen there cannot be
	// reproduced, so the fuzzer would spend up to -fuzzminimizetime trying
	// to minimise such an input.
	for _, seed := range seeds {
		f.Add(seed)
		check(f, seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}
