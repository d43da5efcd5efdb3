package usecase

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// Appeals: the organisation evaluated may appeal its station's decision
// once, inside the window the cycle set, to the office above.

// Appeal is an organisation's appeal against its station's decision.
type Appeal struct {
	Reason string `json:"reason" validate:"required,min=10,max=5000"`
}

// AppealLodged says where an appeal went: the review task it opened and
// the office that reviews it.
type AppealLodged struct {
	CycleID      uuid.UUID
	StationID    uuid.UUID
	ReviewTaskID uuid.UUID
	Office       string
}

// LodgeAppeal sends the operating organisation's appeal to the station's
// evaluation in its latest cycle, whose validator checks the window and
// the caller. Appealing again is refused as a conflict.
func (c *Cases) LodgeAppeal(ctx context.Context, who Caller, stationID string, in Input[Appeal]) (AppealLodged, error) {
	st, err := c.Station(ctx, who, stationID)
	if err != nil {
		return AppealLodged{}, err
	}
	if err := AllowRoles(who, auth.RoleOrg); err != nil {
		return AppealLodged{}, err
	}
	req, err := in()
	if err != nil {
		return AppealLodged{}, err
	}
	cs, err := c.Store.LatestCycleStation(ctx, st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return AppealLodged{}, conflict("the station has no evaluation to appeal")
	}
	if err != nil {
		return AppealLodged{}, err
	}
	if cs.OrganisationID == nil || *cs.OrganisationID != who.ScopeID() {
		return AppealLodged{}, forbidden("only the organisation evaluated may appeal")
	}
	var accepted flow.AppealAccepted
	err = c.awaitWorkflow(ctx, func(ctx context.Context) error {
		h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: flow.EvaluationWorkflowID(cs.CycleID.String(), st.ID.String()), UpdateName: flow.AppealUpdate,
			UpdateID: "appeal/" + cs.CycleID.String() + "/" + st.ID.String(),
			Args:     []any{flow.AppealRequest{Caller: flowCaller(who), Reason: req.Reason}}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, &accepted)
		}
		return rejection(err)
	})
	if err != nil {
		return AppealLodged{}, err
	}
	return AppealLodged{CycleID: cs.CycleID, StationID: st.ID, ReviewTaskID: accepted.ReviewTaskID, Office: accepted.Office}, nil
}

// StationEvaluation is a station's place in its latest cycle with the
// evaluations it had, for the station's office, its organisation and
// admins. Evaluators stay anonymous to the organisation evaluated.
func (c *Cases) StationEvaluation(ctx context.Context, who Caller, stationID string) (store.CycleStation, []store.Evaluation, error) {
	st, err := c.Station(ctx, who, stationID)
	if err != nil {
		return store.CycleStation{}, nil, err
	}
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleOrg, auth.RoleAdmin); err != nil {
		return store.CycleStation{}, nil, err
	}
	cs, err := c.Store.LatestCycleStation(ctx, st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return cs, nil, NotFound("evaluation")
	}
	if err != nil {
		return cs, nil, err
	}
	if who.Role == auth.RoleOrg && (cs.OrganisationID == nil || *cs.OrganisationID != who.ScopeID()) {
		return store.CycleStation{}, nil, NotFound("evaluation")
	}
	evals, err := c.Store.Evaluations(ctx, cs.CycleID, st.ID)
	if err != nil {
		return cs, nil, err
	}
	if who.Role == auth.RoleOrg {
		for i := range evals {
			evals[i].EvaluatorID = nil
		}
	}
	return cs, evals, nil
}
