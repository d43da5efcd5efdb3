package activities

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// ProjectStation writes a station's phase into PostgreSQL. The version makes
// it idempotent: a retried or late call does not move the phase back.
func (a *Activities) ProjectStation(ctx context.Context, p flow.StationProjection) error {
	if p.StationID == uuid.Nil {
		return invalid("station projection %q names no station", p.WorkflowID)
	}
	_, err := a.Store.ProjectStation(ctx, store.StationProjection{
		StationID: p.StationID, Phase: p.Phase, OperatorID: optional(p.OperatorID), Version: p.Version,
		Actor: workflowActor(p.WorkflowID), Reason: p.Reason,
	})
	return classify(err)
}
