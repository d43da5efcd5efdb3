package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// methodRouter answers what gorilla/mux leaves to the application at the
// edge of HTTP: HEAD wherever GET is served (the GET handler runs and its
// body is dropped), and 405 with an Allow header listing the path's
// methods when a path is served but not with the request's method.
type methodRouter struct {
	router  *mux.Router
	methods []string // every method some route takes, sorted
}

func newMethodRouter(router *mux.Router) *methodRouter {
	seen := map[string]bool{}
	_ = router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		ms, err := route.GetMethods()
		if err == nil {
			for _, m := range ms {
				seen[m] = true
			}
		}
		return nil
	})
	if seen[http.MethodGet] {
		seen[http.MethodHead] = true
	}
	methods := make([]string, 0, len(seen))
	for m := range seen {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	return &methodRouter{router: router, methods: methods}
}

func (m *methodRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.serves(r, r.Method) {
		m.router.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodHead && m.serves(r, http.MethodGet) {
		get := r.WithContext(r.Context())
		get.Method = http.MethodGet
		m.router.ServeHTTP(bodiless{w}, get)
		return
	}
	if allow := m.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, r, Problem{Type: ProblemNotAllowed, Title: problemTitles[ProblemNotAllowed], Status: http.StatusMethodNotAllowed,
			Detail: "this path takes " + strings.Join(allow, ", ") + "; the Allow header lists them"})
		return
	}
	m.router.ServeHTTP(w, r)
}

// serves says whether a route with method answers r's path. A match
// without a route of its own methods (the /v1 prefix standing for its
// subrouter's "wrong method") is no match.
func (m *methodRouter) serves(r *http.Request, method string) bool {
	probe := r.WithContext(r.Context())
	probe.Method = method
	var match mux.RouteMatch
	if !m.router.Match(probe, &match) || match.MatchErr != nil || match.Route == nil {
		return false
	}
	ms, err := match.Route.GetMethods()
	return err == nil && slices.Contains(ms, method)
}

// allowed lists the methods r's path is served with, HEAD with GET.
func (m *methodRouter) allowed(r *http.Request) []string {
	var allow []string
	for _, method := range m.methods {
		if m.serves(r, method) || method == http.MethodHead && m.serves(r, http.MethodGet) {
			allow = append(allow, method)
		}
	}
	return allow
}

// bodiless drops the body of an answer to HEAD, keeping its status and
// headers.
type bodiless struct{ http.ResponseWriter }

func (b bodiless) Write(p []byte) (int, error) { return len(p), nil }

func (b bodiless) Unwrap() http.ResponseWriter { return b.ResponseWriter }
