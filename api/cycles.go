package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Annual evaluation cycles: preview, start, list, read, cancel, the
// stations of a cycle and the bulk extension of its tasks. The report and
// the evaluators' deviations are in reports.go and evaluators.go.

func (s *Server) previewCycle(w http.ResponseWriter, r *http.Request) error {
	set, p, err := s.cases().PreviewCycle(r.Context(), principal(r), body[usecase.CycleRequest](w, r))
	return answer(w, http.StatusOK, map[string]any{"settings": set, "preview": p}, err)
}

// createCycle starts a cycle with the stations it includes.
func (s *Server) createCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().StartCycle(r.Context(), principal(r), body[usecase.CycleRequest](w, r))
	return created(w, "/v1/cycles", c.ID, c, err)
}

func (s *Server) listCycles(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().Cycles(r.Context(), principal(r), query(s, r, func(page store.Page) (usecase.CycleQuery, error) {
		year, err := optional(r, "year", 0, yearParam)
		return usecase.CycleQuery{Year: year, Page: page}, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

func (s *Server) getCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().Cycle(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusOK, c, err)
}

func (s *Server) cancelCycle(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().CancelCycle(r.Context(), principal(r), pathID(r))
	return answer(w, http.StatusAccepted, map[string]any{"id": c.ID, "state": store.CycleCancelling}, err)
}

func (s *Server) listCycleStations(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cases().CycleStations(r.Context(), principal(r), pathID(r), query(s, r, func(page store.Page) (usecase.StateQuery, error) {
		state, err := optional(r, "state", "", oneOf(store.EvalStates...))
		return usecase.StateQuery{State: state, Page: page}, err
	}))
	return answer(w, http.StatusOK, list.Sealed(s.sealFor(r)), err)
}

// BulkFailure is one task a bulk action could not change, and why.
type BulkFailure = usecase.BulkFailure

// extendCycle previews (dry_run=true) or extends the deadline of every open
// task of a kind in the cycle, reporting each task it could not extend.
func (s *Server) extendCycle(w http.ResponseWriter, r *http.Request) error {
	req, done, err := s.cases().ExtendCycle(r.Context(), principal(r), pathID(r), func() (usecase.BulkExtension, error) {
		var req usecase.BulkExtension
		var err error
		if req.DryRun, err = optional(r, "dry_run", false, boolParam); err != nil {
			return req, err
		}
		return req, decode(w, r, &req)
	})
	if err != nil {
		return err
	}
	if req.DryRun {
		writeJSON(w, http.StatusOK, map[string]any{"dry_run": true, "kind": req.Kind, "tasks": done.Tasks, "workdays": req.Workdays})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": req.Kind, "tasks": done.Tasks, "extended": done.Tasks - len(done.Failures),
		"failures": done.Failures})
	return nil
}
