package usecase

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// The annual evaluation cycle: an office previews which stations a cycle
// of its region would include, starts it with those settings, may extend
// the deadline of a kind of task across it, or cancel it.

// Cycle defaults, where the office leaves a setting out.
const (
	DefaultEvaluatorsPerStation  = 2
	DefaultDisagreementThreshold = 10
	DefaultAppealWorkdays        = 10
	DefaultMinTermDays           = 90
)

// CycleRequest starts (or previews) an annual evaluation cycle.
type CycleRequest struct {
	RegionCode                string        `json:"region_code" validate:"required,numeric,max=12"`
	Year                      int           `json:"year" validate:"required,min=2000,max=2100"`
	RubricVersion             string        `json:"rubric_version" validate:"required,max=64"`
	SelfAssessmentDue         string        `json:"self_assessment_due" validate:"omitempty,datetime=2006-01-02"`
	SelfAssessmentDueWorkdays int           `json:"self_assessment_due_workdays" validate:"omitempty,min=1,max=2000"`
	EvaluationDue             string        `json:"evaluation_due" validate:"omitempty,datetime=2006-01-02"`
	EvaluationDueWorkdays     int           `json:"evaluation_due_workdays" validate:"omitempty,min=1,max=2000"`
	EvaluatorsPerStation      int           `json:"evaluators_per_station" validate:"omitempty,min=1,max=5"`
	DisagreementThreshold     *float64      `json:"disagreement_threshold" validate:"omitempty,min=0,max=100"`
	OnDisagreement            string        `json:"on_disagreement" validate:"omitempty,oneof=third_evaluator arbitration"`
	AppealWorkdays            int           `json:"appeal_workdays" validate:"omitempty,min=1,max=60"`
	MinTermDays               *int          `json:"min_term_days" validate:"omitempty,min=0,max=366"`
	Bands                     grading.Bands `json:"bands"`
	PreviewDigest             string        `json:"preview_digest" validate:"omitempty,len=64,hexadecimal"`
}

// CycleSettings checks what only the server can judge (the caller's
// scope, the rubric, the due dates) and fills in the defaults.
func (c *Cases) CycleSettings(who Caller, req CycleRequest) (store.CycleSettings, error) {
	var errs forms.Errors
	if _, err := codes.ParseRegion(req.RegionCode); err != nil || len(req.RegionCode) > 6 {
		errs = append(errs, forms.FieldError{Field: "region_code", Message: "must be a province, city or county code"})
	} else if err := inOfficeScope(who, "region_code", req.RegionCode); err != nil {
		return store.CycleSettings{}, err
	}
	set := withCycleDefaults(req)
	errs = append(errs, c.cycleRubric(req, &set)...)
	now := time.Now()
	set.SelfAssessmentDue = c.dueMoment(now, "self_assessment_due", req.SelfAssessmentDue, req.SelfAssessmentDueWorkdays, &errs)
	set.EvaluationDue = c.dueMoment(now, "evaluation_due", req.EvaluationDue, req.EvaluationDueWorkdays, &errs)
	if !set.SelfAssessmentDue.IsZero() && set.EvaluationDue.Before(set.SelfAssessmentDue) {
		errs = append(errs, forms.FieldError{Field: "evaluation_due", Message: "must not come before self_assessment_due"})
	}
	return set, invalidIf(errs)
}

// cycleRubric checks the cycle's rubric and bands together: the rubric is
// an annual one, and the bands, which decide the grade, draw the pass
// line where the rubric's pass_mark does. Bands left out are the default
// ones with the rubric's pass line; given bands that disagree with the
// rubric are refused on bands.
func (c *Cases) cycleRubric(req CycleRequest, set *store.CycleSettings) forms.Errors {
	var errs forms.Errors
	if req.Bands != nil {
		errs = set.Bands.Check("bands")
	}
	rb, err := c.Rubrics.Get(req.RubricVersion)
	switch {
	case err != nil:
		return append(errs, forms.FieldError{Field: "rubric_version", Message: err.Error()})
	case rb.Kind != rubric.KindAnnual:
		return append(errs, forms.FieldError{Field: "rubric_version", Message: "is a " + rb.Kind + " rubric; an annual_evaluation one is needed"})
	case len(errs) > 0:
		return errs
	case req.Bands == nil:
		set.Bands = grading.BandsPassingAt(rb.PassMark)
		if len(set.Bands.Check("bands")) > 0 {
			return forms.Errors{{Field: "rubric_version", Message: fmt.Sprintf(
				"评分表及格分 %g 无法套用默认等级 / pass_mark %g of rubric %s does not fit the default bands; give bands", rb.PassMark, rb.PassMark, rb.Version)}}
		}
		return nil
	}
	if problem := set.Bands.PassMarkProblem(rb.Version, rb.PassMark); problem != "" {
		return forms.Errors{{Field: "bands", Message: problem}}
	}
	return nil
}

// withCycleDefaults is the request's settings with a default for each one
// left out; the due dates are not yet set.
func withCycleDefaults(req CycleRequest) store.CycleSettings {
	set := store.CycleSettings{RegionCode: req.RegionCode, Year: req.Year, RubricVersion: req.RubricVersion,
		EvaluatorsPerStation: req.EvaluatorsPerStation, OnDisagreement: req.OnDisagreement, AppealWorkdays: req.AppealWorkdays,
		DisagreementThreshold: DefaultDisagreementThreshold, MinTermDays: DefaultMinTermDays, Bands: req.Bands}
	if set.EvaluatorsPerStation == 0 {
		set.EvaluatorsPerStation = DefaultEvaluatorsPerStation
	}
	if set.OnDisagreement == "" {
		set.OnDisagreement = "third_evaluator"
	}
	if set.AppealWorkdays == 0 {
		set.AppealWorkdays = DefaultAppealWorkdays
	}
	if req.DisagreementThreshold != nil {
		set.DisagreementThreshold = *req.DisagreementThreshold
	}
	if req.MinTermDays != nil {
		set.MinTermDays = *req.MinTermDays
	}
	if set.Bands == nil {
		set.Bands = grading.DefaultBands()
	}
	return set
}

// dueMoment reads a due date (the end of business, China time, on the
// day) or, under a demo time scale, a count of scaled working days from
// now. A missing or bad one adds its error and gives the zero time.
func (c *Cases) dueMoment(now time.Time, field, date string, workdays int, errs *forms.Errors) time.Time {
	switch {
	case date != "" && workdays != 0:
		*errs = append(*errs, forms.FieldError{Field: field, Message: "give a date or " + field + "_workdays, not both"})
	case workdays != 0:
		if c.Workday > 0 {
			return now.Add(time.Duration(workdays) * c.Workday)
		}
		*errs = append(*errs, forms.FieldError{Field: field + "_workdays", Message: "is only accepted under a demo time scale (--workday); give " + field + " as a date"})
	case date != "":
		d, _ := time.ParseInLocation(time.DateOnly, date, calendar.Location())
		due := time.Date(d.Year(), d.Month(), d.Day(), calendar.EndOfBusinessHour, 0, 0, 0, calendar.Location())
		if due.After(now) {
			return due
		}
		*errs = append(*errs, forms.FieldError{Field: field, Message: "must be a day still to come"})
	default:
		*errs = append(*errs, forms.FieldError{Field: field, Message: "is required (YYYY-MM-DD)"})
	}
	return time.Time{}
}

// cycleSettingsFrom lets an office or admin send a cycle's settings and
// checks them.
func (c *Cases) cycleSettingsFrom(who Caller, in Input[CycleRequest]) (CycleRequest, store.CycleSettings, error) {
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return CycleRequest{}, store.CycleSettings{}, err
	}
	req, err := in()
	if err != nil {
		return req, store.CycleSettings{}, err
	}
	set, err := c.CycleSettings(who, req)
	return req, set, err
}

// PreviewCycle answers which stations a cycle with these settings would
// include, with the digest that confirms them when the cycle starts.
func (c *Cases) PreviewCycle(ctx context.Context, who Caller, in Input[CycleRequest]) (store.CycleSettings, store.CyclePreview, error) {
	_, set, err := c.cycleSettingsFrom(who, in)
	if err != nil {
		return set, store.CyclePreview{}, err
	}
	p, err := c.Store.PreviewCycle(ctx, set.RegionCode, set.Year, set.MinTermDays)
	return set, p, err
}

// StartCycle writes the cycle with the stations it includes, then starts
// its workflow. A crash in between loses nothing: the reconciler starts
// every cycle still starting without a workflow.
func (c *Cases) StartCycle(ctx context.Context, who Caller, in Input[CycleRequest]) (store.Cycle, error) {
	if err := mayDecide(who); err != nil {
		return store.Cycle{}, err
	}
	req, set, err := c.cycleSettingsFrom(who, in)
	if err != nil {
		return store.Cycle{}, err
	}
	id := store.NewID()
	cy, err := c.Store.CreateCycle(ctx, id, set, req.PreviewDigest, flow.CycleWorkflowID(id.String()), who.Actor())
	if errors.Is(err, store.ErrPreviewChanged) {
		return cy, conflict(err.Error()+"; preview again and confirm the new set",
			forms.FieldError{Field: "preview_digest", Message: "no longer matches the stations the cycle would include"})
	}
	if err != nil {
		return cy, err
	}
	if err := c.awaitWorkflow(ctx, func(ctx context.Context) error {
		return workflows.StartCycle(ctx, c.Temporal, c.TaskQueue, flow.CycleInput{CycleID: id, Settings: set.Flow()})
	}); err != nil {
		return cy, fmt.Errorf("starting cycle %s: %w", id, err)
	}
	return cy, nil
}

// CancelCycle asks a running cycle's workflow to cancel; the cycle is
// cancelling until the workflow has withdrawn its tasks.
func (c *Cases) CancelCycle(ctx context.Context, who Caller, id string) (store.Cycle, error) {
	cy, err := c.Cycle(ctx, who, id)
	if err != nil {
		return cy, err
	}
	if cy.State == store.CycleCompleted || cy.State == store.CycleCancelled {
		return cy, conflict("the cycle is " + cy.State)
	}
	return cy, c.awaitWorkflow(ctx, func(ctx context.Context) error { return c.Temporal.CancelWorkflow(ctx, cy.WorkflowID, "") })
}

// BulkExtension moves the deadline of every open task of a kind in a
// cycle; DryRun only counts them.
type BulkExtension struct {
	Kind     string `json:"kind" validate:"required,oneof=self_assessment annual_evaluation arbitration renewal_decision appeal_review"`
	Workdays int    `json:"workdays" validate:"required,min=1,max=60"`
	Reason   string `json:"reason" validate:"required,min=5,max=2000"`
	DryRun   bool   `json:"-"`
}

// BulkFailure is one task a bulk action could not change, and why.
type BulkFailure struct {
	TaskID    uuid.UUID `json:"task_id"`
	StationID uuid.UUID `json:"station_id"`
	Reason    string    `json:"reason"`
}

// BulkExtended is what a bulk extension did: of Tasks open tasks, each it
// could not extend is a failure (none on a dry run).
type BulkExtended struct {
	Tasks    int
	Failures []BulkFailure
}

// bulkConcurrency is how many tasks a bulk action changes at once.
const bulkConcurrency = 16

// ExtendCycle extends the deadline of every open task of a kind in the
// cycle, each through its task's workflow, reporting each task it could
// not extend.
func (c *Cases) ExtendCycle(ctx context.Context, who Caller, id string, in Input[BulkExtension]) (BulkExtension, BulkExtended, error) {
	cy, err := c.Cycle(ctx, who, id)
	if err != nil {
		return BulkExtension{}, BulkExtended{}, err
	}
	req, err := in()
	if err != nil {
		return req, BulkExtended{}, err
	}
	tasks, err := c.Store.OpenCycleTasks(ctx, cy.ID, req.Kind)
	if err != nil || req.DryRun {
		return req, BulkExtended{Tasks: len(tasks)}, err
	}
	var (
		mu  sync.Mutex
		out = BulkExtended{Tasks: len(tasks), Failures: []BulkFailure{}}
		g   errgroup.Group
	)
	g.SetLimit(bulkConcurrency)
	arg := flow.ExtendRequest{Caller: flowCaller(who), Workdays: req.Workdays, Reason: req.Reason}
	for _, t := range tasks {
		g.Go(func() error {
			err := c.sendUpdate(ctx, t.WorkflowID, flow.ExtendUpdate, arg)
			if err == nil {
				return nil
			}
			reason := err.Error()
			var refused *Error
			if errors.As(err, &refused) {
				reason = refused.Detail
			}
			mu.Lock()
			out.Failures = append(out.Failures, BulkFailure{TaskID: t.ID, StationID: t.StationID, Reason: reason})
			mu.Unlock()
			return nil // a failure is reported, and the others go on
		})
	}
	_ = g.Wait() // every task reports into out.Failures
	return req, out, nil
}
