// Package workflows holds stationflow's durable processes: the lifecycle of
// each station (one entity workflow per station that continues as new),
// application review, quarterly supervision and rectification, the annual
// evaluation with its cycle, renewal and appeal, and the human task they
// all wait on. Code here is deterministic; everything that touches the
// world goes through activities. What crosses Temporal (names, IDs,
// payloads) lives in internal/flow.
package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
)

// projectionOptions: writing the read model must land, so it retries
// without a limit on attempts but within ProjectionDeadline; the errors the
// activity marks as non-retryable (a station that does not exist, a row
// PostgreSQL refuses as data) stop it at once.
var projectionOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: ProjectionDeadline,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{flow.ErrTypeNotFound, flow.ErrTypeInvalid},
	},
}

// ProjectionDeadline bounds a projection's retries by time, on purpose: a
// day rides out a PostgreSQL outage or a long deploy (about 1,400 tries at
// one a minute), and a failure no classification foresaw then fails the
// workflow's step, visibly, instead of retrying for ever.
const ProjectionDeadline = 24 * time.Hour

// localOptions: reading the calendar and the task policy is local and fast;
// a failure is a bug or a bad deployment file, retried a few times: bounded
// by attempts, because waiting longer cannot mend either.
var localOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 5 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: 5,
		NonRetryableErrorTypes: []string{flow.ErrTypeInvalid},
	},
}

// notifyOptions: writing the outbox row must land; delivery is separate
// and never blocks the workflow. Bounded by ProjectionDeadline, as a
// projection is, because it is one: a row in PostgreSQL.
var notifyOptions = projectionOptions

// project runs a projection activity and waits for it; one that fails for
// good is held until retried (see runProjection).
func project(ctx workflow.Context, activity string, arg any) error {
	return runProjection(ctx, activity, arg)
}

// addWorkdays is the moment n working days after from, counted by a local
// activity so the answer is recorded in history.
func addWorkdays(ctx workflow.Context, from time.Time, n int) (time.Time, error) {
	var out time.Time
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	err := workflow.ExecuteLocalActivity(lctx, flow.AddWorkdaysActivity, flow.WorkdaysRequest{From: from, Workdays: n}).Get(ctx, &out)
	return out, err
}

func reject(kind, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), kind)
}

func rejectForm(errs forms.Errors) error {
	return temporal.NewApplicationError(errs.Error(), flow.RejectInvalid, errs)
}

// unreadable is the non-retryable error of a filed form or document the
// workflow cannot use: retrying the workflow task would never mend it.
func unreadable(what string, cause error) error {
	msg := what + " cannot be read"
	if cause != nil {
		msg += ": " + cause.Error()
	}
	return temporal.NewNonRetryableApplicationError(msg, flow.RejectInvalid, cause)
}

// decodeForm decodes a completed task's form, or returns the non-retryable
// error that names what could not be read.
func decodeForm[T any](res flow.TaskResult, what string) (T, error) {
	var v T
	if err := json.Unmarshal(res.Form, &v); err != nil {
		return v, unreadable(what, err)
	}
	return v, nil
}

// derivedID is a stable ID for a step, derived from what the step is for.
func derivedID(format string, args ...any) uuid.UUID {
	return uuid.NewSHA1(flow.IDSpace, fmt.Appendf(nil, format, args...))
}

func stationAttributes(st flow.StationRef) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(flow.StationIDKey.ValueSet(st.StationID.String()),
		flow.RegionCodeKey.ValueSet(st.RegionCode), flow.StationLevelKey.ValueSet(st.Level))
}

// runHumanTask runs a human task as a child workflow of the caller and
// waits for its result.
func runHumanTask(ctx workflow.Context, st flow.StationRef, in flow.TaskInput, period string) (flow.TaskResult, error) {
	in.StationID, in.StationLevel, in.StationRegion = st.StationID, st.Level, st.RegionCode
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            flow.TaskWorkflowID(st.StationID.String(), in.Kind, period),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		TypedSearchAttributes: stationAttributes(st),
	})
	var res flow.TaskResult
	err := workflow.ExecuteChildWorkflow(cctx, HumanTaskWorkflow, in).Get(ctx, &res)
	return res, err
}
