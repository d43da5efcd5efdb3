package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/report"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/workflows"
)

// Cycle defaults, where the office leaves a setting out.
const (
	DefaultEvaluatorsPerStation  = 2
	DefaultDisagreementThreshold = 10
	DefaultAppealWorkdays        = 10
	DefaultMinTermDays           = 90
)

// cycleRequest starts (or previews) an annual evaluation cycle.
type cycleRequest struct {
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

// settings checks what only the server can judge (the caller's scope, the
// rubric, the due dates) and fills in the defaults.
func (s *Server) cycleSettings(r *http.Request, req cycleRequest) (store.CycleSettings, error) {
	p := principal(r)
	var errs forms.Errors
	if _, err := codes.ParseRegion(req.RegionCode); err != nil || len(req.RegionCode) > 6 {
		errs = append(errs, forms.FieldError{Field: "region_code", Message: "must be a province, city or county code"})
	} else if err := inOfficeScope(p, "region_code", req.RegionCode); err != nil {
		return store.CycleSettings{}, err
	}
	if rb, err := s.Rubrics.Get(req.RubricVersion); err != nil {
		errs = append(errs, forms.FieldError{Field: "rubric_version", Message: err.Error()})
	} else if rb.Kind != rubric.KindAnnual {
		errs = append(errs, forms.FieldError{Field: "rubric_version", Message: "is a " + rb.Kind + " rubric; an annual_evaluation one is needed"})
	}
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
	} else {
		errs = append(errs, set.Bands.Check("bands")...)
	}
	now := time.Now()
	set.SelfAssessmentDue = s.dueMoment(now, "self_assessment_due", req.SelfAssessmentDue, req.SelfAssessmentDueWorkdays, &errs)
	set.EvaluationDue = s.dueMoment(now, "evaluation_due", req.EvaluationDue, req.EvaluationDueWorkdays, &errs)
	if !set.SelfAssessmentDue.IsZero() && set.EvaluationDue.Before(set.SelfAssessmentDue) {
		errs = append(errs, forms.FieldError{Field: "evaluation_due", Message: "must not come before self_assessment_due"})
	}
	return set, invalidIf(errs)
}

// dueMoment reads a due date (the end of business, China time, on the
// day) or, under a demo time scale, a count of scaled working days from
// now. A missing or bad one adds its error and gives the zero time.
func (s *Server) dueMoment(now time.Time, field, date string, workdays int, errs *forms.Errors) time.Time {
	switch {
	case date != "" && workdays != 0:
		*errs = append(*errs, forms.FieldError{Field: field, Message: "give a date or " + field + "_workdays, not both"})
	case workdays != 0:
		if s.Workday > 0 {
			return now.Add(time.Duration(workdays) * s.Workday)
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

// readCycleRequest lets an office or admin send a cycle's settings and
// checks them.
func (s *Server) readCycleRequest(w http.ResponseWriter, r *http.Request) (cycleRequest, store.CycleSettings, error) {
	var req cycleRequest
	if err := allowRoles(r, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return req, store.CycleSettings{}, err
	}
	if err := decode(w, r, &req); err != nil {
		return req, store.CycleSettings{}, err
	}
	set, err := s.cycleSettings(r, req)
	return req, set, err
}

func (s *Server) previewCycle(w http.ResponseWriter, r *http.Request) error {
	_, set, err := s.readCycleRequest(w, r)
	if err != nil {
		return err
	}
	p, err := s.Store.PreviewCycle(r.Context(), set.RegionCode, set.Year, set.MinTermDays)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"settings": set, "preview": p})
	return nil
}

// createCycle writes the cycle with the stations it includes, then starts
// its workflow. A crash in between loses nothing: the reconciler starts
// every cycle still starting without a workflow.
func (s *Server) createCycle(w http.ResponseWriter, r *http.Request) error {
	req, set, err := s.readCycleRequest(w, r)
	if err != nil {
		return err
	}
	id := store.NewID()
	c, err := s.Store.CreateCycle(r.Context(), id, set, req.PreviewDigest, flow.CycleWorkflowID(id.String()), principal(r).Actor())
	if errors.Is(err, store.ErrPreviewChanged) {
		return problem(http.StatusConflict, ProblemConflict, err.Error()+"; preview again and confirm the new set",
			FieldError{Field: "preview_digest", Message: "no longer matches the stations the cycle would include"})
	}
	if err != nil {
		return err
	}
	if err := workflows.StartCycle(r.Context(), s.Temporal, s.TaskQueue, flow.CycleInput{CycleID: id, Settings: set.Flow()}); err != nil {
		return fmt.Errorf("starting cycle %s: %w", id, err)
	}
	w.Header().Set("Location", "/v1/cycles/"+id.String())
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) listCycles(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return err
	}
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.CycleFilter{RegionPrefix: p.Scope, All: p.Role == auth.RoleAdmin}
	if v := r.URL.Query().Get("year"); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "year is not a year", FieldError{Field: "year", Message: "must be a year such as 2026"})
		}
	}
	list, err := s.Store.ListCycles(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// visibleCycle loads the {id} cycle for an office whose region holds it
// (or an admin); anyone else gets 404.
func (s *Server) visibleCycle(r *http.Request) (store.Cycle, error) {
	id, err := pathID(r, "cycle")
	if err != nil {
		return store.Cycle{}, err
	}
	if err := allowRoles(r, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return store.Cycle{}, err
	}
	c, err := s.Store.GetCycle(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return c, notFound("cycle")
	}
	if err != nil {
		return c, err
	}
	if p := principal(r); p.Role == auth.RoleOffice && !auth.InRegion(p.Scope, c.RegionCode) {
		return c, notFound("cycle")
	}
	return c, nil
}

func (s *Server) getCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) cancelCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	if c.State == store.CycleCompleted || c.State == store.CycleCancelled {
		return problem(http.StatusConflict, ProblemConflict, "the cycle is "+c.State)
	}
	if err := s.Temporal.CancelWorkflow(r.Context(), c.WorkflowID, ""); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": c.ID, "state": store.CycleCancelling})
	return nil
}

func (s *Server) listCycleStations(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	state := r.URL.Query().Get("state")
	if state != "" && !oneOf(state, store.EvalStates...) {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown state", FieldError{Field: "state", Message: "must be a station state of a cycle"})
	}
	list, err := s.Store.ListCycleStations(r.Context(), c.ID, state, nil, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// cycleEvaluators measures each evaluator against their peers over the
// cycle and flags those who stray.
func (s *Server) cycleEvaluators(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	threshold, minStations := 8.0, 5
	if v := q.Get("threshold"); v != "" {
		if threshold, err = strconv.ParseFloat(v, 64); err != nil || threshold < 0 || threshold > 100 {
			return problem(http.StatusBadRequest, ProblemInvalid, "bad threshold", FieldError{Field: "threshold", Message: "must be 0 to 100 points"})
		}
	}
	if v := q.Get("min_stations"); v != "" {
		if minStations, err = strconv.Atoi(v); err != nil || minStations < 1 || minStations > 10000 {
			return problem(http.StatusBadRequest, ProblemInvalid, "bad min_stations", FieldError{Field: "min_stations", Message: "must be 1 to 10000"})
		}
	}
	scores, err := s.Store.EvaluatorScores(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"threshold": threshold, "min_stations": minStations,
		"evaluators": grading.Deviations(scores, threshold, minStations)})
	return nil
}

// cycleReport streams the report as CSV (the station table, or with
// table=distribution the grade distribution by county) or as an XLSX
// workbook holding both.
func (s *Server) cycleReport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	format, table := r.URL.Query().Get("format"), r.URL.Query().Get("table")
	if format == "" {
		format = "csv"
	}
	if !oneOf(format, "csv", "xlsx") {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown format", FieldError{Field: "format", Message: "must be csv or xlsx"})
	}
	if table != "" && !oneOf(table, "stations", "distribution") {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown table", FieldError{Field: "table", Message: "must be stations or distribution"})
	}
	evaluators := c.EvaluatorsPerStation
	if c.OnDisagreement == "third_evaluator" {
		evaluators++
	}
	bands := make([]report.Band, 0, len(c.Bands))
	for _, b := range c.Bands {
		bands = append(bands, report.Band{Code: b.Grade, Label: b.Label})
	}
	dist, err := s.Store.GradeDistribution(r.Context(), c.ID)
	if err != nil {
		return err
	}
	counties := make([]report.CountyGrades, 0, len(dist))
	for _, d := range dist {
		counties = append(counties, report.CountyGrades{CountyCode: d.CountyCode, CountyName: d.CountyName, Counts: d.Counts, Ungraded: d.Ungraded})
	}
	name := fmt.Sprintf("cycle-%s-%d-%s", c.RegionCode, c.Year, c.ID.String()[:8])
	rows := reportRows(s.Store.CycleReport(r.Context(), c.ID))
	switch {
	case format == "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return report.WriteXLSX(w, evaluators, rows, bands, counties)
	case table == "distribution":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-distribution.csv"`)
		return report.WriteDistributionCSV(w, bands, counties)
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return report.WriteCSV(w, evaluators, rows)
	}
}

// reportRows turns the store's report rows into the report's.
func reportRows(in func(func(store.ReportRow, error) bool)) report.Rows {
	return func(yield func(report.StationRow, error) bool) {
		for row, err := range in {
			if err != nil {
				yield(report.StationRow{}, err)
				return
			}
			out := report.StationRow{StationCode: row.RegionCode, StationName: row.StationName, CountyCode: row.CountyCode,
				CountyName: row.CountyName, Organisation: row.Organisation, State: row.State, SelfAssessment: row.SelfAssessment,
				Evaluations: row.Evaluations, Arbitrated: row.Arbitrated, Total: row.Total, Grade: deref(row.Grade),
				Proposal: deref(row.Proposal), Decision: deref(row.Decision), DecisionReason: row.DecisionReason,
				Appeal: row.Appeal, FinalDecision: deref(row.FinalDecision)}
			if out.FinalDecision == "" && out.Appeal == "" && row.State != store.EvalDecision {
				out.FinalDecision = out.Decision
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// bulkExtendRequest moves the deadline of every open task of a kind in a
// cycle.
type bulkExtendRequest struct {
	Kind     string `json:"kind" validate:"required,oneof=self_assessment annual_evaluation arbitration renewal_decision appeal_review"`
	Workdays int    `json:"workdays" validate:"required,min=1,max=60"`
	Reason   string `json:"reason" validate:"required,min=5,max=2000"`
}

// BulkFailure is one task a bulk action could not change, and why.
type BulkFailure struct {
	TaskID    uuid.UUID `json:"task_id"`
	StationID uuid.UUID `json:"station_id"`
	Reason    string    `json:"reason"`
}

// bulkConcurrency is how many tasks a bulk action changes at once.
const bulkConcurrency = 16

// extendCycle previews (dry_run=true) or extends the deadline of every open
// task of a kind in the cycle, reporting each task it could not extend.
func (s *Server) extendCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleCycle(r)
	if err != nil {
		return err
	}
	dryRun, err := boolParam(r, "dry_run")
	if err != nil {
		return err
	}
	var req bulkExtendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	tasks, err := s.Store.OpenCycleTasks(r.Context(), c.ID, req.Kind)
	if err != nil {
		return err
	}
	if dryRun {
		writeJSON(w, http.StatusOK, map[string]any{"dry_run": true, "kind": req.Kind, "tasks": len(tasks), "workdays": req.Workdays})
		return nil
	}
	var (
		mu       sync.Mutex
		failures = []BulkFailure{}
		wg       sync.WaitGroup
		sem      = make(chan struct{}, bulkConcurrency)
	)
	arg := flow.ExtendRequest{Caller: caller(principal(r)), Workdays: req.Workdays, Reason: req.Reason}
	for _, t := range tasks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := s.sendUpdate(r, t, flow.ExtendUpdate, arg)
			if err == nil {
				return
			}
			reason := err.Error()
			var pe *problemError
			if errors.As(err, &pe) {
				reason = pe.p.Detail
			}
			mu.Lock()
			failures = append(failures, BulkFailure{TaskID: t.ID, StationID: t.StationID, Reason: reason})
			mu.Unlock()
		})
	}
	wg.Wait()
	writeJSON(w, http.StatusOK, map[string]any{"kind": req.Kind, "tasks": len(tasks), "extended": len(tasks) - len(failures), "failures": failures})
	return nil
}

// appealRequest is an organisation's appeal against its station's decision.
type appealRequest struct {
	Reason string `json:"reason" validate:"required,min=10,max=5000"`
}

// createAppeal sends the operating organisation's appeal to the station's
// evaluation in its latest cycle, whose validator checks the window and
// the caller. Appealing again is refused as a conflict.
func (s *Server) createAppeal(w http.ResponseWriter, r *http.Request) error {
	st, err := s.visibleStation(r)
	if err != nil {
		return err
	}
	if err := allowRoles(r, auth.RoleOrg); err != nil {
		return err
	}
	var req appealRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cs, err := s.Store.LatestCycleStation(r.Context(), st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusConflict, ProblemConflict, "the station has no evaluation to appeal")
	}
	if err != nil {
		return err
	}
	if cs.OrganisationID == nil || *cs.OrganisationID != principal(r).ScopeID() {
		return problem(http.StatusForbidden, ProblemForbidden, "only the organisation evaluated may appeal")
	}
	wid := flow.EvaluationWorkflowID(cs.CycleID.String(), st.ID.String())
	h, err := s.Temporal.UpdateWorkflow(r.Context(), client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: flow.AppealUpdate,
		UpdateID: "appeal/" + cs.CycleID.String() + "/" + st.ID.String(),
		Args:     []any{flow.AppealRequest{Caller: caller(principal(r)), Reason: req.Reason}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	var accepted flow.AppealAccepted
	if err == nil {
		err = h.Get(r.Context(), &accepted)
	}
	if err != nil {
		return updateProblem(err)
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"cycle_id": cs.CycleID, "station_id": st.ID, "review_task_id": accepted.ReviewTaskID,
		"office": accepted.Office})
	return nil
}

// stationEvaluation: a station's place in its latest cycle, for the
// station's office, its organisation and admins.
func (s *Server) stationEvaluation(w http.ResponseWriter, r *http.Request) error {
	st, err := s.visibleStation(r)
	if err != nil {
		return err
	}
	if err := allowRoles(r, auth.RoleOffice, auth.RoleOrg, auth.RoleAdmin); err != nil {
		return err
	}
	cs, err := s.Store.LatestCycleStation(r.Context(), st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("evaluation")
	}
	if err != nil {
		return err
	}
	if p := principal(r); p.Role == auth.RoleOrg && (cs.OrganisationID == nil || *cs.OrganisationID != p.ScopeID()) {
		return notFound("evaluation")
	}
	evals, err := s.Store.Evaluations(r.Context(), cs.CycleID, st.ID)
	if err != nil {
		return err
	}
	if principal(r).Role == auth.RoleOrg { // evaluators stay anonymous to the organisation evaluated
		for i := range evals {
			evals[i].EvaluatorID = nil
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"evaluation": cs, "evaluations": evals})
	return nil
}

// annualEvidence answers GET /v1/stations/{id}/evidence?year=YYYY.
func (s *Server) annualEvidence(ctx context.Context, w http.ResponseWriter, stationID uuid.UUID, yearParam string) error {
	year, err := strconv.Atoi(yearParam)
	if err != nil || year < 2000 || year > 2100 {
		return problem(http.StatusBadRequest, ProblemInvalid, "bad year", FieldError{Field: "year", Message: "must be a year such as 2026"})
	}
	ev, err := s.Store.AnnualEvidence(ctx, stationID, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}
