package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
)

// maxEvaluators bounds the evaluators of one station, the third one
// brought in on disagreement included.
const maxEvaluators = 6

func init() {
	registerForm(flow.KindSelfAssessment, scoredCheck(func(r *rubric.Rubric, f grading.SelfAssessment) forms.Errors { return f.Check(r) }))
	registerForm(flow.KindAnnualEvaluation, scoredCheck(func(r *rubric.Rubric, f rubric.Form) forms.Errors { return r.Check(f) }))
}

// EvaluationWorkflow is one station's year-end evaluation (年度考核) in a
// cycle: the organisation's self-assessment, N evaluators chosen by the
// conflict-of-interest rule (a third one, or the office's arbitration,
// when they disagree), the annual scorecard and grade, the proposed and
// decided outcome, the appeal window and appeal review, and applying the
// final decision to the station: renewal, conditional renewal with its
// conditions tracked, or exit.
func EvaluationWorkflow(ctx workflow.Context, in flow.EvaluationStart) (flow.EvaluationOutcome, error) {
	e := &evaluationRun{in: in, ref: flow.StationRef{StationID: in.StationID, Level: in.Level, RegionCode: in.RegionCode},
		bands: gradingBands(in.Settings.Bands)}
	return e.run(ctx)
}

type evaluationRun struct {
	in        flow.EvaluationStart
	ref       flow.StationRef
	bands     grading.Bands
	rubric    *rubric.Rubric
	rubricDoc json.RawMessage // the rubric as frozen into scored tasks
	state     string
	version   int64
	out       flow.EvaluationOutcome
	decision  string
	// appealOpen: the appeal window is open; appeal holds an appeal made.
	appealOpen  bool
	appealUntil time.Time
	appeal      *flow.AppealRequest
	// findings: the run keeps what the evaluators found (findingsChange);
	// failed are the indicators failed in the agreed result, on the
	// annual scorecard scorecardID.
	findings    bool
	failed      []flow.FailedIndicator
	scorecardID uuid.UUID
}

// scoring is how the evaluators' scorecards became the station's total:
// used are the evaluators it rests on (the agreeing ones, or all when
// arbitrated), confirmed the failures the arbitration confirmed.
type scoring struct {
	cards      []rubric.Scorecard
	totals     []float64
	total      float64
	method     string // mean_of_agreeing or arbitration
	arbitrated bool
	used       []int
	confirmed  []string
}

func (e *evaluationRun) run(ctx workflow.Context) (flow.EvaluationOutcome, error) {
	e.findings = workflow.GetVersion(ctx, findingsChange, workflow.DefaultVersion, 1) >= 1
	if err := e.setup(ctx); err != nil {
		return e.out, err
	}
	if err := e.loadRubric(ctx); err != nil {
		return e.out, e.fail(ctx, err)
	}
	out, err := e.evaluate(ctx)
	if err != nil && !temporal.IsCanceledError(err) {
		return out, e.fail(ctx, err)
	}
	return out, err
}

func (e *evaluationRun) setup(ctx workflow.Context) error {
	if err := workflow.UpsertTypedSearchAttributes(ctx, flow.StationIDKey.ValueSet(e.in.StationID.String()),
		flow.RegionCodeKey.ValueSet(e.in.RegionCode), flow.StationLevelKey.ValueSet(e.in.Level)); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, flow.EvaluationQuery, func() (flow.EvaluationStatus, error) {
		return flow.EvaluationStatus{State: e.state, AppealUntil: e.appealUntil, Decision: e.decision}, nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, flow.AppealUpdate, e.acceptAppeal,
		workflow.UpdateHandlerOptions{Validator: e.validateAppeal})
}

// loadRubric reads the cycle's annual rubric, which every scored task of
// the evaluation is frozen with.
func (e *evaluationRun) loadRubric(ctx workflow.Context) error {
	lctx := workflow.WithLocalActivityOptions(ctx, localOptions)
	if err := workflow.ExecuteLocalActivity(lctx, flow.AnnualRubricActivity, e.in.Settings.RubricVersion).Get(ctx, &e.rubricDoc); err != nil {
		return err
	}
	rb, err := decodeRubric(e.rubricDoc)
	e.rubric = rb
	return err
}

// fail records why the station's evaluation could not go on, so the
// cycle's progress lists it, and ends the evaluation with the error.
func (e *evaluationRun) fail(ctx workflow.Context, cause error) error {
	reason := cause.Error()
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalFailed, Failure: reason}, "failed", reason); err != nil {
		return err
	}
	return cause
}

// evaluate is the evaluation's story: the organisation assesses itself,
// the evaluators score, their totals are settled (by a third evaluator or
// the office's arbitration when they disagree), the station is graded,
// and the office's decision is made, appealed and applied.
func (e *evaluationRun) evaluate(ctx workflow.Context) (flow.EvaluationOutcome, error) {
	if err := e.selfAssessment(ctx); err != nil {
		return e.out, err
	}
	cards, err := e.evaluators(ctx)
	if err != nil {
		return e.out, err
	}
	sc, err := e.settle(ctx, cards)
	if err != nil {
		return e.out, err
	}
	open, proposal, err := e.grade(ctx, sc)
	if err != nil {
		return e.out, err
	}
	if err := e.decideAndApply(ctx, proposal, open); err != nil {
		return e.out, err
	}
	return e.out, e.project(ctx, flow.EvaluationUpdate{State: flow.EvalDone}, "finished", "")
}

// selfAssessment is the operating organisation's own scoring, which the
// office may close unfiled.
func (e *evaluationRun) selfAssessment(ctx workflow.Context) error {
	set := e.in.Settings
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalSelfAssessment}, "opened", ""); err != nil {
		return err
	}
	self, err := runHumanTask(ctx, e.ref, flow.TaskInput{TaskID: e.taskID("self", 0), Kind: flow.KindSelfAssessment, SubjectID: e.in.CycleID,
		Assignee: flow.Assignee{Kind: flow.AssignOrg, ID: e.in.OrganisationID.String()}, Rubric: e.rubricDoc, Deadline: set.SelfAssessmentDue,
		Closable: true, Period: fmt.Sprint(set.Year)}, e.in.CycleID.String())
	if err != nil {
		return err
	}
	upd := flow.EvaluationUpdate{State: flow.EvalEvaluation}
	if !self.Closed {
		f, err := decodeForm[grading.SelfAssessment](self, "the self-assessment")
		if err != nil {
			return err
		}
		card, errs := e.rubric.Score(f.Form)
		if len(errs) > 0 {
			return temporal.NewNonRetryableApplicationError("the self-assessment breaks the rubric: "+errs.Error(), flow.RejectInvalid, errs)
		}
		upd.SelfAssessment, upd.FundingUsedYuan = &card.Total, f.FundingUsedYuan
	}
	return e.project(ctx, upd, "self_assessed", self.CloseReason)
}

// evaluators runs the evaluators' slots side by side. One slot failing
// withdraws the others, so the failure is recorded at once rather than
// when the last evaluator files.
func (e *evaluationRun) evaluators(ctx workflow.Context) ([]rubric.Scorecard, error) {
	n := e.in.Settings.EvaluatorsPerStation
	cards := make([]rubric.Scorecard, n)
	errs := make([]error, n)
	sctx, withdraw := workflow.WithCancel(ctx)
	wg := workflow.NewWaitGroup(ctx)
	for i := range n {
		wg.Add(1)
		workflow.Go(sctx, func(gctx workflow.Context) {
			defer wg.Done()
			cards[i], _, errs[i] = e.evaluation(gctx, i+1, e.in.Settings.EvaluationDue)
			if errs[i] != nil {
				withdraw()
			}
		})
	}
	wg.Wait(ctx)
	withdraw()
	for _, err := range errs {
		if err != nil && !temporal.IsCanceledError(err) {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, temporal.NewCanceledError()
	}
	return cards, nil
}

// settle turns the evaluators' scorecards into the station's total: the
// mean of their totals when they agree; otherwise a third evaluator when
// the cycle says so, and the office's arbitration when they still
// disagree, or when they agree on the total but split on a critical
// indicator the rubric lets the arbitration confirm.
func (e *evaluationRun) settle(ctx workflow.Context, cards []rubric.Scorecard) (scoring, error) {
	set := e.in.Settings
	agreement := grading.Agree(totalsOf(cards), set.DisagreementThreshold)
	if !agreement.Agreed && set.OnDisagreement == "third_evaluator" && len(cards) < maxEvaluators {
		card, person, err := e.evaluation(ctx, len(cards)+1, time.Time{})
		if err != nil {
			return scoring{}, err
		}
		if person {
			cards = append(cards, card)
			agreement = grading.Agree(totalsOf(cards), set.DisagreementThreshold)
		}
	}
	totals := totalsOf(cards)
	_, split := e.disputed(cards, agreement.Used)
	if agreement.Agreed && !split {
		return scoring{cards: cards, totals: totals, total: agreement.Total, method: "mean_of_agreeing", used: agreement.Used}, nil
	}
	all := make([]int, len(cards))
	for i := range all {
		all[i] = i
	}
	why := fmt.Sprintf("the evaluators' totals %v spread %g points, beyond %g", totals, agreement.Spread, set.DisagreementThreshold)
	choices, _ := e.disputed(cards, all)
	if agreement.Agreed {
		why = fmt.Sprintf("the evaluators split on the critical indicators among %v", choices)
	}
	ruling, err := e.arbitrate(ctx, why, choices)
	return scoring{cards: cards, totals: totals, total: *ruling.Total, method: "arbitration", arbitrated: true,
		used: all, confirmed: ruling.ConfirmedFailures}, err
}

func totalsOf(cards []rubric.Scorecard) []float64 {
	totals := make([]float64, len(cards))
	for i, c := range cards {
		totals[i] = c.Total
	}
	return totals
}

// arbitrate asks the county office to set the total the evaluators could
// not agree on, and to confirm or not the disputed failures (choices).
func (e *evaluationRun) arbitrate(ctx workflow.Context, why string, choices []string) (forms.Arbitration, error) {
	set := e.in.Settings
	none := forms.Arbitration{Total: new(float64)}
	if err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalArbitration}, "arbitration", why); err != nil {
		return none, err
	}
	res, err := runHumanTask(ctx, e.ref, flow.TaskInput{TaskID: e.taskID("arbitration", 0), Kind: flow.KindArbitration, SubjectID: e.in.CycleID,
		Assignee: flow.Assignee{Kind: flow.AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)}, Period: fmt.Sprint(set.Year),
		Choices: choices}, e.in.CycleID.String())
	if err != nil {
		return none, err
	}
	f, err := decodeForm[forms.Arbitration](res, "the arbitration")
	if err != nil {
		return none, err
	}
	if f.Total == nil {
		return none, unreadable("the arbitration", nil)
	}
	return f, nil
}

// grade issues the annual scorecard, grades the station and proposes its
// outcome from the grade and the rectification items still open.
func (e *evaluationRun) grade(ctx workflow.Context, sc scoring) (flow.OpenItems, string, error) {
	set := e.in.Settings
	card, band := e.agreedCard(sc)
	scorecardID := derivedID("scorecard/%s/%s/%d", e.in.StationID, flow.KindAnnualEvaluation, set.Year)
	e.scorecardID, e.failed = scorecardID, card.FailedIndicators
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	doc := flow.ScorecardDocument{StationID: e.in.StationID, OrganisationID: e.in.OrganisationID, Kind: rubric.KindAnnual,
		Period: fmt.Sprint(set.Year), TaskID: e.taskID("evaluation", 1), PassMark: e.bands.PassMark(), Scorecard: card,
		Summary: "annual evaluation in cycle " + e.in.CycleID.String(), FiledBy: "workflow:" + wid,
		FiledAt: workflow.Now(ctx).UTC(), Grade: band.Grade, GradeLabel: band.Label, Evaluations: sc.totals, Method: sc.method}
	if e.findings {
		doc.EvaluatorResults, doc.ConfirmedFailures = evaluatorResults(sc.cards), sc.confirmed
	}
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	if err := workflow.ExecuteActivity(actx, flow.IssueScorecardActivity, flow.ScorecardIssue{ScorecardID: scorecardID,
		RegionCode: e.in.RegionCode, WorkflowID: wid, Document: doc}).Get(ctx, nil); err != nil {
		return flow.OpenItems{}, "", err
	}
	var open flow.OpenItems
	if err := workflow.ExecuteActivity(actx, flow.OpenRectificationsActivity, flow.OpenItemsRequest{StationID: e.in.StationID}).Get(ctx, &open); err != nil {
		return open, "", err
	}
	proposal := grading.Propose(band.Grade, len(open.IDs)+len(e.failed), open.Critical)
	e.out.Total, e.out.Grade, e.out.Proposal = sc.total, band.Grade, proposal
	err := e.project(ctx, flow.EvaluationUpdate{State: flow.EvalDecision, Total: &sc.total, Grade: &band.Grade, Arbitrated: sc.arbitrated,
		ScorecardID: scorecardID, Proposal: &proposal}, "graded", fmt.Sprintf("total %g, grade %s, proposed %s", sc.total, band.Grade, proposal))
	return open, proposal, err
}

// evaluation runs one evaluator's slot: assignment, the scored task and
// recording the total. person says whether an evaluator was found (with
// none, the county office scores, and a third slot is not worth opening).
func (e *evaluationRun) evaluation(ctx workflow.Context, slot int, deadline time.Time) (rubric.Scorecard, bool, error) {
	taskID := e.taskID("evaluation", slot)
	actx := workflow.WithActivityOptions(ctx, projectionOptions)
	var evaluator uuid.UUID
	if err := workflow.ExecuteActivity(actx, flow.AssignEvaluatorActivity, flow.EvaluatorRequest{CycleID: e.in.CycleID, StationID: e.in.StationID,
		RegionCode: e.in.RegionCode, OrganisationID: e.in.OrganisationID, Slot: slot, TaskID: taskID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID}).Get(ctx, &evaluator); err != nil {
		return rubric.Scorecard{}, false, err
	}
	person := evaluator != uuid.Nil
	if slot > e.in.Settings.EvaluatorsPerStation && !person {
		return rubric.Scorecard{}, false, nil
	}
	assignee := flow.Assignee{Kind: flow.AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)}
	if person {
		assignee = flow.Assignee{Kind: flow.AssignPerson, ID: evaluator.String()}
	}
	res, err := runHumanTask(ctx, e.ref, flow.TaskInput{TaskID: taskID, Kind: flow.KindAnnualEvaluation, SubjectID: e.in.CycleID, Assignee: assignee,
		Rubric: e.rubricDoc, Deadline: deadline, Period: fmt.Sprint(e.in.Settings.Year)}, fmt.Sprintf("%s-%d", e.in.CycleID, slot))
	if err != nil {
		return rubric.Scorecard{}, false, err
	}
	f, err := decodeForm[rubric.Form](res, "the evaluation")
	if err != nil {
		return rubric.Scorecard{}, false, err
	}
	card, errs := e.rubric.Score(f)
	if len(errs) > 0 {
		return card, false, temporal.NewNonRetryableApplicationError("the evaluation breaks the rubric: "+errs.Error(), flow.RejectInvalid, errs)
	}
	if err := workflow.ExecuteActivity(actx, flow.RecordEvaluationActivity, flow.FiledEvaluation{CycleID: e.in.CycleID, StationID: e.in.StationID,
		Slot: slot, Total: card.Total, Passed: card.Passed}).Get(ctx, nil); err != nil {
		return rubric.Scorecard{}, false, err
	}
	return card, person, nil
}

func (e *evaluationRun) taskID(step string, n int) uuid.UUID {
	return derivedID("cycle-task/%s/%s/%s/%d", e.in.CycleID, e.in.StationID, step, n)
}

func (e *evaluationRun) project(ctx workflow.Context, u flow.EvaluationUpdate, event, reason string) error {
	e.version++
	e.state = u.State
	if e.in.CycleID == uuid.Nil || e.in.StationID == uuid.Nil {
		return temporal.NewNonRetryableApplicationError("the evaluation names no cycle or station", flow.RejectInvalid, nil)
	}
	u.CycleID, u.StationID, u.Version, u.Event, u.Actor, u.Reason = e.in.CycleID, e.in.StationID, e.version, event, "system", reason
	return project(ctx, flow.ProjectEvaluationActivity, flow.EvaluationProjection{Update: u,
		CycleWorkflowID: e.in.CycleWorkflowID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID})
}

// gradingBands are a cycle's frozen grade bands, for the grading rules.
func gradingBands(bands []flow.GradeBand) grading.Bands {
	out := make(grading.Bands, len(bands))
	for i, b := range bands {
		out[i] = grading.Band(b)
	}
	return out
}
