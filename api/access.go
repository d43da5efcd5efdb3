package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/usecase"
)

// The scope rules themselves live in the use cases (internal/usecase): an
// object outside the caller's scope is 404, the same answer as for an
// object that does not exist, and a role that may never do an action is
// 403. This file carries the caller from the token to them.

type principalKey struct{}

// principal is the authenticated caller of a /v1 request.
func principal(r *http.Request) auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(auth.Principal)
	return p
}

// cases are the use cases, over the server's store and Temporal client.
func (s *Server) cases() *usecase.Cases {
	return &usecase.Cases{Store: s.Store, Temporal: s.Temporal, TaskQueue: s.TaskQueue, Logger: s.Logger,
		Rubrics: s.Rubrics, Workday: s.Workday, WaitTimeout: s.WaitTimeout}
}
