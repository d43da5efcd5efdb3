// Package period names the calendar quarters supervision runs by. A quarter
// is written "2026Q4"; its dates are whole days, first and last inclusive,
// in UTC, the way contract terms are stored.
package period

import (
	"fmt"
	"strconv"
	"time"
)

// Quarter is one calendar quarter.
type Quarter struct {
	Year int
	N    int // 1 to 4
}

// Of is the quarter a moment falls in.
func Of(t time.Time) Quarter {
	return Quarter{Year: t.Year(), N: (int(t.Month())-1)/3 + 1}
}

// Parse reads "2026Q4" (a lower-case q is accepted).
func Parse(s string) (Quarter, error) {
	if len(s) != 6 || (s[4] != 'Q' && s[4] != 'q') {
		return Quarter{}, fmt.Errorf("%q is not a quarter; write it like 2026Q4", s)
	}
	year, err := strconv.Atoi(s[:4])
	if err != nil || year < 2000 || year > 2999 {
		return Quarter{}, fmt.Errorf("%q is not a quarter; the year must be 2000 to 2999", s)
	}
	n := int(s[5] - '0')
	if n < 1 || n > 4 {
		return Quarter{}, fmt.Errorf("%q is not a quarter; the quarter must be 1 to 4", s)
	}
	return Quarter{Year: year, N: n}, nil
}

func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.N) }

// First is the quarter's first day.
func (q Quarter) First() time.Time {
	return time.Date(q.Year, time.Month(3*(q.N-1)+1), 1, 0, 0, 0, 0, time.UTC)
}

// Last is the quarter's last day.
func (q Quarter) Last() time.Time { return q.Next().First().AddDate(0, 0, -1) }

// Next is the quarter after q.
func (q Quarter) Next() Quarter {
	if q.N == 4 {
		return Quarter{Year: q.Year + 1, N: 1}
	}
	return Quarter{Year: q.Year, N: q.N + 1}
}

// Days is the number of days of q that lie within [from, to], both whole
// days and inclusive; zero when they do not meet.
func (q Quarter) Days(from, to time.Time) int {
	first, last := q.First(), q.Last()
	if from.After(first) {
		first = day(from)
	}
	if to.Before(last) {
		last = day(to)
	}
	if last.Before(first) {
		return 0
	}
	return int(last.Sub(first).Hours()/24) + 1
}

// Span lists the quarters that meet [from, to], in order.
func Span(from, to time.Time) []Quarter {
	var out []Quarter
	for q, end := Of(from), Of(to); ; q = q.Next() {
		out = append(out, q)
		if q == end || len(out) > 400 {
			return out
		}
	}
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
