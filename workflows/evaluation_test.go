package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// The cycle, the contract and the open rectification item of the station
// evaluated: township station 510108001, whose county office is 510108
// and city office 5101.
var (
	evalCycleID  = uuid.MustParse("c7c10000-0000-4000-8000-000000002026")
	evalContract = uuid.MustParse("c0000000-0000-4000-8000-000000000001")
	openItemID   = uuid.MustParse("1d000000-0000-4000-8000-000000000001")
	evaluator1   = uuid.MustParse("5b0f0000-0000-4000-8000-0000000000f1")
	evaluator2   = uuid.MustParse("5b0f0000-0000-4000-8000-0000000000f2")
)

var (
	orgCaller  = flow.Caller{Role: "org", Scope: orgA.String(), TokenID: "t-org"}
	cityOffice = flow.Caller{Role: "office", Scope: "5101", TokenID: "t-city"}
)

// annualRubric is the committed annual rubric the cycle scores against.
func annualRubric(t *testing.T) *rubric.Rubric {
	t.Helper()
	return annualRubricOf(t, "annual-2026.1")
}

// annualRubricOf is a committed annual rubric.
func annualRubricOf(t *testing.T, version string) *rubric.Rubric {
	t.Helper()
	set, err := rubric.Load(os.DirFS("../schemas"), "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := set.Get(version)
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

// annualForm gives every indicator the share of its max points, in half
// points, each with a comment; it returns the form and the total the
// rubric computes for it.
func annualForm(t *testing.T, rb *rubric.Rubric, share float64) (rubric.Form, float64) {
	t.Helper()
	var f rubric.Form
	for _, s := range rb.Sections {
		for _, ind := range s.Indicators {
			points := math.Round(float64(ind.MaxPoints)*share*2) / 2
			f.Scores = append(f.Scores, rubric.Score{Indicator: ind.ID, Points: &points,
				Comment: "checked against the station's case files"})
		}
	}
	f.Summary = "the year's work read against the contract's targets"
	card, errs := rb.Score(f)
	if len(errs) > 0 {
		t.Fatalf("the test's own form breaks the rubric: %v", errs)
	}
	return f, card.Total
}

func evaluationForm(t *testing.T, rb *rubric.Rubric, share float64) (json.RawMessage, float64) {
	t.Helper()
	f, total := annualForm(t, rb, share)
	return mustJSON(t, f), total
}

func selfAssessmentForm(t *testing.T, rb *rubric.Rubric, share, fundingUsed float64) (json.RawMessage, float64) {
	t.Helper()
	f, total := annualForm(t, rb, share)
	return mustJSON(t, grading.SelfAssessment{Form: f, FundingUsedYuan: &fundingUsed}), total
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// evaluationStart is township station 510108001's place in the county's
// 2026 cycle: self-assessment due Friday 13 November, evaluations due
// Friday 27 November, two evaluators who must lie within 10 points of each
// other (a third one when they do not), five working days to appeal.
func evaluationStart() flow.EvaluationStart {
	st := township()
	return flow.EvaluationStart{CycleID: evalCycleID, CycleWorkflowID: flow.CycleWorkflowID(evalCycleID.String()),
		Settings: store.CycleSettings{RegionCode: "510108", Year: 2026, RubricVersion: "annual-2026.1", Bands: grading.DefaultBands(),
			SelfAssessmentDue: at(2026, 11, 13, 18, 0), EvaluationDue: at(2026, 11, 27, 18, 0), EvaluatorsPerStation: 2,
			DisagreementThreshold: 10, OnDisagreement: "third_evaluator", AppealWorkdays: 5, MinTermDays: 180}.Flow(),
		StationID: st.StationID, Level: st.Level, RegionCode: st.RegionCode, OrganisationID: orgA, ContractID: evalContract}
}

// evalWorld stands in for the cycle's activities: it answers from the
// test's settings and keeps what the evaluation asked for.
type evalWorld struct {
	mu sync.Mutex
	// Answers, set by the test before the run.
	assign     func(flow.EvaluatorRequest) (uuid.UUID, error)
	open       func(flow.OpenItemsRequest) flow.OpenItems
	applyFails int // renewal attempts that fail before one lands
	// What the evaluation asked for.
	projections []flow.EvaluationProjection
	assigned    []flow.EvaluatorRequest
	filed       []flow.FiledEvaluation
	openAsked   []flow.OpenItemsRequest
	terms       []uuid.UUID
	renewals    []flow.Renewal
	renewedAt   []time.Time
	attempts    int
}

func (w *evalWorld) states() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, p := range w.projections {
		out = append(out, p.Update.State+"/"+p.Update.Event)
	}
	return out
}

func (w *evalWorld) last() flow.EvaluationUpdate {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.projections) == 0 {
		return flow.EvaluationUpdate{}
	}
	return w.projections[len(w.projections)-1].Update
}

// projected is the first projection with the event.
func (w *evalWorld) projected(event string) (flow.EvaluationUpdate, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.projections {
		if p.Update.Event == event {
			return p.Update, true
		}
	}
	return flow.EvaluationUpdate{}, false
}

// The contract the station runs under: 3 March 2026 to 2 March 2027.
var (
	termStart = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	termEnd   = time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)
)

// newEvaluationEnv is newEnv with the evaluation workflow registered and
// the cycle's activities answered by an evalWorld. By default the two
// evaluators are the persons evaluator1 and evaluator2, nobody is free for
// a third slot, and the station has no open rectification items.
func newEvaluationEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *recorder, *evalWorld) {
	t.Helper()
	env, rec := newEnv(t, start)
	env.RegisterWorkflow(EvaluationWorkflow)
	w := &evalWorld{
		assign: func(r flow.EvaluatorRequest) (uuid.UUID, error) {
			return map[int]uuid.UUID{1: evaluator1, 2: evaluator2}[r.Slot], nil
		},
		open: func(flow.OpenItemsRequest) flow.OpenItems { return flow.OpenItems{IDs: []uuid.UUID{}} },
	}
	set, err := rubric.Load(os.DirFS("../schemas"), "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	// AnnualRubric runs as a local activity; newEnv's Activities hold no
	// rubrics, so it is answered here from the committed ones.
	env.OnActivity(a.AnnualRubric, mock.Anything, mock.Anything).Return(func(_ context.Context, version string) (json.RawMessage, error) {
		rb, ok := set[version]
		if !ok || rb.Kind != rubric.KindAnnual {
			return nil, temporal.NewNonRetryableApplicationError("no rubric "+version, activities.ErrTypeInvalid, nil)
		}
		return rubricDoc(t, rb), nil
	})
	env.OnActivity(a.ProjectEvaluation, mock.Anything, mock.Anything).Return(func(_ context.Context, p flow.EvaluationProjection) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.projections = append(w.projections, p)
		return nil
	})
	env.OnActivity(a.AssignEvaluator, mock.Anything, mock.Anything).Return(func(_ context.Context, r flow.EvaluatorRequest) (uuid.UUID, error) {
		w.mu.Lock()
		w.assigned = append(w.assigned, r)
		w.mu.Unlock()
		return w.assign(r)
	})
	env.OnActivity(a.RecordEvaluation, mock.Anything, mock.Anything).Return(func(_ context.Context, f flow.FiledEvaluation) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.filed = append(w.filed, f)
		return nil
	})
	env.OnActivity(a.OpenRectifications, mock.Anything, mock.Anything).Return(func(_ context.Context, r flow.OpenItemsRequest) (flow.OpenItems, error) {
		w.mu.Lock()
		w.openAsked = append(w.openAsked, r)
		w.mu.Unlock()
		return w.open(r), nil
	})
	env.OnActivity(a.ContractTerm, mock.Anything, mock.Anything).Return(func(_ context.Context, id uuid.UUID) (flow.ContractTerm, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.terms = append(w.terms, id)
		return flow.ContractTerm{ID: id, TermStart: termStart, TermEnd: termEnd}, nil
	})
	env.OnActivity(a.ApplyRenewal, mock.Anything, mock.Anything).Return(func(_ context.Context, r flow.Renewal) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.attempts++
		if w.attempts <= w.applyFails {
			return errors.New("the station's workflow did not answer in time")
		}
		w.renewals = append(w.renewals, r)
		w.renewedAt = append(w.renewedAt, env.Now())
		return nil
	})
	return env, rec, w
}

// rejectedAs says whether an update was refused with the error type.
func rejectedAs(o updateOutcome, kind string) bool {
	var appErr *temporal.ApplicationError
	return o.done && errors.As(o.err, &appErr) && appErr.Type() == kind
}

func checkUpdates(t *testing.T, updates map[string]*updateOutcome) {
	t.Helper()
	for name, u := range updates {
		if !u.done || u.err != nil {
			t.Errorf("%s: done=%v err=%v", name, u.done, u.err)
		}
	}
}

func TestEvaluatorsWhoDisagreeAreArbitratedAndAnAppealedConditionalRenewalMissingItsConditionsEndsInExit(t *testing.T) {
	// The cycle opens Monday 2 November 2026, 09:00; November has no
	// holidays, so the working days are the weekdays.
	//   Wed 4 Nov   the organisation files its self-assessment.
	//   Mon 9 Nov   the two evaluators file, about 30 points apart: more than
	//               the threshold of 10. Nobody is free for a third slot, so
	//               the county office 510108 arbitrates.
	//   Wed 11 Nov  the county sets the total at 72 (pass); one open,
	//               non-critical item proposes a conditional renewal.
	//   Thu 12 Nov  the county renews on the condition that the item is
	//               closed in 3 working days. The appeal window is 5 working
	//               days: 13, 16, 17, 18, 19 Nov; it closes Thu 19 Nov 18:00.
	//   Mon 16 Nov  the organisation appeals; the city office 5101 reviews.
	//   Wed 18 Nov  the city upholds. The renewal is applied, and the
	//               conditions run 3 working days: 19, 20, 23 Nov, to Mon 23
	//               Nov 18:00.
	//   Mon 23 Nov  the item is still open: a second decision, proposing exit.
	//   Tue 24 Nov  the county decides exit; the renewed contract ends.
	start := at(2026, 11, 2, 9, 0)
	env, rec, w := newEvaluationEnv(t, start)
	w.open = func(r flow.OpenItemsRequest) flow.OpenItems {
		return flow.OpenItems{IDs: []uuid.UUID{openItemID}}
	}
	rb := annualRubric(t)
	in := evaluationStart()
	st := in.StationID
	selfForm, selfTotal := selfAssessmentForm(t, rb, 0.9, 285000)
	highForm, high := evaluationForm(t, rb, 0.85)
	lowForm, low := evaluationForm(t, rb, 0.55)
	if high-low <= in.Settings.DisagreementThreshold {
		t.Fatalf("the evaluators' totals %g and %g must lie more than %g apart", high, low, in.Settings.DisagreementThreshold)
	}

	var self, eval1, eval2, arbitrate, decide1, appeal, review, decide2 updateOutcome
	completeChildAt(env, at(2026, 11, 4, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindSelfAssessment, evalCycleID.String()),
		flow.CompleteRequest{Caller: orgCaller, Form: selfForm}, &self)
	completeChildAt(env, at(2026, 11, 9, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-1"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator1.String(), TokenID: "t-e1"}, Form: highForm}, &eval1)
	completeChildAt(env, at(2026, 11, 9, 11, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-2"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator2.String(), TokenID: "t-e2"}, Form: lowForm}, &eval2)
	completeChildAt(env, at(2026, 11, 11, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindArbitration, evalCycleID.String()),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"total":72,"reason":"the casework files support the lower scores in part"}`)}, &arbitrate)
	completeChildAt(env, at(2026, 11, 12, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindRenewalDecision, evalCycleID.String()+"-1"),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"conditional_renew","reason":"the open item is minor","conditions_due_workdays":3}`)}, &decide1)
	var status flow.EvaluationStatus
	var statusErr error
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(flow.EvaluationQuery)
		if err == nil {
			err = v.Get(&status)
		}
		statusErr = err
	}, at(2026, 11, 16, 9, 0).Sub(start))
	updateAt(env, at(2026, 11, 16, 10, 0).Sub(start), flow.AppealUpdate,
		flow.AppealRequest{Caller: orgCaller, Reason: "the open item was closed before the evaluation began"}, &appeal)
	completeChildAt(env, at(2026, 11, 18, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAppealReview, evalCycleID.String()),
		flow.CompleteRequest{Caller: cityOffice, Form: json.RawMessage(`{"outcome":"uphold","reason":"the item is still open in the register"}`)}, &review)
	completeChildAt(env, at(2026, 11, 24, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindRenewalDecision, evalCycleID.String()+"-2"),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"exit","reason":"the condition of the renewal was not met"}`)}, &decide2)

	env.ExecuteWorkflow(EvaluationWorkflow, in)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	checkUpdates(t, map[string]*updateOutcome{"self-assessment": &self, "evaluator 1": &eval1, "evaluator 2": &eval2,
		"arbitration": &arbitrate, "decision": &decide1, "appeal": &appeal, "appeal review": &review, "second decision": &decide2})
	var out flow.EvaluationOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	want := flow.EvaluationOutcome{Total: 72, Grade: grading.Pass, Proposal: grading.ConditionalRenew, Decision: grading.ConditionalRenew, FinalDecision: grading.Exit}
	if out != want {
		t.Errorf("outcome %+v, want %+v", out, want)
	}

	// The states the station passed through in the cycle's read model.
	wantStates := []string{"self_assessment/opened", "evaluation/self_assessed", "arbitration/arbitration", "decision/graded",
		"appeal/decided", "appeal/appealed", "appeal/appeal_upheld", "conditions/conditions", "decision/conditions_missed",
		"conditions/redecided", "done/finished"}
	if got := w.states(); !equal(got, wantStates) {
		t.Errorf("projected %v,\nwant %v", got, wantStates)
	}
	for i, p := range w.projections {
		if p.Update.Version != int64(i+1) || p.CycleWorkflowID != flow.CycleWorkflowID(evalCycleID.String()) || p.Update.Actor != "system" {
			t.Errorf("projection %d: version %d, cycle %q, actor %q", i, p.Update.Version, p.CycleWorkflowID, p.Update.Actor)
		}
	}
	if u, _ := w.projected("self_assessed"); u.SelfAssessment == nil || *u.SelfAssessment != selfTotal ||
		u.FundingUsedYuan == nil || *u.FundingUsedYuan != 285000 {
		t.Errorf("self-assessment projected as %+v, want total %g and 285000 yuan used", u, selfTotal)
	}
	if u, _ := w.projected("graded"); u.Total == nil || *u.Total != 72 || !u.Arbitrated || u.Proposal == nil || *u.Proposal != grading.ConditionalRenew {
		t.Errorf("grading projected as %+v", u)
	}
	appealUntil := at(2026, 11, 19, 18, 0)
	if u, _ := w.projected("decided"); u.AppealUntil == nil || !u.AppealUntil.Equal(appealUntil) {
		t.Errorf("decision projected as %+v, want the appeal window to close Thu 19 Nov 18:00", u)
	}
	if u, _ := w.projected("conditions"); u.ConditionsDue == nil || !u.ConditionsDue.Equal(at(2026, 11, 23, 18, 0)) {
		t.Errorf("conditions projected as %+v, want them due Mon 23 Nov 18:00", u)
	}
	if statusErr != nil || status.State != store.EvalAppeal || !status.AppealUntil.Equal(appealUntil) || status.Decision != grading.ConditionalRenew {
		t.Errorf("status during the appeal window %+v (%v)", status, statusErr)
	}

	// Evaluators: slots 1 and 2 side by side, then a third slot nobody
	// took; only the two filed totals are recorded.
	if len(w.assigned) != 3 || w.assigned[2].Slot != 3 {
		t.Errorf("evaluator requests %+v, want slots 1, 2 and a third", w.assigned)
	}
	if len(w.filed) != 2 {
		t.Fatalf("filed %+v, want the two evaluators' totals", w.filed)
	}
	filed := map[int]float64{w.filed[0].Slot: w.filed[0].Total, w.filed[1].Slot: w.filed[1].Total}
	if filed[1] != high || filed[2] != low {
		t.Errorf("recorded totals %v, want slot 1 %g and slot 2 %g", filed, high, low)
	}
	for _, p := range rec.tasks {
		if p.Kind == flow.KindAnnualEvaluation && p.AssigneeKind != flow.AssignPerson {
			t.Errorf("an evaluation task addressed to %s:%s; the third slot must open no task", p.AssigneeKind, p.AssigneeID)
		}
	}

	// The annual scorecard.
	if len(rec.scorecards) != 1 {
		t.Fatalf("%d scorecards issued, want 1", len(rec.scorecards))
	}
	doc := rec.scorecards[0].Document
	if doc.Kind != rubric.KindAnnual || doc.Period != "2026" || doc.Total != 72 || doc.Grade != grading.Pass || doc.GradeLabel != "合格" ||
		doc.Method != "arbitration" || !doc.Passed || doc.RubricVersion != "annual-2026.1" || doc.StationID != st || doc.OrganisationID != orgA {
		t.Errorf("scorecard %+v", doc)
	}
	if len(doc.Evaluations) != 2 || doc.Evaluations[0] != high || doc.Evaluations[1] != low {
		t.Errorf("scorecard evaluations %v, want [%g %g]", doc.Evaluations, high, low)
	}

	// The open items: all of the station's at grading, then only those the
	// renewal was conditional on.
	if len(w.openAsked) != 2 || w.openAsked[0].Only != nil || len(w.openAsked[1].Only) != 1 || w.openAsked[1].Only[0] != openItemID {
		t.Errorf("open items asked %+v", w.openAsked)
	}

	// The appeal went one office up.
	accepted, ok := appeal.result.(flow.AppealAccepted)
	if !ok || accepted.Office != "5101" || accepted.ReviewTaskID != derivedID("cycle-task/%s/%s/%s/%d", evalCycleID, st, "appeal", 0) {
		t.Errorf("appeal answered %#v", appeal.result)
	}
	if rv := rec.lastTask(flow.KindAppealReview); rv.AssigneeKind != flow.AssignOffice || rv.AssigneeID != "5101" {
		t.Errorf("appeal review addressed to %s:%s, want office:5101", rv.AssigneeKind, rv.AssigneeID)
	}

	// The renewal, then the exit that ends the renewed contract.
	if len(w.renewals) != 2 {
		t.Fatalf("renewals %+v, want a renewal and an exit", w.renewals)
	}
	renewed := derivedID("contract/%s/renewal/%s", evalContract, evalCycleID)
	r := w.renewals[0]
	if r.Exit || r.OldContractID != evalContract || r.NewContractID != renewed || r.StationWorkflowID != flow.StationWorkflowID(st.String()) ||
		r.Start.Format(time.DateOnly) != "2027-03-03" || r.End.Format(time.DateOnly) != "2028-03-02" ||
		r.UpdateID != "conditional_renew/"+evalCycleID.String()+"/"+st.String() {
		t.Errorf("renewal %+v: want contract %s from 2027-03-03 to 2028-03-02", r, renewed)
	}
	if len(w.terms) != 1 || w.terms[0] != evalContract {
		t.Errorf("contract terms read %v, want the old contract's once", w.terms)
	}
	x := w.renewals[1]
	if !x.Exit || x.OldContractID != renewed || x.NewContractID != uuid.Nil || x.UpdateID != "exit/"+evalCycleID.String()+"/"+st.String() ||
		!strings.Contains(x.Reason, "the condition of the renewal was not met") {
		t.Errorf("exit %+v: want the renewed contract %s ended", x, renewed)
	}
	if !w.renewedAt[1].Equal(at(2026, 11, 24, 10, 0)) {
		t.Errorf("exit applied at %s, want when the county decided", w.renewedAt[1].In(shanghai))
	}
	if d := rec.lastTask(flow.KindRenewalDecision); d.SubjectID != evalCycleID || d.Period != "2026" {
		t.Errorf("second decision task %+v", d)
	}
}

func TestAnAppealAfterTheWindowIsRefusedAndTheDecisionStands(t *testing.T) {
	// Opened Monday 2 November 2026. The evaluators file on Monday 9
	// November, about 94 and 92: they agree, the grade is excellent and,
	// with no open items, renewal is proposed. The county renews on Tuesday
	// 10 November 10:00; the appeal window is 5 working days: 11, 12, 13,
	// 16, 17 Nov, closing Tue 17 Nov 18:00.
	//   Thu 12 Nov     another organisation appeals: refused, forbidden.
	//   Tue 17 18:00   the window closes and the renewal is applied; the
	//                  station's workflow does not answer the first three
	//                  attempts (retried after 1 s, 2 s, 4 s), so the
	//                  evaluation is still running at 18:00:05, when the
	//                  organisation's own appeal arrives: refused, too late.
	start := at(2026, 11, 2, 9, 0)
	env, rec, w := newEvaluationEnv(t, start)
	w.applyFails = 3
	rb := annualRubric(t)
	in := evaluationStart()
	st := in.StationID
	selfForm, _ := selfAssessmentForm(t, rb, 0.95, 300000)
	form1, t1 := evaluationForm(t, rb, 0.95)
	form2, t2 := evaluationForm(t, rb, 0.93)

	var self, eval1, eval2, decide, stranger, late updateOutcome
	completeChildAt(env, at(2026, 11, 4, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindSelfAssessment, evalCycleID.String()),
		flow.CompleteRequest{Caller: orgCaller, Form: selfForm}, &self)
	completeChildAt(env, at(2026, 11, 9, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-1"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator1.String(), TokenID: "t-e1"}, Form: form1}, &eval1)
	completeChildAt(env, at(2026, 11, 9, 11, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-2"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator2.String(), TokenID: "t-e2"}, Form: form2}, &eval2)
	completeChildAt(env, at(2026, 11, 10, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindRenewalDecision, evalCycleID.String()+"-1"),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"renew"}`)}, &decide)
	updateAt(env, at(2026, 11, 12, 10, 0).Sub(start), flow.AppealUpdate,
		flow.AppealRequest{Caller: flow.Caller{Role: "org", Scope: orgB.String(), TokenID: "t-org-b"}, Reason: "we would run this station better"}, &stranger)
	lateAt := at(2026, 11, 17, 18, 0).Add(5 * time.Second)
	updateAt(env, lateAt.Sub(start), flow.AppealUpdate,
		flow.AppealRequest{Caller: orgCaller, Reason: "the grade should have been higher still"}, &late)

	env.ExecuteWorkflow(EvaluationWorkflow, in)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	checkUpdates(t, map[string]*updateOutcome{"self-assessment": &self, "evaluator 1": &eval1, "evaluator 2": &eval2, "decision": &decide})
	if !rejectedAs(stranger, flow.RejectForbidden) {
		t.Errorf("another organisation's appeal inside the window: done=%v err=%v, want refused as forbidden", stranger.done, stranger.err)
	}
	if !rejectedAs(late, flow.RejectWrongState) {
		t.Errorf("the organisation's appeal after the window: done=%v err=%v, want refused for the state", late.done, late.err)
	}
	var out flow.EvaluationOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	mean := math.Round((t1+t2)/2*100) / 100
	want := flow.EvaluationOutcome{Total: mean, Grade: grading.Excellent, Proposal: grading.Renew, Decision: grading.Renew, FinalDecision: grading.Renew}
	if out != want {
		t.Errorf("outcome %+v, want %+v", out, want)
	}
	wantStates := []string{"self_assessment/opened", "evaluation/self_assessed", "decision/graded", "appeal/decided", "done/finished"}
	if got := w.states(); !equal(got, wantStates) {
		t.Errorf("projected %v, want %v", got, wantStates)
	}
	if last := w.last(); last.State != store.EvalDone {
		t.Errorf("final state %q, want done", last.State)
	}
	if len(w.assigned) != 2 {
		t.Errorf("evaluator requests %+v: agreeing evaluators need no third", w.assigned)
	}
	if doc := rec.scorecards[0].Document; doc.Method != "mean_of_agreeing" || doc.Total != mean || doc.Grade != grading.Excellent {
		t.Errorf("scorecard %+v", doc)
	}
	for _, p := range rec.tasks {
		if p.Kind == flow.KindAppealReview || p.Kind == flow.KindArbitration {
			t.Errorf("a %s task was opened", p.Kind)
		}
	}
	if len(w.renewals) != 1 || w.renewals[0].Exit || w.renewals[0].OldContractID != evalContract ||
		w.renewals[0].NewContractID != derivedID("contract/%s/renewal/%s", evalContract, evalCycleID) {
		t.Fatalf("renewals %+v, want the renewal applied once", w.renewals)
	}
	if w.attempts != 4 || !w.renewedAt[0].After(lateAt) {
		t.Errorf("renewal landed at %s after %d attempts; the late appeal must find the evaluation still running",
			w.renewedAt[0].In(shanghai), w.attempts)
	}
}

func TestADecisionDepartingFromTheProposalNeedsAReason(t *testing.T) {
	// Opened Monday 2 November 2026; the evaluators agree on about 85
	// (good) and no item is open, so renewal is proposed. On Tuesday 10
	// November the county decides exit without a reason: refused. An hour
	// later it gives one. Nobody appeals in the 5 working days to Tue 17
	// Nov 18:00, and the contract ends.
	start := at(2026, 11, 2, 9, 0)
	env, _, w := newEvaluationEnv(t, start)
	rb := annualRubric(t)
	in := evaluationStart()
	st := in.StationID
	selfForm, _ := selfAssessmentForm(t, rb, 0.9, 250000)
	form1, _ := evaluationForm(t, rb, 0.86)
	form2, _ := evaluationForm(t, rb, 0.84)
	decision := flow.TaskWorkflowID(st.String(), flow.KindRenewalDecision, evalCycleID.String()+"-1")

	var self, eval1, eval2, bare, reasoned updateOutcome
	completeChildAt(env, at(2026, 11, 4, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindSelfAssessment, evalCycleID.String()),
		flow.CompleteRequest{Caller: orgCaller, Form: selfForm}, &self)
	completeChildAt(env, at(2026, 11, 9, 10, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-1"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator1.String(), TokenID: "t-e1"}, Form: form1}, &eval1)
	completeChildAt(env, at(2026, 11, 9, 11, 0).Sub(start), flow.TaskWorkflowID(st.String(), flow.KindAnnualEvaluation, evalCycleID.String()+"-2"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "supervisor", Scope: evaluator2.String(), TokenID: "t-e2"}, Form: form2}, &eval2)
	completeChildAt(env, at(2026, 11, 10, 10, 0).Sub(start), decision,
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"exit"}`)}, &bare)
	completeChildAt(env, at(2026, 11, 10, 11, 0).Sub(start), decision,
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"exit","reason":"the organisation is dissolving at year end"}`)}, &reasoned)

	env.ExecuteWorkflow(EvaluationWorkflow, in)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	checkUpdates(t, map[string]*updateOutcome{"self-assessment": &self, "evaluator 1": &eval1, "evaluator 2": &eval2, "reasoned decision": &reasoned})
	var appErr *temporal.ApplicationError
	if !errors.As(bare.err, &appErr) || appErr.Type() != flow.RejectInvalid {
		t.Fatalf("a departing decision without a reason: done=%v err=%v, want refused as invalid", bare.done, bare.err)
	}
	var fields forms.Errors
	if err := appErr.Details(&fields); err != nil || len(fields) != 1 || fields[0].Field != "reason" {
		t.Errorf("field errors %+v (%v), want one on reason", fields, err)
	}
	var out flow.EvaluationOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if out.Grade != grading.Good || out.Proposal != grading.Renew || out.Decision != grading.Exit || out.FinalDecision != grading.Exit {
		t.Errorf("outcome %+v, want good, renewal proposed, exit decided", out)
	}
	if u, _ := w.projected("decided"); u.DecisionReason == nil || *u.DecisionReason != "the organisation is dissolving at year end" {
		t.Errorf("decision projected as %+v, want the reason given", u)
	}
	if len(w.renewals) != 1 || !w.renewals[0].Exit || w.renewals[0].OldContractID != evalContract || len(w.terms) != 0 {
		t.Fatalf("renewals %+v, terms read %v: want the contract ended, no new term looked up", w.renewals, w.terms)
	}
	if !w.renewedAt[0].Equal(at(2026, 11, 17, 18, 0)) {
		t.Errorf("exit applied at %s, want when the appeal window closed, Tue 17 Nov 18:00", w.renewedAt[0].In(shanghai))
	}
}

func TestAFailedProjectionRecordsTheStationAsFailed(t *testing.T) {
	// The self-assessment is filed on Wednesday 4 November; then no
	// evaluator can be assigned, for good: the station is recorded failed,
	// with why, so the cycle's progress lists it, and the evaluation ends.
	start := at(2026, 11, 2, 9, 0)
	env, _, w := newEvaluationEnv(t, start)
	w.assign = func(flow.EvaluatorRequest) (uuid.UUID, error) {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("county 510108 has no evaluator pool", activities.ErrTypeNotFound, nil)
	}
	in := evaluationStart()
	selfForm, _ := selfAssessmentForm(t, annualRubric(t), 0.9, 250000)
	var self updateOutcome
	completeChildAt(env, at(2026, 11, 4, 10, 0).Sub(start), flow.TaskWorkflowID(in.StationID.String(), flow.KindSelfAssessment, evalCycleID.String()),
		flow.CompleteRequest{Caller: orgCaller, Form: selfForm}, &self)

	env.ExecuteWorkflow(EvaluationWorkflow, in)

	if !env.IsWorkflowCompleted() {
		t.Fatal("the evaluation did not end")
	}
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "no evaluator pool") {
		t.Fatalf("workflow error %v, want the assignment's failure", err)
	}
	last := w.last()
	if last.State != store.EvalFailed || last.Event != "failed" || !strings.Contains(last.Failure, "no evaluator pool") ||
		last.Failure != last.Reason {
		t.Errorf("last projection %+v, want state failed with the failure", last)
	}
	wantStates := []string{"self_assessment/opened", "evaluation/self_assessed", "failed/failed"}
	if got := w.states(); !equal(got, wantStates) {
		t.Errorf("projected %v, want %v", got, wantStates)
	}
}
