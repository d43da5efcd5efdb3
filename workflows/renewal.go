package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
)

// Renewal and exit: after an evaluation the office decides the station's
// outcome, the organisation may appeal it to the next office up, and the
// final decision is applied to the station, which renews its operator's
// contract or returns to awaiting an operator.

// DefaultConditionsWorkdays is how long a conditional renewal gives to
// close its open items when the decision does not say.
const DefaultConditionsWorkdays = 40

func init() {
	registerForm(flow.KindRenewalDecision, func(in flow.TaskInput, raw json.RawMessage) forms.Errors {
		return checkDecoded(raw, func(d forms.RenewalDecision) forms.Errors { return forms.CheckRenewalDecision(d, in.Outcome) })
	})
	registerForm(flow.KindAppealReview, func(in flow.TaskInput, raw json.RawMessage) forms.Errors {
		return checkDecoded(raw, func(r forms.AppealReview) forms.Errors { return forms.CheckAppealReview(r, in.Outcome) })
	})
}

// decideAndApply has the office decide on the proposal, waits out the
// appeal window, applies the final decision, opens a rectification item
// for each indicator failed in the agreed result unless the operator
// exits, and, for a conditional renewal, tracks its conditions: the
// station's open items and those the evaluation opened.
func (e *evaluationRun) decideAndApply(ctx workflow.Context, proposal string, open flow.OpenItems) error {
	decision, err := e.decide(ctx, 1, proposal)
	if err != nil {
		return err
	}
	e.out.Decision = decision.Decision
	final, err := e.appealWindow(ctx, decision)
	if err != nil {
		return err
	}
	e.out.FinalDecision = final
	if err := e.apply(ctx, final, decision.Reason); err != nil {
		return err
	}
	items := open.IDs
	if e.findings && final != grading.Exit {
		found, err := e.rectifyFindings(ctx)
		if err != nil {
			return err
		}
		items = append(slices.Clip(items), found...)
	}
	if final == grading.ConditionalRenew {
		return e.trackConditions(ctx, items, decision.ConditionsDueWorkdays)
	}
	return nil
}

// decide opens the office's renewal decision on the proposal.
func (e *evaluationRun) decide(ctx workflow.Context, round int, proposal string) (forms.RenewalDecision, error) {
	res, err := runHumanTask(ctx, e.ref, flow.TaskInput{TaskID: e.taskID("decision", round), Kind: flow.KindRenewalDecision,
		SubjectID: e.in.CycleID, Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)},
		Outcome: proposal, Period: fmt.Sprint(e.in.Settings.Year)}, fmt.Sprintf("%s-%d", e.in.CycleID, round))
	if err != nil {
		return forms.RenewalDecision{}, err
	}
	d, err := decodeForm[forms.RenewalDecision](res, "the decision")
	if err != nil {
		return d, err
	}
	e.decision = d.Decision
	return d, nil
}

// appealWindow waits the appeal window out; an appeal in it opens a review
// at the next office up, which upholds or changes the decision. It returns
// the final decision.
func (e *evaluationRun) appealWindow(ctx workflow.Context, d forms.RenewalDecision) (string, error) {
	until, err := addWorkdays(ctx, workflow.Now(ctx), e.in.Settings.AppealWorkdays)
	if err != nil {
		return "", err
	}
	// The window opens before the decision is shown, so whoever sees the
	// decision may appeal it at once.
	e.appealOpen, e.appealUntil = true, until
	reason := d.Reason
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalAppeal, Decision: &d.Decision, DecisionReason: &reason,
		AppealUntil: &until}, "decided", d.Decision); err != nil {
		return "", err
	}
	appealed, err := workflow.AwaitWithTimeout(ctx, until.Sub(workflow.Now(ctx)), func() bool { return e.appeal != nil })
	e.appealOpen = false
	if err != nil {
		return "", err
	}
	if !appealed {
		return d.Decision, nil
	}
	return e.reviewAppeal(ctx, d.Decision)
}

// reviewAppeal has the next office up uphold or change the decision.
func (e *evaluationRun) reviewAppeal(ctx workflow.Context, decision string) (string, error) {
	open, reason := "open", e.appeal.Reason
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalAppeal, Appeal: &open, AppealReason: &reason}, "appealed", ""); err != nil {
		return "", err
	}
	res, err := runHumanTask(ctx, e.ref, flow.TaskInput{TaskID: e.taskID("appeal", 0), Kind: flow.KindAppealReview, SubjectID: e.in.CycleID,
		Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: e.appealOffice()}, Outcome: decision,
		Period: fmt.Sprint(e.in.Settings.Year)}, e.in.CycleID.String())
	if err != nil {
		return "", err
	}
	r, err := decodeForm[forms.AppealReview](res, "the appeal review")
	if err != nil {
		return "", err
	}
	final, result := decision, "upheld"
	if r.Outcome == "change" {
		final, result = r.Decision, "changed"
	}
	e.decision = final
	return final, e.project(ctx, flow.EvaluationUpdate{State: flow.EvalAppeal, Appeal: &result, FinalDecision: &final}, "appeal_"+result, r.Reason)
}

// appealOffice is the office one level above the one that decided.
func (e *evaluationRun) appealOffice() string {
	decided := codes.OfficeRegion(e.in.RegionCode)
	for _, office := range codes.EscalationPath(e.in.RegionCode) {
		if len(office) < len(decided) {
			return office
		}
	}
	return decided // a province's own stations: the province reviews itself
}

func (e *evaluationRun) validateAppeal(r flow.AppealRequest) error {
	if !e.appealOpen || e.appeal != nil {
		return reject(flow.RejectWrongState, "the station's decision is not open to appeal")
	}
	if r.Caller.Role != flow.RoleOrg || r.Caller.Scope != e.in.OrganisationID.String() {
		return reject(flow.RejectForbidden, "only the operating organisation may appeal")
	}
	if errs := forms.Check(forms.Appeal{Reason: r.Reason}); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

func (e *evaluationRun) acceptAppeal(_ workflow.Context, r flow.AppealRequest) (flow.AppealAccepted, error) {
	e.appeal = &r
	return flow.AppealAccepted{ReviewTaskID: e.taskID("appeal", 0), Office: e.appealOffice()}, nil
}

// apply tells the station the final decision: a renewal (conditional or
// not) starts the next one-year term under a new contract; an exit ends
// the contract and re-tenders the station.
func (e *evaluationRun) apply(ctx workflow.Context, final, reason string) error {
	r := flow.Renewal{StationWorkflowID: flow.StationWorkflowID(e.in.StationID.String()), StationID: e.in.StationID,
		OldContractID: e.in.ContractID, Reason: final + " after the " + fmt.Sprint(e.in.Settings.Year) + " evaluation: " + reason,
		UpdateID: fmt.Sprintf("%s/%s/%s", final, e.in.CycleID, e.in.StationID), WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if final == grading.Exit {
		r.Exit = true
	} else {
		var contract flow.ContractTerm
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		if err := workflow.ExecuteActivity(actx, flow.ContractTermActivity, e.in.ContractID).Get(ctx, &contract); err != nil {
			return err
		}
		r.NewContractID = derivedID("contract/%s/renewal/%s", e.in.ContractID, e.in.CycleID)
		r.Start = contract.TermEnd.AddDate(0, 0, 1)
		r.End = r.Start.AddDate(1, 0, -1)
	}
	return project(ctx, flow.ApplyRenewalActivity, r)
}

// trackConditions gives the open items of a conditional renewal until
// their due date. Items still open then lead back to a decision, where the
// proposal is exit: the office may end the operator's contract, waive the
// conditions (renew), or set the items still open as new conditions with
// a new due date. A conditional renewal without open items has nothing to
// track.
func (e *evaluationRun) trackConditions(ctx workflow.Context, items []uuid.UUID, workdays int) error {
	for round := 2; len(items) > 0; round++ {
		still, err := e.awaitConditions(ctx, items, workdays)
		if err != nil || len(still) == 0 {
			return err
		}
		if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalDecision}, "conditions_missed",
			fmt.Sprintf("%d of %d items still open", len(still), len(items))); err != nil {
			return err
		}
		d, err := e.decide(ctx, round, grading.Exit)
		if err != nil {
			return err
		}
		final, reason := d.Decision, d.Reason
		if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalConditions, FinalDecision: &final, DecisionReason: &reason},
			"redecided", d.Reason); err != nil {
			return err
		}
		e.out.FinalDecision = final
		switch final {
		case grading.Exit:
			// The renewal already started the new contract: the exit ends that one.
			e.in.ContractID = derivedID("contract/%s/renewal/%s", e.in.ContractID, e.in.CycleID)
			return e.apply(ctx, grading.Exit, d.Reason)
		case grading.Renew:
			return nil // the office waives the conditions; the renewal stands
		}
		items, workdays = still, d.ConditionsDueWorkdays
	}
	return nil
}

// awaitConditions waits until the conditions fall due and returns the
// items still open then.
func (e *evaluationRun) awaitConditions(ctx workflow.Context, items []uuid.UUID, workdays int) ([]uuid.UUID, error) {
	if workdays == 0 {
		workdays = DefaultConditionsWorkdays
	}
	due, err := addWorkdays(ctx, workflow.Now(ctx), workdays)
	if err != nil {
		return nil, err
	}
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalConditions, ConditionsDue: &due}, "conditions",
		fmt.Sprintf("%d open items to close by %s", len(items), due.Format(time.RFC3339))); err != nil {
		return nil, err
	}
	if err := workflow.Sleep(ctx, due.Sub(workflow.Now(ctx))); err != nil {
		return nil, err
	}
	var still flow.OpenItems
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, flow.OpenRectificationsActivity, flow.OpenItemsRequest{StationID: e.in.StationID,
		Only: items}).Get(ctx, &still); err != nil {
		return nil, err
	}
	return still.IDs, nil
}

// The station's side of a renewal or an exit.

// validateChange accepts a renewal or an exit for the contract the station
// runs under, or for the contract a renewal already moved it to (a retry).
func (s *stationRun) validateChange(c flow.StationChange) error {
	if s.state.Phase != flow.PhaseOperating || s.state.Term == nil {
		return reject(flow.RejectWrongState, "the station is %s, not operating under a contract", s.state.Phase)
	}
	if c.ContractID == uuid.Nil {
		return reject(flow.RejectInvalid, "contract_id is required")
	}
	return nil
}

// renew starts the next term under a new contract: the supervision
// schedule runs on into it, and the station continues as new so its
// history stays small. A renewal to the contract already running changes
// nothing.
func (s *stationRun) renew(ctx workflow.Context, c flow.StationChange) error {
	if c.ContractID == s.state.ContractID {
		return nil
	}
	s.state.ContractID = c.ContractID
	if c.End.After(s.state.Term.End) {
		s.state.Term.End = c.End
	}
	s.state.Version++
	s.restart = true
	return project(ctx, flow.ProjectStationActivity, flow.StationProjection{StationID: s.in.StationID,
		Phase: s.state.Phase, OperatorID: s.state.OperatorID, Version: s.state.Version, Reason: "renewed: " + c.Reason,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID})
}

// exit ends the operator's contract: the station awaits a new operator and
// the next application starts its lifecycle again. Quarters not yet opened
// are not opened.
func (s *stationRun) exit(ctx workflow.Context, c flow.StationChange) error {
	if c.ContractID != s.state.ContractID {
		return reject(flow.RejectWrongState, "the station runs under contract %s, not %s", s.state.ContractID, c.ContractID)
	}
	s.state.OperatorID, s.state.ContractID, s.state.Term, s.state.NextQuarter = uuid.Nil, uuid.Nil, nil, 0
	s.restart = true
	if err := workflow.UpsertTypedSearchAttributes(ctx, flow.OrgCodeKey.ValueUnset()); err != nil {
		return err
	}
	return s.enter(ctx, flow.PhaseAwaitingOperator, "the operator exits: "+c.Reason)
}
