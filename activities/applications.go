package activities

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// ApplicationUpdate is the review process's view of an application.
type ApplicationUpdate struct {
	ApplicationID string `json:"application_id"`
	State         string `json:"state"`
	Round         int    `json:"round"`
	ReviewTaskID  string `json:"review_task_id,omitempty"`
	Reason        string `json:"reason,omitempty"`
	ContractID    string `json:"contract_id,omitempty"`
	Version       int64  `json:"version"`
	WorkflowID    string `json:"workflow_id"`
}

func optionalID(field, s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := parseID(field, s)
	return &id, err
}

// ProjectApplication writes an application's review state; idempotent by version.
func (a *Activities) ProjectApplication(ctx context.Context, u ApplicationUpdate) error {
	id, err := parseID("application_id", u.ApplicationID)
	if err != nil {
		return err
	}
	task, err := optionalID("review_task_id", u.ReviewTaskID)
	if err != nil {
		return err
	}
	contract, err := optionalID("contract_id", u.ContractID)
	if err != nil {
		return err
	}
	return classify(a.Store.ProjectApplication(ctx, store.ApplicationProjection{ID: id, State: u.State, Round: u.Round,
		ReviewTaskID: task, DecisionReason: u.Reason, ContractID: contract, Version: u.Version, Actor: "workflow:" + u.WorkflowID}))
}

// Amendment is the plan an organisation filed again, for its next round.
type Amendment struct {
	ApplicationID string          `json:"application_id"`
	Round         int             `json:"round"`
	Form          json.RawMessage `json:"form"`
	Actor         string          `json:"actor"`
}

// AmendApplication stores an amended plan; the same round twice changes nothing.
func (a *Activities) AmendApplication(ctx context.Context, m Amendment) error {
	id, err := parseID("application_id", m.ApplicationID)
	if err != nil {
		return err
	}
	var app forms.Application
	if derr := forms.DecodeStrictBytes(m.Form, &app); derr != nil {
		return invalid("amended application: %v", derr)
	}
	staffing, _ := json.Marshal(app.Staffing)
	targets, _ := json.Marshal(app.Targets)
	return classify(a.Store.AmendApplication(ctx, id, m.Round, staffing, targets, *app.BudgetYuan, m.Actor))
}

// ContractRequest starts the contract an approval grants.
type ContractRequest struct {
	ContractID    string    `json:"contract_id"`
	ApplicationID string    `json:"application_id"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	WorkflowID    string    `json:"workflow_id"`
}

// StartContract writes the contract; its ID comes from the workflow, so a
// retry writes it once.
func (a *Activities) StartContract(ctx context.Context, r ContractRequest) error {
	cid, err := parseID("contract_id", r.ContractID)
	if err != nil {
		return err
	}
	aid, err := parseID("application_id", r.ApplicationID)
	if err != nil {
		return err
	}
	if !r.End.After(r.Start) {
		return invalid("a term must end after it starts")
	}
	return classify(a.Store.CreateContractFromApplication(ctx, cid, aid, r.Start, r.End, "workflow:"+r.WorkflowID))
}
