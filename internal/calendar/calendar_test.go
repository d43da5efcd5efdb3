package calendar_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/calendar"
)

// schemasRoot is the repository's schemas/ folder, which the binary embeds.
const schemasRoot = "../../schemas"

var cst = calendar.Location()

// date is 09:00 China Standard Time on a date: the middle of a morning.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, cst) }

// endOfBusiness is 18:00 China Standard Time on a date.
func endOfBusiness(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 18, 0, 0, 0, cst) }

func load(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Load(os.DirFS(schemasRoot), "calendar")
	if err != nil {
		t.Fatal(err)
	}
	// Tests of covered years must not warn; a stray warning fails them.
	return c.WithLogger(slog.New(failingHandler{t}))
}

// failingHandler fails the test on any log record.
type failingHandler struct{ t *testing.T }

func (h failingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h failingHandler) Handle(_ context.Context, r slog.Record) error {
	h.t.Errorf("unexpected log: %s", r.Message)
	return nil
}
func (h failingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failingHandler) WithGroup(string) slog.Handler      { return h }

func TestPublishedYearsAreLoaded(t *testing.T) {
	c := load(t)
	if got := c.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Errorf("Years() = %v, want [2025 2026]", got)
	}
	if !c.Covers(2025) || !c.Covers(2026) || c.Covers(2027) {
		t.Error("Covers disagrees with the files")
	}
}

func TestPublishedScheduleDayByDay(t *testing.T) {
	c := load(t)
	tests := []struct {
		day     time.Time
		workday bool
		why     string
	}{
		{date(2025, 1, 1), false, "元旦 2025, a Wednesday"},
		{date(2025, 1, 26), true, "Sunday made a working day for 春节 2025"},
		{date(2025, 1, 28), false, "春节 2025 begins on New Year's Eve"},
		{date(2025, 2, 4), false, "last day of 春节 2025"},
		{date(2025, 2, 5), true, "first working day after 春节 2025"},
		{date(2025, 2, 8), true, "Saturday made a working day for 春节 2025"},
		{date(2025, 4, 27), true, "Sunday made a working day for 劳动节 2025"},
		{date(2025, 6, 2), false, "端午节 2025, a Monday"},
		{date(2026, 1, 2), false, "元旦 2026, a Friday"},
		{date(2026, 1, 4), true, "Sunday made a working day for 元旦 2026"},
		{date(2026, 2, 14), true, "Saturday made a working day before 春节 2026"},
		{date(2026, 2, 23), false, "last day of 春节 2026, a Monday"},
		{date(2026, 2, 28), true, "Saturday made a working day after 春节 2026"},
		{date(2026, 4, 6), false, "清明节 2026, a Monday"},
		{date(2026, 5, 5), false, "劳动节 2026, a Tuesday"},
		{date(2026, 5, 9), true, "Saturday made a working day for 劳动节 2026"},
		{date(2026, 6, 19), false, "端午节 2026, a Friday"},
		{date(2026, 9, 20), true, "Sunday made a working day for 国庆节 2026"},
		{date(2026, 9, 25), false, "中秋节 2026, a Friday"},
		{date(2026, 10, 7), false, "last day of 国庆节 2026, a Wednesday"},
		{date(2026, 10, 8), true, "first working day after 国庆节 2026"},
		{date(2026, 10, 10), true, "Saturday made a working day for 国庆节 2026"},
		{date(2026, 10, 11), false, "an ordinary Sunday"},
		{date(2026, 3, 4), true, "an ordinary Wednesday"},
		{date(2026, 3, 7), false, "an ordinary Saturday"},
	}
	for _, tt := range tests {
		if got := c.IsWorkday(tt.day); got != tt.workday {
			t.Errorf("IsWorkday(%s) = %v, want %v: %s", tt.day.Format(time.DateOnly), got, tt.workday, tt.why)
		}
	}
}

func TestDatesAreTakenInChinaStandardTime(t *testing.T) {
	c := load(t)
	// 17:00 UTC on Wednesday 30 September is 01:00 on 1 October in China:
	// 国庆节, not a working day, whatever the date is in UTC.
	lateUTC := time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)
	if c.IsWorkday(lateUTC) {
		t.Error("2026-09-30T17:00Z is 国庆节 in China and must not be a working day")
	}
	// One working day from then is 8 October, the first after the holiday.
	if got, want := c.AddWorkdays(lateUTC, 1), endOfBusiness(2026, 10, 8); !got.Equal(want) {
		t.Errorf("AddWorkdays(2026-09-30T17:00Z, 1) = %v, want %v", got, want)
	}
}

func TestTenWorkingDaysAcrossNationalDay2026(t *testing.T) {
	c := load(t)
	// From Thursday 24 September 2026; the start day itself does not count.
	//   Fri 25 – Sun 27 Sep  中秋节 holiday
	//   Mon 28, Tue 29, Wed 30 Sep            working days 1, 2, 3
	//   Thu 1 – Wed 7 Oct    国庆节 holiday
	//   Thu 8, Fri 9 Oct                      working days 4, 5
	//   Sat 10 Oct           make-up day      working day 6
	//   Sun 11 Oct           rest
	//   Mon 12 – Thu 15 Oct                   working days 7, 8, 9, 10
	// So the tenth working day is Thursday 15 October; counting weekends
	// only it would have been Thursday 8 October.
	got := c.AddWorkdays(date(2026, 9, 24), 10)
	if want := endOfBusiness(2026, 10, 15); !got.Equal(want) {
		t.Errorf("10 working days from 2026-09-24 = %v, want %v", got, want)
	}

	// From Friday 18 September the make-up Sunday 20 September counts too:
	//   Sat 19 rest; Sun 20 make-up day 1; Mon 21 – Thu 24 days 2–5;
	//   Fri 25 – Sun 27 中秋节; Mon 28 – Wed 30 days 6–8;
	//   Thu 1 – Wed 7 Oct 国庆节; Thu 8 day 9; Fri 9 day 10.
	got = c.AddWorkdays(date(2026, 9, 18), 10)
	if want := endOfBusiness(2026, 10, 9); !got.Equal(want) {
		t.Errorf("10 working days from 2026-09-18 = %v, want %v", got, want)
	}
	if n := c.WorkdaysBetween(date(2026, 9, 18), got); n != 10 {
		t.Errorf("WorkdaysBetween(2026-09-18, %v) = %d, want 10", got, n)
	}
}

func TestOneWorkingDayAfterFridayIsTheMakeUpSaturday(t *testing.T) {
	c := load(t)
	got := c.AddWorkdays(date(2026, 10, 9), 1) // Friday
	if want := endOfBusiness(2026, 10, 10); !got.Equal(want) {
		t.Errorf("1 working day from Friday 2026-10-09 = %v, want Saturday %v", got, want)
	}
	if got.Weekday() != time.Saturday {
		t.Errorf("%v is a %s", got, got.Weekday())
	}
	if next := c.NextWorkday(date(2026, 10, 9)); !next.Equal(time.Date(2026, 10, 10, 0, 0, 0, 0, cst)) {
		t.Errorf("NextWorkday(2026-10-09) = %v, want the start of Saturday 2026-10-10", next)
	}
}

func TestSpringFestival2026(t *testing.T) {
	c := load(t)
	from := date(2026, 2, 13) // Friday before the make-up Saturday
	tests := []struct {
		n    int
		want time.Time
		why  string
	}{
		{1, endOfBusiness(2026, 2, 14), "Saturday 14 February is a make-up working day"},
		{2, endOfBusiness(2026, 2, 24), "15–23 February are the holiday; Tuesday 24 is the next working day"},
		{5, endOfBusiness(2026, 2, 27), "24, 25, 26, 27 February are days 2 to 5"},
		{6, endOfBusiness(2026, 2, 28), "Saturday 28 February is a make-up working day"},
		{7, endOfBusiness(2026, 3, 2), "Sunday 1 March rests; Monday 2 March is day 7"},
	}
	for _, tt := range tests {
		if got := c.AddWorkdays(from, tt.n); !got.Equal(tt.want) {
			t.Errorf("AddWorkdays(2026-02-13, %d) = %v, want %v: %s", tt.n, got, tt.want, tt.why)
		}
	}
	if n := c.WorkdaysBetween(date(2026, 2, 14), date(2026, 2, 23)); n != 0 {
		t.Errorf("working days after 14 February up to 23 February = %d, want 0: all holiday", n)
	}
}

func TestNationalDay2025(t *testing.T) {
	c := load(t)
	from := date(2025, 9, 26) // Friday
	tests := []struct {
		n    int
		want time.Time
		why  string
	}{
		{1, endOfBusiness(2025, 9, 28), "Saturday 27 rests; Sunday 28 September is a make-up working day"},
		{3, endOfBusiness(2025, 9, 30), "Monday 29 and Tuesday 30 September"},
		{4, endOfBusiness(2025, 10, 9), "1–8 October are 国庆节 and 中秋节"},
		{6, endOfBusiness(2025, 10, 11), "Saturday 11 October is a make-up working day"},
		{7, endOfBusiness(2025, 10, 13), "Sunday 12 rests; Monday 13 October"},
	}
	for _, tt := range tests {
		if got := c.AddWorkdays(from, tt.n); !got.Equal(tt.want) {
			t.Errorf("AddWorkdays(2025-09-26, %d) = %v, want %v: %s", tt.n, got, tt.want, tt.why)
		}
	}
}

func TestZeroAndNegativeWorkdays(t *testing.T) {
	c := load(t)
	tests := []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{date(2026, 10, 9), 0, endOfBusiness(2026, 10, 9)},                        // a working day: its own end
		{time.Date(2026, 10, 9, 23, 0, 0, 0, cst), 0, endOfBusiness(2026, 10, 9)}, // even after hours
		{date(2026, 10, 10), 0, endOfBusiness(2026, 10, 10)},                      // a make-up Saturday
		{date(2026, 10, 11), 0, endOfBusiness(2026, 10, 12)},                      // a Sunday: next working day
		{date(2026, 10, 3), 0, endOfBusiness(2026, 10, 8)},                        // a holiday: the day after it
		{date(2026, 10, 8), -1, endOfBusiness(2026, 9, 30)},                       // back across 国庆节
		{date(2026, 9, 22), -2, endOfBusiness(2026, 9, 20)},                       // back to the make-up Sunday
	}
	for _, tt := range tests {
		if got := c.AddWorkdays(tt.from, tt.n); !got.Equal(tt.want) {
			t.Errorf("AddWorkdays(%v, %d) = %v, want %v", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestWorkdaysBetweenUndoesAddWorkdays(t *testing.T) {
	c := load(t)
	for _, from := range []time.Time{date(2025, 1, 20), date(2026, 2, 10), date(2026, 9, 18), time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC)} {
		for n := 1; n <= 30; n++ {
			due := c.AddWorkdays(from, n)
			if got := c.WorkdaysBetween(from, due); got != n {
				t.Errorf("WorkdaysBetween(%v, AddWorkdays(…, %d) = %v) = %d", from, n, due, got)
			}
			if got := c.WorkdaysBetween(due, from); got != -n {
				t.Errorf("WorkdaysBetween(%v, %v) = %d, want the negative count", due, from, got)
			}
		}
	}
	if got := c.WorkdaysBetween(date(2026, 10, 9), endOfBusiness(2026, 10, 9)); got != 0 {
		t.Errorf("within one day = %d, want 0", got)
	}
}

func TestNextWorkdayStartsTheDay(t *testing.T) {
	c := load(t)
	got := c.NextWorkday(date(2026, 9, 30))
	if want := time.Date(2026, 10, 8, 0, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("NextWorkday(2026-09-30) = %v, want %v", got, want)
	}
}

func TestMissingYears(t *testing.T) {
	c := load(t)
	if got := c.MissingYears(date(2025, 6, 1), date(2028, 1, 1)); !slices.Equal(got, []int{2027, 2028}) {
		t.Errorf("MissingYears(2025, 2028) = %v, want [2027 2028]", got)
	}
	if got := c.MissingYears(date(2026, 12, 1), date(2025, 1, 1)); got != nil {
		t.Errorf("MissingYears(2026, 2025) = %v, want none", got)
	}
	// 2026-12-31T16:00Z is already 2027 in China.
	if got := c.MissingYears(date(2026, 1, 1), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)); !slices.Equal(got, []int{2027}) {
		t.Errorf("MissingYears up to 2027-01-01 00:00 CST = %v, want [2027]", got)
	}
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestYearWithoutScheduleCountsWeekendsAndWarnsOnce(t *testing.T) {
	base, err := calendar.Load(os.DirFS(schemasRoot), "calendar")
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	c := base.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))

	// 2027 has no file. Its Spring Festival (春节 falls on 6 February 2027)
	// is not known, so Monday 8 February counts as a working day.
	if !c.IsWorkday(date(2027, 2, 8)) {
		t.Error("without a schedule a Monday is a working day")
	}
	if c.IsWorkday(date(2027, 2, 6)) {
		t.Error("without a schedule a Saturday still rests")
	}
	// From Wednesday 3 February, 5 working days by weekends only: Thu 4,
	// Fri 5, Mon 8, Tue 9, Wed 10.
	if got, want := c.AddWorkdays(date(2027, 2, 3), 5), endOfBusiness(2027, 2, 10); !got.Equal(want) {
		t.Errorf("AddWorkdays(2027-02-03, 5) = %v, want %v", got, want)
	}
	// Many lookups, some concurrent, some crossing in from 2026.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := 1; d <= 28; d++ {
				c.IsWorkday(date(2027, 3, d))
			}
		}()
	}
	wg.Wait()
	c.AddWorkdays(date(2026, 12, 28), 10)

	out := logs.String()
	const warning = "working-day calendar has no schedule for year 2027; counting weekends only"
	if n := strings.Count(out, warning); n != 1 {
		t.Fatalf("the 2027 warning was logged %d times, want exactly once; log:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "year=2027") {
		t.Errorf("the warning is not a WARN record naming the year: %s", out)
	}
	if strings.Contains(out, "2026;") {
		t.Errorf("a covered year was warned about: %s", out)
	}

	// Another uncovered year gets its own single warning.
	c.IsWorkday(date(2028, 5, 1))
	c.IsWorkday(date(2028, 5, 2))
	if n := strings.Count(logs.String(), "no schedule for year 2028"); n != 1 {
		t.Errorf("the 2028 warning was logged %d times, want once", n)
	}
}
