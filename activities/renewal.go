package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/flow"
)

// ApplyRenewal writes the new contract (or ends the old one) and tells the
// station's workflow, which starts the new term (continuing as new) or
// returns the station to awaiting an operator. The update carries a fixed
// ID and the station ignores a change it already made, so a retry changes
// nothing twice. A station that refuses the change (it no longer runs
// under that contract) is a non-retryable error.
func (a *Activities) ApplyRenewal(ctx context.Context, r flow.Renewal) error {
	if a.Temporal == nil {
		return invalid("the activities have no Temporal client")
	}
	actor := workflowActor(r.WorkflowID)
	change := flow.StationChange{ContractID: r.NewContractID, Start: r.Start, End: r.End, Reason: r.Reason}
	name := flow.RenewUpdate
	var err error
	if r.Exit {
		name, change.ContractID = flow.ExitUpdate, r.OldContractID
		err = a.Store.TerminateContract(ctx, r.OldContractID, r.Reason, actor)
	} else {
		if r.NewContractID == uuid.Nil {
			return invalid("a renewal of contract %s names no new contract", r.OldContractID)
		}
		err = a.Store.RenewContract(ctx, r.OldContractID, r.NewContractID, r.Start, r.End, actor)
	}
	if err != nil {
		return classify(err)
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: r.StationWorkflowID, UpdateName: name,
		UpdateID: r.UpdateID, Args: []any{change}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the station refused the %s: %s", name, app.Error()), ErrTypeInvalid, err)
	}
	return err
}

// ContractTerm returns a contract's term, which a renewal follows.
func (a *Activities) ContractTerm(ctx context.Context, contractID uuid.UUID) (flow.ContractTerm, error) {
	c, err := a.Store.GetContract(ctx, contractID)
	if err != nil {
		return flow.ContractTerm{}, classify(err)
	}
	return flow.ContractTerm{ID: c.ID, TermStart: c.TermStart, TermEnd: c.TermEnd}, nil
}
