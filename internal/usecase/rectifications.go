package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Rectification (整改): the operating organisation responds to a failed
// indicator with evidence, and the supervisor who found it verifies the
// response or reopens the item. Each step completes the item's current
// task; the item's own workflow then records the step.

// Form is a form as read, for the checks made here, and as sent, which
// goes on to the task's workflow unchanged.
type Form[T any] struct {
	Value T
	Raw   json.RawMessage
}

// itemSettleTimeout bounds how long an answer waits for an item's workflow
// to record the step just taken.
const itemSettleTimeout = 5 * time.Second

// RespondRectification sends the organisation's answer to the item's
// response task, after checking that what it cites is the station's own.
func (c *Cases) RespondRectification(ctx context.Context, who Caller, id string, in Input[Form[forms.RectificationResponse]]) (store.Rectification, error) {
	return itemStep(ctx, c, who, id, []auth.Role{auth.RoleOrg, auth.RoleAdmin, auth.RoleOffice}, in, store.RectificationOpen,
		func(item store.Rectification, resp forms.RectificationResponse) error {
			if err := invalidIf(forms.CheckRectificationResponse(resp)); err != nil {
				return err
			}
			return c.checkCitations(ctx, item.StationID, nil, map[string][]string{"evidence_ids": resp.EvidenceIDs})
		})
}

// VerifyRectification sends the verifier's finding to the item's
// verification task.
func (c *Cases) VerifyRectification(ctx context.Context, who Caller, id string, in Input[Form[forms.RectificationVerification]]) (store.Rectification, error) {
	return itemStep(ctx, c, who, id, []auth.Role{auth.RoleSupervisor, auth.RoleOffice, auth.RoleAdmin}, in, store.RectificationResponded,
		func(_ store.Rectification, v forms.RectificationVerification) error {
			return invalidIf(forms.CheckRectificationVerification(v))
		})
}

// itemStep is the story of each step on an item: load the item the caller
// may see, allow the roles that take the step, read the form and check it,
// then complete the item's task of the step, whose state the item must be
// in.
func itemStep[T any](ctx context.Context, c *Cases, who Caller, id string, roles []auth.Role, in Input[Form[T]], state string,
	check func(store.Rectification, T) error) (store.Rectification, error) {
	item, err := c.Rectification(ctx, who, id)
	if err != nil {
		return item, err
	}
	if err := AllowRoles(who, roles...); err != nil {
		return item, err
	}
	form, err := in()
	if err != nil {
		return item, err
	}
	if err := check(item, form.Value); err != nil {
		return item, err
	}
	return c.completeItemTask(ctx, who, item, state, form.Raw)
}

// completeItemTask completes the item's current task, which must be of the
// step state names (the response while open, the verification once
// responded), and answers with the item once its workflow has recorded
// the step, or as it stands when that takes longer than itemSettleTimeout
// or the wait deadline, which bounds the task's Update and this wait
// together: an Update unanswered by then is a KindTimeout refusal.
func (c *Cases) completeItemTask(ctx context.Context, who Caller, item store.Rectification, state string, form json.RawMessage) (store.Rectification, error) {
	if item.State != state || item.TaskID == nil {
		return item, conflict("the item is " + item.State)
	}
	t, err := c.Store.GetTask(ctx, *item.TaskID)
	if errors.Is(err, store.ErrNotFound) {
		return item, conflict("the item's task is still being opened; try again shortly")
	}
	if err != nil {
		return item, err
	}
	wait, cancel := context.WithTimeout(ctx, c.waitTimeout())
	defer cancel()
	err = c.update(wait, t.WorkflowID, flow.CompleteUpdate, flow.CompleteRequest{Caller: flowCaller(who), Form: form})
	if err := c.timedOut(ctx, wait, err); err != nil {
		return item, err
	}
	settle, cancelSettle := context.WithTimeout(wait, itemSettleTimeout)
	defer cancelSettle()
	if err := c.awaitItemStep(settle, item, t.WorkflowID); err != nil && ctx.Err() != nil {
		return item, ctx.Err()
	}
	return c.Store.GetRectification(ctx, item.ID)
}

// awaitItemStep waits until the item's workflow has recorded the step the
// task's completion started: in the workflow's history, the first activity
// that completes after the task (its child workflow) completed is the
// projection of the item (see workflows.RectificationWorkflow). The
// history is long-polled, so the wait ends when that event is written; an
// error (the deadline among them) ends it too, and the caller then answers
// with the item as the record holds it.
func (c *Cases) awaitItemStep(ctx context.Context, item store.Rectification, taskWorkflowID string) error {
	wid := flow.RectificationWorkflowID(item.StationID.String(), item.Period, item.Indicator)
	events := c.Temporal.GetWorkflowHistory(ctx, wid, "", true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	taskDone := false
	for events.HasNext() {
		ev, err := events.Next()
		if err != nil {
			return err
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			attrs := ev.GetChildWorkflowExecutionCompletedEventAttributes()
			taskDone = taskDone || attrs.GetWorkflowExecution().GetWorkflowId() == taskWorkflowID
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
			enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: // a projection that failed is held and recorded
			if taskDone {
				return nil
			}
		case enumspb.EVENT_TYPE_MARKER_RECORDED: // a projection run as a local activity
			if taskDone && ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity" {
				return nil
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
			enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
			return nil
		}
	}
	return nil
}
