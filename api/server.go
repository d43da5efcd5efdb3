// Package api is stationflow's HTTP interface: the gorilla/mux router,
// bearer authentication, strict request decoding and validation, RFC 9457
// problem responses, health, readiness and Prometheus metrics. Each /v1
// handler decodes the request, calls one use case of internal/usecase
// (which holds the scope rules and asks the workflow or writes the record)
// and encodes its answer or maps its refusal to a problem. Handlers live in
// files named for their capability: tasks.go, evidence.go, files.go,
// scorecards.go, rectifications.go, overdue.go, cycles.go, reports.go,
// evaluators.go, appeals.go, applications.go, stations.go,
// organisations.go and people.go; decode.go, params.go and access.go hold
// what they share.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"

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
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router builds the HTTP routes.
func (s *Server) Router() http.Handler {
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
		s.Registry.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	}
	m := newHTTPMetrics(s.Registry)

	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, Problem{Type: ProblemNotFound, Title: problemTitles[ProblemNotFound], Status: http.StatusNotFound,
			Detail: "no route " + r.URL.Path})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, Problem{Type: ProblemNotAllowed, Title: problemTitles[ProblemNotAllowed], Status: http.StatusMethodNotAllowed,
			Detail: r.Method + " is not allowed on " + r.URL.Path})
	})
	r.Use(s.recoverPanics, m.middleware)

	r.Handle("/healthz", s.handle(s.healthz)).Methods(http.MethodGet)
	r.Handle("/readyz", s.handle(s.readyz)).Methods(http.MethodGet)
	r.Handle("/metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{})).Methods(http.MethodGet)
	r.Handle("/auth/password", s.handle(s.setPassword)).Methods(http.MethodPost)

	v1 := r.PathPrefix("/v1").Subrouter()
	v1.NotFoundHandler, v1.MethodNotAllowedHandler = r.NotFoundHandler, r.MethodNotAllowedHandler
	v1.Use(s.authenticate, s.limitRate(), s.checkParamText)
	v1.Handle("/organisations", s.handle(s.createOrganisation)).Methods(http.MethodPost)
	v1.Handle("/organisations", s.handle(s.listOrganisations)).Methods(http.MethodGet)
	v1.Handle("/organisations/{id}", s.handle(s.getOrganisation)).Methods(http.MethodGet)
	v1.Handle("/people", s.handle(s.createPerson)).Methods(http.MethodPost)
	v1.Handle("/people", s.handle(s.listPeople)).Methods(http.MethodGet)
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
	v1.Handle("/stations/{id}/evidence", s.handle(s.getEvidence)).Methods(http.MethodGet)
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
	v1.Handle("/me", s.handle(s.me)).Methods(http.MethodGet)
	v1.Handle("/audit", s.handle(s.auditTrail)).Methods(http.MethodGet)
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
	case errors.Is(err, store.ErrBadCursor):
		writeProblem(w, r, Problem{Type: ProblemInvalid, Title: problemTitles[ProblemInvalid], Status: http.StatusBadRequest,
			Detail: err.Error(), Errors: []FieldError{{Field: "cursor", Message: err.Error()}}})
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

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		const prefix = "Bearer "
		if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
			writeProblem(w, r, Problem{Type: ProblemUnauthorized, Title: problemTitles[ProblemUnauthorized],
				Status: http.StatusUnauthorized, Detail: "send Authorization: Bearer <token>"})
			return
		}
		p, err := s.Store.Authenticate(r.Context(), h[len(prefix):])
		if errors.Is(err, store.ErrNotFound) {
			writeProblem(w, r, Problem{Type: ProblemUnauthorized, Title: problemTitles[ProblemUnauthorized],
				Status: http.StatusUnauthorized, Detail: "the token is unknown, revoked or expired, or its account is disabled"})
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
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

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stationflow_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stationflow_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := routeName(r)
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
