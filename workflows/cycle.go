package workflows

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/store"
)

// CycleInput starts (or continues) a cycle. Progress is carried across
// continue-as-new.
type CycleInput struct {
	CycleID  string              `json:"cycle_id"`
	Settings store.CycleSettings `json:"settings"`
	// Cursor is the last station started; Started counts them; Fanned says
	// every station has been started.
	Cursor  string `json:"cursor,omitempty"`
	Started int    `json:"started"`
	Fanned  bool   `json:"fanned,omitempty"`
	// PollEvery is how often the cycle counts its unfinished stations
	// besides being told when the last one finishes; DefaultCyclePoll when
	// zero.
	PollEvery time.Duration `json:"poll_every,omitempty"`
}

// CycleWorkflowID is the deterministic ID of a cycle's workflow.
func CycleWorkflowID(cycleID string) string { return "cycle/" + cycleID }

// Cycle sizes.
const (
	// CycleBatch is how many stations one activity starts. Starts run as
	// activities rather than child workflows, so the cycle never holds
	// more than one batch in flight and Temporal's limit of 2,000 pending
	// children per workflow does not apply, whatever the cycle's size.
	CycleBatch = 200
	// DefaultCyclePoll is how often a cycle counts its unfinished stations.
	DefaultCyclePoll = time.Hour
	// cyclePollsPerRun bounds one run's history; then it continues as new.
	cyclePollsPerRun = 100
)

// CycleWorkflow runs an annual evaluation cycle for a region: it starts
// every included station's evaluation, a batch at a time, each under its
// deterministic ID so a retry or a restart never evaluates a station twice,
// then waits until every station has finished. Cancelling it stops every
// evaluation still running and marks those stations cancelled.
func CycleWorkflow(ctx workflow.Context, in CycleInput) error {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	finished := workflow.GetSignalChannel(ctx, activities.StationsFinishedSignal)
	startOptions := workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         projectionOptions.RetryPolicy,
	}
	err := func() error {
		for !in.Fanned {
			var got activities.BatchStarted
			actx := workflow.WithActivityOptions(ctx, startOptions)
			if err := workflow.ExecuteActivity(actx, a.StartEvaluations, activities.StartBatch{CycleID: in.CycleID, CycleWorkflowID: wid,
				Settings: in.Settings, After: in.Cursor, Limit: CycleBatch, Started: in.Started}).Get(ctx, &got); err != nil {
				return err
			}
			in.Cursor, in.Started, in.Fanned = got.Last, got.Started, got.Done
			if !in.Fanned && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				return workflow.NewContinueAsNewError(ctx, CycleWorkflow, in)
			}
		}
		poll := in.PollEvery
		if poll <= 0 {
			poll = DefaultCyclePoll
		}
		for polls := 0; ; polls++ {
			var remaining int
			actx := workflow.WithActivityOptions(ctx, projectionOptions)
			if err := workflow.ExecuteActivity(actx, a.CycleRemaining, in.CycleID).Get(ctx, &remaining); err != nil {
				return err
			}
			if remaining == 0 {
				return workflow.ExecuteActivity(actx, a.SetCycleState, activities.CycleStateChange{CycleID: in.CycleID,
					State: store.CycleCompleted, Started: in.Started, WorkflowID: wid}).Get(ctx, nil)
			}
			if polls >= cyclePollsPerRun {
				return workflow.NewContinueAsNewError(ctx, CycleWorkflow, in)
			}
			tctx, stopTimer := workflow.WithCancel(ctx)
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(finished, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
			sel.AddFuture(workflow.NewTimer(tctx, poll), func(workflow.Future) {})
			sel.Select(ctx)
			stopTimer()
			if err := ctx.Err(); err != nil {
				return temporal.NewCanceledError()
			}
		}
	}()
	if !temporal.IsCanceledError(err) {
		return err
	}
	return cancelCycle(ctx, in, wid, err)
}

// cancelCycle stops every unfinished evaluation of a cancelled cycle, a
// page at a time, then records the cycle cancelled.
func cancelCycle(ctx workflow.Context, in CycleInput, wid string, cause error) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	actx := workflow.WithActivityOptions(dctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout: time.Minute, RetryPolicy: projectionOptions.RetryPolicy})
	if err := workflow.ExecuteActivity(actx, a.SetCycleState, activities.CycleStateChange{CycleID: in.CycleID,
		State: store.CycleCancelling, Started: in.Started, WorkflowID: wid}).Get(dctx, nil); err != nil {
		return err
	}
	for {
		var n int
		if err := workflow.ExecuteActivity(actx, a.CancelEvaluations, activities.CancelBatch{CycleID: in.CycleID, Limit: CycleBatch,
			WorkflowID: wid}).Get(dctx, &n); err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if err := workflow.ExecuteActivity(actx, a.SetCycleState, activities.CycleStateChange{CycleID: in.CycleID,
		State: store.CycleCancelled, Started: in.Started, WorkflowID: wid}).Get(dctx, nil); err != nil {
		return err
	}
	return cause
}

// StartCycle starts a cycle's workflow. Starting one that already runs is
// not an error, so the API and the reconciler may both try.
func StartCycle(ctx context.Context, c client.Client, taskQueue string, in CycleInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       CycleWorkflowID(in.CycleID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(RegionCodeKey.ValueSet(in.Settings.RegionCode)),
	}, CycleWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
