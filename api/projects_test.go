package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// projectBody is a valid project of the funder kind, running over the
// whole quarter q.
func projectBody(kind, funder string, amountFen any, q period.Quarter) map[string]any {
	return map[string]any{"name": "一老一小关爱项目", "service_lines": []string{"elderly_child_care", "social_assistance"},
		"funder_kind": kind, "funder_name": funder, "amount_fen": amountFen,
		"start_date": q.First().Format(time.DateOnly), "end_date": q.Last().Format(time.DateOnly), "beneficiaries": 120}
}

// Resource integration (资源整合): projects from three kinds of funder
// appear in the quarter's evidence pack and the year's evidence by kind
// and in total, in fen, against the contract's resource-linking target.
func TestProjectsFromThreeFundersShowInTheEvidenceByKindAndInTotalFen(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000051")
	station, county := s.operatingStation(admin, orgToken)
	stationPath := "/v1/stations/" + station.ID.String()
	q := period.Of(chinaToday())

	amounts := map[string]int64{"civil_affairs": 50_000_000, "womens_federation": 12_000_050, "foundation": 30_000_001}
	for kind, fen := range amounts {
		var p store.Project
		s.do("POST", stationPath+"/projects", orgToken, projectBody(kind, "出资方 "+kind, fen, q)).must(t, http.StatusCreated).json(t, &p)
		if p.AmountFen != fen || p.FunderKind != kind || p.StationID != station.ID {
			t.Fatalf("project recorded as %+v, want %s %d fen at %s", p, kind, fen, station.ID)
		}
	}
	// A second civil-affairs project, and one that ended before the quarter.
	s.do("POST", stationPath+"/projects", orgToken, projectBody("civil_affairs", "成华区民政局", 1, q)).must(t, http.StatusCreated)
	before := projectBody("enterprise", "某企业", 999, q)
	before["start_date"], before["end_date"] = "2020-01-01", q.First().AddDate(0, 0, -1).Format(time.DateOnly)
	s.do("POST", stationPath+"/projects", orgToken, before).must(t, http.StatusCreated)

	var list store.List[store.Project]
	s.do("GET", stationPath+"/projects", county, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) != 5 {
		t.Fatalf("the county office lists %d projects, want 5", len(list.Items))
	}

	want := map[string]int64{"civil_affairs": 50_000_001, "womens_federation": 12_000_050, "foundation": 30_000_001}
	const total = 92_000_052
	var pack store.EvidencePack
	s.do("GET", stationPath+"/evidence?quarter="+q.String(), county, nil).must(t, http.StatusOK).json(t, &pack)
	checkResources(t, "quarter "+q.String(), pack.Resources, want, 4, total)

	var year store.AnnualEvidence
	s.do("GET", stationPath+"/evidence?year="+strconv.Itoa(q.Year), county, nil).must(t, http.StatusOK).json(t, &year)
	yearWant, yearProjects, yearTotal := want, int64(4), int64(total)
	if q.First().AddDate(0, 0, -1).Year() == q.Year {
		// The ended project met the year, though not the quarter.
		yearWant = map[string]int64{"civil_affairs": 50_000_001, "womens_federation": 12_000_050, "foundation": 30_000_001, "enterprise": 999}
		yearProjects, yearTotal = 5, total+999
	}
	checkResources(t, "year", year.Resources, yearWant, yearProjects, yearTotal)
}

// checkResources holds the resources to the amounts per funder kind (every
// other kind zero), the number of projects and the total; the target is
// the application's resource_linking target, 80,000 yuan, in fen.
func checkResources(t *testing.T, what string, r store.Resources, want map[string]int64, projects, total int64) {
	t.Helper()
	if len(r.ByFunder) != 9 {
		t.Fatalf("%s: %d funder kinds, want all 9", what, len(r.ByFunder))
	}
	for _, f := range r.ByFunder {
		if f.AmountFen != want[f.FunderKind] {
			t.Errorf("%s: %s brought %d fen, want %d", what, f.FunderKind, f.AmountFen, want[f.FunderKind])
		}
	}
	if r.TotalFen != total || r.Projects != projects || r.FunderKinds != len(want) {
		t.Errorf("%s: total %d fen from %d projects of %d kinds, want %d from %d of %d", what, r.TotalFen, r.Projects, r.FunderKinds,
			total, projects, len(want))
	}
	if r.TargetFen == nil || *r.TargetFen != 8_000_000 {
		t.Errorf("%s: target %v fen, want the contract's 80000 yuan as 8000000 fen", what, r.TargetFen)
	}
}

// A service record may name only a project of its own station: one of
// another station is refused naming project_id, in a JSON batch and in a
// CSV cell; another organisation sees none of the station's projects; an
// amount given as a float or a negative is refused naming amount_fen.
func TestAProjectBelongsToItsStationAndIsRecordedInWholeFen(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, orgA := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000051")
	_, orgB := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000052")
	township, county := s.operatingStation(admin, orgA)
	var countyStation store.Station
	var stations store.List[store.Station]
	s.do("GET", "/v1/stations?region=510108", admin, nil).must(t, http.StatusOK).json(t, &stations)
	for _, st := range stations.Items {
		if st.RegionCode == "510108" {
			countyStation = st
		}
	}
	s.operatorFor(countyStation, orgB, county)
	q := period.Of(chinaToday())

	var other store.Project
	s.do("POST", "/v1/stations/"+countyStation.ID.String()+"/projects", orgB, projectBody("youth_league", "成华团区委", 500_000, q)).
		must(t, http.StatusCreated).json(t, &other)
	var own store.Project
	townshipPath := "/v1/stations/" + township.ID.String()
	s.do("POST", townshipPath+"/projects", orgA, projectBody("charity_federation", "成华区慈善会", 700_000, q)).
		must(t, http.StatusCreated).json(t, &own)

	record := func(projectID string) map[string]any {
		return map[string]any{"records": []any{map[string]any{"date": chinaToday().Format(time.DateOnly), "service_line": "elderly_child_care",
			"activity_type": "visit", "beneficiaries": map[string]int{"elderly": 3}, "project_id": projectID}}}
	}
	refused(t, s.do("POST", townshipPath+"/service-records", orgA, record(other.ID.String())), http.StatusUnprocessableEntity,
		"records[0].project_id", "another station's project")
	s.do("POST", townshipPath+"/service-records", orgA, record(own.ID.String())).must(t, http.StatusCreated)

	csvHead := "date,service_line,activity_type,beneficiaries_elderly,beneficiaries_children,beneficiaries_disabled,beneficiaries_hardship,volunteers,volunteer_hours,resources_yuan,cases,project_id\n"
	row := chinaToday().Format(time.DateOnly) + ",social_assistance,visit,1,0,0,0,0,0,0,0,"
	r := s.send("POST", townshipPath+"/service-records/import", orgA, "text/csv", []byte(csvHead+row+own.ID.String()+"\n"+row+other.ID.String()+"\n"))
	p := r.must(t, http.StatusUnprocessableEntity).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Column != "project_id" || p.Errors[0].Line != 3 {
		t.Errorf("the import naming another station's project answered %+v, want line 3 column project_id", p.Errors)
	}
	s.send("POST", townshipPath+"/service-records/import", orgA, "text/csv", []byte(csvHead+row+own.ID.String()+"\n"+row+"\n")).
		must(t, http.StatusCreated)

	s.do("GET", townshipPath+"/projects", orgB, nil).must(t, http.StatusNotFound)
	s.do("POST", townshipPath+"/projects", orgB, projectBody("foundation", "某基金会", 100, q)).must(t, http.StatusNotFound)

	for _, amount := range []any{1234.5, -100, 0, "100"} {
		r := s.do("POST", townshipPath+"/projects", orgA, projectBody("foundation", "某基金会", amount, q))
		if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("amount_fen %v answered %d, want 400 or 422", amount, r.Status)
			continue
		}
		if p := r.problem(t); !fieldNamed(p, "amount_fen") {
			t.Errorf("amount_fen %v answered %+v, not naming amount_fen", amount, p)
		}
	}
	late := projectBody("foundation", "某基金会", 100, q)
	late["end_date"] = "2019-12-31"
	refused(t, s.do("POST", townshipPath+"/projects", orgA, late), http.StatusUnprocessableEntity, "end_date", "an end before the start")
}

// The annual rubric annual-2026.3 scores resource integration (整合各方资源),
// and the evaluator's task shows the evidence for it: the year's resources
// by funder kind. annual-2026.2 stays valid for the cycles that use it.
func TestAnEvaluatorScoresResourceIntegrationAgainstTheResourcesByFunder(t *testing.T) {
	t.Parallel()
	quiet := flow.TaskPolicy{DueWorkdays: 600, EscalateEveryWorkdays: 600}
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 100000, policies: map[string]flow.TaskPolicy{
		flow.KindApplicationReview: quiet, flow.KindAnnualEvaluation: quiet, flow.KindArbitration: quiet,
		flow.KindRenewalDecision: quiet, flow.KindAppealReview: quiet, flow.KindRectification: quiet, flow.KindRectificationCheck: quiet,
	}})
	admin := s.token(auth.RoleAdmin, "")
	evaluator := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000061")
	station, county := s.operatingStation(admin, orgToken)
	q := period.Of(chinaToday())
	for kind, fen := range map[string]int64{"community_governance": 3_000_000, "disabled_persons_federation": 2_500_000} {
		s.do("POST", "/v1/stations/"+station.ID.String()+"/projects", orgToken, projectBody(kind, "出资方 "+kind, fen, q)).
			must(t, http.StatusCreated)
	}

	body := map[string]any{"region_code": "510108", "year": q.Year, "rubric_version": "annual-2026.3",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "evaluators_per_station": 1,
		"appeal_workdays": 1, "min_term_days": 0}
	s.do("POST", "/v1/cycles/preview", county, map[string]any{"region_code": "510108", "year": q.Year, "rubric_version": "annual-2026.2",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "evaluators_per_station": 1,
		"appeal_workdays": 1, "min_term_days": 0}).must(t, http.StatusOK)
	s.do("POST", "/v1/cycles", county, body).must(t, http.StatusCreated)
	self := s.cycleTask(orgToken, flow.KindSelfAssessment, station)
	selfForm := rubricForm(self, 0.9)
	selfForm["funding_used_yuan"] = 180000
	s.do("POST", "/v1/tasks/"+self.ID.String()+"/complete", orgToken, selfForm).must(t, http.StatusOK)

	token := s.token(auth.RoleSupervisor, evaluator)
	task := s.cycleTask(token, flow.KindAnnualEvaluation, station)
	found := false
	for _, sec := range task.Rubric.Sections {
		for _, ind := range sec.Indicators {
			found = found || ind.ID == "resource_linking.integration"
		}
	}
	if task.Rubric.Version != "annual-2026.3" || !found {
		t.Fatalf("the evaluator's rubric %s has no resource_linking.integration", task.Rubric.Version)
	}
	if task.AnnualEvidence == nil {
		t.Fatal("the evaluator's task shows no annual evidence")
	}
	checkResources(t, "the evaluator's annual evidence", task.AnnualEvidence.Resources,
		map[string]int64{"community_governance": 3_000_000, "disabled_persons_federation": 2_500_000}, 2, 5_500_000)
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", token, rubricFormWith(task, 0.9, map[string]float64{"resource_linking.integration": 6})).
		must(t, http.StatusOK)
}
