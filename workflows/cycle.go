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

	"github.com/stationflow/stationflow/internal/flow"
)

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

// batchOptions: starting or stopping a page of stations takes a while and
// heartbeats; it retries like a projection and, like one, within
// ProjectionDeadline: a day rides out an outage of PostgreSQL or of the
// Temporal frontend, and a page that still fails then fails the cycle's
// step visibly instead of retrying for ever.
var batchOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    10 * time.Minute,
	ScheduleToCloseTimeout: ProjectionDeadline,
	HeartbeatTimeout:       time.Minute,
	RetryPolicy:            projectionOptions.RetryPolicy,
}

// CycleWorkflow runs an annual evaluation cycle for a region: it starts
// every included station's evaluation, a batch at a time, each under its
// deterministic ID so a retry or a restart never evaluates a station twice,
// then waits until every station has finished. Cancelling it stops every
// evaluation still running and marks those stations cancelled.
func CycleWorkflow(ctx workflow.Context, in flow.CycleInput) error {
	c := &cycleRun{in: in, wid: workflow.GetInfo(ctx).WorkflowExecution.ID}
	err := c.run(ctx)
	if !temporal.IsCanceledError(err) {
		return err
	}
	return c.cancel(ctx, err)
}

type cycleRun struct {
	in  flow.CycleInput
	wid string
}

// run fans the cycle out to its stations, then waits for them to finish.
func (c *cycleRun) run(ctx workflow.Context) error {
	if err := c.fanOut(ctx); err != nil {
		return err
	}
	return c.awaitStations(ctx)
}

// fanOut starts the stations' evaluations a batch at a time, continuing
// as new when the history grows large.
func (c *cycleRun) fanOut(ctx workflow.Context) error {
	for !c.in.Fanned {
		var got flow.BatchStarted
		actx := workflow.WithActivityOptions(ctx, batchOptions)
		if err := workflow.ExecuteActivity(actx, flow.StartEvaluationsActivity, flow.StartBatch{CycleID: c.in.CycleID, CycleWorkflowID: c.wid,
			Settings: c.in.Settings, After: c.in.Cursor, Limit: CycleBatch, Started: c.in.Started}).Get(ctx, &got); err != nil {
			return err
		}
		c.in.Cursor, c.in.Started, c.in.Fanned = got.Last, got.Started, got.Done
		if !c.in.Fanned && workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, CycleWorkflow, c.in)
		}
	}
	return nil
}

// awaitStations counts the unfinished stations whenever the last one
// signals or the poll interval passes, and completes the cycle when none
// is left.
func (c *cycleRun) awaitStations(ctx workflow.Context) error {
	finished := workflow.GetSignalChannel(ctx, flow.StationsFinishedSignal)
	poll := c.in.PollEvery
	if poll <= 0 {
		poll = DefaultCyclePoll
	}
	for polls := 0; ; polls++ {
		var remaining int
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		if err := workflow.ExecuteActivity(actx, flow.CycleRemainingActivity, c.in.CycleID).Get(ctx, &remaining); err != nil {
			return err
		}
		if remaining == 0 {
			return c.setState(ctx, actx, flow.CycleCompleted)
		}
		if polls >= cyclePollsPerRun {
			return workflow.NewContinueAsNewError(ctx, CycleWorkflow, c.in)
		}
		tctx, stopTimer := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(finished, func(ch workflow.ReceiveChannel, _ bool) { ch.Receive(ctx, nil) })
		sel.AddFuture(workflow.NewTimer(tctx, poll), func(workflow.Future) {})
		sel.Select(ctx)
		stopTimer()
		if err := ctx.Err(); err != nil {
			return temporal.NewCanceledError()
		}
	}
}

// cancel stops every unfinished evaluation of a cancelled cycle, a page at
// a time, then records the cycle cancelled.
func (c *cycleRun) cancel(ctx workflow.Context, cause error) error {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	actx := workflow.WithActivityOptions(dctx, batchOptions)
	if err := c.setState(dctx, actx, flow.CycleCancelling); err != nil {
		return err
	}
	for {
		var n int
		if err := workflow.ExecuteActivity(actx, flow.CancelEvaluationsActivity, flow.CancelBatch{CycleID: c.in.CycleID, Limit: CycleBatch,
			WorkflowID: c.wid}).Get(dctx, &n); err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if err := c.setState(dctx, actx, flow.CycleCancelled); err != nil {
		return err
	}
	return cause
}

func (c *cycleRun) setState(ctx, actx workflow.Context, state string) error {
	return workflow.ExecuteActivity(actx, flow.SetCycleStateActivity, flow.CycleStateChange{CycleID: c.in.CycleID,
		State: state, Started: c.in.Started, WorkflowID: c.wid}).Get(ctx, nil)
}

// StartCycle starts a cycle's workflow. Starting one that already runs is
// not an error, so the API and the reconciler may both try.
func StartCycle(ctx context.Context, c client.Client, taskQueue string, in flow.CycleInput) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       flow.CycleWorkflowID(in.CycleID.String()),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes:    temporal.NewSearchAttributes(flow.RegionCodeKey.ValueSet(in.Settings.RegionCode)),
	}, CycleWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
