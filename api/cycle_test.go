package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// operatorFor runs one application for a station through approval by the
// county office, from today for a year.
func (s *stack) operatorFor(station store.Station, orgToken, county string) {
	s.t.Helper()
	var app store.Application
	s.do("POST", "/v1/stations/"+station.ID.String()+"/applications", orgToken, applicationBody()).must(s.t, 201).json(s.t, &app)
	s.inboxTask(county, app.ReviewTaskID.String(), func(store.Task) bool { return true })
	start := chinaToday()
	s.do("POST", "/v1/tasks/"+app.ReviewTaskID.String()+"/complete", county, map[string]any{"decision": "approve",
		"term": map[string]string{"start": start.Format(time.DateOnly), "end": start.AddDate(1, 0, -1).Format(time.DateOnly)}}).must(s.t, 200)
	s.application(orgToken, app.ID.String(), "approved")
}

// cycleTask waits until the caller's inbox holds an open task of the kind
// at the station, and returns it with its rubric.
func (s *stack) cycleTask(token, kind string, station store.Station) taskWithRubric {
	s.t.Helper()
	var found store.Task
	waitFor(s.t, func() bool {
		var list store.List[store.Task]
		s.do("GET", "/v1/tasks?kind="+kind, token, nil).must(s.t, 200).json(s.t, &list)
		for _, t := range list.Items {
			if t.StationID == station.ID && t.State != "completed" && t.State != "cancelled" {
				found = t
				return true
			}
		}
		return false
	})
	var full taskWithRubric
	s.do("GET", "/v1/tasks/"+found.ID.String(), token, nil).must(s.t, 200).json(s.t, &full)
	return full
}

// rubricForm scores every indicator of the task's rubric at about the
// given share of its points (in half points), which puts the total near
// share*100.
func rubricForm(t taskWithRubric, share float64) map[string]any {
	var scores []map[string]any
	for _, sec := range t.Rubric.Sections {
		for _, ind := range sec.Indicators {
			points := math.Round(float64(ind.MaxPoints)*share*2) / 2
			scores = append(scores, map[string]any{"indicator": ind.ID, "points": points,
				"comment": "台账、服务记录与走访核实", "evidence_ids": []string{}})
		}
	}
	return map[string]any{"scores": scores, "summary": "年度考核评分"}
}

func (s *stack) cycleStation(token string, cycleID string, station store.Station, cond func(store.CycleStation) bool) store.CycleStation {
	s.t.Helper()
	type evaluation struct {
		Evaluation  store.CycleStation `json:"evaluation"`
		Evaluations []store.Evaluation `json:"evaluations"`
	}
	path := "/v1/stations/" + station.ID.String() + "/evaluation"
	// Soft inside the condition, which require.Eventually runs on a
	// goroutine of its own; a last look on the test's goroutine reports.
	var found store.CycleStation
	reached := func() bool {
		var got evaluation
		r := s.do("GET", path, token, nil)
		ok := r.Status == http.StatusOK && json.Unmarshal(r.Body, &got) == nil &&
			got.Evaluation.CycleID.String() == cycleID && cond(got.Evaluation)
		if ok {
			found = got.Evaluation
		}
		return ok
	}
	if !assert.Eventually(s.t, reached, 30*time.Second, 100*time.Millisecond) {
		var got evaluation
		s.do("GET", path, token, nil).must(s.t, 200).json(s.t, &got)
		s.t.Fatalf("station %s in cycle %s: %+v", station.ID, cycleID, got.Evaluation)
	}
	return found
}

func TestACountyCycleRunsOverHTTPToRenewalConditionsAndExit(t *testing.T) {
	t.Parallel()
	quiet := flow.TaskPolicy{DueWorkdays: 600, EscalateEveryWorkdays: 600}
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 100000, policies: map[string]flow.TaskPolicy{
		flow.KindApplicationReview: quiet, flow.KindAnnualEvaluation: quiet, flow.KindArbitration: quiet,
		flow.KindRenewalDecision: quiet, flow.KindAppealReview: quiet,
	}})
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	city := s.token(auth.RoleOffice, "5101")
	first := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	second := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510108001"})
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000021")
	_, countyStation, renewed := s.province(admin)
	var conditional, exiting, idle store.Station
	for _, st := range []struct {
		dst  *store.Station
		name string
		code string
	}{{&conditional, "双桥子街道社工站", "510108002"}, {&exiting, "府青路街道社工站", "510108006"}, {&idle, "跳蹬河街道社工站", "510108004"}} {
		s.do("POST", "/v1/stations", admin, map[string]any{"name": st.name, "level": "township_station", "region_code": st.code,
			"parent_id": countyStation.ID}).must(t, http.StatusCreated).json(t, st.dst)
	}
	for _, st := range []store.Station{renewed, conditional, exiting} {
		s.operatorFor(st, orgToken, county)
	}

	// The county office previews its cycle: three operating stations are
	// in; the county station and the idle one have no operator.
	body := map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "evaluators_per_station": 2,
		"appeal_workdays": 30, "min_term_days": 0}
	var preview struct {
		Preview store.CyclePreview `json:"preview"`
	}
	s.do("POST", "/v1/cycles/preview", county, body).must(t, 200).json(t, &preview)
	if preview.Preview.Included != 3 || preview.Preview.SkippedByReason[store.SkipNotOperating] != 2 || len(preview.Preview.SkippedStations) != 2 {
		t.Fatalf("preview %+v", preview.Preview)
	}
	p := s.do("POST", "/v1/cycles/preview", county, map[string]any{"region_code": "5101", "year": 2026, "rubric_version": "supervision-2026.1",
		"self_assessment_due": "2020-01-01"}).must(t, 403).problem(t)
	if !fieldNamed(p, "region_code") {
		t.Fatalf("a city cycle from the county office: %+v", p)
	}
	p = s.do("POST", "/v1/cycles/preview", county, map[string]any{"region_code": "510108", "year": 2026, "rubric_version": "supervision-2026.1",
		"self_assessment_due": "2020-01-01"}).must(t, 422).problem(t)
	for _, f := range []string{"rubric_version", "self_assessment_due", "evaluation_due"} {
		if !fieldNamed(p, f) {
			t.Errorf("no error for %s in %+v", f, p.Errors)
		}
	}
	s.do("POST", "/v1/cycles/preview", s.token(auth.RoleOrg, store.NewID().String()), body).must(t, 403)

	// Started with the previewed digest.
	body["preview_digest"] = preview.Preview.Digest
	var cycle store.Cycle
	s.do("POST", "/v1/cycles", county, body).must(t, 201).json(t, &cycle)
	if cycle.Stations != 3 || cycle.EvaluatorsPerStation != 2 || len(cycle.Bands) != 4 {
		t.Fatalf("cycle %+v", cycle)
	}
	cyclePath := "/v1/cycles/" + cycle.ID.String()
	s.do("GET", cyclePath, city, nil).must(t, 200)
	s.do("GET", cyclePath, s.token(auth.RoleOffice, "510104"), nil).must(t, 404)
	again := s.do("POST", "/v1/cycles", county, body).must(t, 409).problem(t)
	if !fieldNamed(again, "preview_digest") {
		t.Fatalf("a second start with a stale digest: %+v", again)
	}

	// Self-assessments: a bulk extension is previewed, then applied.
	for _, st := range []store.Station{renewed, conditional, exiting} {
		s.cycleTask(orgToken, flow.KindSelfAssessment, st)
	}
	var dry map[string]any
	s.do("POST", cyclePath+"/extend?dry_run=true", county, map[string]any{"kind": "self_assessment", "workdays": 5, "reason": "春节前后放假顺延"}).
		must(t, 200).json(t, &dry)
	if dry["tasks"] != float64(3) {
		t.Fatalf("dry run %+v", dry)
	}
	var bulk struct {
		Tasks    int           `json:"tasks"`
		Extended int           `json:"extended"`
		Failures []BulkFailure `json:"failures"`
	}
	s.do("POST", cyclePath+"/extend", county, map[string]any{"kind": "self_assessment", "workdays": 5, "reason": "春节前后放假顺延"}).
		must(t, 200).json(t, &bulk)
	if bulk.Tasks != 3 || bulk.Extended != 3 || len(bulk.Failures) != 0 {
		t.Fatalf("bulk extension %+v", bulk)
	}
	for _, st := range []store.Station{renewed, conditional, exiting} {
		task := s.cycleTask(orgToken, flow.KindSelfAssessment, st)
		if task.AnnualEvidence == nil || len(task.AnnualEvidence.Lines) != 6 {
			t.Fatalf("self-assessment shows evidence %+v", task.AnnualEvidence)
		}
		form := rubricForm(task, 0.9)
		p := s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, form).must(t, 422).problem(t)
		if !fieldNamed(p, "funding_used_yuan") {
			t.Fatalf("a self-assessment without funding: %+v", p.Errors)
		}
		form["funding_used_yuan"] = 180000.005
		p = s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, form).must(t, 422).problem(t)
		if !fieldNamed(p, "funding_used_yuan") {
			t.Fatalf("funding with a fraction of a fen: %+v", p.Errors)
		}
		form["funding_used_yuan"] = 180000
		s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, form).must(t, 200)
	}

	// Two evaluators each: the first station's agree on excellent, the
	// second's disagree (no third evaluator is free, so the county
	// arbitrates), the third's agree on a fail.
	shares := map[string][2]float64{renewed.ID.String(): {0.96, 0.94}, conditional.ID.String(): {0.85, 0.55}, exiting.ID.String(): {0.5, 0.52}}
	for i, evaluator := range []string{first, second} {
		token := s.token(auth.RoleSupervisor, evaluator)
		for _, st := range []store.Station{renewed, conditional, exiting} {
			task := s.cycleTask(token, flow.KindAnnualEvaluation, st)
			s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", token, rubricForm(task, shares[st.ID.String()][i])).must(t, 200)
		}
	}
	arbitration := s.cycleTask(county, flow.KindArbitration, conditional)
	if len(arbitration.Evaluations) < 2 {
		t.Fatalf("arbitration shows evaluations %+v", arbitration.Evaluations)
	}
	s.do("POST", "/v1/tasks/"+arbitration.ID.String()+"/complete", county, map[string]any{"total": 150, "reason": "x"}).must(t, 422)
	s.do("POST", "/v1/tasks/"+arbitration.ID.String()+"/complete", county, map[string]any{"total": 72,
		"reason": "复核台账后认定服务量达标但档案不全"}).must(t, 200)

	// Decisions: renew as proposed; conditional renewal instead of the
	// proposed renewal, with a reason; exit as proposed.
	decide := func(st store.Station, wantProposal, decision, reason string) {
		t.Helper()
		cs := s.cycleStation(county, cycle.ID.String(), st, func(c store.CycleStation) bool { return c.State == store.EvalDecision })
		if cs.Proposal == nil || *cs.Proposal != wantProposal {
			t.Fatalf("station %s proposal %v, want %s (total %v grade %v)", st.RegionCode, cs.Proposal, wantProposal, cs.Total, cs.Grade)
		}
		task := s.cycleTask(county, flow.KindRenewalDecision, st)
		form := map[string]any{"decision": decision, "reason": reason}
		if decision == "conditional_renew" {
			p := s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", county, map[string]any{"decision": decision}).must(t, 422).problem(t)
			if !fieldNamed(p, "reason") {
				t.Fatalf("a departure without reason: %+v", p.Errors)
			}
			form["conditions_due_workdays"] = 10
		}
		s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", county, form).must(t, 200)
	}
	decide(renewed, "renew", "renew", "")
	decide(conditional, "renew", "conditional_renew", "档案整改完成前有条件续约")
	decide(exiting, "exit", "exit", "")

	// The organisation appeals the conditional renewal in time; the city
	// office upholds it. Sending the appeal again opens nothing new.
	s.cycleStation(orgToken, cycle.ID.String(), conditional, func(c store.CycleStation) bool { return c.State == store.EvalAppeal })
	s.do("POST", "/v1/stations/"+conditional.ID.String()+"/appeals", orgToken, map[string]any{"reason": "short"}).must(t, 422)
	s.do("POST", "/v1/stations/"+conditional.ID.String()+"/appeals", county, map[string]any{"reason": "仲裁分数未计入第三季度整改成果"}).must(t, 403)
	var appealed, resent map[string]any
	s.do("POST", "/v1/stations/"+conditional.ID.String()+"/appeals", orgToken, map[string]any{"reason": "仲裁分数未计入第三季度整改成果"}).
		must(t, 202).json(t, &appealed)
	s.do("POST", "/v1/stations/"+conditional.ID.String()+"/appeals", orgToken, map[string]any{"reason": "仲裁分数未计入第三季度整改成果"}).
		must(t, 202).json(t, &resent)
	if appealed["office"] != "5101" || resent["review_task_id"] != appealed["review_task_id"] {
		t.Fatalf("appeal %v, sent again %v: want one review at the city office", appealed, resent)
	}
	review := s.cycleTask(city, flow.KindAppealReview, conditional)
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", city, map[string]any{"outcome": "change", "decision": "conditional_renew",
		"reason": "改为原决定不成立"}).must(t, 422)
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", city, map[string]any{"outcome": "uphold", "reason": "仲裁程序合规，维持原决定"}).must(t, 200)

	// Every station finishes and the cycle completes.
	waitFor(t, func() bool {
		s.do("GET", cyclePath, county, nil).must(t, 200).json(t, &cycle)
		return cycle.State == store.CycleCompleted
	})
	if cycle.Counts[store.EvalDone] != 3 || cycle.Done != 1 || len(cycle.Failures) != 0 {
		t.Fatalf("completed cycle %+v", cycle)
	}

	// Renewal: a new term follows the old under a new contract.
	contracts, err := s.store.ContractsOf(ctx, renewed.ID)
	if err != nil || len(contracts) != 2 || contracts[0].State != "active" || contracts[1].State != "ended" ||
		!contracts[0].TermStart.Equal(contracts[1].TermEnd.AddDate(0, 0, 1)) {
		t.Fatalf("renewed station's contracts %+v (%v)", contracts, err)
	}
	var got store.Station
	s.do("GET", "/v1/stations/"+renewed.ID.String(), county, nil).must(t, 200).json(t, &got)
	if got.Phase != "operating" {
		t.Fatalf("renewed station is %s", got.Phase)
	}
	cs := s.cycleStation(orgToken, cycle.ID.String(), conditional, func(store.CycleStation) bool { return true })
	if cs.Appeal != "upheld" || cs.FinalDecision == nil || *cs.FinalDecision != "conditional_renew" || !cs.Arbitrated || cs.Total == nil || *cs.Total != 72 {
		t.Fatalf("conditionally renewed station %+v", cs)
	}

	// Exit: the contract ends, the station awaits an operator, and a new
	// application starts the lifecycle again.
	s.do("GET", "/v1/stations/"+exiting.ID.String(), county, nil).must(t, 200).json(t, &got)
	if got.Phase != "awaiting_operator" || got.OperatorID != nil {
		t.Fatalf("exited station %+v", got)
	}
	contracts, err = s.store.ContractsOf(ctx, exiting.ID)
	if err != nil || len(contracts) != 1 || contracts[0].State != "terminated" {
		t.Fatalf("exited station's contracts %+v (%v)", contracts, err)
	}
	_, nextToken := s.organisation(admin, "成华区新航社工服务中心", "52510108MJ0000022")
	var app store.Application
	s.do("POST", "/v1/stations/"+exiting.ID.String()+"/applications", nextToken, applicationBody()).must(t, 201).json(t, &app)
	s.inboxTask(county, app.ReviewTaskID.String(), func(store.Task) bool { return true })

	// The report: XLSX rows match the annual scorecards; CSV too.
	res := s.do("GET", cyclePath+"/report?format=xlsx", county, nil).must(t, 200)
	book, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("评估结果")
	if err != nil || len(rows) != 4 {
		t.Fatalf("report rows %v (%v)", rows, err)
	}
	header := map[string]int{}
	for i, h := range rows[0] {
		header[h] = i
	}
	year := strconv.Itoa(chinaToday().Year())
	for _, row := range rows[1:] {
		var station store.Station
		for _, st := range []store.Station{renewed, conditional, exiting} {
			if st.RegionCode == row[header["站点编码"]] {
				station = st
			}
		}
		var cards store.List[store.Scorecard]
		s.do("GET", "/v1/stations/"+station.ID.String()+"/scorecards", county, nil).must(t, 200).json(t, &cards)
		var annual *store.Scorecard
		for i, c := range cards.Items {
			if c.Kind == "annual_evaluation" && c.Period == year {
				annual = &cards.Items[i]
			}
		}
		if annual == nil {
			t.Fatalf("no annual scorecard for %s", station.RegionCode)
		}
		// The stations were created over HTTP, not by the demo: the 区县
		// column names their county from the administrative divisions.
		if row[header["区县"]] != "成华区" {
			t.Errorf("report 区县 %q for %s, want 成华区", row[header["区县"]], station.RegionCode)
		}
		if total, _ := strconv.ParseFloat(row[header["最终得分"]], 64); total != annual.Total {
			t.Errorf("report total %v for %s, scorecard %v", row[header["最终得分"]], station.RegionCode, annual.Total)
		}
	}
	res = s.do("GET", cyclePath+"/report", county, nil).must(t, 200)
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) != 4 {
		t.Fatalf("CSV report %v (%v)", records, err)
	}
	s.do("GET", cyclePath+"/report?format=pdf", county, nil).must(t, 400)
	s.do("GET", cyclePath+"/evaluators", county, nil).must(t, 200)

	// The appeal's reason reached the workflow, yet Temporal's store holds
	// it only encrypted: the raw history has no trace of it.
	raw := rawHistory(t, s, flow.EvaluationWorkflowID(cycle.ID.String(), conditional.ID.String()))
	if !bytes.Contains(raw, []byte("binary/encrypted")) {
		t.Fatalf("the evaluation's history has no encrypted payloads")
	}
	for _, secret := range []string{"仲裁分数未计入第三季度整改成果", "复核台账后认定服务量达标但档案不全", "档案整改完成前有条件续约"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the raw history holds %q in plaintext", secret)
		}
	}
	if cs.AppealReason != "仲裁分数未计入第三季度整改成果" {
		t.Fatalf("the appeal's reason did not arrive: %q", cs.AppealReason)
	}

	s.recordHistory(flow.CycleWorkflowID(cycle.ID.String()), "cycle-completed")
	s.recordHistory(flow.EvaluationWorkflowID(cycle.ID.String(), conditional.ID.String()), "evaluation-arbitrated-appealed-conditional")
	s.recordHistory(flow.EvaluationWorkflowID(cycle.ID.String(), exiting.ID.String()), "evaluation-exit")
	s.recordHistory(flow.StationWorkflowID(renewed.ID.String()), "station-renewed")
}

func TestACancelledCycleStopsItsStationsAndFreesThemForAnotherCycle(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 100000})
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000031")
	_, _, township := s.province(admin)
	s.operatorFor(township, orgToken, county)
	body := map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0}
	var cycle store.Cycle
	s.do("POST", "/v1/cycles", county, body).must(t, 201).json(t, &cycle)
	task := s.cycleTask(orgToken, flow.KindSelfAssessment, township)
	cyclePath := "/v1/cycles/" + cycle.ID.String()

	s.do("POST", cyclePath+"/cancel", s.token(auth.RoleOffice, "510104"), nil).must(t, 404)
	s.do("POST", cyclePath+"/cancel", orgToken, nil).must(t, 403)
	s.do("POST", cyclePath+"/cancel", county, nil).must(t, 202)
	waitFor(t, func() bool {
		s.do("GET", cyclePath, county, nil).must(t, 200).json(t, &cycle)
		return cycle.State == store.CycleCancelled
	})
	if cycle.Counts[store.EvalCancelled] != 1 || cycle.Done != 1 {
		t.Fatalf("cancelled cycle %+v", cycle)
	}
	waitFor(t, func() bool {
		var got store.Task
		s.do("GET", "/v1/tasks/"+task.ID.String(), orgToken, nil).must(t, 200).json(t, &got)
		return got.State == "cancelled"
	})
	s.do("POST", cyclePath+"/cancel", county, nil).must(t, 409)

	// The station is free again: a new cycle of the same year includes it.
	var again store.Cycle
	s.do("POST", "/v1/cycles", county, body).must(t, 201).json(t, &again)
	if again.Stations != 1 {
		t.Fatalf("a new cycle after the cancelled one includes %d stations", again.Stations)
	}
}

// rawHistory is a workflow's history as Temporal stores it, payloads
// undecoded, in its protobuf wire form.
func rawHistory(t *testing.T, s *stack, workflowID string) []byte {
	t.Helper()
	it := s.temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []byte
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}
