package api

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/cursor"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
)

// refusalNames checks that err is a 400 problem naming name.
func refusalNames(t *testing.T, err error, name, v string) {
	t.Helper()
	var pe *problemError
	if !errors.As(err, &pe) || pe.p.Status != http.StatusBadRequest || !fieldNamed(pe.p, name) {
		t.Fatalf("%s=%q refused with %v, want a 400 naming %s", name, v, err, name)
	}
}

// FuzzNumberParams: a whole number, a finite number and a year parse only
// into their range; NaN, the infinities and the rest are 400 naming the
// parameter.
func FuzzNumberParams(f *testing.F) {
	for _, s := range []string{"8", "0", "100", "100.5", "-0", "NaN", "nan", "Inf", "-Inf", "+inf", "1e400", "0x10", "1_000", "2026", "1999", "2101", " 5", "5 ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if n, err := intIn(1, 500)("limit", v); err != nil {
			refusalNames(t, err, "limit", v)
		} else if n < 1 || n > 500 {
			t.Fatalf("limit=%q gave %d", v, n)
		}
		if x, err := floatIn(0, 100)("threshold", v); err != nil {
			refusalNames(t, err, "threshold", v)
		} else if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || x > 100 {
			t.Fatalf("threshold=%q gave %v", v, x)
		}
		if y, err := yearParam("year", v); err != nil {
			refusalNames(t, err, "year", v)
		} else if y < MinYear || y > MaxYear || strconv.Itoa(y) != strings.TrimLeft(strings.TrimPrefix(v, "+"), "0") {
			t.Fatalf("year=%q gave %d", v, y)
		}
	})
}

// FuzzDateParams: a quarter and a period parse only into years MinYear to
// MaxYear, and a period comes back in the form the scorecards hold.
func FuzzDateParams(f *testing.F) {
	for _, s := range []string{"2026Q4", "2026q1", "2026Q5", "1999Q4", "2101Q1", "2999Q4", "2026", "3026", "26Q1", "2026-Q1", "", "ＱＱＱＱ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if q, err := quarterParam("quarter", v); err != nil {
			refusalNames(t, err, "quarter", v)
		} else if q.Year < MinYear || q.Year > MaxYear || q.N < 1 || q.N > 4 {
			t.Fatalf("quarter=%q gave %v", v, q)
		}
		p, err := periodParam("period", v)
		if err != nil {
			refusalNames(t, err, "period", v)
			return
		}
		if y, err := strconv.Atoi(p); err == nil {
			if y < MinYear || y > MaxYear {
				t.Fatalf("period=%q gave year %d", v, y)
			}
		} else if q, err := period.Parse(p); err != nil || q.String() != p || q.Year < MinYear || q.Year > MaxYear {
			t.Fatalf("period=%q gave %q", v, p)
		}
	})
}

// FuzzIDParams: an ID, a region code and a station level parse only into
// what their own parsers accept.
func FuzzIDParams(f *testing.F) {
	for _, s := range []string{"0190b7c2-8f1e-7c3a-9d2b-5e6f7a8b9c0d", "not-an-id", "510108", "51", "99", "abc", "township_station", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if id, err := uuidParam("station_id", v); err != nil {
			refusalNames(t, err, "station_id", v)
		} else if _, perr := uuid.Parse(id.String()); perr != nil {
			t.Fatalf("station_id=%q gave %v", v, id)
		}
		if r, err := regionParam("region", v); err != nil {
			refusalNames(t, err, "region", v)
		} else if _, perr := codes.ParseRegion(r); perr != nil || r != v {
			t.Fatalf("region=%q gave %q", v, r)
		}
		if l, err := levelParam("level", v); err != nil {
			refusalNames(t, err, "level", v)
		} else if _, perr := codes.ParseStationLevel(l); perr != nil {
			t.Fatalf("level=%q gave %q", v, l)
		}
	})
}

// FuzzChoiceParams: an enum parses only into one of its options, a flag
// only from what strconv.ParseBool reads.
func FuzzChoiceParams(f *testing.F) {
	for _, s := range []string{"csv", "xlsx", "pdf", "CSV", "true", "false", "1", "yes", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, err := oneOf("csv", "xlsx")("format", v); err != nil {
			refusalNames(t, err, "format", v)
		} else if got != v || (v != "csv" && v != "xlsx") {
			t.Fatalf("format=%q gave %q", v, got)
		}
		if _, err := boolParam("dry_run", v); err != nil {
			refusalNames(t, err, "dry_run", v)
		} else if _, perr := strconv.ParseBool(v); perr != nil {
			t.Fatalf("dry_run=%q accepted", v)
		}
	})
}

// FuzzQueryString: no query string panics the check every route runs, and
// one it lets through parses, names each parameter once, and holds no
// control character.
func FuzzQueryString(f *testing.F) {
	for _, s := range []string{"limit=5", "limit=5&limit=6", "a=%zz", "a=1;b=2", "region=51%0A", "kind=%C2%85", "x=%00", "=", "&&", "cursor=abc&limit=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/v1/stations", RawQuery: raw}}
		err := paramText(r)
		if err != nil {
			var pe *problemError
			if !errors.As(err, &pe) || pe.p.Status != http.StatusBadRequest || len(pe.p.Errors) != 1 {
				t.Fatalf("%q refused with %v", raw, err)
			}
			return
		}
		q, perr := url.ParseQuery(raw)
		if perr != nil {
			t.Fatalf("%q passed but does not parse: %v", raw, perr)
		}
		for name, vs := range q {
			if len(vs) != 1 || forms.CheckLine(name) != "" || forms.CheckLine(vs[0]) != "" {
				t.Fatalf("%q passed with %s=%q", raw, name, vs)
			}
		}
	})
}

// FuzzPageParams: a page's limit and cursor, read from any query string,
// open only a cursor this server sealed for the same list, filters and
// caller; everything else is 400 naming limit or cursor.
func FuzzPageParams(f *testing.F) {
	s := &Server{CursorKey: []byte("stationflow fuzz cursor key, 32b")}
	id := uuid.MustParse("0190b7c2-8f1e-7c3a-9d2b-5e6f7a8b9c0d")
	sealed := s.sealer().Seal(cursorScopeOf("/v1/stations", auth.RoleAdmin, ""), id)
	other := cursor.Random().Seal(cursorScopeOf("/v1/stations", auth.RoleAdmin, ""), id)
	for _, q := range []string{"cursor=" + sealed, "limit=2&cursor=" + sealed, "level=county_station&cursor=" + sealed,
		"cursor=" + other, "cursor=" + sealed[1:], "limit=0", "limit=501", "cursor=MDE5MGI3YzI"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/stations", nil)
		r.URL.RawQuery = raw
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, auth.Principal{Role: auth.RoleAdmin}))
		p, err := s.pageParams(r)
		if err != nil {
			var pe *problemError
			if !errors.As(err, &pe) || pe.p.Status != http.StatusBadRequest || !(fieldNamed(pe.p, "limit") || fieldNamed(pe.p, "cursor")) {
				t.Fatalf("%q refused with %v", raw, err)
			}
			return
		}
		if p.Limit < 0 || p.Limit > 500 {
			t.Fatalf("%q gave limit %d", raw, p.Limit)
		}
		c := r.URL.Query().Get("cursor")
		if (c == "") != (p.After == uuid.Nil) || (c != "" && s.sealFor(r)(p.After) != c) {
			t.Fatalf("%q opened cursor %q to %v, which this server did not seal for it", raw, c, p.After)
		}
	})
}
