package api

import (
	"encoding/json"
	"net/http"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// listTasks is the caller's inbox.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Inbox(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.TaskQuery, error) {
		q := usecase.TaskQuery{Page: page}
		var err error
		if q.Overdue, err = optional(r, "overdue", false, boolParam); err != nil {
			return q, err
		}
		if q.Kind, err = optional(r, "kind", "", oneOf(flow.TaskKinds...)); err != nil {
			return q, err
		}
		q.State, err = optional(r, "state", "", oneOf(flow.TaskOpen, flow.TaskClaimed, flow.TaskEscalated, flow.TaskCompleted, flow.TaskCancelled))
		return q, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
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
		if err == nil {
			err = checkJSONText(raw)
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
