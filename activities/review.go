package activities

import (
	"context"
	"encoding/json"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// ProjectApplication writes an application's review state; idempotent by version.
func (a *Activities) ProjectApplication(ctx context.Context, u flow.ApplicationUpdate) error {
	return classify(a.Store.ProjectApplication(ctx, store.ApplicationProjection{ID: u.ApplicationID, State: u.State, Round: u.Round,
		ReviewTaskID: optional(u.ReviewTaskID), DecisionReason: u.Reason, ContractID: optional(u.ContractID), Version: u.Version,
		Actor: workflowActor(u.WorkflowID)}))
}

// AmendApplication stores an amended plan; the same round twice changes nothing.
func (a *Activities) AmendApplication(ctx context.Context, m flow.Amendment) error {
	var app forms.Application
	if derr := forms.DecodeStrictBytes(m.Form, &app); derr != nil {
		return invalid("amended application: %v", derr)
	}
	staffing, _ := json.Marshal(app.Staffing)
	targets, _ := json.Marshal(app.Targets)
	return classify(a.Store.AmendApplication(ctx, m.ApplicationID, m.Round, staffing, targets, *app.BudgetYuan, m.Actor))
}

// StartContract writes the contract; its ID comes from the workflow, so a
// retry writes it once.
func (a *Activities) StartContract(ctx context.Context, r flow.ContractRequest) error {
	if !r.End.After(r.Start) {
		return invalid("a term must end after it starts")
	}
	return classify(a.Store.CreateContractFromApplication(ctx, r.ContractID, r.ApplicationID, r.Start, r.End, workflowActor(r.WorkflowID)))
}
