// Package api is stationflow's HTTP interface: the gorilla/mux router,
// bearer authentication, strict request decoding and validation, RFC 9457
// problem responses, health, readiness and Prometheus metrics. Each /v1
// handler decodes the request, calls one use case of internal/usecase
// (which holds the scope rules and asks the workflow or writes the record)
// and encodes its answer or maps its refusal to a problem. Handlers live in
// files named for their capability: tasks.go, evidence.go, files.go,
// scorecards.go, rectifications.go, overdue.go, cycles.go, reports.go,
// evaluators.go, appeals.go, applications.go, stations.go,
// organisations.go, people.go, projects.go and projectionfailures.go; decode.go,
// params.go and access.go hold what they share. methods.go (HEAD, 405
// and Allow), headers.go, ratelimit.go and metrics.go answer the edges
// of HTTP.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/cursor"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Server holds what the handlers need.
type Server struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	Logger    *slog.Logger
	Registry  *prometheus.Registry // metrics are registered here; nil makes a new one
	// RateLimit is how many requests a second each token may send, with
	// bursts of twice that; 0 sets no limit.
	RateLimit float64
	// Rubrics are the scoring sheets a cycle may be started with.
	Rubrics rubric.Set
	// Workday, when set, is the demo time scale: cycle due dates may then
	// be given as counts of scaled working days.
	Workday time.Duration
	// CursorKey signs the lists' cursors (see cursor.go): at least 32
	// secret bytes, the same in every API process; nil or short, each
	// process draws a random key, and its cursors open only there.
	CursorKey []byte

	cursorOnce sync.Once
	cursors    cursor.Sealer
	// MetricsOwnAddr leaves /metrics off the API's router: the process
	// serves MetricsHandler on an address of its own. Otherwise /metrics
	// is served on the API's address to Authorization: Bearer
	// MetricsToken, and not at all when MetricsToken is empty.
	MetricsOwnAddr bool
	MetricsToken   string
	// now is the rate limiters' clock; nil is time.Now.
	now func() time.Time
	// SessionLimits are the sessions' idle and absolute timeouts;
	// SignInLimits the throttle of refused sign-ins (store's defaults
	// for what is left zero).
	SessionLimits store.SessionLimits
	SignInLimits  store.SignInLimits
	// InsecureCookies leaves Secure off the session cookie, for a
	// development server on loopback over plain HTTP.
	InsecureCookies bool
	signInMetrics   *signInMetrics
	// WaitTimeout bounds each wait on a workflow; past it a request is
	// answered 504. usecase.DefaultWaitTimeout when zero.
	WaitTimeout time.Duration
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router builds the HTTP routes, with HEAD wherever GET is served, 405
// and Allow for a method a path does not take, and the headers every
// answer carries.
func (s *Server) Router() http.Handler {
	return edgeHeaders(newMethodRouter(s.routes()))
}

// notFound answers a path no route serves; the detail does not repeat
// the path, which may carry anything.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, Problem{Type: ProblemNotFound, Title: problemTitles[ProblemNotFound], Status: http.StatusNotFound,
		Detail: "no route serves this path; the OpenAPI document lists them"})
}

// routes is the router itself.
func (s *Server) routes() *mux.Router {
	metrics := s.MetricsHandler()
	m := newHTTPMetrics(s.Registry)
	s.Registry.MustRegister(s.projectionFailureCollector())
	s.Registry.MustRegister(s.deliveryCollector())
	s.signInMetrics = newSignInMetrics(s.Registry)

	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.Use(s.recoverPanics, m.middleware, s.refuseCrossOrigin)

	r.Handle("/healthz", s.handle(s.healthz)).Methods(http.MethodGet)
	r.Handle("/readyz", s.handle(s.readyz)).Methods(http.MethodGet)
	if !s.MetricsOwnAddr && s.MetricsToken != "" {
		r.Handle("/metrics", s.metricsTokenRequired(metrics)).Methods(http.MethodGet)
	}
	r.Handle("/auth/password", s.handle(s.setPassword)).Methods(http.MethodPost)
	r.Handle("/auth/sign-in", s.handle(s.signIn)).Methods(http.MethodPost)
	r.Handle("/auth/sign-out", s.handle(s.signOut)).Methods(http.MethodPost)
	r.Handle("/auth/sign-out-everywhere", s.authenticator()(s.handle(s.signOutEverywhere))).Methods(http.MethodPost)

	v1 := r.PathPrefix("/v1").Subrouter()
	v1.NotFoundHandler = r.NotFoundHandler
	v1.Use(s.authenticator(), s.limitRate(), s.checkParamText)
	v1.Handle("/organisations", s.handle(s.createOrganisation)).Methods(http.MethodPost)
	v1.Handle("/organisations", s.handle(s.listOrganisations)).Methods(http.MethodGet)
	v1.Handle("/organisations/{id}", s.handle(s.getOrganisation)).Methods(http.MethodGet)
	v1.Handle("/people", s.handle(s.createPerson)).Methods(http.MethodPost)
	v1.Handle("/people", s.handle(s.listPeople)).Methods(http.MethodGet)
	v1.Handle("/regions", s.handle(s.listRegions)).Methods(http.MethodGet)
	v1.Handle("/stations", s.handle(s.createStation)).Methods(http.MethodPost)
	v1.Handle("/stations", s.handle(s.listStations)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}", s.handle(s.getStation)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/applications", s.handle(s.createApplication)).Methods(http.MethodPost)
	v1.Handle("/applications/{id}", s.handle(s.getApplication)).Methods(http.MethodGet)
	v1.Handle("/organisations/{id}/status", s.handle(s.organisationStatus)).Methods(http.MethodGet)
	v1.Handle("/tasks", s.handle(s.listTasks)).Methods(http.MethodGet)
	v1.Handle("/tasks/{id}", s.handle(s.getTask)).Methods(http.MethodGet)
	v1.Handle("/tasks/{id}/complete", s.handle(s.completeTask)).Methods(http.MethodPost)
	v1.Handle("/tasks/{id}/claim", s.handle(s.claimTask)).Methods(http.MethodPost)
	v1.Handle("/tasks/{id}/reassign", s.handle(s.reassignTask)).Methods(http.MethodPost)
	v1.Handle("/tasks/{id}/extend", s.handle(s.extendTask)).Methods(http.MethodPost)
	v1.Handle("/tasks/{id}/close", s.handle(s.closeTask)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/service-records", s.handle(s.addServiceRecords)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/service-records/import", s.handle(s.importServiceRecords)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/files", s.handle(s.uploadFile)).Methods(http.MethodPost)
	v1.Handle("/files/{id}", s.handle(s.getFile)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/contracts", s.handle(s.listStationContracts)).Methods(http.MethodGet)
	v1.Handle("/contracts/{id}", s.handle(s.getContract)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/evidence", s.handle(s.getEvidence)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/roster", s.handle(s.getRoster)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/roster", s.handle(s.addToRoster)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/roster/{entry}/leave", s.handle(s.recordLeaving)).Methods(http.MethodPost)
	v1.Handle("/staffing-rules/{region}", s.handle(s.getStaffingRules)).Methods(http.MethodGet)
	v1.Handle("/staffing-rules/{region}", s.handle(s.putStaffingRule)).Methods(http.MethodPut)
	v1.Handle("/stations/{id}/projects", s.handle(s.createProject)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/projects", s.handle(s.listProjects)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/supervision-sessions", s.handle(s.recordSupervisionSession)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/supervision-sessions", s.handle(s.listSupervisionSessions)).Methods(http.MethodGet)
	v1.Handle("/stations/{id}/scorecards", s.handle(s.listStationScorecards)).Methods(http.MethodGet)
	v1.Handle("/scorecards/{id}", s.handle(s.getScorecard)).Methods(http.MethodGet)
	v1.Handle("/rectifications", s.handle(s.listRectifications)).Methods(http.MethodGet)
	v1.Handle("/rectifications/{id}", s.handle(s.getRectification)).Methods(http.MethodGet)
	v1.Handle("/rectifications/{id}/respond", s.handle(s.respondRectification)).Methods(http.MethodPost)
	v1.Handle("/rectifications/{id}/verify", s.handle(s.verifyRectification)).Methods(http.MethodPost)
	v1.Handle("/overdue", s.handle(s.overdue)).Methods(http.MethodGet)
	v1.Handle("/cycles/preview", s.handle(s.previewCycle)).Methods(http.MethodPost)
	v1.Handle("/cycles", s.handle(s.createCycle)).Methods(http.MethodPost)
	v1.Handle("/cycles", s.handle(s.listCycles)).Methods(http.MethodGet)
	v1.Handle("/cycles/{id}", s.handle(s.getCycle)).Methods(http.MethodGet)
	v1.Handle("/cycles/{id}/cancel", s.handle(s.cancelCycle)).Methods(http.MethodPost)
	v1.Handle("/cycles/{id}/stations", s.handle(s.listCycleStations)).Methods(http.MethodGet)
	v1.Handle("/cycles/{id}/evaluators", s.handle(s.cycleEvaluators)).Methods(http.MethodGet)
	v1.Handle("/cycles/{id}/report", s.handle(s.cycleReport)).Methods(http.MethodGet)
	v1.Handle("/cycles/{id}/extend", s.handle(s.extendCycle)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/appeals", s.handle(s.createAppeal)).Methods(http.MethodPost)
	v1.Handle("/stations/{id}/evaluation", s.handle(s.stationEvaluation)).Methods(http.MethodGet)
	v1.Handle("/projection-failures", s.handle(s.listProjectionFailures)).Methods(http.MethodGet)
	v1.Handle("/projection-failures/{id}/retry", s.handle(s.retryProjection)).Methods(http.MethodPost)
	v1.Handle("/me", s.handle(s.me)).Methods(http.MethodGet)
	v1.Handle("/audit", s.handle(s.auditTrail)).Methods(http.MethodGet)
	v1.Handle("/notifications", s.handle(s.listNotifications)).Methods(http.MethodGet)
	v1.Handle("/notifications/{id}/read", s.handle(s.readNotification)).Methods(http.MethodPost)
	v1.Handle("/me/notification-preferences", s.handle(s.getNotificationPreferences)).Methods(http.MethodGet)
	v1.Handle("/me/notification-preferences", s.handle(s.putNotificationPreferences)).Methods(http.MethodPut)
	v1.Handle("/notification-channels/{region}", s.handle(s.putNotificationChannel)).Methods(http.MethodPut)
	v1.Handle("/me/tokens", s.handle(s.createMyToken)).Methods(http.MethodPost)
	v1.Handle("/me/tokens", s.handle(s.listMyTokens)).Methods(http.MethodGet)
	v1.Handle("/me/tokens/{id}", s.handle(s.revokeMyToken)).Methods(http.MethodDelete)
	v1.Handle("/accounts", s.handle(s.createAccount)).Methods(http.MethodPost)
	v1.Handle("/accounts", s.handle(s.listAccounts)).Methods(http.MethodGet)
	v1.Handle("/accounts/{id}", s.handle(s.getAccount)).Methods(http.MethodGet)
	v1.Handle("/accounts/{id}/disable", s.handle(s.disableAccount)).Methods(http.MethodPost)
	v1.Handle("/accounts/{id}/enable", s.handle(s.enableAccount)).Methods(http.MethodPost)
	v1.Handle("/accounts/{id}/reset-link", s.handle(s.accountResetLink)).Methods(http.MethodPost)
	v1.Handle("/accounts/{id}/grants", s.handle(s.addGrant)).Methods(http.MethodPost)
	v1.Handle("/accounts/{id}/grants/{grant}", s.handle(s.removeGrant)).Methods(http.MethodDelete)
	return r
}

// HTTPServer wraps the router with timeouts that a slow or hostile client
// cannot hold open.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Router(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeError turns any error into a problem response. Errors that are not
// already problems are mapped by kind; the rest are 500 and logged without
// request data.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = toProblem(err)
	var pe *problemError
	var rule *store.StationRuleError
	switch {
	case errors.As(err, &pe):
		writeProblem(w, r, pe.p)
	case errors.As(err, &rule):
		writeProblem(w, r, (&problemError{Problem{Type: ProblemInvalid, Title: problemTitles[ProblemInvalid],
			Status: http.StatusUnprocessableEntity, Detail: rule.Error(), Errors: []FieldError{{Field: rule.Field, Message: rule.Message}}}}).p)
	case errors.Is(err, store.ErrConflict):
		writeProblem(w, r, Problem{Type: ProblemConflict, Title: problemTitles[ProblemConflict], Status: http.StatusConflict, Detail: err.Error()})
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, r, Problem{Type: ProblemNotFound, Title: problemTitles[ProblemNotFound], Status: http.StatusNotFound, Detail: err.Error()})
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
	default:
		s.Logger.Error("request failed", "method", r.Method, "route", routeName(r), "error", err)
		writeProblem(w, r, Problem{Type: ProblemInternal, Title: problemTitles[ProblemInternal], Status: http.StatusInternalServerError,
			Detail: "the error was logged"})
	}
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("handler panicked", "route", routeName(r), "panic", v, "stack", string(debug.Stack()))
				writeProblem(w, r, Problem{Type: ProblemInternal, Title: problemTitles[ProblemInternal],
					Status: http.StatusInternalServerError, Detail: "the error was logged"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// routeName is the route's path template, which carries no data of the
// request: safe for logs and metric labels.
func routeName(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if t, err := route.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "unmatched"
}

// authenticator is the middleware that finds the request's token.
// Requests without a valid token (missing, malformed, unknown or revoked)
// are counted per client address at the rate a token may send: an address
// over it is answered 429 before its token is looked at, so an address
// guessing tokens is held to the rate whatever tokens it tries. A Server
// without a rate counts nothing. The buckets are made here, once.
func (s *Server) authenticator() func(http.Handler) http.Handler {
	var failed *addrLimiter
	if s.RateLimit > 0 {
		failed = newKeyLimiter[string](s.RateLimit)
	}
	return func(next http.Handler) http.Handler { return s.authenticate(failed, next) }
}

func (s *Server) authenticate(failed *addrLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		if failed != nil {
			if wait := failed.wait(addr, s.clock()); wait > 0 {
				s.tooMany(w, r, wait, "this address sends more than %s requests a second without a valid token; slow down")
				return
			}
		}
		p, refusal, err := s.principalOf(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if refusal != "" {
			if failed != nil {
				failed.allow(addr, s.clock())
			}
			writeProblem(w, r, Problem{Type: ProblemUnauthorized, Title: problemTitles[ProblemUnauthorized],
				Status: http.StatusUnauthorized, Detail: refusal})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// principalOf looks up the request's bearer token or, when it sends no
// Authorization header, its session cookie. A request without a valid
// one gets the refusal to answer with; err is a failure of the store.
func (s *Server) principalOf(r *http.Request) (p auth.Principal, refusal string, err error) {
	h := r.Header.Get("Authorization")
	if c, cerr := r.Cookie(SessionCookie); h == "" && cerr == nil && c.Value != "" {
		p, err = s.Store.AuthenticateSession(r.Context(), c.Value, s.SessionLimits)
		if errors.Is(err, store.ErrNotFound) {
			return p, "the session has ended or timed out; sign in again", nil
		}
		return p, "", err
	}
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
		return p, "send Authorization: Bearer <token>, or sign in at /auth/sign-in", nil
	}
	p, err = s.Store.Authenticate(r.Context(), h[len(prefix):])
	if errors.Is(err, store.ErrNotFound) {
		return p, "the token is unknown, revoked or expired, or its account is disabled", nil
	}
	return p, "", err
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}
