package api

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// childAtRisk is the annual rubrics' critical indicator on protecting
// children in difficulty: a child at risk not reported scores it 0.
const childAtRisk = "elderly_child_care.child_protection"

// rubricFormWith is rubricForm with the indicators given scored at their
// points, each with the finding as its comment.
func rubricFormWith(t taskWithRubric, share float64, points map[string]float64) map[string]any {
	form := rubricForm(t, share)
	for _, s := range form["scores"].([]map[string]any) {
		if p, ok := points[s["indicator"].(string)]; ok {
			s["points"], s["comment"] = p, "发现困境儿童风险未按规定报告乡镇"
		}
	}
	return form
}

// annualScorecard is the station's annual scorecard of the year.
func (s *stack) annualScorecard(token string, station store.Station) map[string]any {
	s.t.Helper()
	var cards store.List[map[string]any]
	s.do("GET", "/v1/stations/"+station.ID.String()+"/scorecards", token, nil).must(s.t, 200).json(s.t, &cards)
	for _, c := range cards.Items {
		if c["kind"] == "annual_evaluation" {
			return c
		}
	}
	s.t.Fatalf("no annual scorecard for station %s", station.RegionCode)
	return nil
}

func TestCriticalFindingsFailTheStationAndOtherFindingsOpenItemsAConditionalRenewalTracks(t *testing.T) {
	t.Parallel()
	quiet := flow.TaskPolicy{DueWorkdays: 600, EscalateEveryWorkdays: 600}
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 100000, policies: map[string]flow.TaskPolicy{
		flow.KindApplicationReview: quiet, flow.KindAnnualEvaluation: quiet, flow.KindArbitration: quiet,
		flow.KindRenewalDecision: quiet, flow.KindAppealReview: quiet, flow.KindRectification: quiet, flow.KindRectificationCheck: quiet,
	}})
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	first := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	second := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510108001"})
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000041")
	_, countyStation, both := s.province(admin)
	var confirmed, records store.Station
	for _, st := range []struct {
		dst  *store.Station
		name string
		code string
	}{{&confirmed, "双桥子街道社工站", "510108004"}, {&records, "府青路街道社工站", "510108006"}} {
		s.do("POST", "/v1/stations", admin, map[string]any{"name": st.name, "level": "township_station", "region_code": st.code,
			"parent_id": countyStation.ID}).must(t, http.StatusCreated).json(t, st.dst)
	}
	stations := []store.Station{both, confirmed, records}
	for _, st := range stations {
		s.operatorFor(st, orgToken, county)
	}

	// One pass line: bands whose pass band starts at 60 disagree with
	// annual-2026.1's pass_mark of 70, and are refused on bands.
	body := map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "evaluators_per_station": 2,
		"appeal_workdays": 1, "min_term_days": 0, "bands": []map[string]any{{"grade": "excellent", "label": "优秀", "min": 90},
			{"grade": "good", "label": "良好", "min": 80}, {"grade": "pass", "label": "合格", "min": 60}, {"grade": "fail", "label": "不合格", "min": 0}}}
	for _, path := range []string{"/v1/cycles/preview", "/v1/cycles"} {
		if p := s.do("POST", path, county, body).must(t, 422).problem(t); !fieldNamed(p, "bands") {
			t.Fatalf("%s with bands disagreeing with the rubric's pass mark: %+v", path, p.Errors)
		}
	}
	// annual-2026.2 draws the pass line at 60, and lets the arbitration
	// confirm what only some evaluators failed.
	body["rubric_version"] = "annual-2026.2"
	var cycle store.Cycle
	s.do("POST", "/v1/cycles", county, body).must(t, 201).json(t, &cycle)

	for _, st := range stations {
		task := s.cycleTask(orgToken, flow.KindSelfAssessment, st)
		form := rubricForm(task, 0.9)
		form["funding_used_yuan"] = 180000
		s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, form).must(t, 200)
	}
	// Both evaluators find the child at risk unreported at the first
	// station; only the first evaluator at the second; both find the
	// records wanting at the third. Everything else scores 90%.
	findings := map[string][2]map[string]float64{
		both.ID.String():      {{childAtRisk: 0}, {childAtRisk: 0}},
		confirmed.ID.String(): {{childAtRisk: 0}, nil},
		records.ID.String():   {{"governance.records": 2}, {"governance.records": 3}},
	}
	for i, evaluator := range []string{first, second} {
		token := s.token(auth.RoleSupervisor, evaluator)
		for _, st := range stations {
			task := s.cycleTask(token, flow.KindAnnualEvaluation, st)
			s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", token, rubricFormWith(task, 0.9, findings[st.ID.String()][i])).must(t, 200)
		}
	}
	// The split on the critical indicator goes to the county, which
	// confirms it at a total of 85.
	arbitration := s.cycleTask(county, flow.KindArbitration, confirmed)
	if !slices.Equal(arbitration.Choices, []string{childAtRisk}) {
		t.Fatalf("the arbitration shows %q to confirm, want the split indicator %s", arbitration.Choices, childAtRisk)
	}
	p := s.do("POST", "/v1/tasks/"+arbitration.ID.String()+"/complete", county, map[string]any{"total": 85,
		"reason": "乡镇台账中无该儿童的报告记录", "confirmed_failures": []string{"governance.funds"}}).must(t, 422).problem(t)
	if !fieldNamed(p, "confirmed_failures[0]") {
		t.Fatalf("confirming an indicator no evaluator failed: %+v", p.Errors)
	}
	s.do("POST", "/v1/tasks/"+arbitration.ID.String()+"/complete", county, map[string]any{"total": 85,
		"reason": "乡镇台账中无该儿童的报告记录", "confirmed_failures": []string{childAtRisk}}).must(t, 200)

	// Both critical cases: 不合格 and exit proposed, although the totals
	// lie in the good band.
	for _, st := range []store.Station{both, confirmed} {
		cs := s.cycleStation(county, cycle.ID.String(), st, func(c store.CycleStation) bool { return c.State == store.EvalDecision })
		if cs.Grade == nil || *cs.Grade != "fail" || cs.Proposal == nil || *cs.Proposal != "exit" || cs.Total == nil || *cs.Total < 80 {
			t.Fatalf("station %s: total %v grade %v proposal %v, want fail and exit at a good total", st.RegionCode, cs.Total, cs.Grade, cs.Proposal)
		}
		card := s.annualScorecard(county, st)
		critical, _ := card["failed_critical"].([]any)
		results, _ := card["evaluator_results"].([]any)
		if card["grade_label"] != "不合格" || card["passed"] != false || len(critical) != 1 || critical[0] != childAtRisk || len(results) != 2 {
			t.Fatalf("station %s scorecard %v", st.RegionCode, card)
		}
	}
	if card := s.annualScorecard(county, confirmed); card["method"] != "arbitration" || card["total"] != float64(85) {
		t.Fatalf("arbitrated scorecard %v", card)
	}

	// The records finding: good, a conditional renewal proposed and
	// decided; the item opens for the organisation and the conditions
	// track it.
	cs := s.cycleStation(county, cycle.ID.String(), records, func(c store.CycleStation) bool { return c.State == store.EvalDecision })
	if cs.Grade == nil || *cs.Grade != "good" || cs.Proposal == nil || *cs.Proposal != "conditional_renew" {
		t.Fatalf("records station: grade %v proposal %v", cs.Grade, cs.Proposal)
	}
	for _, st := range stations {
		decision := map[string]any{"decision": "exit"}
		if st.ID == records.ID {
			decision = map[string]any{"decision": "conditional_renew", "conditions_due_workdays": 120}
		}
		task := s.cycleTask(county, flow.KindRenewalDecision, st)
		if want := map[bool]string{true: "conditional_renew", false: "exit"}[st.ID == records.ID]; task.Outcome != want {
			t.Fatalf("renewal decision at %s shows the proposal %q, want %q", st.RegionCode, task.Outcome, want)
		}
		s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", county, decision).must(t, 200)
	}
	var items store.List[store.Rectification]
	waitFor(t, func() bool {
		s.do("GET", "/v1/rectifications?state=open", orgToken, nil).must(t, 200).json(t, &items)
		return len(items.Items) == 1 && items.Items[0].TaskID != nil
	})
	item := items.Items[0]
	if item.StationID != records.ID || item.Indicator != "governance.records" || item.VerifierID != "510108" || item.Period != strconv.Itoa(cycle.Year) {
		t.Fatalf("annual rectification item %+v", item)
	}
	tracked := s.cycleStation(county, cycle.ID.String(), records, func(c store.CycleStation) bool { return c.State == store.EvalConditions })
	if tracked.ConditionsDue == nil || tracked.Decision == nil || *tracked.Decision != "conditional_renew" {
		t.Fatalf("conditional renewal %+v", tracked)
	}
	for _, st := range []store.Station{both, confirmed} {
		s.cycleStation(county, cycle.ID.String(), st, func(c store.CycleStation) bool { return c.State == store.EvalDone })
	}
	if slices.ContainsFunc(items.Items, func(r store.Rectification) bool { return r.StationID != records.ID }) {
		t.Fatalf("an exiting operator was given items: %+v", items.Items)
	}
	s.recordHistory(flow.EvaluationWorkflowID(cycle.ID.String(), confirmed.ID.String()), "evaluation-critical-confirmed-by-arbitration-exit")
}
