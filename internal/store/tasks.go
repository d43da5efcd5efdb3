package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// OverdueGroup counts overdue work of one kind at one level of station.
type OverdueGroup struct {
	Kind         string    `json:"kind"`
	StationLevel string    `json:"station_level"`
	Count        int64     `json:"count"`
	Escalated    int64     `json:"escalated"`
	OldestDueAt  time.Time `json:"oldest_due_at"`
}

// OverdueSummary counts overdue open tasks of every kind in a region (""
// for everywhere), by kind and station level.
func (s *Store) OverdueSummary(ctx context.Context, regionPrefix string) ([]OverdueGroup, error) {
	rows, err := s.q.OverdueSummary(ctx, regionPrefix)
	return mapRows(rows, func(r db.OverdueSummaryRow) OverdueGroup {
		return OverdueGroup{Kind: r.Kind, StationLevel: r.Level, Count: r.Count, Escalated: r.Escalated, OldestDueAt: r.OldestDueAt}
	}), err
}

// Task is a human task as the inbox shows it. Its workflow is its only
// writer.
type Task struct {
	ID              uuid.UUID       `json:"id"`
	WorkflowID      string          `json:"workflow_id"`
	Kind            string          `json:"kind"`
	StationID       uuid.UUID       `json:"station_id"`
	RegionCode      string          `json:"region_code"`
	RegionName      string          `json:"region_name"`
	SubjectID       *uuid.UUID      `json:"subject_id"`
	AssigneeKind    string          `json:"-"`
	AssigneeID      string          `json:"-"`
	Assignee        TaskAssignee    `json:"assignee"`
	EscalatedTo     string          `json:"escalated_to"`
	EscalationLevel int             `json:"escalation_level"`
	State           string          `json:"state"`
	ClaimedBy       string          `json:"claimed_by"`
	Priority        int             `json:"priority"`
	DueAt           time.Time       `json:"due_at"`
	Overdue         bool            `json:"overdue"`
	Paused          bool            `json:"paused"`
	Result          json.RawMessage `json:"result,omitempty"`
	Period          string          `json:"period,omitempty"`
	Rubric          json.RawMessage `json:"rubric,omitempty"`
	// Outcome and Choices show on a task read alone: what a decision task
	// decides about, and the indicators an arbitration may confirm.
	Outcome     string     `json:"outcome,omitempty"`
	Choices     []string   `json:"choices,omitempty"`
	Version     int64      `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

// TaskAssignee is who a task is addressed to.
type TaskAssignee struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// TaskEvent says what changed a task, by whom and why.
type TaskEvent struct {
	Action string
	Actor  string
	Reason string
}

// ProjectTask upserts a task and audits the event that changed it. A
// version not above the stored one is a repeat: nothing changes.
func (s *Store) ProjectTask(ctx context.Context, t Task, ev TaskEvent) (bool, error) {
	changed := false
	var result, frozen []byte
	if len(t.Result) > 0 {
		result = t.Result
	}
	if len(t.Rubric) > 0 {
		frozen = t.Rubric
	}
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.ProjectTask(ctx, db.ProjectTaskParams{ID: t.ID, WorkflowID: t.WorkflowID, Kind: t.Kind, StationID: t.StationID,
			RegionCode: t.RegionCode, SubjectID: t.SubjectID, AssigneeKind: t.AssigneeKind, AssigneeID: t.AssigneeID,
			EscalatedTo: t.EscalatedTo, EscalationLevel: t.EscalationLevel, State: t.State, ClaimedBy: t.ClaimedBy, Priority: t.Priority,
			DueAt: t.DueAt, Paused: t.Paused, Result: result, Version: t.Version, Period: t.Period, Rubric: frozen,
			Outcome: t.Outcome, Choices: nonNil(t.Choices)})
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		changed = true
		detail := map[string]any{"state": t.State, "kind": t.Kind, "due_at": t.DueAt, "assignee": t.AssigneeKind + ":" + t.AssigneeID,
			"escalation_level": t.EscalationLevel, "version": t.Version}
		if t.EscalatedTo != "" {
			detail["escalated_to"] = t.EscalatedTo
		}
		if ev.Reason != "" {
			detail["reason"] = ev.Reason
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: ev.Actor, Action: ev.Action, ObjectType: "task", ObjectID: t.ID.String(),
			Detail: mustJSON(detail)})
	})
	return changed, err
}

const taskColumns = `id, workflow_id, kind, station_id, region_code, subject_id, assignee_kind, assignee_id,
	coalesce(escalated_to, ''), escalation_level, state, coalesce(claimed_by, ''), priority, due_at,
	(state IN ('open', 'claimed', 'escalated') AND due_at < now()), paused, result, coalesce(period, ''), rubric, version,
	created_at, updated_at, completed_at, ` + regionNameColumn

// taskListColumns leave the frozen rubric out: an inbox shows it on the
// task itself only.
var taskListColumns = strings.Replace(taskColumns, "rubric,", "NULL::jsonb,", 1)

func scanTask(r pgx.CollectableRow) (Task, error) {
	var t Task
	var result, frozen []byte
	err := r.Scan(&t.ID, &t.WorkflowID, &t.Kind, &t.StationID, &t.RegionCode, &t.SubjectID, &t.AssigneeKind, &t.AssigneeID,
		&t.EscalatedTo, &t.EscalationLevel, &t.State, &t.ClaimedBy, &t.Priority, &t.DueAt, &t.Overdue, &t.Paused, &result,
		&t.Period, &frozen, &t.Version, &t.CreatedAt, &t.UpdatedAt, &t.CompletedAt, &t.RegionName)
	if len(frozen) > 0 {
		t.Rubric = frozen
	}
	t.Assignee = TaskAssignee{Kind: t.AssigneeKind, ID: t.AssigneeID}
	if len(result) > 0 {
		t.Result = result
	}
	return t, err
}

// GetTask returns one task or ErrNotFound.
func (s *Store) GetTask(ctx context.Context, id uuid.UUID) (Task, error) {
	r, err := s.q.GetTask(ctx, id)
	if err != nil {
		return Task{}, notFound(err)
	}
	t := r.Task
	task := taskFromList(db.OpenCycleTasksRow{ID: t.ID, WorkflowID: t.WorkflowID, Kind: t.Kind, StationID: t.StationID,
		RegionCode: t.RegionCode, SubjectID: t.SubjectID, AssigneeKind: t.AssigneeKind, AssigneeID: t.AssigneeID,
		EscalatedTo: deref(t.EscalatedTo), EscalationLevel: t.EscalationLevel, State: t.State, ClaimedBy: deref(t.ClaimedBy),
		Priority: t.Priority, DueAt: t.DueAt, Overdue: r.Overdue, Paused: t.Paused, Result: t.Result, Period: deref(t.Period),
		Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, CompletedAt: t.CompletedAt})
	if len(t.Rubric) > 0 {
		task.Rubric = t.Rubric
	}
	task.Outcome, task.Choices = t.Outcome, t.Choices
	task.RegionName, err = regionName(ctx, s.q, task.RegionCode)
	return task, err
}

// taskFromList maps a task as an inbox lists it, without its frozen rubric.
func taskFromList(r db.OpenCycleTasksRow) Task {
	t := Task{ID: r.ID, WorkflowID: r.WorkflowID, Kind: r.Kind, StationID: r.StationID, RegionCode: r.RegionCode, SubjectID: r.SubjectID,
		AssigneeKind: r.AssigneeKind, AssigneeID: r.AssigneeID, Assignee: TaskAssignee{Kind: r.AssigneeKind, ID: r.AssigneeID},
		EscalatedTo: r.EscalatedTo, EscalationLevel: r.EscalationLevel, State: r.State, ClaimedBy: r.ClaimedBy, Priority: r.Priority,
		DueAt: r.DueAt, Overdue: r.Overdue, Paused: r.Paused, Period: r.Period, Version: r.Version, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, CompletedAt: r.CompletedAt}
	if len(r.Result) > 0 {
		t.Result = r.Result
	}
	return t
}

// nonNil makes a nil list empty, for a NOT NULL array column.
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// TaskFilter selects an inbox. Exactly one scope applies.
type TaskFilter struct {
	// Office inbox: tasks addressed to the office of this region, and tasks
	// escalated to it.
	Office string
	// OfficeOverdue widens an office's view to overdue work anywhere below it.
	OfficeOverdue bool
	// Org and Person: tasks addressed to that organisation or person.
	Org    *uuid.UUID
	Person *uuid.UUID
	All    bool // admins

	StationIDs []uuid.UUID
	Kind       string
	State      string
	Overdue    bool
}

// ListTasks lists an inbox in ID order.
func (s *Store) ListTasks(ctx context.Context, f TaskFilter, p Page) (List[Task], error) {
	q := newQuery(`SELECT ` + taskListColumns + ` FROM tasks`)
	switch {
	case f.Office != "" && f.OfficeOverdue:
		q.whereIf(true, "region_code LIKE ?", f.Office+"%")
	case f.Office != "":
		q.whereIf(true, "((assignee_kind = 'office' AND assignee_id = ?) OR escalated_to = ?)", f.Office, f.Office)
	case f.Org != nil:
		q.whereIf(true, "assignee_kind = 'org' AND assignee_id = ?", f.Org.String())
	case f.Person != nil:
		q.whereIf(true, "assignee_kind = 'person' AND assignee_id = ?", f.Person.String())
	case !f.All:
		return List[Task]{Items: []Task{}}, nil
	}
	q.whereIf(len(f.StationIDs) > 0, "station_id = ANY(?)", f.StationIDs)
	q.whereIf(f.Kind != "", "kind = ?", f.Kind)
	q.whereIf(f.State != "", "state = ?", f.State)
	q.whereIf(f.Overdue || f.OfficeOverdue, "state IN ('open', 'claimed', 'escalated') AND due_at < now()")
	return listPage(ctx, s.pool, q, p, scanTask, func(t Task) uuid.UUID { return t.ID })
}
