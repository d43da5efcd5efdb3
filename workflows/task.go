package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
)

// Task kinds.
const (
	KindApplicationReview    = "application_review"
	KindApplicationAmendment = "application_amendment"
	KindSupervision          = "quarterly_supervision"
	KindRectification        = "rectification"
	KindRectificationCheck   = "rectification_verification"
	KindSelfAssessment       = "self_assessment"
	KindAnnualEvaluation     = "annual_evaluation"
	KindArbitration          = "arbitration"
	KindRenewalDecision      = "renewal_decision"
	KindAppealReview         = "appeal_review"
)

// TaskKinds lists every kind of human task.
var TaskKinds = []string{KindApplicationReview, KindApplicationAmendment, KindSupervision, KindRectification, KindRectificationCheck,
	KindSelfAssessment, KindAnnualEvaluation, KindArbitration, KindRenewalDecision, KindAppealReview}

// Task states.
const (
	TaskOpen      = "open"
	TaskClaimed   = "claimed"
	TaskEscalated = "escalated"
	TaskCompleted = "completed"
	TaskCancelled = "cancelled"
)

// Update names of a human task.
const (
	CompleteUpdate = "complete"
	ClaimUpdate    = "claim"
	ReassignUpdate = "reassign"
	ExtendUpdate   = "extend"
	CloseUpdate    = "close"
	TaskQuery      = "task"
)

// Assignee kinds: an office (ID is its region code), an operating
// organisation or a person (ID is theirs).
const (
	AssignOffice = "office"
	AssignOrg    = "org"
	AssignPerson = "person"
)

// TaskWorkflowID is the deterministic ID of a human task:
// task/<station>/<kind>/<period>.
func TaskWorkflowID(stationID, kind, period string) string {
	return "task/" + stationID + "/" + kind + "/" + period
}

// Assignee is who a task is addressed to.
type Assignee struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

func (a Assignee) String() string { return a.Kind + ":" + a.ID }

// Caller is the authenticated principal behind an update, as the API saw it.
type Caller struct {
	Role    string `json:"role"`
	Scope   string `json:"scope"`
	TokenID string `json:"token_id"`
}

// Actor names the caller in the audit log by token ID only.
func (c Caller) Actor() string { return "token:" + c.TokenID }

// TaskInput starts a human task.
type TaskInput struct {
	TaskID        string   `json:"task_id"`
	Kind          string   `json:"kind"`
	StationID     string   `json:"station_id"`
	StationLevel  string   `json:"station_level"`
	StationRegion string   `json:"station_region"`
	SubjectID     string   `json:"subject_id,omitempty"`
	Assignee      Assignee `json:"assignee"`
	Priority      int      `json:"priority"`
	// Period is the quarter the task covers, for supervision.
	Period string `json:"period,omitempty"`
	// Rubric is the scoring sheet frozen into a scored task when it opens;
	// a later rubric version never changes it.
	Rubric *rubric.Rubric `json:"rubric,omitempty"`
	// DueFrom, when set, is the moment the working days to the due date are
	// counted from (the end of the quarter a supervision covers), instead of
	// the moment the task opens.
	DueFrom time.Time `json:"due_from,omitzero"`
	// Closable lets the office close the task with a reason, as missed.
	Closable bool `json:"closable,omitempty"`
	// Deadline, when set, is the due moment itself (a cycle's fixed due
	// date) instead of a number of working days.
	Deadline time.Time `json:"deadline,omitzero"`
	// Outcome is what a decision task decides about: the proposed outcome
	// of a renewal decision, the decision appealed in an appeal review.
	Outcome string `json:"outcome,omitempty"`
}

// TaskResult is what the parent receives when the task completes.
type TaskResult struct {
	TaskID      string          `json:"task_id"`
	Form        json.RawMessage `json:"form"`
	CompletedBy string          `json:"completed_by"`
	Late        bool            `json:"late"`
	// Closed says the office closed the task without a form, and why.
	Closed      bool   `json:"closed,omitempty"`
	CloseReason string `json:"close_reason,omitempty"`
}

// TaskView answers TaskQuery and is what the read model holds.
type TaskView struct {
	TaskInput
	State           string    `json:"state"`
	DueAt           time.Time `json:"due_at"`
	RemindAt        time.Time `json:"remind_at"`
	Paused          bool      `json:"paused"`
	EscalationLevel int       `json:"escalation_level"`
	EscalatedTo     string    `json:"escalated_to,omitempty"`
	ClaimedBy       string    `json:"claimed_by,omitempty"`
	Version         int64     `json:"version"`
}

// CompleteRequest completes a task with a form of the task's kind.
type CompleteRequest struct {
	Caller Caller          `json:"caller"`
	Form   json.RawMessage `json:"form"`
}

// ClaimRequest takes an office task for the calling token.
type ClaimRequest struct {
	Caller Caller `json:"caller"`
}

// ReassignRequest addresses the task to someone else.
type ReassignRequest struct {
	Caller   Caller   `json:"caller"`
	Assignee Assignee `json:"assignee"`
	Reason   string   `json:"reason"`
}

// CloseRequest closes a closable task without a form, with the reason.
type CloseRequest struct {
	Caller Caller `json:"caller"`
	Reason string `json:"reason"`
}

// ExtendRequest moves the due date by a number of working days, or pauses
// or resumes the task's clock.
type ExtendRequest struct {
	Caller   Caller `json:"caller"`
	Workdays int    `json:"workdays"`
	Pause    bool   `json:"pause"`
	Resume   bool   `json:"resume"`
	Reason   string `json:"reason"`
}

// Error types an update validator rejects with; the API maps them to HTTP.
const (
	RejectForbidden  = "Forbidden"  // the caller may not act on this task
	RejectWrongState = "WrongState" // the task is not in a state that allows it
	RejectInvalid    = "Invalid"    // the form or request breaks a rule; details carry forms.Errors
)

func reject(kind, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), kind)
}

func rejectForm(errs forms.Errors) error {
	return temporal.NewApplicationError(errs.Error(), RejectInvalid, errs)
}

// HumanTaskWorkflow is a piece of work a person or an office must do by a
// deadline counted in working days. It reminds the assignee before the
// deadline and, once overdue, escalates one office up the administrative
// chain of the station's region for every further overdue period. It ends
// when completed through CompleteUpdate, returning the form to its parent,
// or when its parent cancels it.
func HumanTaskWorkflow(ctx workflow.Context, in TaskInput) (TaskResult, error) {
	t := &taskRun{view: TaskView{TaskInput: in, State: TaskOpen}}
	return t.run(ctx)
}

type taskRun struct {
	view TaskView
	// While paused: the working days that were left until the due date and
	// the reminder when the clock stopped.
	dueLeft, remindLeft int
	policy              activities.TaskPolicy
	reminded            bool
	nextEscalAt         time.Time
	changed             bool // a handler moved the deadline or the clock
	result              *TaskResult
	path                []string // offices the task escalates to, nearest first
}

func (t *taskRun) run(ctx workflow.Context) (TaskResult, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, a.TaskPolicy, t.view.Kind).Get(ctx, &t.policy); err != nil {
		return TaskResult{}, err
	}
	t.path = escalationTargets(t.view.StationRegion, t.view.Assignee)
	start := workflow.Now(ctx)
	if !t.view.DueFrom.IsZero() && t.view.DueFrom.Before(start) {
		start = t.view.DueFrom
	}
	if t.view.Deadline.IsZero() {
		due, err := t.addWorkdays(ctx, start, t.policy.DueWorkdays)
		if err != nil {
			return TaskResult{}, err
		}
		t.view.DueAt = due
		if err := t.scheduleReminder(ctx, start, t.policy.DueWorkdays); err != nil {
			return TaskResult{}, err
		}
	} else {
		t.view.DueAt = t.view.Deadline
		left, err := t.workdaysUntil(ctx, start, t.view.Deadline)
		if err != nil {
			return TaskResult{}, err
		}
		if err := t.scheduleReminder(ctx, start, left); err != nil {
			return TaskResult{}, err
		}
	}
	if err := t.setupHandlers(ctx); err != nil {
		return TaskResult{}, err
	}
	if err := t.project(ctx, "created", "system", ""); err != nil {
		return TaskResult{}, err
	}

	for t.result == nil {
		if t.view.Paused {
			if err := workflow.Await(ctx, func() bool { return t.result != nil || t.changed }); err != nil {
				return t.cancelled(ctx, err)
			}
			t.changed = false
			continue
		}
		next, event := t.nextDeadline()
		if event == "" { // nothing more to remind or escalate: wait for the answer
			if err := workflow.Await(ctx, func() bool { return t.result != nil || t.changed }); err != nil {
				return t.cancelled(ctx, err)
			}
			t.changed = false
			continue
		}
		woken, err := workflow.AwaitWithTimeout(ctx, max(next.Sub(workflow.Now(ctx)), time.Millisecond), func() bool { return t.result != nil || t.changed })
		if err != nil {
			return t.cancelled(ctx, err)
		}
		if woken {
			t.changed = false
			continue
		}
		if err := t.fire(ctx, event); err != nil {
			return TaskResult{}, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return TaskResult{}, err
	}
	return *t.result, nil
}

// nextDeadline is the next moment the task must act on by itself.
func (t *taskRun) nextDeadline() (time.Time, string) {
	switch {
	case !t.reminded && !t.view.RemindAt.IsZero():
		return t.view.RemindAt, "reminded"
	case t.view.EscalationLevel == 0:
		return t.view.DueAt, "escalated"
	case t.view.EscalationLevel < len(t.path):
		return t.nextEscalAt, "escalated"
	}
	return time.Time{}, ""
}

func (t *taskRun) fire(ctx workflow.Context, event string) error {
	now := workflow.Now(ctx)
	if event == "reminded" {
		t.reminded = true
		if err := t.project(ctx, "reminded", "system", ""); err != nil {
			return err
		}
		return t.notify(ctx, "reminded", t.view.Assignee.String())
	}
	t.view.EscalationLevel++
	t.view.EscalatedTo = t.path[t.view.EscalationLevel-1]
	t.view.State = TaskEscalated
	next, err := t.addWorkdays(ctx, now, t.policy.EscalateEveryWorkdays)
	if err != nil {
		return err
	}
	t.nextEscalAt = next
	if err := t.project(ctx, "escalated", "system", fmt.Sprintf("overdue since %s; escalated to the office of region %s",
		t.view.DueAt.Format(time.RFC3339), t.view.EscalatedTo)); err != nil {
		return err
	}
	return t.notify(ctx, fmt.Sprintf("escalated-%d", t.view.EscalationLevel), AssignOffice+":"+t.view.EscalatedTo)
}

// scheduleReminder sets the reminder a configured number of working days
// before the due date, which is dueWorkdays after start; none when that
// leaves no time.
func (t *taskRun) scheduleReminder(ctx workflow.Context, start time.Time, dueWorkdays int) error {
	t.reminded = false
	t.view.RemindAt = time.Time{}
	at := dueWorkdays - t.policy.RemindWorkdaysBefore
	if t.policy.RemindWorkdaysBefore <= 0 || at <= 0 {
		return nil
	}
	remind, err := t.addWorkdays(ctx, start, at)
	if err != nil {
		return err
	}
	if remind.Before(t.view.DueAt) {
		t.view.RemindAt = remind
	}
	return nil
}

func (t *taskRun) addWorkdays(ctx workflow.Context, from time.Time, n int) (time.Time, error) {
	var out time.Time
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	err := workflow.ExecuteLocalActivity(lctx, a.AddWorkdays, activities.WorkdaysRequest{From: from, Workdays: n}).Get(ctx, &out)
	return out, err
}

// workdaysUntil is the number of working days from now to a moment, zero
// when it has passed.
func (t *taskRun) workdaysUntil(ctx workflow.Context, now, until time.Time) (int, error) {
	if !until.After(now) {
		return 0, nil
	}
	var n int
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	err := workflow.ExecuteLocalActivity(lctx, a.WorkdaysBetween, activities.SpanRequest{From: now, To: until}).Get(ctx, &n)
	return max(n, 0), err
}

func (t *taskRun) setupHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, TaskQuery, func() (TaskView, error) { return t.view, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, CompleteUpdate, t.complete,
		workflow.UpdateHandlerOptions{Validator: t.validateComplete}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ClaimUpdate, t.claim,
		workflow.UpdateHandlerOptions{Validator: t.validateClaim}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ReassignUpdate, t.reassign,
		workflow.UpdateHandlerOptions{Validator: t.validateReassign}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, CloseUpdate, t.close,
		workflow.UpdateHandlerOptions{Validator: t.validateClose}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, ExtendUpdate, t.extend,
		workflow.UpdateHandlerOptions{Validator: t.validateExtend})
}

func (t *taskRun) open() bool { return t.result == nil && t.view.State != TaskCancelled }

// mayWork: who may complete or claim the task. The assignee (once claimed,
// only the claiming token), every office the overdue task has climbed to,
// and admins.
func (t *taskRun) mayWork(c Caller) bool {
	if c.Role == "admin" {
		return true
	}
	if c.Role == "office" && slices.Contains(t.path[:min(t.view.EscalationLevel, len(t.path))], c.Scope) {
		return true
	}
	if t.view.ClaimedBy != "" {
		return c.TokenID == t.view.ClaimedBy
	}
	switch t.view.Assignee.Kind {
	case AssignOffice:
		return c.Role == "office" && c.Scope == t.view.Assignee.ID
	case AssignOrg:
		return c.Role == "org" && c.Scope == t.view.Assignee.ID
	case AssignPerson:
		return c.Role == "supervisor" && c.Scope == t.view.Assignee.ID
	}
	return false
}

// mayManage: reassigning and extending belong to the office that owns the
// station's region, or any office above it, and to admins.
func (t *taskRun) mayManage(c Caller) bool {
	if c.Role == "admin" {
		return true
	}
	return c.Role == "office" && codes.Within(codes.OfficeRegion(t.view.StationRegion), c.Scope)
}

func (t *taskRun) validateComplete(c CompleteRequest) error {
	if !t.open() {
		return reject(RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayWork(c.Caller) {
		return reject(RejectForbidden, "this token may not complete the task")
	}
	if errs := CheckForm(t.view.TaskInput, c.Form); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

func (t *taskRun) complete(ctx workflow.Context, c CompleteRequest) (TaskResult, error) {
	late := workflow.Now(ctx).After(t.view.DueAt)
	t.view.State = TaskCompleted
	res := TaskResult{TaskID: t.view.TaskID, Form: c.Form, CompletedBy: c.Caller.Actor(), Late: late}
	t.result = &res // the main loop stops reminding and escalating at once
	reason := ""
	if late {
		reason = "completed after the due date"
	}
	if err := t.projectWithResult(ctx, "completed", c.Caller.Actor(), reason, c.Form); err != nil {
		return TaskResult{}, err
	}
	return res, nil
}

func (t *taskRun) validateClose(r CloseRequest) error {
	if !t.open() {
		return reject(RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.view.Closable {
		return reject(RejectWrongState, "a %s task cannot be closed without its form", t.view.Kind)
	}
	if !t.mayManage(r.Caller) {
		return reject(RejectForbidden, "only the office that owns the station's region may close the task")
	}
	if errs := forms.Check(forms.CloseReason{Reason: r.Reason}); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

// close ends the task without a form: the office records that the work was
// missed and why, and the parent receives a closed result.
func (t *taskRun) close(ctx workflow.Context, r CloseRequest) (TaskView, error) {
	t.view.State = TaskCancelled
	t.result = &TaskResult{TaskID: t.view.TaskID, CompletedBy: r.Caller.Actor(), Closed: true, CloseReason: r.Reason}
	return t.view, t.project(ctx, "closed", r.Caller.Actor(), r.Reason)
}

func (t *taskRun) validateClaim(c ClaimRequest) error {
	if !t.open() {
		return reject(RejectWrongState, "the task is %s", t.view.State)
	}
	if t.view.ClaimedBy != "" {
		return reject(RejectWrongState, "the task is claimed already")
	}
	if !t.mayWork(c.Caller) {
		return reject(RejectForbidden, "this token may not claim the task")
	}
	return nil
}

func (t *taskRun) claim(ctx workflow.Context, c ClaimRequest) (TaskView, error) {
	t.view.ClaimedBy = c.Caller.TokenID
	if t.view.State == TaskOpen {
		t.view.State = TaskClaimed
	}
	return t.view, t.project(ctx, "claimed", c.Caller.Actor(), "")
}

func (t *taskRun) validateReassign(r ReassignRequest) error {
	if !t.open() {
		return reject(RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayManage(r.Caller) {
		return reject(RejectForbidden, "only the office that owns the station's region may reassign")
	}
	var errs forms.Errors
	if r.Reason == "" {
		errs = append(errs, forms.FieldError{Field: "reason", Message: "is required"})
	}
	if !slices.Contains([]string{AssignOffice, AssignOrg, AssignPerson}, r.Assignee.Kind) {
		errs = append(errs, forms.FieldError{Field: "assignee.kind", Message: "must be one of: office, org, person"})
	} else if r.Assignee.Kind == AssignOffice {
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

func (t *taskRun) reassign(ctx workflow.Context, r ReassignRequest) (TaskView, error) {
	// The new assignee starts at the bottom of its own escalation chain.
	t.view.Assignee = r.Assignee
	t.view.ClaimedBy = ""
	t.view.State = TaskOpen
	t.view.EscalationLevel = 0
	t.view.EscalatedTo = ""
	t.path = escalationTargets(t.view.StationRegion, r.Assignee)
	t.changed = true
	if err := t.project(ctx, "reassigned", r.Caller.Actor(), r.Reason); err != nil {
		return TaskView{}, err
	}
	return t.view, t.notify(ctx, fmt.Sprintf("reassigned-%d", t.view.Version), r.Assignee.String())
}

func (t *taskRun) validateExtend(r ExtendRequest) error {
	if !t.open() {
		return reject(RejectWrongState, "the task is %s", t.view.State)
	}
	if !t.mayManage(r.Caller) {
		return reject(RejectForbidden, "only the office that owns the station's region may move the deadline")
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
func (t *taskRun) extend(ctx workflow.Context, r ExtendRequest) (TaskView, error) {
	now := workflow.Now(ctx)
	switch {
	case r.Pause:
		// Stop the clock: remember the working days left.
		var err error
		if t.dueLeft, err = t.workdaysUntil(ctx, now, t.view.DueAt); err != nil {
			return TaskView{}, err
		}
		t.remindLeft = 0
		if !t.reminded && !t.view.RemindAt.IsZero() {
			if t.remindLeft, err = t.workdaysUntil(ctx, now, t.view.RemindAt); err != nil {
				return TaskView{}, err
			}
		}
		t.view.Paused = true
	case r.Resume:
		// Start the clock again with what was left when it stopped.
		t.view.Paused = false
		if t.dueLeft > 0 {
			due, err := t.addWorkdays(ctx, now, t.dueLeft)
			if err != nil {
				return TaskView{}, err
			}
			t.view.DueAt = due
		}
		if t.remindLeft > 0 {
			remind, err := t.addWorkdays(ctx, now, t.remindLeft)
			if err != nil {
				return TaskView{}, err
			}
			t.view.RemindAt = remind
		}
		if t.view.EscalationLevel > 0 {
			next, err := t.addWorkdays(ctx, now, t.policy.EscalateEveryWorkdays)
			if err != nil {
				return TaskView{}, err
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
			return TaskView{}, err
		}
		t.view.DueAt = due
		t.view.EscalationLevel = 0
		t.view.EscalatedTo = ""
		if t.view.State == TaskEscalated {
			t.view.State = TaskOpen
			if t.view.ClaimedBy != "" {
				t.view.State = TaskClaimed
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
func (t *taskRun) cancelled(ctx workflow.Context, cause error) (TaskResult, error) {
	if !temporal.IsCanceledError(cause) {
		return TaskResult{}, cause
	}
	t.view.State = TaskCancelled
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if err := t.project(dctx, "cancelled", "system", "withdrawn by the process that opened it"); err != nil {
		return TaskResult{}, err
	}
	return TaskResult{}, cause
}

func (t *taskRun) project(ctx workflow.Context, event, actor, reason string) error {
	return t.projectWithResult(ctx, event, actor, reason, nil)
}

func (t *taskRun) projectWithResult(ctx workflow.Context, event, actor, reason string, result json.RawMessage) error {
	t.view.Version++
	var frozen *rubric.Rubric
	if event == "created" { // the rubric never changes: write it once
		frozen = t.view.Rubric
	}
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectTask, activities.TaskProjection{
		Period: t.view.Period, Rubric: frozen,
		TaskID: t.view.TaskID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Kind: t.view.Kind,
		StationID: t.view.StationID, RegionCode: t.view.StationRegion, SubjectID: t.view.SubjectID,
		AssigneeKind: t.view.Assignee.Kind, AssigneeID: t.view.Assignee.ID,
		EscalatedTo: t.view.EscalatedTo, EscalationLevel: t.view.EscalationLevel,
		State: t.view.State, ClaimedBy: t.view.ClaimedBy, Priority: t.view.Priority,
		DueAt: t.view.DueAt, Paused: t.view.Paused, Result: result, Version: t.view.Version,
		Event: event, Actor: actor, Reason: reason,
	}).Get(ctx, nil)
}

func (t *taskRun) notify(ctx workflow.Context, purpose, recipient string) error {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	actx := workflow.WithActivityOptions(ctx, notifyOptions)
	return workflow.ExecuteActivity(actx, a.Notify, activities.Notification{
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

// escalationTargets is the chain of offices overdue work climbs, derived
// from the station's region alone: county office, city office, province.
// Offices at or below the assignee's own office are skipped.
func escalationTargets(stationRegion string, assignee Assignee) []string {
	path := codes.EscalationPath(stationRegion)
	if own := codes.OfficeRegion(stationRegion); !slices.Contains(path, own) {
		path = append([]string{own}, path...)
	}
	if assignee.Kind != AssignOffice {
		return path
	}
	var out []string
	for _, office := range path {
		if len(office) < len(assignee.ID) {
			out = append(out, office)
		}
	}
	return out
}

// CheckForm validates a completion form for a task: the same rules the
// HTTP API applies when the form arrives. A scored task is checked against
// the rubric frozen into it.
func CheckForm(in TaskInput, raw json.RawMessage) forms.Errors {
	switch in.Kind {
	case KindSupervision, KindAnnualEvaluation, KindSelfAssessment:
		if in.Rubric == nil {
			return forms.Errors{{Field: "kind", Message: "the task has no rubric to score against"}}
		}
		if in.Kind == KindSelfAssessment {
			return checkDecoded(raw, func(f grading.SelfAssessment) forms.Errors { return f.Check(in.Rubric) })
		}
		return checkDecoded(raw, in.Rubric.Check)
	case KindRectification:
		return checkDecoded(raw, forms.CheckRectificationResponse)
	case KindRectificationCheck:
		return checkDecoded(raw, forms.CheckRectificationVerification)
	case KindArbitration:
		return checkDecoded(raw, func(f forms.Arbitration) forms.Errors { return forms.Check(f) })
	case KindRenewalDecision:
		return checkDecoded(raw, func(d forms.RenewalDecision) forms.Errors { return forms.CheckRenewalDecision(d, in.Outcome) })
	case KindAppealReview:
		return checkDecoded(raw, func(r forms.AppealReview) forms.Errors { return forms.CheckAppealReview(r, in.Outcome) })
	case KindApplicationReview:
		return checkDecoded(raw, forms.CheckReviewDecision)
	case KindApplicationAmendment:
		return checkDecoded(raw, func(app forms.Application) forms.Errors {
			return forms.CheckApplication(app, codes.StationLevel(in.StationLevel))
		})
	}
	return forms.Errors{{Field: "kind", Message: "no form is defined for task kind " + in.Kind}}
}

// checkDecoded decodes a form strictly into T and applies check to it.
func checkDecoded[T any](raw json.RawMessage, check func(T) forms.Errors) forms.Errors {
	var v T
	if err := forms.DecodeStrictBytes(raw, &v); err != nil {
		return forms.Errors{err.FieldError}
	}
	return check(v)
}

// localOptions: reading the calendar and the task policy is local and fast;
// a failure is a bug or a bad deployment file, retried a few times.
var localOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 5 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: 5,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalid},
	},
}

// notifyOptions: writing the outbox row must land; delivery is separate
// and never blocks the workflow.
var notifyOptions = projectionOptions
