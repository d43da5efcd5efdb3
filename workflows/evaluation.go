package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/activities"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Evaluation names reached from the API.
const (
	AppealUpdate    = "appeal"
	EvaluationQuery = "evaluation"
)

// DefaultConditionsWorkdays is how long a conditional renewal gives to
// close its open items when the decision does not say.
const DefaultConditionsWorkdays = 40

// maxEvaluators bounds the evaluators of one station, the third one
// brought in on disagreement included.
const maxEvaluators = 6

// AppealRequest is an organisation's appeal against the decision.
type AppealRequest struct {
	Caller Caller `json:"caller"`
	Reason string `json:"reason"`
}

// AppealAccepted answers AppealUpdate.
type AppealAccepted struct {
	ReviewTaskID string `json:"review_task_id"`
	Office       string `json:"office"`
}

// EvaluationStatus answers EvaluationQuery.
type EvaluationStatus struct {
	State       string    `json:"state"`
	AppealUntil time.Time `json:"appeal_until,omitzero"`
	Decision    string    `json:"decision,omitempty"`
}

// EvaluationOutcome is how a station's evaluation ended.
type EvaluationOutcome struct {
	Total         float64 `json:"total"`
	Grade         string  `json:"grade"`
	Proposal      string  `json:"proposal"`
	Decision      string  `json:"decision"`
	FinalDecision string  `json:"final_decision"`
}

// EvaluationWorkflow is one station's year-end evaluation (年度考核) in a
// cycle: the organisation's self-assessment, N evaluators chosen by the
// conflict-of-interest rule (a third one, or the office's arbitration,
// when they disagree), the annual scorecard and grade, the proposed and
// decided outcome, the appeal window and appeal review, and applying the
// final decision to the station: renewal, conditional renewal with its
// conditions tracked, or exit.
func EvaluationWorkflow(ctx workflow.Context, in activities.EvaluationStart) (EvaluationOutcome, error) {
	e := &evaluationRun{in: in, ref: StationRef{StationID: in.StationID, Level: in.Level, RegionCode: in.RegionCode}}
	return e.run(ctx)
}

type evaluationRun struct {
	in       activities.EvaluationStart
	ref      StationRef
	rubric   *rubric.Rubric
	state    string
	version  int64
	out      EvaluationOutcome
	decision string
	// appealOpen: the appeal window is open; appeal holds an appeal made.
	appealOpen  bool
	appealUntil time.Time
	appeal      *AppealRequest
}

func (e *evaluationRun) run(ctx workflow.Context) (EvaluationOutcome, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, StationIDKey.ValueSet(e.in.StationID),
		RegionCodeKey.ValueSet(e.in.RegionCode), StationLevelKey.ValueSet(e.in.Level)); err != nil {
		return e.out, err
	}
	if err := workflow.SetQueryHandler(ctx, EvaluationQuery, func() (EvaluationStatus, error) {
		return EvaluationStatus{State: e.state, AppealUntil: e.appealUntil, Decision: e.decision}, nil
	}); err != nil {
		return e.out, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, AppealUpdate, e.acceptAppeal,
		workflow.UpdateHandlerOptions{Validator: e.validateAppeal}); err != nil {
		return e.out, err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, a.AnnualRubric, e.in.Settings.RubricVersion).Get(ctx, &e.rubric); err != nil {
		return e.out, e.fail(ctx, err)
	}
	out, err := e.evaluate(ctx)
	if err != nil && !temporal.IsCanceledError(err) {
		return out, e.fail(ctx, err)
	}
	return out, err
}

// fail records why the station's evaluation could not go on, so the
// cycle's progress lists it, and ends the evaluation with the error.
func (e *evaluationRun) fail(ctx workflow.Context, cause error) error {
	reason := cause.Error()
	if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalFailed, Failure: reason}, "failed", reason); err != nil {
		return err
	}
	return cause
}

func (e *evaluationRun) evaluate(ctx workflow.Context) (EvaluationOutcome, error) {
	set := e.in.Settings
	office := codes.OfficeRegion(e.in.RegionCode)

	// Self-assessment by the operating organisation.
	if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalSelfAssessment}, "opened", ""); err != nil {
		return e.out, err
	}
	self, err := runHumanTask(ctx, e.ref, TaskInput{TaskID: e.taskID("self", 0), Kind: KindSelfAssessment, SubjectID: e.in.CycleID,
		Assignee: Assignee{Kind: AssignOrg, ID: e.in.OrganisationID}, Rubric: e.rubric, Deadline: set.SelfAssessmentDue,
		Closable: true, Period: fmt.Sprint(set.Year)}, e.in.CycleID)
	if err != nil {
		return e.out, err
	}
	upd := store.CycleStationUpdate{State: store.EvalEvaluation}
	if !self.Closed {
		var f grading.SelfAssessment
		if err := json.Unmarshal(self.Form, &f); err != nil {
			return e.out, temporal.NewNonRetryableApplicationError("the self-assessment cannot be read: "+err.Error(), RejectInvalid, err)
		}
		card, errs := e.rubric.Score(f.Form)
		if len(errs) > 0 {
			return e.out, temporal.NewNonRetryableApplicationError("the self-assessment breaks the rubric: "+errs.Error(), RejectInvalid, errs)
		}
		upd.SelfAssessment, upd.FundingUsedYuan = &card.Total, f.FundingUsedYuan
	}
	if err := e.project(ctx, upd, "self_assessed", self.CloseReason); err != nil {
		return e.out, err
	}

	// Evaluators, side by side.
	totals := make([]float64, set.EvaluatorsPerStation)
	errs := make([]error, set.EvaluatorsPerStation)
	// One slot failing withdraws the others, so the failure is recorded
	// at once rather than when the last evaluator files.
	sctx, withdraw := workflow.WithCancel(ctx)
	wg := workflow.NewWaitGroup(ctx)
	for i := range set.EvaluatorsPerStation {
		wg.Add(1)
		workflow.Go(sctx, func(gctx workflow.Context) {
			defer wg.Done()
			totals[i], _, errs[i] = e.evaluation(gctx, i+1, set.EvaluationDue)
			if errs[i] != nil {
				withdraw()
			}
		})
	}
	wg.Wait(ctx)
	withdraw()
	for _, err := range errs {
		if err != nil && !temporal.IsCanceledError(err) {
			return e.out, err
		}
	}
	if err := ctx.Err(); err != nil {
		return e.out, temporal.NewCanceledError()
	}
	agreement := grading.Agree(totals, set.DisagreementThreshold)
	if !agreement.Agreed && set.OnDisagreement == "third_evaluator" && len(totals) < maxEvaluators {
		slot := len(totals) + 1
		total, person, err := e.evaluation(ctx, slot, time.Time{})
		if err != nil {
			return e.out, err
		}
		if person {
			totals = append(totals, total)
			agreement = grading.Agree(totals, set.DisagreementThreshold)
		}
	}
	method, arbitrated := "mean_of_agreeing", false
	total := agreement.Total
	if !agreement.Agreed {
		if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalArbitration}, "arbitration",
			fmt.Sprintf("the evaluators' totals %v spread %g points, beyond %g", totals, agreement.Spread, set.DisagreementThreshold)); err != nil {
			return e.out, err
		}
		res, err := runHumanTask(ctx, e.ref, TaskInput{TaskID: e.taskID("arbitration", 0), Kind: KindArbitration, SubjectID: e.in.CycleID,
			Assignee: Assignee{Kind: AssignOffice, ID: office}, Period: fmt.Sprint(set.Year)}, e.in.CycleID)
		if err != nil {
			return e.out, err
		}
		var f forms.Arbitration
		if err := json.Unmarshal(res.Form, &f); err != nil || f.Total == nil {
			return e.out, temporal.NewNonRetryableApplicationError("the arbitration cannot be read", RejectInvalid, err)
		}
		total, method, arbitrated = *f.Total, "arbitration", true
	}

	// The annual scorecard and grade.
	band := set.Bands.Of(total)
	scorecardID := derivedID("scorecard/%s/%s/%d", e.in.StationID, KindAnnualEvaluation, set.Year)
	doc := activities.ScorecardDocument{StationID: e.in.StationID, OrganisationID: e.in.OrganisationID, Kind: rubric.KindAnnual,
		Period: fmt.Sprint(set.Year), TaskID: e.taskID("evaluation", 1), PassMark: set.Bands.PassMark(),
		Scorecard: rubric.Scorecard{RubricVersion: e.rubric.Version, Total: total, Passed: band.Grade != grading.Fail,
			Sections: []rubric.SectionResult{}, FailedIndicators: []rubric.FailedIndicator{}, FailedCritical: []string{}},
		Summary: "annual evaluation in cycle " + e.in.CycleID, FiledBy: "workflow:" + workflow.GetInfo(ctx).WorkflowExecution.ID,
		FiledAt: workflow.Now(ctx).UTC(), Grade: band.Grade, GradeLabel: band.Label, Evaluations: totals, Method: method}
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, a.IssueScorecard, activities.ScorecardIssue{ScorecardID: scorecardID,
		RegionCode: e.in.RegionCode, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Document: doc}).Get(ctx, nil); err != nil {
		return e.out, err
	}
	var open activities.OpenItems
	if err := workflow.ExecuteActivity(actx, a.OpenRectifications, activities.OpenItemsRequest{StationID: e.in.StationID}).Get(ctx, &open); err != nil {
		return e.out, err
	}
	proposal := grading.Propose(band.Grade, len(open.IDs), open.Critical)
	e.out.Total, e.out.Grade, e.out.Proposal = total, band.Grade, proposal
	sid := uuid.MustParse(scorecardID)
	if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalDecision, Total: &total, Grade: &band.Grade, Arbitrated: arbitrated,
		ScorecardID: &sid, Proposal: &proposal}, "graded", fmt.Sprintf("total %g, grade %s, proposed %s", total, band.Grade, proposal)); err != nil {
		return e.out, err
	}

	// The office decides; the organisation may appeal.
	decision, err := e.decide(ctx, 1, proposal)
	if err != nil {
		return e.out, err
	}
	e.out.Decision = decision.Decision
	final, err := e.appealWindow(ctx, decision)
	if err != nil {
		return e.out, err
	}
	e.out.FinalDecision = final
	if err := e.apply(ctx, final, decision.Reason); err != nil {
		return e.out, err
	}
	if final == grading.ConditionalRenew {
		if err := e.trackConditions(ctx, open.IDs, decision.ConditionsDueWorkdays); err != nil {
			return e.out, err
		}
	}
	return e.out, e.project(ctx, store.CycleStationUpdate{State: store.EvalDone}, "finished", "")
}

// evaluation runs one evaluator's slot: assignment, the scored task and
// recording the total. person says whether an evaluator was found (with
// none, the county office scores, and a third slot is not worth opening).
func (e *evaluationRun) evaluation(ctx workflow.Context, slot int, deadline time.Time) (float64, bool, error) {
	taskID := e.taskID("evaluation", slot)
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	var evaluator string
	if err := workflow.ExecuteActivity(actx, a.AssignEvaluator, activities.EvaluatorRequest{CycleID: e.in.CycleID, StationID: e.in.StationID,
		RegionCode: e.in.RegionCode, OrganisationID: e.in.OrganisationID, Slot: slot, TaskID: taskID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, &evaluator); err != nil {
		return 0, false, err
	}
	if slot > e.in.Settings.EvaluatorsPerStation && evaluator == "" {
		return 0, false, nil
	}
	assignee := Assignee{Kind: AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)}
	if evaluator != "" {
		assignee = Assignee{Kind: AssignPerson, ID: evaluator}
	}
	res, err := runHumanTask(ctx, e.ref, TaskInput{TaskID: taskID, Kind: KindAnnualEvaluation, SubjectID: e.in.CycleID, Assignee: assignee,
		Rubric: e.rubric, Deadline: deadline, Period: fmt.Sprint(e.in.Settings.Year)}, fmt.Sprintf("%s-%d", e.in.CycleID, slot))
	if err != nil {
		return 0, false, err
	}
	var f rubric.Form
	if err := json.Unmarshal(res.Form, &f); err != nil {
		return 0, false, temporal.NewNonRetryableApplicationError("the evaluation cannot be read: "+err.Error(), RejectInvalid, err)
	}
	card, errs := e.rubric.Score(f)
	if len(errs) > 0 {
		return 0, false, temporal.NewNonRetryableApplicationError("the evaluation breaks the rubric: "+errs.Error(), RejectInvalid, errs)
	}
	if err := workflow.ExecuteActivity(actx, a.RecordEvaluation, activities.FiledEvaluation{CycleID: e.in.CycleID, StationID: e.in.StationID,
		Slot: slot, Total: card.Total, Passed: card.Passed}).Get(ctx, nil); err != nil {
		return 0, false, err
	}
	return card.Total, evaluator != "", nil
}

// decide opens the office's renewal decision on the proposal.
func (e *evaluationRun) decide(ctx workflow.Context, round int, proposal string) (forms.RenewalDecision, error) {
	var d forms.RenewalDecision
	res, err := runHumanTask(ctx, e.ref, TaskInput{TaskID: e.taskID("decision", round), Kind: KindRenewalDecision, SubjectID: e.in.CycleID,
		Assignee: Assignee{Kind: AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)}, Outcome: proposal,
		Period: fmt.Sprint(e.in.Settings.Year)}, fmt.Sprintf("%s-%d", e.in.CycleID, round))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(res.Form, &d); err != nil {
		return d, temporal.NewNonRetryableApplicationError("the decision cannot be read: "+err.Error(), RejectInvalid, err)
	}
	e.decision = d.Decision
	return d, nil
}

// appealWindow waits the appeal window out; an appeal in it opens a review
// at the next office up, which upholds or changes the decision. It returns
// the final decision.
func (e *evaluationRun) appealWindow(ctx workflow.Context, d forms.RenewalDecision) (string, error) {
	decision := d.Decision
	var until time.Time
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, a.AddWorkdays, activities.WorkdaysRequest{From: workflow.Now(ctx),
		Workdays: e.in.Settings.AppealWorkdays}).Get(ctx, &until); err != nil {
		return "", err
	}
	// The window opens before the decision is shown, so whoever sees the
	// decision may appeal it at once.
	e.appealOpen, e.appealUntil = true, until
	reason := d.Reason
	if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalAppeal, Decision: &d.Decision, DecisionReason: &reason,
		AppealUntil: &until}, "decided", d.Decision); err != nil {
		return "", err
	}
	appealed, err := workflow.AwaitWithTimeout(ctx, until.Sub(workflow.Now(ctx)), func() bool { return e.appeal != nil })
	e.appealOpen = false
	if err != nil {
		return "", err
	}
	if !appealed {
		return decision, nil
	}
	open, reason := "open", e.appeal.Reason
	if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalAppeal, Appeal: &open, AppealReason: &reason}, "appealed", ""); err != nil {
		return "", err
	}
	res, err := runHumanTask(ctx, e.ref, TaskInput{TaskID: e.taskID("appeal", 0), Kind: KindAppealReview, SubjectID: e.in.CycleID,
		Assignee: Assignee{Kind: AssignOffice, ID: e.appealOffice()}, Outcome: decision,
		Period: fmt.Sprint(e.in.Settings.Year)}, e.in.CycleID)
	if err != nil {
		return "", err
	}
	var r forms.AppealReview
	if err := json.Unmarshal(res.Form, &r); err != nil {
		return "", temporal.NewNonRetryableApplicationError("the appeal review cannot be read: "+err.Error(), RejectInvalid, err)
	}
	final, result := decision, "upheld"
	if r.Outcome == "change" {
		final, result = r.Decision, "changed"
	}
	e.decision = final
	return final, e.project(ctx, store.CycleStationUpdate{State: store.EvalAppeal, Appeal: &result, FinalDecision: &final}, "appeal_"+result, r.Reason)
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

func (e *evaluationRun) validateAppeal(r AppealRequest) error {
	if !e.appealOpen || e.appeal != nil {
		return reject(RejectWrongState, "the station's decision is not open to appeal")
	}
	if r.Caller.Role != "org" || r.Caller.Scope != e.in.OrganisationID {
		return reject(RejectForbidden, "only the operating organisation may appeal")
	}
	if errs := forms.Check(forms.Appeal{Reason: r.Reason}); len(errs) > 0 {
		return rejectForm(errs)
	}
	return nil
}

func (e *evaluationRun) acceptAppeal(_ workflow.Context, r AppealRequest) (AppealAccepted, error) {
	e.appeal = &r
	return AppealAccepted{ReviewTaskID: e.taskID("appeal", 0), Office: e.appealOffice()}, nil
}

// apply tells the station the final decision: a renewal (conditional or
// not) starts the next one-year term under a new contract; an exit ends
// the contract and re-tenders the station.
func (e *evaluationRun) apply(ctx workflow.Context, final, reason string) error {
	r := activities.Renewal{StationWorkflowID: StationWorkflowID(e.in.StationID), StationID: e.in.StationID,
		OldContractID: e.in.ContractID, Reason: final + " after the " + fmt.Sprint(e.in.Settings.Year) + " evaluation: " + reason,
		UpdateID: fmt.Sprintf("%s/%s/%s", final, e.in.CycleID, e.in.StationID), WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}
	if final == grading.Exit {
		r.Exit = true
	} else {
		var contract store.Contract
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		if err := workflow.ExecuteActivity(actx, a.ContractTerm, e.in.ContractID).Get(ctx, &contract); err != nil {
			return err
		}
		r.NewContractID = derivedID("contract/%s/renewal/%s", e.in.ContractID, e.in.CycleID)
		r.Start = contract.TermEnd.AddDate(0, 0, 1)
		r.End = r.Start.AddDate(1, 0, -1)
	}
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ApplyRenewal, r).Get(ctx, nil)
}

// trackConditions gives the open items of a conditional renewal until
// their due date. Items still open then lead back to a decision, where the
// proposal is exit: the office may end the operator's contract, waive the
// conditions (renew), or set the items still open as new conditions with
// a new due date. A conditional renewal without open items has nothing to
// track.
func (e *evaluationRun) trackConditions(ctx workflow.Context, items []string, workdays int) error {
	for round := 2; len(items) > 0; round++ {
		if workdays == 0 {
			workdays = DefaultConditionsWorkdays
		}
		var due time.Time
		lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
		if err := workflow.ExecuteLocalActivity(lctx, a.AddWorkdays, activities.WorkdaysRequest{From: workflow.Now(ctx), Workdays: workdays}).Get(ctx, &due); err != nil {
			return err
		}
		if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalConditions, ConditionsDue: &due}, "conditions",
			fmt.Sprintf("%d open items to close by %s", len(items), due.Format(time.RFC3339))); err != nil {
			return err
		}
		if err := workflow.Sleep(ctx, due.Sub(workflow.Now(ctx))); err != nil {
			return err
		}
		var still activities.OpenItems
		actx := workflow.WithActivityOptions(ctx, projectionOptions)
		if err := workflow.ExecuteActivity(actx, a.OpenRectifications, activities.OpenItemsRequest{StationID: e.in.StationID,
			Only: items}).Get(ctx, &still); err != nil {
			return err
		}
		if len(still.IDs) == 0 {
			return nil
		}
		if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalDecision}, "conditions_missed",
			fmt.Sprintf("%d of %d items still open", len(still.IDs), len(items))); err != nil {
			return err
		}
		d, err := e.decide(ctx, round, grading.Exit)
		if err != nil {
			return err
		}
		final, reason := d.Decision, d.Reason
		if err := e.project(ctx, store.CycleStationUpdate{State: store.EvalConditions, FinalDecision: &final, DecisionReason: &reason},
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
		items, workdays = still.IDs, d.ConditionsDueWorkdays
	}
	return nil
}

func (e *evaluationRun) taskID(step string, n int) string {
	return derivedID("cycle-task/%s/%s/%s/%d", e.in.CycleID, e.in.StationID, step, n)
}

func (e *evaluationRun) project(ctx workflow.Context, u store.CycleStationUpdate, event, reason string) error {
	e.version++
	e.state = u.State
	cid, err1 := uuid.Parse(e.in.CycleID)
	sid, err2 := uuid.Parse(e.in.StationID)
	if err1 != nil || err2 != nil {
		return temporal.NewNonRetryableApplicationError("the evaluation names no cycle or station", RejectInvalid, nil)
	}
	u.CycleID, u.StationID, u.Version, u.Event, u.Actor, u.Reason = cid, sid, e.version, event, "system", reason
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	return workflow.ExecuteActivity(actx, a.ProjectEvaluation, activities.EvaluationProjection{Update: u,
		CycleWorkflowID: e.in.CycleWorkflowID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, nil)
}
