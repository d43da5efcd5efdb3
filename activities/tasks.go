package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// DefaultTaskPolicy applies to any kind without a policy of its own.
var DefaultTaskPolicy = flow.TaskPolicy{DueWorkdays: 10, RemindWorkdaysBefore: 2, EscalateEveryWorkdays: 5}

// TaskPolicy returns the durations configured for a task kind. Run as a
// local activity, its answer is recorded in the task's history, so a
// configuration change affects new tasks only.
func (a *Activities) TaskPolicy(_ context.Context, kind string) (flow.TaskPolicy, error) {
	if p, ok := a.Policies[kind]; ok {
		return p, nil
	}
	return DefaultTaskPolicy, nil
}

// AddWorkdays counts working days on the Chinese calendar (holidays off,
// make-up days on) and returns the end of the nth working day after From.
// With a demo time scale set, a working day lasts that long in wall time
// instead. Workflows call it as a local activity, so the answer is recorded
// in history and a calendar edit never changes a running workflow.
func (a *Activities) AddWorkdays(_ context.Context, r flow.WorkdaysRequest) (time.Time, error) {
	if r.Workdays < 0 {
		return time.Time{}, invalid("workdays must not be negative, got %d", r.Workdays)
	}
	if a.Workday > 0 {
		return r.From.Add(time.Duration(r.Workdays) * a.Workday), nil
	}
	if a.Calendar == nil {
		return time.Time{}, invalid("no working-day calendar is loaded")
	}
	return a.Calendar.AddWorkdays(r.From, r.Workdays), nil
}

// WorkdaysBetween counts the working days after From's date up to and
// including To's date (with a demo time scale: whole scaled days between
// them). A paused task keeps what it had left in this unit.
func (a *Activities) WorkdaysBetween(_ context.Context, r flow.SpanRequest) (int, error) {
	if a.Workday > 0 {
		return int(r.To.Sub(r.From) / a.Workday), nil
	}
	if a.Calendar == nil {
		return 0, invalid("no working-day calendar is loaded")
	}
	return a.Calendar.WorkdaysBetween(r.From, r.To), nil
}

// ProjectTask writes a task into the inbox read model and its event into
// the audit log, and for a new task an assignment into the outbox, which
// reaches the people of its assignee. The version and the key make it
// idempotent.
func (a *Activities) ProjectTask(ctx context.Context, p flow.TaskProjection) error {
	if p.TaskID == uuid.Nil || p.StationID == uuid.Nil {
		return invalid("task projection %q names no task or station", p.WorkflowID)
	}
	actor := p.Actor
	if actor == "system" {
		actor = workflowActor(p.WorkflowID)
	}
	_, err := a.Store.ProjectTask(ctx, taskRow(p), store.TaskEvent{Action: "task." + p.Event, Actor: actor, Reason: p.Reason})
	if err != nil || p.Event != "created" || p.AssigneeKind == "" {
		return classify(err)
	}
	// A new task tells its assignee once: the key is the workflow's, so a
	// retried projection writes it once.
	return a.Notify(ctx, flow.Notification{Key: p.WorkflowID + "/assigned", Event: "task.assigned", TaskID: p.TaskID,
		Recipient: p.AssigneeKind + ":" + p.AssigneeID, Kind: p.Kind, StationID: p.StationID, DueAt: p.DueAt})
}

// taskRow maps a task's projection to its read-model row.
func taskRow(p flow.TaskProjection) store.Task {
	return store.Task{
		ID: p.TaskID, WorkflowID: p.WorkflowID, Kind: p.Kind, StationID: p.StationID, RegionCode: p.RegionCode,
		SubjectID: optional(p.SubjectID), AssigneeKind: p.AssigneeKind, AssigneeID: p.AssigneeID, EscalatedTo: p.EscalatedTo,
		EscalationLevel: p.EscalationLevel, State: p.State, ClaimedBy: p.ClaimedBy, Priority: p.Priority, DueAt: p.DueAt,
		Paused: p.Paused, Result: p.Result, Version: p.Version, Period: p.Period, Rubric: p.Rubric,
		Outcome: p.Outcome, Choices: p.Choices,
	}
}

// Notify writes a notification into the outbox once per key; the outbox
// deliverer sends it to the webhook later, so a slow or failing receiver
// never holds up a workflow.
func (a *Activities) Notify(ctx context.Context, n flow.Notification) error {
	payload, err := json.Marshal(map[string]any{"event": n.Event, "task_id": n.TaskID, "kind": n.Kind, "station_id": n.StationID,
		"recipient": n.Recipient, "due_at": n.DueAt, "escalation_level": n.EscalationLevel})
	if err != nil {
		return invalid("notification: %v", err)
	}
	if n.Key == "" {
		return invalid("notification %s has no idempotency key", n.Event)
	}
	return classify(a.Store.EnqueueNotification(ctx, store.Notification{Key: n.Key, Event: n.Event, TaskID: &n.TaskID,
		Recipient: n.Recipient, Payload: payload}))
}
