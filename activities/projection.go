package activities

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/store"
)

// StationProjection is a station workflow's state to write to the read model.
type StationProjection struct {
	StationID  string `json:"station_id"`
	Phase      string `json:"phase"`
	OperatorID string `json:"operator_id,omitempty"`
	Version    int64  `json:"version"`
	Reason     string `json:"reason"`
	WorkflowID string `json:"workflow_id"`
}

// ProjectStation writes a station's phase into PostgreSQL. The version makes
// it idempotent: a retried or late call does not move the phase back.
func (a *Activities) ProjectStation(ctx context.Context, p StationProjection) error {
	id, err := parseID("station_id", p.StationID)
	if err != nil {
		return err
	}
	var operator *uuid.UUID
	if p.OperatorID != "" {
		op, err := parseID("operator_id", p.OperatorID)
		if err != nil {
			return err
		}
		operator = &op
	}
	_, err = a.Store.ProjectStation(ctx, store.StationProjection{
		StationID: id, Phase: p.Phase, OperatorID: operator, Version: p.Version,
		Actor: "workflow:" + p.WorkflowID, Reason: p.Reason,
	})
	return classify(err)
}
