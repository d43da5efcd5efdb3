package period

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseAndDates(t *testing.T) {
	q, err := Parse("2026q4")
	if err != nil {
		t.Fatal(err)
	}
	if q.String() != "2026Q4" || !q.First().Equal(date("2026-10-01")) || !q.Last().Equal(date("2026-12-31")) {
		t.Fatalf("2026Q4 = %s %s..%s", q, q.First(), q.Last())
	}
	if got := (Quarter{2024, 1}).Last(); !got.Equal(date("2024-03-31")) {
		t.Fatalf("2024Q1 ends %s", got)
	}
	for _, bad := range []string{"", "2026Q5", "2026Q0", "26Q1", "2026-1", "abcdQ1", "2026Q12"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestSpanAndDays(t *testing.T) {
	from, to := date("2026-10-12"), date("2027-10-11")
	span := Span(from, to)
	want := []string{"2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4"}
	if len(span) != len(want) {
		t.Fatalf("span = %v", span)
	}
	for i, q := range span {
		if q.String() != want[i] {
			t.Fatalf("span[%d] = %s, want %s", i, q, want[i])
		}
	}
	if d := span[0].Days(from, to); d != 81 { // 12 Oct to 31 Dec
		t.Fatalf("2026Q4 days within the term = %d, want 81", d)
	}
	if d := span[1].Days(from, to); d != 90 {
		t.Fatalf("2027Q1 days = %d, want 90", d)
	}
	if d := span[4].Days(from, to); d != 11 {
		t.Fatalf("2027Q4 days = %d, want 11", d)
	}
	if d := (Quarter{2025, 1}).Days(from, to); d != 0 {
		t.Fatalf("a quarter outside the term has %d days", d)
	}
	if q := Of(date("2026-09-30")); q.String() != "2026Q3" {
		t.Fatalf("Of(30 Sep) = %s", q)
	}
}
