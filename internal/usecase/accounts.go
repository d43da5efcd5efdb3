package usecase

import (
	"context"
	"errors"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// People and what they did: who the caller is, the decision duty of an
// office's staff, and an object's audit trail.

// Me is the caller as stationflow knows them: their account (none for a
// service token), how they act, the grant the request acts under and
// every grant the credential carries.
type Me struct {
	Account *store.Account `json:"account"`
	Via     auth.Via       `json:"via"`
	Acting  auth.Grant     `json:"acting"`
	Grants  []auth.Grant   `json:"grants"`
}

// Me answers the caller's account and grants.
func (c *Cases) Me(ctx context.Context, who Caller) (Me, error) {
	me := Me{Via: who.Via, Acting: auth.Grant{Role: who.Role, Scope: who.Scope, Duty: who.Duty}, Grants: who.Grants}
	if len(who.Grants) > 0 {
		me.Acting = who.Grants[0]
	}
	if who.AccountID == [16]byte{} {
		return me, nil
	}
	acc, err := c.Store.GetAccount(ctx, who.AccountID)
	if err != nil {
		return me, err
	}
	me.Account = &acc
	return me, nil
}

// decisionKinds are the tasks that take a decision: only an approver (or
// an admin) completes them.
var decisionKinds = map[string]bool{flow.KindRenewalDecision: true, flow.KindAppealReview: true}

// mayDecide refuses an office clerk (经办) a decision: a renewal decision,
// an appeal review or a cycle start needs an approver (审批).
func mayDecide(who Caller) error {
	if who.Role != auth.RoleOffice || who.MayDecide() {
		return nil
	}
	return forbidden("经办人员不能作出决定，须由审批人员办理 / a clerk may not take this decision: it needs an approver")
}

// mayDecideTask is mayDecide for a task that takes a decision.
func mayDecideTask(who Caller, kind string) error {
	if !decisionKinds[kind] {
		return nil
	}
	return mayDecide(who)
}

// AuditQuery asks for one page of an object's trail.
type AuditQuery struct {
	Subject string
	Page    store.Page
}

// AuditTrail is one page of the trail of an object the caller may see: an
// office the objects in its region, an organisation its own, admins all.
// An object outside the caller's scope, or one nobody audited, is not
// found. Objects without a scope rule here (people, accounts, tokens) are
// for admins only.
func (c *Cases) AuditTrail(ctx context.Context, who Caller, in Input[AuditQuery]) (store.List[store.AuditItem], error) {
	q, err := in()
	if err != nil {
		return store.List[store.AuditItem]{}, err
	}
	kind, err := c.Store.AuditSubjectType(ctx, q.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return store.List[store.AuditItem]{}, NotFound("subject")
	}
	if err != nil {
		return store.List[store.AuditItem]{}, err
	}
	if err := c.seesSubject(ctx, who, kind, q.Subject); err != nil {
		return store.List[store.AuditItem]{}, err
	}
	return c.Store.AuditTrail(ctx, kind, q.Subject, q.Page)
}

// seesSubject answers not found unless the caller may see the object by
// the rule of its kind; a role refused the kind outright learns no more.
func (c *Cases) seesSubject(ctx context.Context, who Caller, kind, id string) error {
	if who.Role == auth.RoleAdmin {
		return nil
	}
	var err error
	switch kind {
	case "station":
		_, err = c.EvidenceStation(ctx, who, id)
	case "task":
		_, err = c.Task(ctx, who, id)
	case "application":
		_, err = c.Application(ctx, who, id)
	case "cycle":
		_, err = c.Cycle(ctx, who, id)
	case "rectification":
		_, err = c.Rectification(ctx, who, id)
	case "scorecard":
		_, err = c.Scorecard(ctx, who, id)
	case "organisation":
		_, err = c.Organisation(ctx, who, id)
	default:
		err = NotFound("subject")
	}
	var refusal *Error
	if errors.As(err, &refusal) && (refusal.Kind == KindForbidden || refusal.Kind == KindNotFound) {
		return NotFound("subject")
	}
	return err
}
