package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// listTasks is the caller's inbox: an office sees the work addressed to it
// and the work escalated to it; an organisation and a supervisor see theirs.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	page, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.TaskFilter{Kind: q.Get("kind"), State: q.Get("state")}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "overdue is true or false", FieldError{Field: "overdue", Message: "must be true or false"})
		}
		f.Overdue = b
	}
	if f.Kind != "" && !oneOf(f.Kind, flow.TaskKinds...) {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown task kind", FieldError{Field: "kind",
			Message: "must be one of: " + strings.Join(flow.TaskKinds, ", ")})
	}
	if f.State != "" && !oneOf(f.State, flow.TaskOpen, flow.TaskClaimed, flow.TaskEscalated, flow.TaskCompleted, flow.TaskCancelled) {
		return problem(http.StatusBadRequest, ProblemInvalid, "unknown state", FieldError{Field: "state",
			Message: "must be one of: open, claimed, escalated, completed, cancelled"})
	}
	switch p.Role {
	case auth.RoleAdmin:
		f.All = true
	case auth.RoleOffice:
		// An office's inbox is its own work and what escalated to it; its
		// overdue view is every overdue task anywhere in its region.
		f.Office, f.OfficeOverdue = p.Scope, f.Overdue
	case auth.RoleOrg:
		id := p.ScopeID()
		f.Org = &id
	case auth.RoleSupervisor:
		id := p.ScopeID()
		f.Person = &id
	}
	list, err := s.Store.ListTasks(r.Context(), f, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func oneOf(v string, options ...string) bool {
	for _, o := range options {
		if v == o {
			return true
		}
	}
	return false
}

// canSeeTask: the assignee, the office a task escalated to, offices above
// the station's region, and the organisation whose application a review is
// about; admins see all.
func (s *Server) canSeeTask(ctx context.Context, p auth.Principal, t store.Task) (bool, error) {
	switch p.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleOffice:
		return codes.Within(t.RegionCode, p.Scope) || t.EscalatedTo == p.Scope ||
			(t.AssigneeKind == flow.AssignOffice && t.AssigneeID == p.Scope), nil
	case auth.RoleOrg:
		if t.AssigneeKind == flow.AssignOrg && t.AssigneeID == p.Scope {
			return true, nil
		}
		if t.SubjectID != nil {
			app, err := s.Store.GetApplication(ctx, *t.SubjectID)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return err == nil && app.OrganisationID == p.ScopeID(), err
		}
	case auth.RoleSupervisor:
		return t.AssigneeKind == flow.AssignPerson && t.AssigneeID == p.Scope, nil
	}
	return false, nil
}

// visibleTask loads the {id} task, answering 404 when the caller may not see it.
func (s *Server) visibleTask(r *http.Request) (store.Task, error) {
	id, err := pathID(r, "task")
	if err != nil {
		return store.Task{}, err
	}
	t, err := s.Store.GetTask(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return t, notFound("task")
	}
	if err != nil {
		return t, err
	}
	ok, err := s.canSeeTask(r.Context(), principal(r), t)
	if err != nil {
		return t, err
	}
	if !ok {
		return t, notFound("task")
	}
	return t, nil
}

// taskWithEvidence is a supervision task with its quarter's evidence pack,
// collected when asked, so records imported late are seen.
type taskWithEvidence struct {
	store.Task
	Evidence *store.EvidencePack `json:"evidence,omitempty"`
	// AnnualEvidence is the year's evidence, on self-assessment,
	// evaluation and arbitration tasks; an arbitration also shows the
	// evaluators' totals.
	AnnualEvidence *store.AnnualEvidence `json:"annual_evidence,omitempty"`
	Evaluations    []store.Evaluation    `json:"evaluations,omitempty"`
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	out := taskWithEvidence{Task: t}
	if t.Kind == flow.KindSupervision {
		q, err := period.Parse(t.Period)
		if err != nil {
			return fmt.Errorf("task %s has no quarter: %w", t.ID, err)
		}
		pack, err := s.Store.EvidencePack(r.Context(), t.StationID, q)
		if err != nil {
			return err
		}
		out.Evidence = &pack
	}
	if oneOf(t.Kind, flow.KindSelfAssessment, flow.KindAnnualEvaluation, flow.KindArbitration) && t.SubjectID != nil {
		year, err := strconv.Atoi(t.Period)
		if err != nil {
			return fmt.Errorf("task %s has no year: %w", t.ID, err)
		}
		ev, err := s.Store.AnnualEvidence(r.Context(), t.StationID, year)
		if err != nil {
			return err
		}
		out.AnnualEvidence = &ev
		if t.Kind == flow.KindArbitration {
			if out.Evaluations, err = s.Store.Evaluations(r.Context(), *t.SubjectID, t.StationID); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func caller(p auth.Principal) flow.Caller {
	return flow.Caller{Role: p.Role, Scope: p.Scope, TokenID: p.TokenID.String()}
}

// completeTask sends the form to the task's workflow, whose validator checks
// the task's state, the caller and the form; the answer is synchronous.
func (s *Server) completeTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	raw, err := readLimited(w, r, MaxApplicationBytes)
	if err != nil {
		return err
	}
	if !json.Valid(raw) {
		return problem(http.StatusBadRequest, ProblemMalformed, "the form is not valid JSON", FieldError{Field: "body", Message: "not valid JSON"})
	}
	if t.Kind == flow.KindSupervision {
		if err := s.checkScoredForm(r, t, raw); err != nil {
			return err
		}
	}
	return s.updateTask(w, r, t, flow.CompleteUpdate, flow.CompleteRequest{Caller: caller(principal(r)), Form: raw})
}

// readLimited reads the whole body, refusing more than limit bytes.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a request body may hold at most %d bytes", limit),
			FieldError{Field: "body", Message: "too large"})
	}
	return raw, err
}

// closeTask closes a task nobody will complete, such as a missed quarter's
// supervision, with the office's reason.
func (s *Server) closeTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	var req forms.CloseReason
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.updateTask(w, r, t, flow.CloseUpdate, flow.CloseRequest{Caller: caller(principal(r)), Reason: req.Reason})
}

func (s *Server) claimTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	return s.updateTask(w, r, t, flow.ClaimUpdate, flow.ClaimRequest{Caller: caller(principal(r))})
}

type reassignRequest struct {
	Assignee struct {
		Kind string `json:"kind" validate:"required,oneof=office org person"`
		ID   string `json:"id" validate:"required,max=64"`
	} `json:"assignee"`
	Reason string `json:"reason" validate:"required,max=2000"`
}

func (s *Server) reassignTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	var req reassignRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.updateTask(w, r, t, flow.ReassignUpdate, flow.ReassignRequest{Caller: caller(principal(r)),
		Assignee: flow.Assignee{Kind: req.Assignee.Kind, ID: req.Assignee.ID}, Reason: req.Reason})
}

type extendRequest struct {
	Workdays int    `json:"workdays" validate:"gte=0,lte=60"`
	Pause    bool   `json:"pause"`
	Resume   bool   `json:"resume"`
	Reason   string `json:"reason" validate:"required,max=2000"`
}

func (s *Server) extendTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.visibleTask(r)
	if err != nil {
		return err
	}
	var req extendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.updateTask(w, r, t, flow.ExtendUpdate, flow.ExtendRequest{Caller: caller(principal(r)),
		Workdays: req.Workdays, Pause: req.Pause, Resume: req.Resume, Reason: req.Reason})
}

// updateTask sends an update to the task's workflow and answers with the
// task as the read model holds it afterwards. A rejection by the update's
// validator becomes 403 (caller), 409 (state) or 422 (form, naming fields).
func (s *Server) updateTask(w http.ResponseWriter, r *http.Request, t store.Task, name string, arg any) error {
	if err := s.sendUpdate(r, t, name, arg); err != nil {
		return err
	}
	fresh, err := s.Store.GetTask(r.Context(), t.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fresh)
	return nil
}

// sendUpdate sends an update to the task's workflow and waits for its
// answer, turning a rejection into a problem.
func (s *Server) sendUpdate(r *http.Request, t store.Task, name string, arg any) error {
	h, err := s.Temporal.UpdateWorkflow(r.Context(), client.UpdateWorkflowOptions{
		WorkflowID: t.WorkflowID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(r.Context(), nil)
	}
	if err != nil {
		return updateProblem(err)
	}
	return nil
}

func updateProblem(err error) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr):
		switch appErr.Type() {
		case flow.RejectForbidden:
			return problem(http.StatusForbidden, ProblemForbidden, appErr.Message())
		case flow.RejectWrongState:
			return problem(http.StatusConflict, ProblemConflict, appErr.Message())
		case flow.RejectInvalid:
			var fields forms.Errors
			if appErr.HasDetails() {
				_ = appErr.Details(&fields)
			}
			if len(fields) == 0 {
				fields = forms.Errors{{Field: "body", Message: appErr.Message()}}
			}
			return problem(http.StatusUnprocessableEntity, ProblemInvalid, "the form breaks a rule", fields...)
		}
	case errors.As(err, &notFound):
		return problem(http.StatusConflict, ProblemConflict, "the task is closed")
	}
	return err
}

// organisationStatus: each station the organisation operates or applied
// for, its phase, and what is due there and by when.
func (s *Server) organisationStatus(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := allowRoles(r, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return err
	}
	id, err := pathID(r, "organisation")
	if err != nil {
		return err
	}
	if !canSeeOrganisation(p, id) {
		return notFound("organisation")
	}
	if _, err := s.Store.GetOrganisation(r.Context(), id); err != nil {
		return err
	}
	lines, err := s.Store.OrganisationStatus(r.Context(), id)
	if err != nil {
		return err
	}
	if p.Role == auth.RoleOffice {
		kept := lines[:0]
		for _, l := range lines {
			if auth.InRegion(p.Scope, l.Station.RegionCode) {
				kept = append(kept, l)
			}
		}
		lines = kept
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisation_id": id, "stations": lines})
	return nil
}
