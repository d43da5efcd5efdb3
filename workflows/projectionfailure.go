package workflows

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/flow"
)

// A projection that fails for good (PostgreSQL refuses the row as data, or
// it runs past ProjectionDeadline) no longer fails the workflow's step:
// the workflow records the failure, which the office sees and an alert
// counts, and holds the step until a retry signal (flow.RetryProjectionSignal)
// asks it to try again. The workflow stays alive and keeps its state; the
// step resumes where it stopped once the projection lands. Holding rather
// than carrying on keeps the read model from skipping a change that later
// steps build on.

// projectionHoldChange versions the hold: histories from before it fail
// the step, as they did.
const projectionHoldChange = "projection-failure-hold"

// recordFailureOptions: the recording writes identifiers only, so no row
// PostgreSQL refuses as data can fail it; an outage is retried within the
// same deadline a projection has.
var recordFailureOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    10 * time.Second,
	ScheduleToCloseTimeout: ProjectionDeadline,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
	},
}

// runProjection runs a projection activity and waits for it; one that
// fails for good is recorded and held until a retry signal, then tried
// again.
func runProjection(ctx workflow.Context, activity string, arg any) error {
	for {
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		err := workflow.ExecuteActivity(actx, activity, arg).Get(ctx, nil)
		if err == nil || !holdsFailure(ctx, err) {
			return err
		}
		if recErr := recordProjectionFailure(ctx, activity, err); recErr != nil {
			return err
		}
		if err := awaitProjectionRetry(ctx); err != nil {
			return err
		}
	}
}

// holdsFailure says whether the failed projection is held: not when the
// workflow is being cancelled, nor in a history from before the hold.
func holdsFailure(ctx workflow.Context, err error) bool {
	if temporal.IsCanceledError(err) || ctx.Err() != nil {
		return false
	}
	return workflow.GetVersion(ctx, projectionHoldChange, workflow.DefaultVersion, 1) == 1
}

// recordProjectionFailure records the failure with the workflow's own
// identifiers and the station and region its search attributes name.
func recordProjectionFailure(ctx workflow.Context, activity string, cause error) error {
	var id uuid.UUID
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return uuid.New() }).Get(&id); err != nil {
		return err
	}
	info := workflow.GetInfo(ctx)
	f := flow.ProjectionFailure{ID: id, WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
		Activity: activity, ErrorClass: errorClass(cause)}
	attrs := workflow.GetTypedSearchAttributes(ctx)
	if region, ok := attrs.GetKeyword(flow.RegionCodeKey); ok {
		f.RegionCode = region
	}
	if station, ok := attrs.GetKeyword(flow.StationIDKey); ok {
		f.StationID, _ = uuid.Parse(station)
	}
	workflow.GetLogger(ctx).Error("projection failed for good; held until retried",
		"activity", activity, "error_class", f.ErrorClass, "failure_id", id.String())
	actx := workflow.WithActivityOptions(ctx, recordFailureOptions)
	return workflow.ExecuteActivity(actx, flow.RecordProjectionFailureActivity, f).Get(ctx, nil)
}

// errorClass is the failure's class: a timeout, or the activity's error
// type, which is a name and never data.
func errorClass(err error) string {
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return flow.ErrClassTimeout
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() != "" {
		return app.Type()
	}
	return "Unknown"
}

// awaitProjectionRetry waits for a retry signal, or for the workflow to
// be cancelled.
func awaitProjectionRetry(ctx workflow.Context) error {
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, flow.RetryProjectionSignal), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
	})
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	sel.Select(ctx)
	return ctx.Err()
}
