package workflows

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
)

// childAtRisk is the annual rubrics' critical indicator on protecting
// children in difficulty: a child at risk not reported scores it 0.
const childAtRisk = "elderly_child_care.child_protection"

// findingsForm scores every indicator at the share of its points, but
// the indicators given, at their points.
func findingsForm(t *testing.T, rb *rubric.Rubric, share float64, points map[string]float64) (json.RawMessage, rubric.Scorecard) {
	t.Helper()
	f, _ := annualForm(t, rb, share)
	for i, s := range f.Scores {
		if p, ok := points[s.Indicator]; ok {
			f.Scores[i].Points = &p
			f.Scores[i].Comment = "a child at risk was found and not reported to the township"
		}
	}
	card, errs := rb.Score(f)
	if len(errs) > 0 {
		t.Fatalf("the test's own form breaks the rubric: %v", errs)
	}
	return mustJSON(t, f), card
}

// annualRun is one station's evaluation driven to its decision: the
// self-assessment on Wed 4 Nov, the evaluators' forms on Mon 9 Nov, and
// the decision the test gives on Thu 12 Nov.
type annualRun struct {
	env   *testsuite.TestWorkflowEnvironment
	rec   *recorder
	w     *evalWorld
	in    flow.EvaluationStart
	start time.Time
	done  map[string]*updateOutcome
}

func newAnnualRun(t *testing.T, version string, forms ...json.RawMessage) *annualRun {
	t.Helper()
	start := at(2026, 11, 2, 9, 0)
	env, rec, w := newEvaluationEnv(t, start)
	in := evaluationStart()
	in.Settings.RubricVersion = version
	in.Settings.Bands = gradingFlowBands(grading.BandsPassingAt(annualRubricOf(t, version).PassMark))
	r := &annualRun{env: env, rec: rec, w: w, in: in, start: start, done: map[string]*updateOutcome{}}
	selfForm, _ := selfAssessmentForm(t, annualRubricOf(t, version), 0.9, 250000)
	r.complete("self-assessment", at(2026, 11, 4, 10, 0), flow.KindSelfAssessment, "", orgCaller, selfForm)
	for i, f := range forms {
		scope := []uuid.UUID{evaluator1, evaluator2}[i]
		r.complete("evaluator", at(2026, 11, 9, 10+i, 0), flow.KindAnnualEvaluation, "-"+string(rune('1'+i)),
			flow.Caller{Role: "supervisor", Scope: scope.String(), TokenID: "t-e"}, f)
	}
	return r
}

func gradingFlowBands(b grading.Bands) []flow.GradeBand {
	out := make([]flow.GradeBand, len(b))
	for i, band := range b {
		out[i] = flow.GradeBand(band)
	}
	return out
}

// complete files the cycle's task of the kind (its period the cycle's ID
// and the suffix) at the moment.
func (r *annualRun) complete(name string, when time.Time, kind, suffix string, who flow.Caller, form json.RawMessage) *updateOutcome {
	return r.completePeriod(name, when, kind, evalCycleID.String()+suffix, who, form)
}

// completePeriod files the station's task of the kind and period.
func (r *annualRun) completePeriod(name string, when time.Time, kind, period string, who flow.Caller, form json.RawMessage) *updateOutcome {
	o := &updateOutcome{}
	r.done[name+when.String()] = o
	completeChildAt(r.env, when.Sub(r.start), flow.TaskWorkflowID(r.in.StationID.String(), kind, period),
		flow.CompleteRequest{Caller: who, Form: form}, o)
	return o
}

// finish runs the evaluation to its end and returns its outcome and
// annual scorecard.
func (r *annualRun) finish(t *testing.T) (flow.EvaluationOutcome, flow.ScorecardDocument) {
	t.Helper()
	r.env.ExecuteWorkflow(EvaluationWorkflow, r.in)
	if !r.env.IsWorkflowCompleted() || r.env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", r.env.IsWorkflowCompleted(), r.env.GetWorkflowError())
	}
	var out flow.EvaluationOutcome
	if err := r.env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if len(r.rec.scorecards) != 1 {
		t.Fatalf("%d scorecards issued, want 1", len(r.rec.scorecards))
	}
	return out, r.rec.scorecards[0].Document
}

// checkFailedCritically asserts a 不合格 scorecard failing the child at
// risk indicator although its total lies in the good band.
func checkFailedCritically(t *testing.T, out flow.EvaluationOutcome, doc flow.ScorecardDocument) {
	t.Helper()
	if out.Total < 80 || out.Grade != grading.Fail || out.Proposal != grading.Exit || out.FinalDecision != grading.Exit {
		t.Errorf("outcome %+v, want a total in the good band graded fail, exit proposed and decided", out)
	}
	if doc.Grade != grading.Fail || doc.GradeLabel != "不合格" || doc.Passed || !slices.Equal(doc.FailedCritical, []string{childAtRisk}) {
		t.Errorf("scorecard grade %s %s passed %v failed critical %v", doc.Grade, doc.GradeLabel, doc.Passed, doc.FailedCritical)
	}
	if len(doc.EvaluatorResults) != 2 || len(doc.Sections) != 8 {
		t.Errorf("scorecard holds %d evaluator results and %d sections, want 2 and the rubric's 8", len(doc.EvaluatorResults), len(doc.Sections))
	}
}

func TestTwoEvaluatorsFailingACriticalIndicatorFailTheStationWhateverItsTotal(t *testing.T) {
	// Both evaluators score the child at risk indicator 0 and the rest at
	// 90%: the total is about 85 (good), yet the station fails, exit is
	// proposed, and the county decides it as proposed. Under the majority
	// rule (annual-2026.1) no arbitration is needed: both failed it.
	rb := annualRubricOf(t, "annual-2026.1")
	f1, c1 := findingsForm(t, rb, 0.9, map[string]float64{childAtRisk: 0})
	f2, c2 := findingsForm(t, rb, 0.9, map[string]float64{childAtRisk: 0})
	r := newAnnualRun(t, "annual-2026.1", f1, f2)
	r.complete("decision", at(2026, 11, 12, 10, 0), flow.KindRenewalDecision, "-1", countyOffice, json.RawMessage(`{"decision":"exit"}`))
	out, doc := r.finish(t)
	checkUpdates(t, r.done)

	if mean := math.Round((c1.Total+c2.Total)/2*100) / 100; out.Total != mean || math.Abs(mean-85) > 1 {
		t.Errorf("total %g, want the evaluators' mean %g, about 85", out.Total, mean)
	}
	checkFailedCritically(t, out, doc)
	if doc.Method != "mean_of_agreeing" || len(doc.ConfirmedFailures) != 0 {
		t.Errorf("scorecard method %s, confirmed %v", doc.Method, doc.ConfirmedFailures)
	}
	for i, e := range doc.EvaluatorResults {
		if e.Slot != i+1 || !slices.Equal(e.FailedCritical, []string{childAtRisk}) || e.Passed {
			t.Errorf("evaluator result %d: %+v", i, e)
		}
	}
	// The agreed sections are the mean of the evaluators' identical ones.
	for i, s := range doc.Sections {
		if s != c1.Sections[i] {
			t.Errorf("agreed section %+v, want %+v", s, c1.Sections[i])
		}
	}
	if len(r.w.renewals) != 1 || !r.w.renewals[0].Exit {
		t.Errorf("renewals %+v, want the exit applied", r.w.renewals)
	}
	if len(r.rec.items) != 0 {
		t.Errorf("an exiting operator was given rectification items: %+v", r.rec.items)
	}
}

func TestOneEvaluatorFailingACriticalIndicatorGoesToArbitrationThatConfirmsIt(t *testing.T) {
	// Under annual-2026.2 (majority_or_arbitration) one evaluator fails
	// the child at risk indicator and the other does not; their totals
	// agree, but the split on a critical indicator goes to the county's
	// arbitration. It may confirm only the disputed indicators; confirming
	// it, at a total of 85, fails the station.
	rb := annualRubricOf(t, "annual-2026.2")
	f1, _ := findingsForm(t, rb, 0.9, map[string]float64{childAtRisk: 0})
	f2, _ := findingsForm(t, rb, 0.9, nil)
	r := newAnnualRun(t, "annual-2026.2", f1, f2)
	wrong := r.complete("arbitration beyond the choices", at(2026, 11, 10, 10, 0), flow.KindArbitration, "", countyOffice,
		json.RawMessage(`{"total":85,"reason":"the township's register shows no report","confirmed_failures":["governance.funds"]}`))
	delete(r.done, "arbitration beyond the choices"+at(2026, 11, 10, 10, 0).String())
	r.complete("arbitration", at(2026, 11, 10, 11, 0), flow.KindArbitration, "", countyOffice,
		json.RawMessage(`{"total":85,"reason":"the township's register shows no report","confirmed_failures":["`+childAtRisk+`"]}`))
	r.complete("decision", at(2026, 11, 12, 10, 0), flow.KindRenewalDecision, "-1", countyOffice, json.RawMessage(`{"decision":"exit"}`))
	out, doc := r.finish(t)
	checkUpdates(t, r.done)

	var appErr *temporal.ApplicationError
	var fields forms.Errors
	if !errors.As(wrong.err, &appErr) || appErr.Details(&fields) != nil || len(fields) != 1 || fields[0].Field != "confirmed_failures[0]" {
		t.Errorf("confirming an indicator not put to the arbitration: %v %+v", wrong.err, fields)
	}
	if arb := r.rec.lastTask(flow.KindArbitration); arb.Kind != flow.KindArbitration {
		t.Errorf("no arbitration task opened")
	}
	if u, _ := r.w.projected("arbitration"); u.State != flow.EvalArbitration {
		t.Errorf("arbitration projected as %+v", u)
	}
	if out.Total != 85 {
		t.Errorf("total %g, want the arbitration's 85", out.Total)
	}
	checkFailedCritically(t, out, doc)
	if doc.Method != "arbitration" || !slices.Equal(doc.ConfirmedFailures, []string{childAtRisk}) {
		t.Errorf("scorecard method %s, confirmed %v", doc.Method, doc.ConfirmedFailures)
	}
}

func TestUnderTheMajorityRuleOneEvaluatorsCriticalFailureDoesNotFailTheStation(t *testing.T) {
	// The same forms under annual-2026.1 (majority): one of two is no
	// majority and the rubric puts nothing to arbitration, so the totals'
	// agreement stands: good, renewal proposed.
	rb := annualRubricOf(t, "annual-2026.1")
	f1, _ := findingsForm(t, rb, 0.9, map[string]float64{childAtRisk: 0})
	f2, _ := findingsForm(t, rb, 0.9, nil)
	r := newAnnualRun(t, "annual-2026.1", f1, f2)
	r.complete("decision", at(2026, 11, 12, 10, 0), flow.KindRenewalDecision, "-1", countyOffice, json.RawMessage(`{"decision":"renew"}`))
	out, doc := r.finish(t)
	checkUpdates(t, r.done)
	if out.Grade != grading.Good || out.Proposal != grading.Renew || !doc.Passed || len(doc.FailedIndicators) != 0 {
		t.Errorf("outcome %+v, scorecard failed %v: want good and renewal", out, doc.FailedIndicators)
	}
	if len(doc.EvaluatorResults) != 2 || len(doc.EvaluatorResults[0].FailedCritical) != 1 || len(doc.EvaluatorResults[1].FailedCritical) != 0 {
		t.Errorf("evaluator results %+v: want the first evaluator's failure kept", doc.EvaluatorResults)
	}
	for _, p := range r.rec.tasks {
		if p.Kind == flow.KindArbitration {
			t.Errorf("an arbitration task was opened")
		}
	}
}

func TestAnnualFindingsOpenRectificationItemsThatAConditionalRenewalTracks(t *testing.T) {
	// Both evaluators fail the records indicator (not critical) and score
	// the rest at 90%: good, and with the failure a conditional renewal
	// is proposed. On Thu 12 Nov the county renews on the condition, due
	// 3 working days after the appeal window (13, 16, 17, 18, 19 Nov,
	// closing Thu 19 Nov 18:00): 20, 23, 24 Nov. The evaluation opens the
	// item, verified by the county office, and the conditions track it:
	// still open on Tue 24 Nov, the county is asked again, with exit
	// proposed, and on Wed 25 Nov waives the condition. The organisation
	// responds on Mon 30 Nov and the county verifies on Tue 1 Dec.
	rb := annualRubricOf(t, "annual-2026.1")
	const records = "governance.records"
	f1, _ := findingsForm(t, rb, 0.9, map[string]float64{records: 2})
	f2, _ := findingsForm(t, rb, 0.9, map[string]float64{records: 3})
	r := newAnnualRun(t, "annual-2026.1", f1, f2)
	r.w.open = func(q flow.OpenItemsRequest) flow.OpenItems {
		if q.Only != nil {
			return flow.OpenItems{IDs: q.Only}
		}
		return flow.OpenItems{IDs: []uuid.UUID{}}
	}
	r.complete("decision", at(2026, 11, 12, 10, 0), flow.KindRenewalDecision, "-1", countyOffice,
		json.RawMessage(`{"decision":"conditional_renew","reason":"the records must be put in order","conditions_due_workdays":3}`))
	r.complete("second decision", at(2026, 11, 25, 10, 0), flow.KindRenewalDecision, "-2", countyOffice,
		json.RawMessage(`{"decision":"renew","reason":"the records are nearly in order"}`))
	r.completePeriod("response", at(2026, 11, 30, 10, 0), flow.KindRectification, "2026-"+records+"-respond-r1", orgCaller,
		json.RawMessage(`{"response":"the year's case files are indexed and filed","evidence_ids":[]}`))
	r.completePeriod("verification", at(2026, 12, 1, 10, 0), flow.KindRectificationCheck, "2026-"+records+"-verify-r1", countyOffice,
		json.RawMessage(`{"accepted":true,"comment":"checked in the county's register"}`))
	out, doc := r.finish(t)
	checkUpdates(t, r.done)

	if out.Grade != grading.Good || out.Proposal != grading.ConditionalRenew || out.FinalDecision != grading.Renew {
		t.Errorf("outcome %+v, want good, conditional renewal proposed", out)
	}
	if len(doc.FailedIndicators) != 1 || doc.FailedIndicators[0].ID != records || doc.FailedIndicators[0].Points != 2.5 {
		t.Fatalf("agreed failures %+v, want %s at the mean 2.5", doc.FailedIndicators, records)
	}
	item := derivedID("rectification/%s/%s", r.rec.scorecards[0].ScorecardID, records)
	if len(r.rec.items) == 0 {
		t.Fatal("no rectification item opened")
	}
	it := r.rec.items[0].Item
	if it.ID != item || it.Indicator != records || it.Period != "2026" || it.VerifierKind != flow.AssignOffice || it.VerifierID != "510108" ||
		it.ScorecardID != r.rec.scorecards[0].ScorecardID || it.State != flow.RectificationOpen {
		t.Errorf("rectification item %+v", it)
	}
	if len(r.w.openAsked) != 2 || !slices.Equal(r.w.openAsked[1].Only, []uuid.UUID{item}) {
		t.Errorf("open items asked %+v, want the conditions to track item %s", r.w.openAsked, item)
	}
	if u, _ := r.w.projected("conditions_missed"); u.State != flow.EvalDecision {
		t.Errorf("the missed condition was not put to the county again")
	}
	if d := r.rec.lastTask(flow.KindRenewalDecision); d.SubjectID != evalCycleID {
		t.Errorf("second decision task %+v", d)
	}
	if last := r.rec.items[len(r.rec.items)-1].Item; last.ID != item || last.State != flow.RectificationVerified {
		t.Errorf("the item ended as %+v, want verified", last)
	}
}
