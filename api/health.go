package api

import (
	"context"
	"net/http"
	"time"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 only when PostgreSQL and Temporal both answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "temporal": "ok"}
	ready := true
	// The causes go to the log; an unauthenticated caller learns only which
	// dependency is down.
	if err := s.Store.Ping(ctx); err != nil {
		checks["postgres"], ready = "unreachable", false
		s.Logger.Warn("readiness: PostgreSQL", "error", err)
	}
	if _, err := s.Temporal.CheckHealth(ctx, nil); err != nil {
		checks["temporal"], ready = "unreachable", false
		s.Logger.Warn("readiness: Temporal", "error", err)
	}
	if !ready {
		writeProblem(w, r, Problem{Type: ProblemUnavailable, Title: problemTitles[ProblemUnavailable],
			Status: http.StatusServiceUnavailable, Detail: "postgres: " + checks["postgres"] + "; temporal: " + checks["temporal"]})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "checks": checks})
	return nil
}
