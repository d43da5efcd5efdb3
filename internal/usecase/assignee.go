package usecase

import (
	"context"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Who may do a task's work: a reassignment, a claim and a completion hold
// the assignee to the rule of the task's kind (store.AssigneeRefusal), the
// one the first assignment follows. A refusal is invalid input naming
// assignee, with the rule broken.

// checkAssignee refuses an assignee the task's kind does not accept.
func (c *Cases) checkAssignee(ctx context.Context, t store.Task, a flow.Assignee) error {
	why, err := c.Store.AssigneeRefusal(ctx, store.AssigneeTask{ID: t.ID, Kind: t.Kind, StationID: t.StationID, SubjectID: t.SubjectID}, a)
	if err != nil {
		return err
	}
	if why != "" {
		return invalid("the assignee may not be given this task", forms.FieldError{Field: "assignee", Message: why})
	}
	return nil
}

// checkWorker refuses a caller who works the task as its assignee when the
// assignee no longer meets the rule (a supervisor employed by the operator
// since the task was assigned). An admin, or an office the overdue task
// climbed to, works it as itself: the task's workflow judges those.
func (c *Cases) checkWorker(ctx context.Context, who Caller, t store.Task) error {
	kinds := map[auth.Role]string{auth.RoleOffice: flow.AssignOffice, auth.RoleOrg: flow.AssignOrg, auth.RoleSupervisor: flow.AssignPerson}
	as := flow.Assignee{Kind: kinds[who.Role], ID: who.Scope}
	if as.Kind == "" || as.Kind != t.AssigneeKind || as.ID != t.AssigneeID {
		return nil
	}
	return c.checkAssignee(ctx, t, as)
}

// mayManageTask is the task workflow's rule for reassigning, checked
// first so that a caller who may not reassign learns nothing of the
// assignee rules: the office owning the station's region, one above it,
// or an admin.
func mayManageTask(who Caller, t store.Task) error {
	if who.Role == auth.RoleAdmin || (who.Role == auth.RoleOffice && auth.InRegion(who.Scope, codes.OfficeRegion(t.RegionCode))) {
		return nil
	}
	return forbidden("only the office that owns the station's region may reassign")
}
