package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// TaskPolicy is a task kind's durations, in working days. The escalation
// path is never part of it: that comes from the station's region.
type TaskPolicy struct {
	DueWorkdays           int `json:"due_workdays"`
	RemindWorkdaysBefore  int `json:"remind_workdays_before"`
	EscalateEveryWorkdays int `json:"escalate_every_workdays"`
}

// DefaultTaskPolicy applies to any kind without a policy of its own.
var DefaultTaskPolicy = TaskPolicy{DueWorkdays: 10, RemindWorkdaysBefore: 2, EscalateEveryWorkdays: 5}

// TaskPolicy returns the durations configured for a task kind. Run as a
// local activity, its answer is recorded in the task's history, so a
// configuration change affects new tasks only.
func (a *Activities) TaskPolicy(_ context.Context, kind string) (TaskPolicy, error) {
	if p, ok := a.Policies[kind]; ok {
		return p, nil
	}
	return DefaultTaskPolicy, nil
}

// WorkdaysRequest asks for the moment n working days after From.
type WorkdaysRequest struct {
	From     time.Time `json:"from"`
	Workdays int       `json:"workdays"`
}

// AddWorkdays counts working days on the Chinese calendar (holidays off,
// make-up days on) and returns the end of the nth working day after From.
// With a demo time scale set, a working day lasts that long in wall time
// instead. Workflows call it as a local activity, so the answer is recorded
// in history and a calendar edit never changes a running workflow.
func (a *Activities) AddWorkdays(_ context.Context, r WorkdaysRequest) (time.Time, error) {
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
func (a *Activities) WorkdaysBetween(_ context.Context, r SpanRequest) (int, error) {
	if a.Workday > 0 {
		return int(r.To.Sub(r.From) / a.Workday), nil
	}
	if a.Calendar == nil {
		return 0, invalid("no working-day calendar is loaded")
	}
	return a.Calendar.WorkdaysBetween(r.From, r.To), nil
}

// SpanRequest asks how many working days lie between two moments.
type SpanRequest struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// TaskProjection is a human task's state to write to the read model, with
// the event that changed it.
type TaskProjection struct {
	TaskID          string          `json:"task_id"`
	WorkflowID      string          `json:"workflow_id"`
	Kind            string          `json:"kind"`
	StationID       string          `json:"station_id"`
	RegionCode      string          `json:"region_code"`
	SubjectID       string          `json:"subject_id,omitempty"`
	AssigneeKind    string          `json:"assignee_kind"`
	AssigneeID      string          `json:"assignee_id"`
	EscalatedTo     string          `json:"escalated_to,omitempty"`
	EscalationLevel int             `json:"escalation_level"`
	State           string          `json:"state"`
	ClaimedBy       string          `json:"claimed_by,omitempty"`
	Priority        int             `json:"priority"`
	DueAt           time.Time       `json:"due_at"`
	Paused          bool            `json:"paused"`
	Result          json.RawMessage `json:"result,omitempty"`
	Period          string          `json:"period,omitempty"`
	Rubric          *rubric.Rubric  `json:"rubric,omitempty"` // sent once, when the task is created
	Version         int64           `json:"version"`
	Event           string          `json:"event"`
	Actor           string          `json:"actor"`
	Reason          string          `json:"reason,omitempty"`
}

// ProjectTask writes a task into the inbox read model and its event into
// the audit log. The version makes it idempotent.
func (a *Activities) ProjectTask(ctx context.Context, p TaskProjection) error {
	id, err := parseID("task_id", p.TaskID)
	if err != nil {
		return err
	}
	station, err := parseID("station_id", p.StationID)
	if err != nil {
		return err
	}
	var subject *uuid.UUID
	if p.SubjectID != "" {
		s, err := parseID("subject_id", p.SubjectID)
		if err != nil {
			return err
		}
		subject = &s
	}
	var frozen json.RawMessage
	if p.Rubric != nil {
		if frozen, err = json.Marshal(p.Rubric); err != nil {
			return invalid("task %s: rubric: %v", p.TaskID, err)
		}
	}
	actor := p.Actor
	if actor == "system" {
		actor = "workflow:" + p.WorkflowID
	}
	_, err = a.Store.ProjectTask(ctx, store.Task{
		ID: id, WorkflowID: p.WorkflowID, Kind: p.Kind, StationID: station, RegionCode: p.RegionCode, SubjectID: subject,
		AssigneeKind: p.AssigneeKind, AssigneeID: p.AssigneeID, EscalatedTo: p.EscalatedTo, EscalationLevel: p.EscalationLevel,
		State: p.State, ClaimedBy: p.ClaimedBy, Priority: p.Priority, DueAt: p.DueAt, Paused: p.Paused,
		Result: p.Result, Version: p.Version, Period: p.Period, Rubric: frozen,
	}, store.TaskEvent{Action: "task." + p.Event, Actor: actor, Reason: p.Reason})
	return classify(err)
}

// Notification is a reminder or an escalation to deliver.
type Notification struct {
	Key             string    `json:"key"`
	Event           string    `json:"event"`
	TaskID          string    `json:"task_id"`
	Recipient       string    `json:"recipient"`
	Kind            string    `json:"kind"`
	StationID       string    `json:"station_id"`
	DueAt           time.Time `json:"due_at"`
	EscalationLevel int       `json:"escalation_level"`
}

// Notify writes a notification into the outbox once per key; the outbox
// deliverer sends it to the webhook later, so a slow or failing receiver
// never holds up a workflow.
func (a *Activities) Notify(ctx context.Context, n Notification) error {
	id, err := parseID("task_id", n.TaskID)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(map[string]any{"event": n.Event, "task_id": n.TaskID, "kind": n.Kind, "station_id": n.StationID,
		"recipient": n.Recipient, "due_at": n.DueAt, "escalation_level": n.EscalationLevel})
	if err != nil {
		return invalid("notification: %v", err)
	}
	if n.Key == "" {
		return invalid("notification %s has no idempotency key", n.Event)
	}
	return classify(a.Store.EnqueueNotification(ctx, store.Notification{Key: n.Key, Event: n.Event, TaskID: &id,
		Recipient: n.Recipient, Payload: payload}))
}
