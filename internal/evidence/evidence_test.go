package evidence

import (
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/period"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAYearTargetIsProRatedToTheQuarterDaysInsideTheTerm(t *testing.T) {
	target := 365.0
	term := Term{Start: day("2026-02-15"), End: day("2027-02-14"), Targets: map[string]*float64{"needs_assessment": &target}}
	q := period.Quarter{Year: 2026, N: 1}
	from, to, quarterDays, termDays := term.Window(q)
	if from != day("2026-02-15") || to != day("2026-03-31") || quarterDays != 45 || termDays != 365 {
		t.Fatalf("window %s..%s, %d of %d days", from, to, quarterDays, termDays)
	}
	lines, _, flags := QuarterLines(map[string]LineTotals{"needs_assessment": {Records: 3, Beneficiaries: 9}}, &term, q)
	if lines[0].Target == nil || *lines[0].Target != 45 || *lines[0].Coverage != 0.2 {
		t.Fatalf("needs_assessment: %+v", lines[0])
	}
	if len(flags) != 5 {
		t.Fatalf("flags %q, want one for each of the five lines without records", flags)
	}
}

func TestAYearIsOwedTheFundingOfItsDaysUnderContract(t *testing.T) {
	got := YearFunding([]Funding{
		{TermStart: day("2025-07-01"), TermEnd: day("2026-06-30"), Yuan: 365000}, // 181 days in 2026
		{TermStart: day("2026-07-01"), TermEnd: day("2027-06-30"), Yuan: 365000}, // 184 days in 2026
		{TermStart: day("2024-01-01"), TermEnd: day("2024-12-31"), Yuan: 1000},   // none
	}, 2026)
	if got != 365000 {
		t.Fatalf("funding %.2f, want 365000.00", got)
	}
	used := 365000.01
	if f := OverspentFlag(&used, got); len(f) != 1 {
		t.Fatalf("overspending not flagged: %q", f)
	}
}
