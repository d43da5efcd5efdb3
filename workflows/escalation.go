package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
)

// Reminders and escalation: a human task reminds its assignee before the
// due date and, once overdue, climbs one office up the station's region
// for every further overdue period.

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
	t.view.State = flow.TaskEscalated
	next, err := t.addWorkdays(ctx, now, t.policy.EscalateEveryWorkdays)
	if err != nil {
		return err
	}
	t.nextEscalAt = next
	if err := t.project(ctx, "escalated", "system", fmt.Sprintf("overdue since %s; escalated to the office of region %s",
		t.view.DueAt.Format(time.RFC3339), t.view.EscalatedTo)); err != nil {
		return err
	}
	return t.notify(ctx, fmt.Sprintf("escalated-%d", t.view.EscalationLevel), flow.AssignOffice+":"+t.view.EscalatedTo)
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

// escalationTargets is the chain of offices overdue work climbs, derived
// from the station's region alone: county office, city office, province.
// Offices at or below the assignee's own office are skipped.
func escalationTargets(stationRegion string, assignee flow.Assignee) []string {
	path := codes.EscalationPath(stationRegion)
	if own := codes.OfficeRegion(stationRegion); !slices.Contains(path, own) {
		path = append([]string{own}, path...)
	}
	if assignee.Kind != flow.AssignOffice {
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
