package workflows

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
)

// A task's projection of its claim that PostgreSQL refuses as data fails
// for good: the workflow records the failure (identifiers and error class
// only), holds the claim, alive, and lands it when the retry signal comes;
// the claim's Update answers only then, and the task goes on to complete.
func TestAProjectionThatFailsForGoodIsRecordedHeldAndRetriedOnSignal(t *testing.T) {
	cal, err := calendar.Load(os.DirFS("../schemas"), "calendar")
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	start := at(2026, 11, 2, 10, 0)
	env.SetStartTime(start)
	env.RegisterWorkflow(HumanTaskWorkflow)
	env.RegisterActivity(&activities.Activities{Calendar: cal, Policies: map[string]flow.TaskPolicy{
		flow.KindApplicationReview: {DueWorkdays: 10, RemindWorkdaysBefore: 2, EscalateEveryWorkdays: 5}}})

	var mu sync.Mutex
	var projected []string
	var recorded []flow.ProjectionFailure
	refuse := true // PostgreSQL refuses the claim until the retry
	env.OnActivity(a.ProjectTask, mock.Anything, mock.Anything).Return(func(_ context.Context, p flow.TaskProjection) error {
		mu.Lock()
		defer mu.Unlock()
		if p.Event == "claimed" && refuse {
			return temporal.NewNonRetryableApplicationError("new row violates check constraint", activities.ErrTypeData, nil)
		}
		projected = append(projected, p.Event)
		return nil
	})
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.RecordProjectionFailure, mock.Anything, mock.Anything).Return(func(_ context.Context, f flow.ProjectionFailure) error {
		mu.Lock()
		defer mu.Unlock()
		recorded = append(recorded, f)
		return nil
	})

	var claimedAt time.Time
	var claimErr error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(flow.ClaimUpdate, "claim-held", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { claimErr = err }, OnAccept: func() {},
			OnComplete: func(_ any, err error) { claimedAt, claimErr = env.Now(), err },
		}, flow.ClaimRequest{Caller: countyOffice})
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		mu.Lock()
		refuse = false // the cause is mended
		mu.Unlock()
		env.SignalWorkflow(flow.RetryProjectionSignal, nil)
	}, 3*time.Hour)
	var done updateOutcome
	updateAt(env, 4*time.Hour, flow.CompleteUpdate, flow.CompleteRequest{Caller: countyOffice, Form: approve()}, &done)
	env.ExecuteWorkflow(HumanTaskWorkflow, reviewTask())

	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if claimErr != nil || claimedAt.Before(start.Add(3*time.Hour)) {
		t.Fatalf("the claim answered at %s (%v), before the retry at %s", claimedAt, claimErr, start.Add(3*time.Hour))
	}
	if done.err != nil {
		t.Fatalf("completing after the retry: %v", done.err)
	}
	if len(recorded) != 1 || recorded[0].Activity != flow.ProjectTaskActivity || recorded[0].ErrorClass != activities.ErrTypeData ||
		recorded[0].WorkflowID == "" || recorded[0].RunID == "" || recorded[0].ID.String() == "00000000-0000-0000-0000-000000000000" {
		t.Fatalf("recorded %+v", recorded)
	}
	if want := []string{"created", "claimed", "completed"}; len(projected) != 3 || projected[1] != want[1] || projected[2] != want[2] {
		t.Fatalf("projected %v, want %v", projected, want)
	}
}

// A projection that runs past its deadline is classed Timeout; any other
// failure by its error type.
func TestAProjectionFailureIsClassedByTimeoutOrErrorType(t *testing.T) {
	cases := map[string]error{
		flow.ErrClassTimeout:      temporal.NewTimeoutError(0, temporal.NewApplicationError("last try", activities.ErrTypeData)),
		activities.ErrTypeData:    temporal.NewNonRetryableApplicationError("bad row", activities.ErrTypeData, nil),
		activities.ErrTypeInvalid: temporal.NewNonRetryableApplicationError("bad input", activities.ErrTypeInvalid, nil),
	}
	for want, err := range cases {
		if got := errorClass(err); got != want {
			t.Errorf("errorClass(%v) = %q, want %q", err, got, want)
		}
	}
}
