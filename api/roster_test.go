package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/evidence"
	"github.com/stationflow/stationflow/internal/store"
)

// onePlusThree is a staffing plan of one full-time and three part-time
// qualified social workers.
func onePlusThree() map[string]any {
	body := applicationBody()
	body["staffing"] = []map[string]any{
		{"name": "张伟", "employment": "full_time", "qualification": "assistant"},
		{"name": "李娜", "employment": "part_time", "qualification": "assistant"},
		{"name": "王芳", "employment": "part_time", "qualification": "intermediate"},
		{"name": "赵强", "employment": "part_time", "qualification": "senior"},
	}
	return body
}

func TestOneFullTimeAndThreePartTimeWorkersPassTheDefaultTownshipRuleButNotAProvinceRuleOfTwoFullTime(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, orgA := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, orgB := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000092")
	apply := path("/v1/stations/%s/applications", township.ID)

	if res := s.do("POST", apply, orgA, onePlusThree()); res.Status != http.StatusCreated && res.Status != http.StatusAccepted {
		t.Fatalf("under the default rule: %d %s", res.Status, res.Body)
	}

	province := s.token(auth.RoleOffice, "51")
	rule := map[string]any{"level": "township_station", "min_full_time": 2, "min_with_part_time": 0}
	s.do("PUT", "/v1/staffing-rules/510108", s.token(auth.RoleOffice, "510108"), rule).must(t, http.StatusForbidden)
	var rules struct {
		Rules []store.StaffingRule `json:"rules"`
	}
	s.do("PUT", "/v1/staffing-rules/51", province, rule).must(t, http.StatusOK).json(t, &rules)
	s.do("GET", "/v1/staffing-rules/510108", s.token(auth.RoleOffice, "510108"), nil).must(t, http.StatusOK).json(t, &rules)
	for _, r := range rules.Rules {
		if r.Level == "township_station" && (r.RegionPrefix != "51" || r.MinFullTime != 2 || r.MinWithPartTime != 0) {
			t.Fatalf("the county reads the township rule %+v, want the province's", r)
		}
	}

	p := s.do("POST", apply, orgB, onePlusThree()).must(t, http.StatusUnprocessableEntity).problem(t)
	if !fieldNamed(p, "staffing") {
		t.Fatalf("the refusal names no staffing: %+v", p)
	}
	for _, e := range p.Errors {
		if e.Field == "staffing" && (!strings.Contains(e.Message, "至少2名持证专职社工") || !strings.Contains(e.Message, "at least 2 qualified full-time social workers")) {
			t.Fatalf("the refusal does not state the rule in Chinese and English: %q", e.Message)
		}
	}
	s.do("PUT", "/v1/staffing-rules/51", province, map[string]any{"level": "township_station", "min_full_time": 51, "min_with_part_time": 0}).
		must(t, http.StatusUnprocessableEntity)
}

// rosterFixture is an operating township station of orgA, with orgB's token.
func rosterFixture(t *testing.T) (s *stack, station store.Station, admin, orgA, orgB string) {
	s = newStack(t)
	admin = s.token(auth.RoleAdmin, "")
	_, orgA = s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, orgB = s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000092")
	station, _ = s.operatingStation(admin, orgA)
	return s, station, admin, orgA, orgB
}

func (s *stack) joinRoster(token string, station store.Station, post, qualification, cert string, joined time.Time) store.RosterEntry {
	s.t.Helper()
	var e store.RosterEntry
	body := map[string]any{"name": "成员", "post": post, "qualification": qualification, "certificate_no": cert, "joined_on": joined.Format(time.DateOnly)}
	s.do("POST", path("/v1/stations/%s/roster", station.ID), token, body).must(s.t, http.StatusCreated).json(s.t, &e)
	return e
}

func TestAStaffingGapOfTheQuarterShowsInTheEvidencePack(t *testing.T) {
	t.Parallel()
	s, station, _, orgA, _ := rosterFixture(t)
	q := lastQuarter()
	first := q.First()
	leaver := s.joinRoster(orgA, station, "full_time", "assistant", "A51012021001", first.AddDate(-1, 0, 0))
	s.joinRoster(orgA, station, "full_time", "intermediate", "51012021002", first.AddDate(-1, 0, 0))
	joiner := s.joinRoster(orgA, station, "full_time", "senior", "51012021003", first.AddDate(0, 0, 20))
	s.joinRoster(orgA, station, "internal_supervisor", "senior", "51012021004", first)
	s.do("POST", path("/v1/stations/%s/roster/%s/leave", station.ID, leaver.ID), orgA,
		map[string]any{"left_on": first.AddDate(0, 0, 9).Format(time.DateOnly)}).must(t, http.StatusOK)
	s.do("POST", path("/v1/stations/%s/roster/%s/leave", station.ID, leaver.ID), orgA,
		map[string]any{"left_on": first.AddDate(0, 0, 9).Format(time.DateOnly)}).must(t, http.StatusConflict)

	var pack struct {
		Roster *evidence.RosterQuarter `json:"roster"`
	}
	s.do("GET", path("/v1/stations/%s/evidence?quarter=%s", station.ID, q), orgA, nil).must(t, http.StatusOK).json(t, &pack)
	rq := pack.Roster
	if rq == nil {
		t.Fatal("the pack has no roster")
	}
	gap := evidence.DateRange{From: first.AddDate(0, 0, 10).Format(time.DateOnly), To: first.AddDate(0, 0, 19).Format(time.DateOnly)}
	if len(rq.BelowRule) != 1 || rq.BelowRule[0] != gap || rq.BelowRuleDays != 10 {
		t.Fatalf("below the rule: %v (%d days), want %v", rq.BelowRule, rq.BelowRuleDays, gap)
	}
	if len(rq.Leavers) != 1 || rq.Leavers[0] != leaver.ID || len(rq.Joiners) != 2 || rq.Turnover != 3 {
		t.Fatalf("joiners %v, leavers %v, turnover %d; want the full-time joiner %s and the supervisor, and %s leaving",
			rq.Joiners, rq.Leavers, rq.Turnover, joiner.ID, leaver.ID)
	}
	if rq.PostsFilled["full_time"] != 2 || rq.PostsFilled["internal_supervisor"] != 1 {
		t.Fatalf("posts filled at the quarter's end: %v", rq.PostsFilled)
	}
}

func TestAStationRosterIsItsOperatorsAndAudited(t *testing.T) {
	t.Parallel()
	s, station, _, orgA, orgB := rosterFixture(t)
	roster := path("/v1/stations/%s/roster", station.ID)
	entry := s.joinRoster(orgA, station, "head", "intermediate", "51012021009", chinaToday())

	s.do("GET", roster, orgB, nil).must(t, http.StatusNotFound)
	s.do("POST", roster, orgB, map[string]any{"name": "冒名", "post": "other", "qualification": "none", "joined_on": "2026-01-01"}).
		must(t, http.StatusNotFound)
	s.do("POST", path("/v1/stations/%s/roster/%s/leave", station.ID, entry.ID), orgB, map[string]any{"left_on": "2026-01-01"}).
		must(t, http.StatusNotFound)

	var got struct {
		Entries []store.RosterEntry `json:"entries"`
		Meets   bool                `json:"meets_rule"`
		Today   struct {
			FullTime int `json:"full_time_qualified"`
		} `json:"staffing_today"`
		Problems []FieldError `json:"problems"`
	}
	s.do("GET", roster, s.token(auth.RoleOffice, "510108"), nil).must(t, http.StatusOK).json(t, &got)
	if len(got.Entries) != 1 || got.Entries[0].Name != "成员" || got.Today.FullTime != 1 || got.Meets ||
		len(got.Problems) != 1 || got.Problems[0].Field != "staffing" {
		t.Fatalf("the county office reads %+v", got)
	}

	var detail string
	if err := s.store.DBForTests().QueryRow(context.Background(),
		`SELECT detail::text FROM audit_log WHERE action = 'roster.joined' AND object_id = $1`, station.ID.String()).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, entry.ID.String()) || strings.Contains(detail, "成员") {
		t.Fatalf("the audit row %s must name the entry and not the person", detail)
	}
}
