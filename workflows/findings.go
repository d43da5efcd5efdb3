package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
)

// The annual evaluation's findings: what each evaluator found, the
// indicators failed in the agreed result (by the rubric's failed_across
// rule), and the rectification items they open.

// findingsChange is the GetVersion change that made the annual scorecard
// carry the evaluators' findings, a failed critical indicator fail the
// station, and the failed indicators open rectification items.
const findingsChange = "annual-findings"

func init() {
	registerForm(flow.KindArbitration, func(in flow.TaskInput, raw json.RawMessage) forms.Errors {
		return checkDecoded(raw, func(f forms.Arbitration) forms.Errors { return checkArbitration(in, f) })
	})
}

// checkArbitration checks the ruling and that it confirms only indicators
// the task put to it.
func checkArbitration(in flow.TaskInput, f forms.Arbitration) forms.Errors {
	errs := forms.Check(f)
	for i, id := range f.ConfirmedFailures {
		if !slices.Contains(in.Choices, id) {
			errs = append(errs, forms.FieldError{Field: fmt.Sprintf("confirmed_failures[%d]", i), Message: fmt.Sprintf(
				"只能确认部分评估员判为不达标的指标 / %q is not an indicator put to the arbitration; choose among [%s]",
				id, strings.Join(in.Choices, ", "))})
		}
	}
	return errs
}

// disputed are the indicators some but not most of the used evaluators
// failed, and whether one is critical; none before findingsChange.
func (e *evaluationRun) disputed(cards []rubric.Scorecard, used []int) ([]string, bool) {
	if !e.findings {
		return nil, false
	}
	return grading.Disputed(e.rubric, cards, used)
}

// agreedCard is the annual scorecard's agreed result: before
// findingsChange only the total, after it the sections and the failed
// indicators combined from the evaluators'. The grade is the band of the
// total, or fail when a critical indicator failed.
func (e *evaluationRun) agreedCard(sc scoring) (flow.Scorecard, grading.Band) {
	card := flow.Scorecard{RubricVersion: e.rubric.Version, Total: sc.total,
		Sections: []flow.SectionResult{}, FailedIndicators: []flow.FailedIndicator{}, FailedCritical: []string{}}
	if e.findings {
		f := grading.Combine(e.rubric, sc.cards, sc.used, sc.confirmed)
		card.Sections, card.FailedIndicators, card.FailedCritical = f.Sections, f.FailedIndicators, f.FailedCritical
	}
	band := e.bands.Judge(sc.total, len(card.FailedCritical))
	card.Passed = band.Grade != grading.Fail
	return card, band
}

// evaluatorResults are the evaluators' own scorecards, in slot order.
func evaluatorResults(cards []rubric.Scorecard) []flow.EvaluatorResult {
	out := make([]flow.EvaluatorResult, len(cards))
	for i, c := range cards {
		out[i] = flow.EvaluatorResult{Slot: i + 1, Scorecard: c}
	}
	return out
}

// rectifyFindings opens a rectification item for each indicator failed in
// the agreed result, verified by the county office, as a quarter's
// supervision does for its failures. The items outlive the evaluation,
// which returns their IDs once every one has started.
func (e *evaluationRun) rectifyFindings(ctx workflow.Context) ([]uuid.UUID, error) {
	period := fmt.Sprint(e.in.Settings.Year)
	verifier := flow.Assignee{Kind: flow.AssignOffice, ID: codes.OfficeRegion(e.in.RegionCode)}
	ids := make([]uuid.UUID, 0, len(e.failed))
	var started []workflow.ChildWorkflowFuture
	for _, f := range e.failed {
		item := derivedID("rectification/%s/%s", e.scorecardID, f.ID)
		ids = append(ids, item)
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            flow.RectificationWorkflowID(e.in.StationID.String(), period, f.ID),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			TypedSearchAttributes: stationAttributes(e.ref),
		})
		started = append(started, workflow.ExecuteChildWorkflow(cctx, RectificationWorkflow, flow.RectificationInput{
			ItemID: item, Station: e.ref, OrganisationID: e.in.OrganisationID, ScorecardID: e.scorecardID,
			Period: period, Indicator: f, Verifier: verifier,
		}))
	}
	for _, c := range started {
		if err := c.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			return ids, err
		}
	}
	return ids, nil
}
