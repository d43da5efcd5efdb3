package activities

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// ProjectRectification writes an item into its read model and the audit
// log; the version makes it idempotent.
func (a *Activities) ProjectRectification(ctx context.Context, p flow.RectificationProjection) error {
	actor := p.Actor
	if actor == "" || actor == "system" {
		actor = workflowActor(p.WorkflowID)
	}
	return classify(a.Store.ProjectRectification(ctx, rectificationRow(p.Item), p.Event, actor, p.Reason))
}

// rectificationRow maps an item's projected state to its read-model row.
func rectificationRow(it flow.RectificationItem) store.Rectification {
	return store.Rectification{ID: it.ID, StationID: it.StationID, OrganisationID: optional(it.OrganisationID),
		RegionCode: it.RegionCode, ScorecardID: it.ScorecardID, Period: it.Period, Indicator: it.Indicator,
		IndicatorName: it.IndicatorName, Critical: it.Critical, Points: it.Points, MaxPoints: it.MaxPoints,
		VerifierKind: it.VerifierKind, VerifierID: it.VerifierID, State: it.State, Round: it.Round, TaskID: optional(it.TaskID),
		Response: it.Response, EvidenceIDs: it.EvidenceIDs, VerificationComment: it.VerificationComment, Version: it.Version}
}

// OpenRectifications lists a station's unverified rectification items;
// with Only set, just those of them still open.
func (a *Activities) OpenRectifications(ctx context.Context, r flow.OpenItemsRequest) (flow.OpenItems, error) {
	var ids []uuid.UUID
	var critical int
	var err error
	if r.Only != nil {
		ids, err = a.Store.StillOpen(ctx, r.Only)
	} else {
		ids, critical, err = a.Store.OpenRectifications(ctx, r.StationID)
	}
	if err != nil {
		return flow.OpenItems{}, classify(err)
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return flow.OpenItems{IDs: ids, Critical: critical}, nil
}
