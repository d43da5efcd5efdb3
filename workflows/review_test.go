package workflows

import (
	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"

	"encoding/json"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
)

var (
	app1 = uuid.MustParse("0b8c0d5e-0000-4000-8000-000000000001")
	app2 = uuid.MustParse("0b8c0d5e-0000-4000-8000-000000000002")
	orgA = uuid.MustParse("5a0f0000-0000-4000-8000-00000000000a")
	orgB = uuid.MustParse("5a0f0000-0000-4000-8000-00000000000b")
)

func township() flow.StationInput {
	return flow.StationInput{StationID: uuid.MustParse("7e1a0000-0000-4000-8000-000000000001"), Level: "township_station", RegionCode: "510108001"}
}

// submitAt hands an application to the station at a moment of workflow time.
func submitAt(env *testsuite.TestWorkflowEnvironment, delay time.Duration, sub flow.ApplicationSubmission, out *updateOutcome) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(flow.SubmitApplicationUpdate, sub.ApplicationID.String(), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.err, out.done = err, true },
			OnAccept:   func() {},
			OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true },
		}, sub)
	}, delay)
}

// completeChildAt completes a child task at a moment of workflow time.
func completeChildAt(env *testsuite.TestWorkflowEnvironment, delay time.Duration, workflowID string, req flow.CompleteRequest, out *updateOutcome) {
	updateChildAt(env, delay, workflowID, flow.CompleteUpdate, req, out)
}

// updateChildAt sends an update to a child workflow at a moment of
// workflow time.
func updateChildAt(env *testsuite.TestWorkflowEnvironment, delay time.Duration, workflowID, name string, req any, out *updateOutcome) {
	env.RegisterDelayedCallback(func() {
		if err := env.UpdateWorkflowByID(workflowID, name, workflowID+"@"+delay.String(), &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { out.err, out.done = err, true },
			OnAccept:   func() {},
			OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true },
		}, req); err != nil {
			out.err, out.done = err, true
		}
	}, delay)
}

func (r *recorder) applicationStates(id uuid.UUID) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, u := range r.applications {
		if u.ApplicationID == id {
			out = append(out, u.State)
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func amendedPlan() json.RawMessage {
	return json.RawMessage(`{"staffing":[{"name":"张伟","employment":"full_time","qualification":"assistant"},
		{"name":"李娜","employment":"full_time","qualification":"intermediate"}],
		"targets":{"needs_assessment":100,"resource_linking":50000,"social_assistance":300,"elderly_child_care":800,
		"community_governance":40,"industry_development":10},"budget_yuan":300000}`)
}

func TestApprovingOneOfTwoCompetingApplicationsStartsTheContractAndClosesTheOther(t *testing.T) {
	start := at(2026, 3, 2, 9, 0)
	env, rec := newEnv(t, start)
	st := township()
	var sub1, sub2, decide, late updateOutcome
	submitAt(env, time.Minute, flow.ApplicationSubmission{ApplicationID: app1, OrganisationID: orgA, OrganisationCode: "52510108MJ0000001R"}, &sub1)
	submitAt(env, 2*time.Minute, flow.ApplicationSubmission{ApplicationID: app2, OrganisationID: orgB}, &sub2)
	completeChildAt(env, time.Hour, flow.TaskWorkflowID(st.StationID.String(), flow.KindApplicationReview, app1.String()+"-r1"),
		flow.CompleteRequest{Caller: countyOffice, Form: approve()}, &decide)
	// Applying after the station is taken is refused by the validator.
	submitAt(env, 2*time.Hour, flow.ApplicationSubmission{ApplicationID: uuid.MustParse("0b8c0d5e-0000-4000-8000-000000000003"), OrganisationID: orgB}, &late)
	env.RegisterDelayedCallback(env.CancelWorkflow, 3*time.Hour)
	env.ExecuteWorkflow(StationWorkflow, st)

	if sub1.err != nil || sub2.err != nil || decide.err != nil {
		t.Fatalf("submit: %v, %v; decide: %v", sub1.err, sub2.err, decide.err)
	}
	if accepted := sub1.result.(flow.SubmissionAccepted); accepted.ReviewTaskID != reviewTaskID(app1, 1) || accepted.State != flow.AppUnderReview {
		t.Errorf("submission answer %+v", accepted)
	}
	if late.err == nil {
		t.Error("an application to an operating station was accepted")
	}
	if got := rec.applicationStates(app1); !equal(got, []string{flow.AppUnderReview, flow.AppApproved}) {
		t.Errorf("application 1 went %v", got)
	}
	if got := rec.applicationStates(app2); !equal(got, []string{flow.AppUnderReview, flow.AppClosed}) {
		t.Errorf("application 2 went %v", got)
	}
	if len(rec.contracts) != 1 || rec.contracts[0].ApplicationID != app1 {
		t.Fatalf("contracts %+v", rec.contracts)
	}
	// One year from the next working day: approved Monday 2 March 2026, so
	// the term runs from Tuesday 3 March 2026 to 2 March 2027.
	c := rec.contracts[0]
	if c.Start.Format(time.DateOnly) != "2026-03-03" || c.End.Format(time.DateOnly) != "2027-03-02" {
		t.Errorf("term %s – %s", c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly))
	}
	last := rec.stations[len(rec.stations)-1]
	if last.Phase != flow.PhaseOperating || last.OperatorID != orgA {
		t.Errorf("station projected as %+v", last)
	}
	var withdrawn bool
	for _, p := range rec.tasks {
		if p.SubjectID == app2 && p.Event == "cancelled" {
			withdrawn = true
		}
	}
	if !withdrawn {
		t.Error("the competing review task was not withdrawn")
	}
}

func TestARejectedApplicationLeavesTheStationOpen(t *testing.T) {
	start := at(2026, 3, 2, 9, 0)
	env, rec := newEnv(t, start)
	st := township()
	var sub, decide, second updateOutcome
	submitAt(env, time.Minute, flow.ApplicationSubmission{ApplicationID: app1, OrganisationID: orgA}, &sub)
	completeChildAt(env, time.Hour, flow.TaskWorkflowID(st.StationID.String(), flow.KindApplicationReview, app1.String()+"-r1"),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"reject","reasons":"no certified social workers"}`)}, &decide)
	submitAt(env, 2*time.Hour, flow.ApplicationSubmission{ApplicationID: app2, OrganisationID: orgB}, &second)
	env.RegisterDelayedCallback(env.CancelWorkflow, 3*time.Hour)
	env.ExecuteWorkflow(StationWorkflow, st)
	if sub.err != nil || decide.err != nil || second.err != nil {
		t.Fatalf("submit %v, decide %v, second application %v", sub.err, decide.err, second.err)
	}
	if got := rec.applicationStates(app1); !equal(got, []string{flow.AppUnderReview, flow.AppRejected}) {
		t.Errorf("application went %v", got)
	}
	for _, u := range rec.applications {
		if u.State == flow.AppRejected && u.Reason != "no certified social workers" {
			t.Errorf("rejection reason %q", u.Reason)
		}
	}
	if len(rec.contracts) != 0 || rec.stations[len(rec.stations)-1].Phase != flow.PhaseAwaitingOperator {
		t.Error("a rejection changed the station")
	}
}

func TestAnAmendedApplicationIsReviewedAgainAndApproved(t *testing.T) {
	start := at(2026, 3, 2, 9, 0)
	env, rec := newEnv(t, start)
	st := township()
	var sub, amend, resubmit, approveIt updateOutcome
	submitAt(env, time.Minute, flow.ApplicationSubmission{ApplicationID: app1, OrganisationID: orgA}, &sub)
	completeChildAt(env, time.Hour, flow.TaskWorkflowID(st.StationID.String(), flow.KindApplicationReview, app1.String()+"-r1"),
		flow.CompleteRequest{Caller: countyOffice, Form: json.RawMessage(`{"decision":"amend","reasons":"budget lacks a breakdown"}`)}, &amend)
	completeChildAt(env, 2*time.Hour, flow.TaskWorkflowID(st.StationID.String(), flow.KindApplicationAmendment, app1.String()+"-r1"),
		flow.CompleteRequest{Caller: flow.Caller{Role: "org", Scope: orgA.String(), TokenID: "t-org"}, Form: amendedPlan()}, &resubmit)
	completeChildAt(env, 3*time.Hour, flow.TaskWorkflowID(st.StationID.String(), flow.KindApplicationReview, app1.String()+"-r2"),
		flow.CompleteRequest{Caller: countyOffice, Form: approve()}, &approveIt)
	env.RegisterDelayedCallback(env.CancelWorkflow, 4*time.Hour)
	env.ExecuteWorkflow(StationWorkflow, st)
	for name, o := range map[string]updateOutcome{"submit": sub, "amend": amend, "resubmit": resubmit, "approve": approveIt} {
		if o.err != nil || !o.done {
			t.Fatalf("%s: done=%v err=%v", name, o.done, o.err)
		}
	}
	if got := rec.applicationStates(app1); !equal(got, []string{flow.AppUnderReview, flow.AppAmendmentRequested, flow.AppUnderReview, flow.AppApproved}) {
		t.Errorf("application went %v", got)
	}
	if len(rec.amendments) != 1 || rec.amendments[0].Round != 2 {
		t.Errorf("amendments %+v", rec.amendments)
	}
	if last := rec.stations[len(rec.stations)-1]; last.Phase != flow.PhaseOperating {
		t.Errorf("station %+v", last)
	}
}
