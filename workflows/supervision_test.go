package workflows

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
)

var supervisorID = uuid.MustParse("5b0f0000-0000-4000-8000-0000000000e1")

var supervisor = flow.Caller{Role: "supervisor", Scope: supervisorID.String(), TokenID: "t-sup"}

// supervisionRubric is the committed supervision rubric.
func supervisionRubric(t *testing.T) *rubric.Rubric {
	t.Helper()
	set, err := rubric.Load(os.DirFS("../schemas"), "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := set.Latest(rubric.KindSupervision)
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

// scoredForm gives every indicator full marks except the first critical
// one, which scores zero with a comment.
func scoredForm(t *testing.T, rb *rubric.Rubric) (json.RawMessage, rubric.Indicator) {
	t.Helper()
	var failed rubric.Indicator
	var f rubric.Form
	for _, s := range rb.Sections {
		for _, ind := range s.Indicators {
			points := float64(ind.MaxPoints)
			sc := rubric.Score{Indicator: ind.ID, Points: &points}
			if ind.Critical && failed.ID == "" {
				zero := 0.0
				sc.Points, sc.Comment, failed = &zero, "no qualified full-time worker on the roster", ind
			}
			f.Scores = append(f.Scores, sc)
		}
	}
	if failed.ID == "" {
		t.Fatal("the supervision rubric has no critical indicator")
	}
	f.Summary = "a good quarter but the staffing rule is broken"
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return raw, failed
}

func supervisionInput(quarterEnd time.Time) flow.SupervisionInput {
	return flow.SupervisionInput{Station: flow.StationRef{StationID: township().StationID, Level: "township_station", RegionCode: "510108001"},
		OrganisationID: orgA, ContractID: uuid.MustParse("c0000000-0000-4000-8000-000000000001"), Period: "2026Q3", QuarterEnd: quarterEnd}
}

func TestAFiledFormIssuesItsScorecardAndAFailedCriticalIndicatorIsRectifiedOverTwoRounds(t *testing.T) {
	// The third quarter ends at midnight on 1 October 2026, the first day of
	// the National Day holiday; the form is due ten working days later:
	// 8, 9, 10 (the make-up Saturday), 12–16, 19 and 20 October. The
	// supervisor files on 8 October.
	quarterEnd := at(2026, 10, 1, 0, 0)
	env, rec := newEnv(t, quarterEnd)
	in := supervisionInput(quarterEnd)
	rb := supervisionRubric(t)
	form, failed := scoredForm(t, rb)
	var filed, answered, refused, answeredAgain, accepted updateOutcome
	taskWID := flow.TaskWorkflowID(in.Station.StationID.String(), flow.KindSupervision, "2026Q3")
	completeChildAt(env, 7*24*time.Hour, taskWID, flow.CompleteRequest{Caller: supervisor, Form: form}, &filed)
	respond := func(round string) string {
		return flow.TaskWorkflowID(in.Station.StationID.String(), flow.KindRectification, "2026Q3-"+failed.ID+"-respond-"+round)
	}
	verify := func(round string) string {
		return flow.TaskWorkflowID(in.Station.StationID.String(), flow.KindRectificationCheck, "2026Q3-"+failed.ID+"-verify-"+round)
	}
	org := flow.Caller{Role: "org", Scope: orgA.String(), TokenID: "t-org"}
	completeChildAt(env, 10*24*time.Hour, respond("r1"), flow.CompleteRequest{Caller: org,
		Form: json.RawMessage(`{"response":"hired a qualified worker in January","evidence_ids":[]}`)}, &answered)
	completeChildAt(env, 12*24*time.Hour, verify("r1"), flow.CompleteRequest{Caller: supervisor,
		Form: json.RawMessage(`{"accepted":false,"comment":"the contract of employment is missing"}`)}, &refused)
	completeChildAt(env, 14*24*time.Hour, respond("r2"), flow.CompleteRequest{Caller: org,
		Form: json.RawMessage(`{"response":"the signed employment contract is attached"}`)}, &answeredAgain)
	completeChildAt(env, 15*24*time.Hour, verify("r2"), flow.CompleteRequest{Caller: supervisor,
		Form: json.RawMessage(`{"accepted":true,"comment":"checked"}`)}, &accepted)

	env.ExecuteWorkflow(SupervisionWorkflow, in)

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	for name, u := range map[string]updateOutcome{"file": filed, "answer": answered, "refuse": refused, "answer again": answeredAgain, "accept": accepted} {
		if !u.done || u.err != nil {
			t.Fatalf("%s: done=%v err=%v", name, u.done, u.err)
		}
	}
	var out flow.SupervisionOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if out.Passed || out.Missed || len(out.Rectifications) != 1 {
		t.Fatalf("outcome %+v: a failed critical indicator fails the quarter and opens one item", out)
	}
	if len(rec.opened) != 1 || rec.opened[0].OfficeRegion != "510108" || rec.opened[0].Period != "2026Q3" {
		t.Fatalf("opened %+v, want one opening in county 510108", rec.opened)
	}
	sup := rec.lastTask(flow.KindSupervision)
	if sup.AssigneeKind != flow.AssignPerson || sup.AssigneeID != supervisorID.String() {
		t.Errorf("supervision task addressed to %s:%s, want the assigned supervisor", sup.AssigneeKind, sup.AssigneeID)
	}
	if !sup.DueAt.Equal(at(2026, 10, 20, 18, 0)) {
		t.Errorf("supervision due %s, want 20 Oct 2026 18:00", sup.DueAt.In(shanghai))
	}
	if len(rec.scorecards) != 1 {
		t.Fatalf("%d scorecards issued, want 1", len(rec.scorecards))
	}
	doc := rec.scorecards[0].Document
	if doc.Passed || doc.Late || len(doc.FailedCritical) != 1 || doc.FailedCritical[0] != failed.ID || doc.Total < rb.PassMark {
		t.Errorf("scorecard %+v: want a total above the pass mark, failed on critical %s, not late", doc.Scorecard, failed.ID)
	}
	if doc.FiledBy != supervisor.Actor() || doc.Period != "2026Q3" || rec.scorecards[0].ScorecardID != out.ScorecardID {
		t.Errorf("scorecard filed by %q for %q", doc.FiledBy, doc.Period)
	}
	var states []string
	for _, p := range rec.items {
		states = append(states, p.Event+":"+p.Item.State)
	}
	want := []string{"opened:open", "responded:responded", "reopened:open", "responded:responded", "verified:verified"}
	if !equal(states, want) {
		t.Fatalf("rectification events %v, want %v", states, want)
	}
	last := rec.items[len(rec.items)-1].Item
	if last.Round != 2 || last.Indicator != failed.ID || last.VerifierID != supervisorID.String() || last.TaskID != uuid.Nil {
		t.Errorf("final item %+v", last)
	}
	for i := 1; i < len(rec.items); i++ {
		if rec.items[i].Item.Version <= rec.items[i-1].Item.Version {
			t.Fatalf("item versions do not increase: %d then %d", rec.items[i-1].Item.Version, rec.items[i].Item.Version)
		}
	}
}

func TestAnUnfiledFormEscalatesToTheCountyAndALateOneIsMarkedLate(t *testing.T) {
	quarterEnd := at(2026, 10, 1, 0, 0)
	env, rec := newEnv(t, quarterEnd)
	in := supervisionInput(quarterEnd)
	rb := supervisionRubric(t)
	var f rubric.Form
	for _, s := range rb.Sections {
		for _, ind := range s.Indicators {
			p := float64(ind.MaxPoints)
			f.Scores = append(f.Scores, rubric.Score{Indicator: ind.ID, Points: &p})
		}
	}
	f.Summary = "filed late"
	form, _ := json.Marshal(f)
	var filed updateOutcome
	completeChildAt(env, 20*24*time.Hour, flow.TaskWorkflowID(in.Station.StationID.String(), flow.KindSupervision, "2026Q3"),
		flow.CompleteRequest{Caller: supervisor, Form: form}, &filed)
	env.ExecuteWorkflow(SupervisionWorkflow, in)
	if env.GetWorkflowError() != nil || filed.err != nil {
		t.Fatalf("workflow %v, update %v", env.GetWorkflowError(), filed.err)
	}
	var escalatedTo []string
	for _, p := range rec.tasks {
		if p.Event == "escalated" {
			escalatedTo = append(escalatedTo, p.EscalatedTo)
		}
	}
	if len(escalatedTo) == 0 || escalatedTo[0] != "510108" {
		t.Fatalf("escalations %v: an overdue supervision form goes first to the county office", escalatedTo)
	}
	if len(rec.scorecards) != 1 || !rec.scorecards[0].Document.Late || !rec.scorecards[0].Document.Passed {
		t.Fatalf("scorecards %+v: want one, late and passed", rec.scorecards)
	}
	if len(rec.items) != 0 {
		t.Errorf("a form with no failed indicator opened %d rectification items", len(rec.items))
	}
}

func TestTheOfficeClosesAMissedQuarterWithAReason(t *testing.T) {
	quarterEnd := at(2026, 10, 1, 0, 0)
	env, rec := newEnv(t, quarterEnd)
	in := supervisionInput(quarterEnd)
	wid := flow.TaskWorkflowID(in.Station.StationID.String(), flow.KindSupervision, "2026Q3")
	var bySupervisor, short, closed updateOutcome
	updateChildAt(env, 30*24*time.Hour, wid, flow.CloseUpdate, flow.CloseRequest{Caller: supervisor, Reason: "cannot do it this quarter"}, &bySupervisor)
	updateChildAt(env, 30*24*time.Hour+time.Minute, wid, flow.CloseUpdate, flow.CloseRequest{Caller: countyOffice, Reason: "closed"}, &short)
	updateChildAt(env, 30*24*time.Hour+2*time.Minute, wid, flow.CloseUpdate, flow.CloseRequest{Caller: countyOffice,
		Reason: "the station was shut for flood repairs all quarter"}, &closed)
	env.ExecuteWorkflow(SupervisionWorkflow, in)
	if env.GetWorkflowError() != nil {
		t.Fatal(env.GetWorkflowError())
	}
	if bySupervisor.err == nil || short.err == nil || closed.err != nil {
		t.Fatalf("supervisor closing: %v; short reason: %v; office closing: %v", bySupervisor.err, short.err, closed.err)
	}
	var out flow.SupervisionOutcome
	if err := env.GetWorkflowResult(&out); err != nil || !out.Missed {
		t.Fatalf("outcome %+v (%v), want missed", out, err)
	}
	if len(rec.missed) != 1 || rec.missed[0].Reason != "the station was shut for flood repairs all quarter" || rec.missed[0].Actor != countyOffice.Actor() {
		t.Fatalf("missed %+v", rec.missed)
	}
	if last := rec.lastTask(flow.KindSupervision); last.Event != "closed" || last.State != flow.TaskCancelled {
		t.Errorf("last task projection %s/%s, want closed/cancelled", last.Event, last.State)
	}
	if len(rec.scorecards) != 0 {
		t.Error("a missed quarter issued a scorecard")
	}
}

func TestAnOperatingStationOpensEachQuarterOfItsTermWhenTheQuarterEnds(t *testing.T) {
	start := at(2026, 10, 12, 9, 0)
	env, _ := newEnv(t, start)
	type opening struct {
		period string
		at     time.Time
		due    time.Time
	}
	var opened []opening
	env.OnWorkflow(SupervisionWorkflow, mock.Anything, mock.Anything).Return(func(_ workflow.Context, in flow.SupervisionInput) (flow.SupervisionOutcome, error) {
		opened = append(opened, opening{in.Period, env.Now(), in.QuarterEnd})
		return flow.SupervisionOutcome{Period: in.Period}, nil
	})
	termStart := time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC)
	termEnd := time.Date(2027, 10, 11, 0, 0, 0, 0, time.UTC)
	env.RegisterDelayedCallback(env.CancelWorkflow, at(2027, 11, 1, 0, 0).Sub(start))
	st := township()
	st.State = flow.StationState{Phase: flow.PhaseOperating, Version: 2, OperatorID: orgA, ContractID: uuid.MustParse("c0000000-0000-4000-8000-000000000001"),
		Term: &flow.Term{Start: termStart, End: termEnd, Anchor: start}}
	env.ExecuteWorkflow(StationWorkflow, st)
	if err := env.GetWorkflowError(); err != nil && !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("station workflow: %v", err)
	}

	want := []opening{
		{"2026Q4", at(2027, 1, 1, 0, 0), at(2027, 1, 1, 0, 0)},
		{"2027Q1", at(2027, 4, 1, 0, 0), at(2027, 4, 1, 0, 0)},
		{"2027Q2", at(2027, 7, 1, 0, 0), at(2027, 7, 1, 0, 0)},
		{"2027Q3", at(2027, 10, 1, 0, 0), at(2027, 10, 1, 0, 0)},
		{"2027Q4", at(2027, 10, 12, 0, 0), at(2027, 10, 12, 0, 0)}, // the term ends on 11 October
	}
	if len(opened) != len(want) {
		t.Fatalf("opened %+v, want %d quarters", opened, len(want))
	}
	for i, w := range want {
		if opened[i].period != w.period || !opened[i].at.Equal(w.at) || !opened[i].due.Equal(w.due) {
			t.Errorf("quarter %d: %s at %s (counted from %s), want %s at %s", i, opened[i].period, opened[i].at.In(shanghai),
				opened[i].due.In(shanghai), w.period, w.at)
		}
	}
}

func TestUnderADemoTimeScaleAQuarterLastsItsScaledWorkingDays(t *testing.T) {
	acts := &activities.Activities{Workday: 2 * time.Second, QuarterWorkdays: 5}
	anchor := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	got, err := acts.SupervisionSchedule(t.Context(), flow.ScheduleRequest{TermStart: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
		TermEnd: time.Date(2027, 11, 28, 0, 0, 0, 0, time.UTC), Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0].Period != "2026Q4" || got[4].Period != "2027Q4" {
		t.Fatalf("schedule %+v", got)
	}
	for i, q := range got {
		if want := anchor.Add(time.Duration(i+1) * 10 * time.Second); !q.OpensAt.Equal(want) {
			t.Errorf("%s opens %s, want %s", q.Period, q.OpensAt, want)
		}
	}
}
