package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
)

// HumanTaskWorkflow is a piece of work a person or an office must do by a
// deadline counted in working days. It reminds the assignee before the
// deadline and, once overdue, escalates one office up the administrative
// chain of the station's region for every further overdue period. It ends
// when completed through the complete update, returning the form to its
// parent, or when its parent cancels it.
func HumanTaskWorkflow(ctx workflow.Context, in flow.TaskInput) (flow.TaskResult, error) {
	t := &taskRun{view: flow.TaskView{TaskInput: in, State: flow.TaskOpen}}
	return t.run(ctx)
}

type taskRun struct {
	view flow.TaskView
	// While paused: the working days that were left until the due date and
	// the reminder when the clock stopped.
	dueLeft, remindLeft int
	policy              flow.TaskPolicy
	reminded            bool
	nextEscalAt         time.Time
	changed             bool // a handler moved the deadline or the clock
	result              *flow.TaskResult
	path                []string // offices the task escalates to, nearest first
}

// run is the task's story: it learns its durations, sets its due date and
// reminder, opens, then reminds and escalates until it is completed,
// closed or withdrawn.
func (t *taskRun) run(ctx workflow.Context) (flow.TaskResult, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, flow.TaskPolicyActivity, t.view.Kind).Get(ctx, &t.policy); err != nil {
		return flow.TaskResult{}, err
	}
	t.path = escalationTargets(t.view.StationRegion, t.view.Assignee)
	if err := t.scheduleDue(ctx); err != nil {
		return flow.TaskResult{}, err
	}
	if err := t.setupHandlers(ctx); err != nil {
		return flow.TaskResult{}, err
	}
	if err := t.project(ctx, "created", "system", ""); err != nil {
		return flow.TaskResult{}, err
	}
	for t.result == nil {
		woken, event, err := t.waitForChange(ctx)
		if err != nil {
			return t.cancelled(ctx, err)
		}
		if woken {
			continue
		}
		if err := t.fire(ctx, event); err != nil {
			return flow.TaskResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return flow.TaskResult{}, err
	}
	return *t.result, nil
}

// scheduleDue sets the due date, a number of working days from the start
// (or the fixed deadline), and the reminder before it.
func (t *taskRun) scheduleDue(ctx workflow.Context) error {
	start := workflow.Now(ctx)
	if !t.view.DueFrom.IsZero() && t.view.DueFrom.Before(start) {
		start = t.view.DueFrom
	}
	if t.view.Deadline.IsZero() {
		due, err := t.addWorkdays(ctx, start, t.policy.DueWorkdays)
		if err != nil {
			return err
		}
		t.view.DueAt = due
		return t.scheduleReminder(ctx, start, t.policy.DueWorkdays)
	}
	t.view.DueAt = t.view.Deadline
	left, err := t.workdaysUntil(ctx, start, t.view.Deadline)
	if err != nil {
		return err
	}
	return t.scheduleReminder(ctx, start, left)
}

// waitForChange waits until a handler changes the task or, unless the
// clock is paused, its next reminder or escalation falls due. woken says a
// handler changed it; otherwise event is what fell due.
func (t *taskRun) waitForChange(ctx workflow.Context) (woken bool, event string, err error) {
	changed := func() bool { return t.result != nil || t.changed }
	var next time.Time
	if !t.view.Paused {
		next, event = t.nextDeadline()
	}
	if event == "" { // paused, or nothing more to remind or escalate: wait for the answer
		err = workflow.Await(ctx, changed)
		woken = err == nil
	} else {
		woken, err = workflow.AwaitWithTimeout(ctx, max(next.Sub(workflow.Now(ctx)), time.Millisecond), changed)
	}
	if woken {
		t.changed = false
	}
	return woken, event, err
}

func (t *taskRun) addWorkdays(ctx workflow.Context, from time.Time, n int) (time.Time, error) {
	return addWorkdays(ctx, from, n)
}

// workdaysUntil is the number of working days from now to a moment, zero
// when it has passed.
func (t *taskRun) workdaysUntil(ctx workflow.Context, now, until time.Time) (int, error) {
	if !until.After(now) {
		return 0, nil
	}
	var n int
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	err := workflow.ExecuteLocalActivity(lctx, flow.WorkdaysBetweenActivity, flow.SpanRequest{From: now, To: until}).Get(ctx, &n)
	return max(n, 0), err
}

func (t *taskRun) setupHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, flow.TaskQuery, func() (flow.TaskView, error) { return t.view, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.CompleteUpdate, t.complete,
		workflow.UpdateHandlerOptions{Validator: t.validateComplete}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.ClaimUpdate, t.claim,
		workflow.UpdateHandlerOptions{Validator: t.validateClaim}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.ReassignUpdate, t.reassign,
		workflow.UpdateHandlerOptions{Validator: t.validateReassign}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, flow.CloseUpdate, t.close,
		workflow.UpdateHandlerOptions{Validator: t.validateClose}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.ExtendUpdate, t.extend,
		workflow.UpdateHandlerOptions{Validator: t.validateExtend})
}

func (t *taskRun) open() bool { return t.result == nil && t.view.State != flow.TaskCancelled }

// mayWork: who may complete or claim the task. The assignee (once claimed,
// only the claiming person or service token), every office the overdue task has climbed to,
// and admins.
func (t *taskRun) mayWork(c flow.Caller) bool {
	if c.Role == flow.RoleAdmin {
		return true
	}
	if c.Role == flow.RoleOffice && slices.Contains(t.path[:min(t.view.EscalationLevel, len(t.path))], c.Scope) {
		return true
	}
	if t.view.ClaimedBy != "" {
		return c.Claimant() == t.view.ClaimedBy
	}
	switch t.view.Assignee.Kind {
	case flow.AssignOffice:
		return c.Role == flow.RoleOffice && c.Scope == t.view.Assignee.ID
	case flow.AssignOrg:
		return c.Role == flow.RoleOrg && c.Scope == t.view.Assignee.ID
	case flow.AssignPerson:
		return c.Role == flow.RoleSupervisor && c.Scope == t.view.Assignee.ID
	}
	return false
}

// mayManage: reassigning and extending belong to the office that owns the
// station's region, or any office above it, and to admins.
func (t *taskRun) mayManage(c flow.Caller) bool {
	if c.Role == flow.RoleAdmin {
		return true
	}
	return c.Role == flow.RoleOffice && codes.Within(codes.OfficeRegion(t.view.StationRegion), c.Scope)
}

func (t *taskRun) validateComplete(c flow.CompleteRequest) error {
	if !t.open() {
		return reject(flow.RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayWork(c.Caller) {
		return reject(flow.RejectForbidden, "this token may not complete the task")
	}
	if errs := CheckForm(t.view.TaskInput, c.Form); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

func (t *taskRun) complete(ctx workflow.Context, c flow.CompleteRequest) (flow.TaskResult, error) {
	late := workflow.Now(ctx).After(t.view.DueAt)
	t.view.State = flow.TaskCompleted
	res := flow.TaskResult{TaskID: t.view.TaskID, Form: c.Form, CompletedBy: c.Caller.Actor(), Late: late}
	t.result = &res // the main loop stops reminding and escalating at once
	reason := ""
	if late {
		reason = "completed after the due date"
	}
	if err := t.projectWithResult(ctx, "completed", c.Caller.Actor(), reason, c.Form); err != nil {
		return flow.TaskResult{}, err
	}
	return res, nil
}

func (t *taskRun) validateClose(r flow.CloseRequest) error {
	if !t.open() {
		return reject(flow.RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.view.Closable {
		return reject(flow.RejectWrongState, "a %s task cannot be closed without its form", t.view.Kind)
	}
	if !t.mayManage(r.Caller) {
		return reject(flow.RejectForbidden, "only the office that owns the station's region may close the task")
	}
	if errs := forms.Check(forms.CloseReason{Reason: r.Reason}); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

// close ends the task without a form: the office records that the work was
// missed and why, and the parent receives a closed result.
func (t *taskRun) close(ctx workflow.Context, r flow.CloseRequest) (flow.TaskView, error) {
	t.view.State = flow.TaskCancelled
	t.result = &flow.TaskResult{TaskID: t.view.TaskID, CompletedBy: r.Caller.Actor(), Closed: true, CloseReason: r.Reason}
	return t.view, t.project(ctx, "closed", r.Caller.Actor(), r.Reason)
}

func (t *taskRun) validateClaim(c flow.ClaimRequest) error {
	if !t.open() {
		return reject(flow.RejectWrongState, "the task is %s", t.view.State)
	}
	if t.view.ClaimedBy != "" {
		return reject(flow.RejectWrongState, "the task is claimed already")
	}
	if !t.mayWork(c.Caller) {
		return reject(flow.RejectForbidden, "this token may not claim the task")
	}
	return nil
}

func (t *taskRun) claim(ctx workflow.Context, c flow.ClaimRequest) (flow.TaskView, error) {
	t.view.ClaimedBy = c.Caller.Claimant()
	if t.view.State == flow.TaskOpen {
		t.view.State = flow.TaskClaimed
	}
	return t.view, t.project(ctx, "claimed", c.Caller.Actor(), "")
}

func (t *taskRun) validateReassign(r flow.ReassignRequest) error {
	if !t.open() {
		return reject(flow.RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayManage(r.Caller) {
		return reject(flow.RejectForbidden, "only the office that owns the station's region may reassign")
	}
	var errs forms.Errors
	if r.Reason == "" {
		errs = append(errs, forms.FieldError{Field: "reason", Message: "is required"})
	}
	if !slices.Contains(flow.AssigneeKinds, r.Assignee.Kind) {
		errs = append(errs, forms.FieldError{Field: "assignee.kind", Message: "must be one of: office, org, person"})
	} else if r.Assignee.Kind == flow.AssignOffice {
		if _, err := codes.ParseRegion(r.Assignee.ID); err != nil {
			errs = append(errs, forms.FieldError{Field: "assignee.id", Message: err.Error()})
		}
	} else if r.Assignee.ID == "" {
		errs = append(errs, forms.FieldError{Field: "assignee.id", Message: "is required"})
	}
	if len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

func (t *taskRun) reassign(ctx workflow.Context, r flow.ReassignRequest) (flow.TaskView, error) {
	// The new assignee starts at the bottom of its own escalation chain.
	t.view.Assignee = r.Assignee
	t.view.ClaimedBy = ""
	t.view.State = flow.TaskOpen
	t.view.EscalationLevel = 0
	t.view.EscalatedTo = ""
	t.path = escalationTargets(t.view.StationRegion, r.Assignee)
	t.changed = true
	if err := t.project(ctx, "reassigned", r.Caller.Actor(), r.Reason); err != nil {
		return flow.TaskView{}, err
	}
	return t.view, t.notify(ctx, fmt.Sprintf("reassigned-%d", t.view.Version), r.Assignee.String())
}

func (t *taskRun) validateExtend(r flow.ExtendRequest) error {
	if !t.open() {
		return reject(flow.RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayManage(r.Caller) {
		return reject(flow.RejectForbidden, "only the office that owns the station's region may move the deadline")
	}
	var errs forms.Errors
	if r.Reason == "" {
		errs = append(errs, forms.FieldError{Field: "reason", Message: "is required"})
	}
	switch {
	case r.Pause && r.Resume, (r.Pause || r.Resume) && r.Workdays != 0:
		errs = append(errs, forms.FieldError{Field: "workdays", Message: "give one of workdays, pause or resume"})
	case r.Pause && t.view.Paused:
		errs = append(errs, forms.FieldError{Field: "pause", Message: "the task is paused already"})
	case r.Resume && !t.view.Paused:
		errs = append(errs, forms.FieldError{Field: "resume", Message: "the task is not paused"})
	case !r.Pause && !r.Resume && (r.Workdays < 1 || r.Workdays > 60):
		errs = append(errs, forms.FieldError{Field: "workdays", Message: "must be a whole number from 1 to 60"})
	}
	if len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

// extend moves the deadline; the running timer follows because the main
// loop wakes on every change and waits again for the new deadline. An
// extension also lifts the task back to its assignee: a new due date in
// the future means it is no longer overdue.
func (t *taskRun) extend(ctx workflow.Context, r flow.ExtendRequest) (flow.TaskView, error) {
	now := workflow.Now(ctx)
	switch {
	case r.Pause:
		// Stop the clock: remember the working days left.
		var err error
		if t.dueLeft, err = t.workdaysUntil(ctx, now, t.view.DueAt); err != nil {
			return flow.TaskView{}, err
		}
		t.remindLeft = 0
		if !t.reminded && !t.view.RemindAt.IsZero() {
			if t.remindLeft, err = t.workdaysUntil(ctx, now, t.view.RemindAt); err != nil {
				return flow.TaskView{}, err
			}
		}
		t.view.Paused = true
	case r.Resume:
		// Start the clock again with what was left when it stopped.
		t.view.Paused = false
		if t.dueLeft > 0 {
			due, err := t.addWorkdays(ctx, now, t.dueLeft)
			if err != nil {
				return flow.TaskView{}, err
			}
			t.view.DueAt = due
		}
		if t.remindLeft > 0 {
			remind, err := t.addWorkdays(ctx, now, t.remindLeft)
			if err != nil {
				return flow.TaskView{}, err
			}
			t.view.RemindAt = remind
		}
		if t.view.EscalationLevel > 0 {
			next, err := t.addWorkdays(ctx, now, t.policy.EscalateEveryWorkdays)
			if err != nil {
				return flow.TaskView{}, err
			}
			t.nextEscalAt = next
		}
	default:
		base := t.view.DueAt
		if base.Before(now) {
			base = now
		}
		due, err := t.addWorkdays(ctx, base, r.Workdays)
		if err != nil {
			return flow.TaskView{}, err
		}
		t.view.DueAt = due
		t.view.EscalationLevel = 0
		t.view.EscalatedTo = ""
		if t.view.State == flow.TaskEscalated {
			t.view.State = flow.TaskOpen
			if t.view.ClaimedBy != "" {
				t.view.State = flow.TaskClaimed
			}
		}
		t.reminded = true // the extension itself tells the assignee
	}
	t.changed = true
	event := "extended"
	if r.Pause {
		event = "paused"
	} else if r.Resume {
		event = "resumed"
	}
	return t.view, t.project(ctx, event, r.Caller.Actor(), r.Reason)
}

// cancelled records that the parent withdrew the task, then ends it.
func (t *taskRun) cancelled(ctx workflow.Context, cause error) (flow.TaskResult, error) {
	if !temporal.IsCanceledError(cause) {
		return flow.TaskResult{}, cause
	}
	t.view.State = flow.TaskCancelled
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if err := t.project(dctx, "cancelled", "system", "withdrawn by the process that opened it"); err != nil {
		return flow.TaskResult{}, err
	}
	return flow.TaskResult{}, cause
}

func (t *taskRun) project(ctx workflow.Context, event, actor, reason string) error {
	return t.projectWithResult(ctx, event, actor, reason, nil)
}

func (t *taskRun) projectWithResult(ctx workflow.Context, event, actor, reason string, result json.RawMessage) error {
	t.view.Version++
	var frozen json.RawMessage
	var outcome string
	var choices []string
	if event == "created" { // the rubric, outcome and choices never change: write them once
		frozen, outcome, choices = t.view.Rubric, t.view.Outcome, t.view.Choices
	}
	return runProjection(ctx, flow.ProjectTaskActivity, flow.TaskProjection{
		Period: t.view.Period, Rubric: frozen, Outcome: outcome, Choices: choices,
		TaskID: t.view.TaskID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Kind: t.view.Kind,
		StationID: t.view.StationID, RegionCode: t.view.StationRegion, SubjectID: t.view.SubjectID,
		AssigneeKind: t.view.Assignee.Kind, AssigneeID: t.view.Assignee.ID,
		EscalatedTo: t.view.EscalatedTo, EscalationLevel: t.view.EscalationLevel,
		State: t.view.State, ClaimedBy: t.view.ClaimedBy, Priority: t.view.Priority,
		DueAt: t.view.DueAt, Paused: t.view.Paused, Result: result, Version: t.view.Version,
		Event: event, Actor: actor, Reason: reason,
	})
}

func (t *taskRun) notify(ctx workflow.Context, purpose, recipient string) error {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	actx := workflow.WithActivityOptions(ctx, notifyOptions)
	return workflow.ExecuteActivity(actx, flow.NotifyActivity, flow.Notification{
		Key: wid + "/" + purpose, Event: "task." + firstWord(purpose), TaskID: t.view.TaskID, Recipient: recipient,
		Kind: t.view.Kind, StationID: t.view.StationID, DueAt: t.view.DueAt, EscalationLevel: t.view.EscalationLevel,
	}).Get(ctx, nil)
}

func firstWord(purpose string) string {
	for i, r := range purpose {
		if r == '-' {
			return purpose[:i]
		}
	}
	return purpose
}
