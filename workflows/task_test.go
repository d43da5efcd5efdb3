package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/rubric"
)

// a names the activities' methods for the tests' stand-ins; the workflows
// themselves schedule activities by flow's names.
var a *activities.Activities

var shanghai = time.FixedZone("CST", 8*3600)

func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghai)
}

// recorder keeps what the workflows under test asked the world to do.
type recorder struct {
	mu            sync.Mutex
	tasks         []flow.TaskProjection
	notifications []flow.Notification
	notifiedAt    []time.Time // workflow time of each notification
	stations      []flow.StationProjection
	applications  []flow.ApplicationUpdate
	contracts     []flow.ContractRequest
	amendments    []flow.Amendment
	opened        []flow.SupervisionOpening
	scorecards    []flow.ScorecardIssue
	missed        []flow.MissedSupervision
	items         []flow.RectificationProjection
}

func (r *recorder) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, t := range r.tasks {
		out = append(out, t.Kind+":"+t.Event)
	}
	return out
}

func (r *recorder) lastTask(kind string) flow.TaskProjection {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.tasks) - 1; i >= 0; i-- {
		if r.tasks[i].Kind == kind {
			return r.tasks[i]
		}
	}
	return flow.TaskProjection{}
}

// recordInto is an activity stand-in that appends its input to dst.
func recordInto[T any](rec *recorder, dst *[]T) func(context.Context, T) error {
	return func(_ context.Context, v T) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		*dst = append(*dst, v)
		return nil
	}
}

// newEnv is a time-skipping test environment whose working days come from
// the real calendar files, with every activity that writes to the world
// replaced by a recorder.
func newEnv(t *testing.T, start time.Time) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	cal, err := calendar.Load(os.DirFS("../schemas"), "calendar")
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflow(HumanTaskWorkflow)
	env.RegisterWorkflow(StationWorkflow)
	env.RegisterWorkflow(SupervisionWorkflow)
	env.RegisterWorkflow(RectificationWorkflow)
	env.RegisterActivity(&activities.Activities{Calendar: cal, Policies: map[string]flow.TaskPolicy{
		flow.KindApplicationReview:    {DueWorkdays: 10, RemindWorkdaysBefore: 2, EscalateEveryWorkdays: 5},
		flow.KindApplicationAmendment: {DueWorkdays: 5, RemindWorkdaysBefore: 1, EscalateEveryWorkdays: 5},
	}})
	rec := &recorder{}
	env.OnActivity(a.ProjectTask, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.tasks))
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, n flow.Notification) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.notifications = append(rec.notifications, n)
		rec.notifiedAt = append(rec.notifiedAt, env.Now())
		return nil
	})
	env.OnActivity(a.ProjectStation, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.stations))
	env.OnActivity(a.ProjectApplication, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.applications))
	env.OnActivity(a.StartContract, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.contracts))
	env.OnActivity(a.AmendApplication, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.amendments))
	env.OnActivity(a.OpenSupervision, mock.Anything, mock.Anything).Return(func(_ context.Context, o flow.SupervisionOpening) (flow.SupervisionOpened, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.opened = append(rec.opened, o)
		return flow.SupervisionOpened{SupervisorID: supervisorID, Rubric: rubricDoc(t, supervisionRubric(t))}, nil
	})
	env.OnActivity(a.IssueScorecard, mock.Anything, mock.Anything).Return(func(_ context.Context, r flow.ScorecardIssue) (uuid.UUID, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.scorecards = append(rec.scorecards, r)
		return r.ScorecardID, nil
	})
	env.OnActivity(a.MarkSupervisionMissed, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.missed))
	env.OnActivity(a.ProjectRectification, mock.Anything, mock.Anything).Return(recordInto(rec, &rec.items))
	return env, rec
}

// st1 is the station the tests' tasks belong to.
var st1 = uuid.MustParse("57000000-0000-4000-8000-000000000001")

// rubricDoc is a rubric as it crosses Temporal: its JSON document.
func rubricDoc(t *testing.T, rb *rubric.Rubric) json.RawMessage {
	t.Helper()
	doc, err := json.Marshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var countyOffice = flow.Caller{Role: "office", Scope: "510108", TokenID: "t-county"}

func reviewTask() flow.TaskInput {
	return flow.TaskInput{TaskID: uuid.MustParse("6f1c1f0e-0000-4000-8000-000000000001"), Kind: flow.KindApplicationReview, StationID: st1,
		StationLevel: "township_station", StationRegion: "510108001", SubjectID: uuid.MustParse("6f1c1f0e-0000-4000-8000-0000000000aa"),
		Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: "510108"}}
}

func approve() json.RawMessage { return json.RawMessage(`{"decision":"approve"}`) }

// updateAt sends an update at a moment of workflow time and records the
// outcome for the test to check after the run.
type updateOutcome struct {
	err    error
	result any
	done   bool
}

// updateSeq makes update IDs unique: the test environment, like the
// server, answers a repeated update ID with the first update's result.
var updateSeq atomic.Int64

func updateAt(env *testsuite.TestWorkflowEnvironment, delay time.Duration, name string, arg any, out *updateOutcome) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, updateSeq.Add(1)), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.err, out.done = err, true },
			OnAccept:   func() {},
			OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true },
		}, arg)
	}, delay)
}

func TestAReviewAcrossNationalDayIsDueOnTheTenthWorkingDayThenClimbsToTheCityAndProvince(t *testing.T) {
	// Opened Thursday 24 September 2026, 10:00 in Chengdu. Working days
	// after it: 25–27 Sep are the Mid-Autumn holiday, so Mon 28 (1), Tue 29
	// (2), Wed 30 (3); 1–7 Oct National Day; Thu 8 (4), Fri 9 (5), Saturday
	// 10 Oct is a make-up working day (6), Mon 12 (7), Tue 13 (8), Wed 14
	// (9), Thu 15 (10). Due: 15 Oct 18:00. Reminder two working days
	// before: 13 Oct 18:00. Overdue, it climbs to the city office 5101 at
	// once, and five working days later (16, 19, 20, 21, 22 Oct) to the
	// province 51.
	start := at(2026, 9, 24, 10, 0)
	env, rec := newEnv(t, start)
	var done updateOutcome
	updateAt(env, at(2026, 10, 23, 9, 0).Sub(start), flow.CompleteUpdate, flow.CompleteRequest{Caller: flow.Caller{Role: "office", Scope: "51", TokenID: "t-prov"}, Form: approve()}, &done)
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if done.err != nil {
		t.Fatalf("the province office could not complete the task escalated to it: %v", done.err)
	}
	var res flow.TaskResult
	if err := env.GetWorkflowResult(&res); err != nil || !res.Late {
		t.Fatalf("result %+v (%v), want a late completion", res, err)
	}
	want := []string{"created", "reminded", "escalated", "escalated", "completed"}
	got := rec.events()
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if due := rec.tasks[0].DueAt; !due.Equal(at(2026, 10, 15, 18, 0)) {
		t.Errorf("due %s, want 2026-10-15 18:00 +08", due.In(shanghai))
	}
	for i, n := range rec.notifications {
		t.Logf("notification %d: %s to %s", i, n.Event, n.Recipient)
	}
	if len(rec.notifications) != 3 || rec.notifications[0].Recipient != "office:510108" ||
		rec.notifications[1].Recipient != "office:5101" || rec.notifications[2].Recipient != "office:51" {
		t.Fatalf("notifications %+v: want a reminder to 510108, then escalations to 5101 and 51", rec.notifications)
	}
	if rec.tasks[2].EscalatedTo != "5101" || rec.tasks[3].EscalatedTo != "51" || rec.tasks[3].EscalationLevel != 2 {
		t.Errorf("escalations %+v %+v", rec.tasks[2], rec.tasks[3])
	}
}

func TestTheReminderAndEscalationsFireAtTheirWorkingDayMoments(t *testing.T) {
	start := at(2026, 9, 24, 10, 0)
	env, rec := newEnv(t, start)
	env.RegisterDelayedCallback(env.CancelWorkflow, at(2026, 11, 2, 9, 0).Sub(start))
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())
	want := []time.Time{at(2026, 10, 13, 18, 0), at(2026, 10, 15, 18, 0), at(2026, 10, 22, 18, 0)}
	if len(rec.notifiedAt) != len(want) {
		t.Fatalf("%d notifications at %v, want a reminder and two escalations", len(rec.notifiedAt), rec.notifiedAt)
	}
	for i, w := range want {
		if !rec.notifiedAt[i].Equal(w) {
			t.Errorf("%s at %s, want %s", rec.notifications[i].Event, rec.notifiedAt[i].In(shanghai), w)
		}
	}
}

func TestExtendingMovesTheRunningDeadline(t *testing.T) {
	start := at(2026, 9, 24, 10, 0)
	env, rec := newEnv(t, start)
	var ext updateOutcome
	// On 14 Oct the county office adds three working days to the due date
	// of 15 Oct: 16, 19 and 20 Oct.
	updateAt(env, at(2026, 10, 14, 9, 0).Sub(start), flow.ExtendUpdate, flow.ExtendRequest{Caller: countyOffice, Workdays: 3, Reason: "awaiting a certificate check"}, &ext)
	env.RegisterDelayedCallback(env.CancelWorkflow, at(2026, 10, 20, 17, 0).Sub(start))
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())
	if ext.err != nil {
		t.Fatalf("extend: %v", ext.err)
	}
	for _, e := range rec.events() {
		if e == flow.KindApplicationReview+":escalated" {
			t.Fatalf("escalated at the old due date although extended: %v", rec.events())
		}
	}
	ext2 := rec.lastTask(flow.KindApplicationReview)
	if ext2.Event != "cancelled" {
		t.Fatalf("last event %q, want cancelled", ext2.Event)
	}
	for _, p := range rec.tasks {
		if p.Event == "extended" && !p.DueAt.Equal(at(2026, 10, 20, 18, 0)) {
			t.Errorf("extended due %s, want 2026-10-20 18:00", p.DueAt.In(shanghai))
		}
	}
}

func TestTheCompleteValidatorChecksStateCallerAndForm(t *testing.T) {
	start := at(2026, 3, 2, 9, 0)
	env, _ := newEnv(t, start)
	var wrongCaller, badForm, ok, again updateOutcome
	updateAt(env, time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: flow.Caller{Role: "org", Scope: "some-org", TokenID: "t-org"}, Form: approve()}, &wrongCaller)
	updateAt(env, 2*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"reject"}`)}, &badForm)
	updateAt(env, 3*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: countyOffice, Form: approve()}, &ok)
	updateAt(env, 3*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: countyOffice, Form: approve()}, &again)
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())

	var appErr *temporal.ApplicationError
	if !errors.As(wrongCaller.err, &appErr) || appErr.Type() != flow.RejectForbidden {
		t.Errorf("an organisation completing an office's review: %v", wrongCaller.err)
	}
	if !errors.As(badForm.err, &appErr) || appErr.Type() != flow.RejectInvalid {
		t.Fatalf("a rejection without reasons: %v", badForm.err)
	}
	var fields forms.Errors
	if err := appErr.Details(&fields); err != nil || len(fields) != 1 || fields[0].Field != "reasons" {
		t.Errorf("field errors %+v (%v), want one on reasons", fields, err)
	}
	if ok.err != nil {
		t.Errorf("the county office's approval: %v", ok.err)
	}
	if !errors.As(again.err, &appErr) || appErr.Type() != flow.RejectWrongState {
		t.Errorf("a second completion: %v, want refused for the task's state", again.err)
	}
}

func TestClaimAndReassign(t *testing.T) {
	start := at(2026, 3, 2, 9, 0)
	env, rec := newEnv(t, start)
	var claim, otherCompletes, reassignByTownship, reassign, newAssignee updateOutcome
	updateAt(env, time.Hour, flow.ClaimUpdate, flow.ClaimRequest{Caller: countyOffice}, &claim)
	updateAt(env, 2*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: flow.Caller{Role: "office", Scope: "510108", TokenID: "t-colleague"}, Form: approve()}, &otherCompletes)
	updateAt(env, 3*time.Hour, flow.ReassignUpdate, flow.ReassignRequest{Caller: flow.Caller{Role: "office", Scope: "510104", TokenID: "x"},
		Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: "510104"}, Reason: "wrong county"}, &reassignByTownship)
	updateAt(env, 4*time.Hour, flow.ReassignUpdate, flow.ReassignRequest{Caller: flow.Caller{Role: "office", Scope: "5101", TokenID: "t-city"},
		Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: "5101"}, Reason: "the city reviews this one itself"}, &reassign)
	updateAt(env, 5*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: flow.Caller{Role: "office", Scope: "5101", TokenID: "t-city2"}, Form: approve()}, &newAssignee)
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())
	if claim.err != nil || otherCompletes.err == nil {
		t.Fatalf("claim: %v; a colleague completing a claimed task: %v (want refused)", claim.err, otherCompletes.err)
	}
	if reassignByTownship.err == nil {
		t.Error("an office outside the station's region reassigned the task")
	}
	if reassign.err != nil || newAssignee.err != nil {
		t.Fatalf("reassign: %v; completion by the new assignee: %v", reassign.err, newAssignee.err)
	}
	var reassigned flow.TaskProjection
	for _, p := range rec.tasks {
		if p.Event == "reassigned" {
			reassigned = p
		}
	}
	if reassigned.AssigneeID != "5101" || reassigned.Reason != "the city reviews this one itself" || reassigned.ClaimedBy != "" {
		t.Errorf("reassignment projected as %+v", reassigned)
	}
}

func TestAPausedTaskKeepsTheWorkingDaysItHadLeft(t *testing.T) {
	// Opened Monday 2 March 2026: due 16 March 18:00, reminder 12 March.
	// Paused Tuesday 3 March, 9 working days before the due date and 7
	// before the reminder. Resumed Monday 30 March: 31 Mar, 1, 2, 3 April,
	// then 4–6 April are Qingming, 7, 8, 9 (the reminder, 7th), 10, 13 (due, 9th).
	start := at(2026, 3, 2, 9, 0)
	env, rec := newEnv(t, start)
	var pause, resume updateOutcome
	updateAt(env, at(2026, 3, 3, 9, 0).Sub(start), flow.ExtendUpdate, flow.ExtendRequest{Caller: countyOffice, Pause: true, Reason: "applicant's records under audit"}, &pause)
	updateAt(env, at(2026, 3, 30, 9, 0).Sub(start), flow.ExtendUpdate, flow.ExtendRequest{Caller: countyOffice, Resume: true, Reason: "audit finished"}, &resume)
	env.RegisterDelayedCallback(env.CancelWorkflow, at(2026, 4, 10, 9, 0).Sub(start))
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())
	if pause.err != nil || resume.err != nil {
		t.Fatalf("pause %v, resume %v", pause.err, resume.err)
	}
	want := []string{"created", "paused", "resumed", "reminded", "cancelled"}
	got := rec.events()
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if due := rec.tasks[2].DueAt; !due.Equal(at(2026, 4, 13, 18, 0)) {
		t.Errorf("due after resuming %s, want 13 April 18:00", due.In(shanghai))
	}
	if len(rec.notifiedAt) != 1 || !rec.notifiedAt[0].Equal(at(2026, 4, 9, 18, 0)) {
		t.Fatalf("notifications at %v: want the reminder on 9 April 18:00", rec.notifiedAt)
	}
}
