package api

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/cursor"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/store"
)

// nextPage reads a list answer's items and next cursor.
func nextPage(t *testing.T, r response) (ids []uuid.UUID, next *string) {
	t.Helper()
	var list struct {
		Items []struct {
			ID uuid.UUID `json:"id"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	r.must(t, 200).json(t, &list)
	for _, it := range list.Items {
		ids = append(ids, it.ID)
	}
	return ids, list.NextCursor
}

// A list pages to its end by next_cursor; a cursor opens only on the list,
// filters and caller it was issued for, and one forged, cut short or
// signed with another key is 400 naming cursor, never an empty 200.
func TestCursorsPageTheirListAndNoOther(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	for i := range 3 {
		s.organisation(admin, fmt.Sprintf("成华区社工服务中心%d", i), fmt.Sprintf("52510108MJ000006%d", i))
	}
	seen := map[uuid.UUID]bool{}
	path, pages := "/v1/organisations?limit=1", 0
	var first string
	for {
		ids, next := nextPage(t, s.do("GET", path, admin, nil))
		pages++
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("organisation %s listed twice", id)
			}
			seen[id] = true
		}
		if next == nil {
			break
		}
		if len(*next) != cursor.Len {
			t.Fatalf("cursor %q is %d characters, want %d", *next, len(*next), cursor.Len)
		}
		if first == "" {
			first = *next
		}
		path = "/v1/organisations?limit=1&cursor=" + url.QueryEscape(*next)
	}
	if len(seen) != 3 || pages != 3 {
		t.Fatalf("listed %d organisations over %d pages, want 3 over 3", len(seen), pages)
	}
	// A page size may change between pages; nothing else may.
	if ids, _ := nextPage(t, s.do("GET", "/v1/organisations?limit=5&cursor="+first, admin, nil)); len(ids) != 2 {
		t.Errorf("the second page with limit=5 holds %d organisations, want 2", len(ids))
	}

	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000071")
	s.operatingStation(admin, orgToken)
	_, stationCursor := nextPage(t, s.do("GET", "/v1/stations?limit=1", admin, nil))
	if stationCursor == nil {
		t.Fatal("two stations fit on one page of one")
	}
	c := url.QueryEscape(*stationCursor)
	if ids, _ := nextPage(t, s.do("GET", "/v1/stations?limit=1&cursor="+c, admin, nil)); len(ids) != 1 {
		t.Fatalf("the second page of stations holds %d, want 1", len(ids))
	}
	id := seenOne(seen)
	other, _ := cursor.New([]byte("another server's key, 32 bytes!!"))
	forged := map[string]string{
		"another list":          "/v1/organisations?cursor=" + c,
		"other filters":         "/v1/stations?level=township_station&cursor=" + c,
		"another list's path":   "/v1/people?cursor=" + c,
		"cut short":             "/v1/stations?cursor=" + c[:len(c)-1],
		"the ID in the clear":   "/v1/stations?cursor=" + id.String(),
		"signed with a new key": "/v1/stations?cursor=" + other.Seal(cursorScopeOf("/v1/stations", auth.RoleAdmin, ""), id),
		"base64 of an ID":       "/v1/stations?cursor=MDE5MGI3YzItOGYxZS03YzNhLTlkMmItNWU2ZjdhOGI5YzBk",
	}
	for what, path := range forged {
		refused(t, s.do("GET", path, admin, nil), 400, "cursor", what)
	}
	county := s.token(auth.RoleOffice, "510108")
	refused(t, s.do("GET", "/v1/stations?cursor="+c, county, nil), 400, "cursor", "another caller's cursor")
}

func seenOne(m map[uuid.UUID]bool) uuid.UUID {
	for id := range m {
		return id
	}
	return uuid.Nil
}

// cursorScopeOf is the scope of a list request without filters, as
// cursorScope computes it.
func cursorScopeOf(path string, role auth.Role, scope string) string {
	return path + "\x00" + string(role) + "\x00" + scope + "\x00"
}

// Every malformed query parameter is 400 naming it: control bytes, NaN and
// the infinities, years out of range, a parameter given twice, a query
// string that does not parse.
func TestMalformedParametersAre400NamingThem(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000081")
	station, _ := s.operatingStation(admin, orgToken)
	st := "/v1/stations/" + station.ID.String()
	cycle, err := s.store.CreateCycle(context.Background(), store.NewID(), store.CycleSettings{RegionCode: "510108", Year: 2026,
		RubricVersion: "annual-2026.1", Bands: grading.DefaultBands(), SelfAssessmentDue: time.Now().AddDate(0, 1, 0),
		EvaluationDue: time.Now().AddDate(0, 2, 0), EvaluatorsPerStation: 2, DisagreementThreshold: 10,
		OnDisagreement: "third_evaluator", AppealWorkdays: 10, MinTermDays: 1}, "", "cycle-params-test", "test")
	if err != nil {
		t.Fatal(err)
	}
	cy := "/v1/cycles/" + cycle.ID.String()
	for _, c := range []struct{ path, field string }{
		{"/v1/stations?level=township_station%09", "level"},
		{"/v1/stations?region=5101%0A", "region"},
		{"/v1/stations?region=51%7F", "region"},
		{"/v1/tasks?kind=supervision%C2%85", "kind"},
		{"/v1/stations?region=5101&region=5101", "region"},
		{"/v1/tasks?limit=5&limit=5", "limit"},
		{"/v1/tasks?state=open&state=closed", "state"},
		{"/v1/stations?limit=%zz", "query"},
		{"/v1/stations?limit=5;region=51", "query"},
		{cy + "/evaluators?threshold=NaN", "threshold"},
		{cy + "/evaluators?threshold=nan", "threshold"},
		{cy + "/evaluators?threshold=Inf", "threshold"},
		{cy + "/evaluators?threshold=-Inf", "threshold"},
		{cy + "/evaluators?threshold=1e400", "threshold"},
		{cy + "/evaluators?threshold=100.5", "threshold"},
		{cy + "/evaluators?min_stations=0x10", "min_stations"},
		{"/v1/cycles?year=1999", "year"},
		{"/v1/cycles?year=99999", "year"},
		{"/v1/cycles?year=-2026", "year"},
		{st + "/evidence?year=2101", "year"},
		{st + "/evidence?quarter=2999Q4", "quarter"},
		{st + "/evidence?quarter=1999Q1", "quarter"},
		{st + "/scorecards?period=2026Q5", "period"},
		{st + "/scorecards?period=3026", "period"},
		{st + "/scorecards?period=2026-Q1", "period"},
		{"/v1/overdue?region_code=abc", "region_code"},
		{"/v1/overdue?region_code=99", "region_code"},
		{"/v1/rectifications?station_id=not-an-id", "station_id"},
		{"/v1/rectifications?overdue=maybe", "overdue"},
		{cy + "/report?format=pdf", "format"},
		{cy + "/report?table=people", "table"},
		{"/v1/people?role=admin", "role"},
		{cy + "/stations?state=nonsense", "state"},
	} {
		refused(t, s.do("GET", c.path, admin, nil), 400, c.field, c.path)
	}
	refused(t, s.do("POST", cy+"/extend?dry_run=yes", admin, `{}`), 400, "dry_run", "dry_run=yes")
	// What parses passes: a quarter written with a lower-case q, a
	// year-long period, a finite threshold.
	s.do("GET", st+"/evidence?quarter=2026q1", admin, nil).must(t, 200)
	s.do("GET", st+"/scorecards?period=2026", admin, nil).must(t, 200)
	s.do("GET", st+"/scorecards?period=2026q4", admin, nil).must(t, 200)
	s.do("GET", cy+"/evaluators?threshold=7.5&min_stations=3", admin, nil).must(t, 200)
	s.do("GET", "/v1/cycles?year=2026", admin, nil).must(t, 200)
}
