package activities

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// AnnualRubric returns the rubric a cycle scores against, as its JSON
// document.
func (a *Activities) AnnualRubric(_ context.Context, version string) (json.RawMessage, error) {
	r, err := a.Rubrics.Get(version)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if r.Kind != rubric.KindAnnual {
		return nil, invalid("rubric %s is a %s rubric, not an annual one", version, r.Kind)
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, invalid("rubric %s: %v", version, err)
	}
	return doc, nil
}

// ProjectEvaluation writes a station's progress through its cycle; the
// version makes it idempotent. When the station is the cycle's last to
// finish, it tells the cycle.
func (a *Activities) ProjectEvaluation(ctx context.Context, p flow.EvaluationProjection) error {
	u := cycleStationRow(p.Update)
	if u.Actor == "" || u.Actor == "system" {
		u.Actor = workflowActor(p.WorkflowID)
	}
	remaining, err := a.Store.ProjectCycleStation(ctx, u)
	if err != nil {
		return classify(err)
	}
	finished := u.State == flow.EvalDone || u.State == flow.EvalFailed
	if finished && remaining == 0 && a.Temporal != nil {
		err := a.Temporal.SignalWorkflow(ctx, p.CycleWorkflowID, "", flow.StationsFinishedSignal, nil)
		var notFound *serviceerror.NotFound
		if err != nil && !errors.As(err, &notFound) {
			return err
		}
	}
	return nil
}

// cycleStationRow maps an evaluation's update to the store's.
func cycleStationRow(u flow.EvaluationUpdate) store.CycleStationUpdate {
	return store.CycleStationUpdate{CycleID: u.CycleID, StationID: u.StationID, State: u.State, Failure: u.Failure,
		SelfAssessment: u.SelfAssessment, FundingUsedYuan: u.FundingUsedYuan, Total: u.Total, Grade: u.Grade,
		Arbitrated: u.Arbitrated, ScorecardID: optional(u.ScorecardID), Proposal: u.Proposal, Decision: u.Decision,
		DecisionReason: u.DecisionReason, Appeal: u.Appeal, AppealReason: u.AppealReason, FinalDecision: u.FinalDecision,
		AppealUntil: u.AppealUntil, ConditionsDue: u.ConditionsDue, Version: u.Version, Event: u.Event, Actor: u.Actor,
		Reason: u.Reason}
}

// AssignEvaluator picks the slot's evaluator by the conflict-of-interest
// rule; none (the zero ID) means the county office holds the task.
// Repeating it returns the first answer.
func (a *Activities) AssignEvaluator(ctx context.Context, r flow.EvaluatorRequest) (uuid.UUID, error) {
	e, err := a.Store.AssignEvaluator(ctx, r.CycleID, r.StationID, r.Slot, r.TaskID, optional(r.OrganisationID), r.RegionCode,
		workflowActor(r.WorkflowID))
	if err != nil {
		return uuid.Nil, classify(err)
	}
	if e.EvaluatorID == nil {
		return uuid.Nil, nil
	}
	return *e.EvaluatorID, nil
}

// RecordEvaluation stores an evaluator's total; repeating it changes nothing.
func (a *Activities) RecordEvaluation(ctx context.Context, f flow.FiledEvaluation) error {
	return classify(a.Store.RecordEvaluation(ctx, f.CycleID, f.StationID, f.Slot, f.Total, f.Passed))
}
