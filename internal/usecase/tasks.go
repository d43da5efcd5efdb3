package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// Human tasks: the work a person or an office must do by a deadline. The
// task's workflow owns its state; these use cases check the caller's scope
// and the rules only the record can judge, then send the workflow an
// Update whose validator checks the task's state, the caller and the form.

// Reassignment addresses a task to someone else.
type Reassignment struct {
	Assignee struct {
		Kind string `json:"kind" validate:"required,oneof=office org person"`
		ID   string `json:"id" validate:"required,max=64"`
	} `json:"assignee"`
	Reason string `json:"reason" validate:"required,max=2000"`
}

// Extension moves a task's due date by working days, or pauses or resumes
// its clock.
type Extension struct {
	Workdays int    `json:"workdays" validate:"gte=0,lte=60"`
	Pause    bool   `json:"pause"`
	Resume   bool   `json:"resume"`
	Reason   string `json:"reason" validate:"required,max=2000"`
}

// TaskDetail is a task with what its assignee works from: a supervision's
// quarter of evidence, collected when asked so records imported late are
// seen; the year's evidence on self-assessment, evaluation and arbitration
// tasks; and, on an arbitration, the evaluators' totals.
type TaskDetail struct {
	store.Task
	Evidence       *store.EvidencePack   `json:"evidence,omitempty"`
	AnnualEvidence *store.AnnualEvidence `json:"annual_evidence,omitempty"`
	Evaluations    []store.Evaluation    `json:"evaluations,omitempty"`
}

// TaskDetail reads a task the caller may see with its evidence.
func (c *Cases) TaskDetail(ctx context.Context, who Caller, id string) (TaskDetail, error) {
	t, err := c.Task(ctx, who, id)
	if err != nil {
		return TaskDetail{}, err
	}
	out := TaskDetail{Task: t}
	if t.Kind == flow.KindSupervision {
		q, err := taskQuarter(t)
		if err != nil {
			return out, err
		}
		pack, err := c.Store.EvidencePack(ctx, t.StationID, q)
		if err != nil {
			return out, err
		}
		out.Evidence = &pack
	}
	annual := []string{flow.KindSelfAssessment, flow.KindAnnualEvaluation, flow.KindArbitration}
	if slices.Contains(annual, t.Kind) && t.SubjectID != nil {
		year, err := strconv.Atoi(t.Period)
		if err != nil {
			return out, fmt.Errorf("task %s has no year: %w", t.ID, err)
		}
		ev, err := c.Store.AnnualEvidence(ctx, t.StationID, year)
		if err != nil {
			return out, err
		}
		out.AnnualEvidence = &ev
		if t.Kind == flow.KindArbitration {
			if out.Evaluations, err = c.Store.Evaluations(ctx, *t.SubjectID, t.StationID); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func taskQuarter(t store.Task) (period.Quarter, error) {
	q, err := period.Parse(t.Period)
	if err != nil {
		return q, fmt.Errorf("task %s has no quarter: %w", t.ID, err)
	}
	return q, nil
}

// CompleteTask completes a task the caller may see with a form of the
// task's kind, and answers with the task as the record holds it after. A
// supervision's scores may cite only the station's evidence of the
// quarter; the task's workflow checks the rest of the form.
func (c *Cases) CompleteTask(ctx context.Context, who Caller, id string, form Input[json.RawMessage]) (store.Task, error) {
	return actOnTask(ctx, c, who, id, form, flow.CompleteUpdate, func(t store.Task, raw json.RawMessage) (any, error) {
		if err := mayDecideTask(who, t.Kind); err != nil {
			return nil, err
		}
		if err := c.checkWorker(ctx, who, t); err != nil {
			return nil, err
		}
		if t.Kind == flow.KindSupervision {
			if err := c.checkScoredForm(ctx, t, raw); err != nil {
				return nil, err
			}
		}
		return flow.CompleteRequest{Caller: flowCaller(who), Form: raw}, nil
	})
}

// ClaimTask takes a task for the calling token. An assignee who no longer
// meets the rule of the task's kind may not claim it.
func (c *Cases) ClaimTask(ctx context.Context, who Caller, id string) (store.Task, error) {
	return actOnTask(ctx, c, who, id, Given(struct{}{}), flow.ClaimUpdate, func(t store.Task, _ struct{}) (any, error) {
		if err := c.checkWorker(ctx, who, t); err != nil {
			return nil, err
		}
		return flow.ClaimRequest{Caller: flowCaller(who)}, nil
	})
}

// CloseTask closes a task nobody will complete, such as a missed
// quarter's supervision, with the office's reason.
func (c *Cases) CloseTask(ctx context.Context, who Caller, id string, in Input[forms.CloseReason]) (store.Task, error) {
	return actOnTask(ctx, c, who, id, in, flow.CloseUpdate, func(_ store.Task, req forms.CloseReason) (any, error) {
		return flow.CloseRequest{Caller: flowCaller(who), Reason: req.Reason}, nil
	})
}

// ReassignTask addresses a task to someone else the task's kind accepts,
// by the rule of its first assignment.
func (c *Cases) ReassignTask(ctx context.Context, who Caller, id string, in Input[Reassignment]) (store.Task, error) {
	return actOnTask(ctx, c, who, id, in, flow.ReassignUpdate, func(t store.Task, req Reassignment) (any, error) {
		if err := mayManageTask(who, t); err != nil {
			return nil, err
		}
		if !slices.Contains([]string{flow.TaskOpen, flow.TaskClaimed, flow.TaskEscalated}, t.State) {
			return nil, conflict("the task is " + t.State)
		}
		to := flow.Assignee{Kind: req.Assignee.Kind, ID: req.Assignee.ID}
		if err := c.checkAssignee(ctx, t, to); err != nil {
			return nil, err
		}
		return flow.ReassignRequest{Caller: flowCaller(who), Assignee: to, Reason: req.Reason}, nil
	})
}

// ExtendTask moves a task's due date, or pauses or resumes its clock.
func (c *Cases) ExtendTask(ctx context.Context, who Caller, id string, in Input[Extension]) (store.Task, error) {
	return actOnTask(ctx, c, who, id, in, flow.ExtendUpdate, func(_ store.Task, req Extension) (any, error) {
		return flow.ExtendRequest{Caller: flowCaller(who),
			Workdays: req.Workdays, Pause: req.Pause, Resume: req.Resume, Reason: req.Reason}, nil
	})
}

// actOnTask is the story every task action tells: load the task the
// caller may see (once), read the input, let request check it and build
// the update's argument, send the update and answer with the task after.
func actOnTask[T any](ctx context.Context, c *Cases, who Caller, id string, in Input[T], update string,
	request func(store.Task, T) (any, error)) (store.Task, error) {
	t, err := c.Task(ctx, who, id)
	if err != nil {
		return t, err
	}
	v, err := in()
	if err != nil {
		return t, err
	}
	arg, err := request(t, v)
	if err != nil {
		return t, err
	}
	return c.updateTask(ctx, t, update, arg)
}

func flowCaller(who Caller) flow.Caller {
	c := flow.Caller{Role: who.Role, Scope: who.Scope, TokenID: who.TokenID.String()}
	if who.AccountID != uuid.Nil {
		c.AccountID, c.Via = who.AccountID.String(), string(who.Via)
	}
	return c
}

// updateTask sends an update to the task's workflow and answers with the
// task as the record holds it afterwards: the workflow projects the change
// before it answers, and the record adds what only it knows (when the
// change was written, whether the task is overdue).
func (c *Cases) updateTask(ctx context.Context, t store.Task, name string, arg any) (store.Task, error) {
	if err := c.sendUpdate(ctx, t.WorkflowID, name, arg); err != nil {
		return t, err
	}
	return c.Store.GetTask(ctx, t.ID)
}

// sendUpdate sends an update to a task's workflow and waits for its
// answer within the wait deadline, turning a rejection into a refusal.
func (c *Cases) sendUpdate(ctx context.Context, workflowID, name string, arg any) error {
	return c.awaitWorkflow(ctx, func(ctx context.Context) error { return c.update(ctx, workflowID, name, arg) })
}

// update sends an update and waits for its answer as long as ctx lets it.
func (c *Cases) update(ctx context.Context, workflowID, name string, arg any) error {
	h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	return rejection(err)
}

// rejection turns an update validator's rejection into a refusal: the
// caller (forbidden), the state (conflict) or the form (invalid, naming
// fields). A workflow that no longer runs has closed its task.
func rejection(err error) error {
	var appErr *temporal.ApplicationError
	var gone *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &appErr):
		switch appErr.Type() {
		case flow.RejectForbidden:
			return forbidden(appErr.Message())
		case flow.RejectWrongState:
			return conflict(appErr.Message())
		case flow.RejectInvalid:
			var fields forms.Errors
			if appErr.HasDetails() {
				_ = appErr.Details(&fields)
			}
			if len(fields) == 0 {
				fields = forms.Errors{{Field: "body", Message: appErr.Message()}}
			}
			return invalid("the form breaks a rule", fields...)
		}
	case errors.As(err, &gone):
		return conflict("the task is closed")
	}
	return err
}
