package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
	"github.com/stationflow/stationflow/workflows"
)

// listTasks is the caller's inbox: an office sees the work addressed to it
// and the work escalated to it; an organisation and a supervisor see theirs.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	return writePage(w, r, func(page store.Page) (store.List[store.Task], error) {
		f, err := taskFilter(r)
		if err != nil {
			return store.List[store.Task]{}, err
		}
		return s.Store.ListTasks(r.Context(), f, page)
	})
}

// taskFilter reads the inbox's query and narrows it to the caller's scope.
func taskFilter(r *http.Request) (store.TaskFilter, error) {
	var f store.TaskFilter
	var err error
	if f.Overdue, err = boolParam(r, "overdue"); err != nil {
		return f, err
	}
	if f.Kind, err = enumParam(r, "kind", "unknown task kind", "must be one of: "+strings.Join(workflows.TaskKinds, ", "),
		workflows.TaskKinds...); err != nil {
		return f, err
	}
	if f.State, err = enumParam(r, "state", "unknown state", "must be one of: open, claimed, escalated, completed, cancelled",
		workflows.TaskOpen, workflows.TaskClaimed, workflows.TaskEscalated, workflows.TaskCompleted, workflows.TaskCancelled); err != nil {
		return f, err
	}
	switch p := principal(r); p.Role {
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
	return f, nil
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().TaskDetail(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, t, err)
}

// completeTask sends the form to the task's workflow, whose validator checks
// the task's state, the caller and the form; the answer is synchronous.
func (s *Server) completeTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().CompleteTask(r.Context(), principal(r), pathID(r), func() (json.RawMessage, error) {
		raw, err := readJSON(w, r, MaxApplicationBytes)
		if err == nil && !json.Valid(raw) {
			err = problem(http.StatusBadRequest, ProblemMalformed, "the form is not valid JSON", FieldError{Field: "body", Message: "not valid JSON"})
		}
		return raw, err
	})
	return answer(w, http.StatusOK, t, err)
}

// closeTask closes a task nobody will complete, such as a missed quarter's
// supervision, with the office's reason.
func (s *Server) closeTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().CloseTask(r.Context(), principal(r), pathID(r), body[forms.CloseReason](w, r))
	return answer(w, http.StatusOK, t, err)
}

func (s *Server) claimTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().ClaimTask(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, t, err)
}

func (s *Server) reassignTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().ReassignTask(r.Context(), principal(r), pathID(r), body[usecase.Reassignment](w, r))
	return answer(w, http.StatusOK, t, err)
}

func (s *Server) extendTask(w http.ResponseWriter, r *http.Request) error {
	t, err := s.cases().ExtendTask(r.Context(), principal(r), pathID(r), body[usecase.Extension](w, r))
	return answer(w, http.StatusOK, t, err)
}
