package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

func muxVar(r *http.Request, name string) string { return mux.Vars(r)[name] }

// checkParamText refuses, with 400 naming it, a query or path parameter
// (name or value) that is not text stationflow can store
// (forms.CheckText). It runs on every route once the route is matched, so
// no handler reads such a parameter.
func (s *Server) checkParamText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := paramText(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// paramText judges the path variables, then the query string, each in
// name order so the same request always names the same parameter.
func paramText(r *http.Request) error {
	vars := mux.Vars(r)
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if msg := forms.CheckText(vars[name]); msg != "" {
			return textRefused(http.StatusBadRequest, name, msg)
		}
	}
	q := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if msg := forms.CheckText(name); msg != "" {
			return textRefused(http.StatusBadRequest, "query", "a parameter's name "+msg)
		}
		for _, v := range q[name] {
			if msg := forms.CheckText(v); msg != "" {
				return textRefused(http.StatusBadRequest, name, msg)
			}
		}
	}
	return nil
}

// textRefused is the problem for a field whose text breaks a text rule.
func textRefused(status int, field, msg string) error {
	return problem(status, ProblemInvalid, field+" holds text stationflow cannot store", FieldError{Field: field, Message: msg})
}

// pathID is the {id} path variable, as sent: the use case reads it, and
// one that does not parse names no object.
func pathID(r *http.Request) string { return muxVar(r, "id") }

// pageParams reads limit and cursor from the query string.
func pageParams(r *http.Request) (store.Page, error) {
	q := r.URL.Query()
	p := store.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxPageSize {
			return p, problem(http.StatusBadRequest, ProblemInvalid, "limit is out of range",
				FieldError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", store.MaxPageSize)})
		}
		p.Limit = n
	}
	return p, nil
}

// query reads a list's page, then with parse the rest of its query
// string: a list use case's input.
func query[Q any](r *http.Request, parse func(store.Page) (Q, error)) usecase.Input[Q] {
	return func() (Q, error) {
		page, err := pageParams(r)
		if err != nil {
			var zero Q
			return zero, err
		}
		return parse(page)
	}
}

// boolParam reads ?name=true or false; absent is false.
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, problem(http.StatusBadRequest, ProblemInvalid, name+" is true or false", FieldError{Field: name, Message: "must be true or false"})
	}
	return b, nil
}

// enumParam reads ?name= as one of options (or absent), answering 400
// with message otherwise.
func enumParam(r *http.Request, name, detail, message string, options ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v != "" && !slices.Contains(options, v) {
		return v, problem(http.StatusBadRequest, ProblemInvalid, detail, FieldError{Field: name, Message: message})
	}
	return v, nil
}

// quarterParam reads ?quarter=, defaulting to the quarter before the
// current one (the one under supervision now).
func quarterParam(r *http.Request) (period.Quarter, error) {
	v := r.URL.Query().Get("quarter")
	if v == "" {
		prev := period.Of(usecase.Today()).First().AddDate(0, 0, -1)
		return period.Of(prev), nil
	}
	q, err := period.Parse(v)
	if err != nil {
		return q, problem(http.StatusBadRequest, ProblemInvalid, err.Error(), FieldError{Field: "quarter", Message: err.Error()})
	}
	return q, nil
}
