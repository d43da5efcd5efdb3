package api

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Query and path parameters. Every route's query string passes
// checkParamText before its handler runs: well-formed, each parameter at
// most once, no control characters. The handler then reads each parameter
// it takes once, through optional and one of the parsers below, which
// answer 400 naming the parameter; what reaches a use case is a value of
// its type, in range.

// The years a date parameter may name.
const (
	MinYear = 2000
	MaxYear = 2100
)

func muxVar(r *http.Request, name string) string { return mux.Vars(r)[name] }

// checkParamText refuses, with 400 naming it, a query or path parameter
// that is not one line of text (forms.CheckLine), a query string that does
// not parse, and a query parameter given more than once. It runs on every
// route once the route is matched, so no handler reads such a parameter.
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
		if msg := forms.CheckLine(vars[name]); msg != "" {
			return textRefused(http.StatusBadRequest, name, msg)
		}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return problem(http.StatusBadRequest, ProblemInvalid, "the query string is not well-formed",
			FieldError{Field: "query", Message: "must be name=value pairs joined by &, percent-encoded"})
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if msg := forms.CheckLine(name); msg != "" {
			return textRefused(http.StatusBadRequest, "query", "a parameter's name "+msg)
		}
		if len(q[name]) > 1 {
			return problem(http.StatusBadRequest, ProblemInvalid, name+" is given more than once",
				FieldError{Field: name, Message: "must be given at most once"})
		}
		if msg := forms.CheckLine(q[name][0]); msg != "" {
			return textRefused(http.StatusBadRequest, name, msg)
		}
	}
	return nil
}

// textRefused is the problem for a field whose text breaks a text rule.
func textRefused(status int, field, msg string) error {
	return problem(status, ProblemInvalid, field+" holds text stationflow cannot store", FieldError{Field: field, Message: msg})
}

// paramRefused is the 400 for a query parameter that does not parse.
func paramRefused(name, detail, message string) error {
	return problem(http.StatusBadRequest, ProblemInvalid, detail, FieldError{Field: name, Message: message})
}

// pathID is the {id} path variable, as sent: the use case reads it, and
// one that does not parse names no object.
func pathID(r *http.Request) string { return muxVar(r, "id") }

// parser reads the value v of the query parameter name.
type parser[T any] func(name, v string) (T, error)

// optional reads the query parameter name with parse; absent (or empty),
// it is def.
func optional[T any](r *http.Request, name string, def T, parse parser[T]) (T, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	return parse(name, v)
}

// pageParams reads limit and cursor from the query string; the cursor
// must be one this server sealed for this list and these filters.
func (s *Server) pageParams(r *http.Request) (store.Page, error) {
	limit, err := optional(r, "limit", 0, intIn(1, store.MaxPageSize))
	if err != nil {
		return store.Page{}, err
	}
	after, err := optional(r, "cursor", uuid.Nil, s.cursorOf(r))
	return store.Page{Limit: limit, After: after}, err
}

// query reads a list's page, then with parse the rest of its query
// string: a list use case's input.
func query[Q any](s *Server, r *http.Request, parse func(store.Page) (Q, error)) usecase.Input[Q] {
	return func() (Q, error) {
		page, err := s.pageParams(r)
		if err != nil {
			var zero Q
			return zero, err
		}
		return parse(page)
	}
}

// intIn parses a whole number from min to max.
func intIn(min, max int) parser[int] {
	return func(name, v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return 0, paramRefused(name, name+" is out of range", fmt.Sprintf("must be a whole number from %d to %d", min, max))
		}
		return n, nil
	}
}

// floatIn parses a finite number from min to max: NaN and the infinities,
// which strconv reads, are refused.
func floatIn(min, max float64) parser[float64] {
	return func(name, v string) (float64, error) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < min || f > max {
			return 0, paramRefused(name, name+" is out of range", fmt.Sprintf("must be a number from %g to %g", min, max))
		}
		return f, nil
	}
}

// yearParam parses a year from MinYear to MaxYear.
func yearParam(name, v string) (int, error) {
	y, err := strconv.Atoi(v)
	if err != nil || y < MinYear || y > MaxYear {
		return 0, paramRefused(name, name+" is not a year", fmt.Sprintf("must be a year from %d to %d, such as 2026", MinYear, MaxYear))
	}
	return y, nil
}

// quarterParam parses a quarter such as 2026Q4 of a year from MinYear to
// MaxYear.
func quarterParam(name, v string) (period.Quarter, error) {
	q, err := period.Parse(v)
	if err == nil && (q.Year < MinYear || q.Year > MaxYear) {
		err = fmt.Errorf("%q is not a quarter; the year must be %d to %d", v, MinYear, MaxYear)
	}
	if err != nil {
		return period.Quarter{}, paramRefused(name, err.Error(), err.Error())
	}
	return q, nil
}

// periodParam parses a scorecard's period, a quarter (2026Q4) or a year
// (2026), into the form the cards hold.
func periodParam(name, v string) (string, error) {
	if len(v) == 4 {
		y, err := yearParam(name, v)
		return strconv.Itoa(y), err
	}
	q, err := quarterParam(name, v)
	if err != nil {
		return "", paramRefused(name, name+" is not a period", fmt.Sprintf("must be a quarter such as 2026Q4 or a year such as 2026, from %d to %d", MinYear, MaxYear))
	}
	return q.String(), nil
}

// uuidParam parses an ID.
func uuidParam(name, v string) (uuid.UUID, error) {
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, paramRefused(name, name+" is not an ID", "must be an ID")
	}
	return id, nil
}

// regionParam parses a region code.
func regionParam(name, v string) (string, error) {
	if _, err := codes.ParseRegion(v); err != nil {
		return "", paramRefused(name, name+" is not a region code", err.Error())
	}
	return v, nil
}

// levelParam parses a station level.
func levelParam(name, v string) (string, error) {
	if _, err := codes.ParseStationLevel(v); err != nil {
		return "", paramRefused(name, name+" is not a station level", err.Error())
	}
	return v, nil
}

// boolParam parses true or false.
func boolParam(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paramRefused(name, name+" is true or false", "must be true or false")
	}
	return b, nil
}

// MaxPrefix bounds a search prefix, in characters.
const MaxPrefix = 64

// prefixParam parses a search prefix: one line of text (checkParamText
// has refused control characters) of at most max characters.
func prefixParam(max int) parser[string] {
	return func(name, v string) (string, error) {
		if msg := forms.CheckLine(v); msg != "" {
			return "", textRefused(http.StatusBadRequest, name, msg)
		}
		if utf8.RuneCountInString(v) > max {
			return "", paramRefused(name, name+" is too long", fmt.Sprintf("must be at most %d characters", max))
		}
		return v, nil
	}
}

// oneOf parses one of options.
func oneOf(options ...string) parser[string] {
	return func(name, v string) (string, error) {
		if !slices.Contains(options, v) {
			return "", paramRefused(name, "unknown "+name, "must be one of: "+strings.Join(options, ", "))
		}
		return v, nil
	}
}

// lastQuarter is the quarter before the current one: the one under
// supervision now, and the evidence pack's default.
func lastQuarter() period.Quarter {
	return period.Of(period.Of(usecase.Today()).First().AddDate(0, 0, -1))
}
