package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/usecase"
)

// Problem is an RFC 9457 problem detail. Errors lists each field that was
// refused, named by its JSON path in the request.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError names one refused field and why.
type FieldError = forms.FieldError

// Problem types. They are stable identifiers, documented in openapi.yaml.
const (
	ProblemMalformed    = "urn:stationflow:problem:malformed-request"
	ProblemInvalid      = "urn:stationflow:problem:validation-failed"
	ProblemUnauthorized = "urn:stationflow:problem:unauthenticated"
	ProblemForbidden    = "urn:stationflow:problem:forbidden"
	ProblemNotFound     = "urn:stationflow:problem:not-found"
	ProblemConflict     = "urn:stationflow:problem:conflict"
	ProblemTooLarge     = "urn:stationflow:problem:body-too-large"
	ProblemUnavailable  = "urn:stationflow:problem:unavailable"
	ProblemInternal     = "urn:stationflow:problem:internal"
	ProblemNotAllowed   = "urn:stationflow:problem:method-not-allowed"
	ProblemRateLimited  = "urn:stationflow:problem:rate-limited"
	ProblemTimeout      = "urn:stationflow:problem:workflow-timeout"
	ProblemLocked       = "urn:stationflow:problem:locked"
)

var problemTitles = map[string]string{
	ProblemMalformed:    "The request body could not be read",
	ProblemInvalid:      "The request is not valid",
	ProblemUnauthorized: "A valid bearer token is required",
	ProblemForbidden:    "This token may not do that",
	ProblemNotFound:     "No such resource",
	ProblemConflict:     "The request conflicts with what exists",
	ProblemTooLarge:     "The request body is too large",
	ProblemUnavailable:  "A service stationflow depends on is not available",
	ProblemInternal:     "Something went wrong on the server",
	ProblemNotAllowed:   "That method is not allowed here",
	ProblemRateLimited:  "Too many requests from this token or address",
	ProblemTimeout:      "The workflow did not answer in time",
	ProblemLocked:       "Too many refused sign-ins: the login is locked for a while",
}

func (e *problemError) Error() string { return e.p.Title + ": " + e.p.Detail }

// problemError carries a Problem through error returns to the handler wrapper.
type problemError struct{ p Problem }

func problem(status int, typ, detail string, fields ...FieldError) error {
	return &problemError{Problem{Type: typ, Title: problemTitles[typ], Status: status, Detail: detail, Errors: fields}}
}

// kindProblems is the answer to each kind of use-case refusal.
var kindProblems = map[usecase.Kind]struct {
	status int
	typ    string
}{
	usecase.KindInvalid:   {http.StatusUnprocessableEntity, ProblemInvalid},
	usecase.KindForbidden: {http.StatusForbidden, ProblemForbidden},
	usecase.KindNotFound:  {http.StatusNotFound, ProblemNotFound},
	usecase.KindConflict:  {http.StatusConflict, ProblemConflict},
	usecase.KindTimeout:   {http.StatusGatewayTimeout, ProblemTimeout},
}

// toProblem turns a use case's refusal into its problem; any other error
// is returned as it is.
func toProblem(err error) error {
	var refused *usecase.Error
	if errors.As(err, &refused) {
		if k, ok := kindProblems[refused.Kind]; ok {
			return problem(k.status, k.typ, refused.Detail, refused.Fields...)
		}
	}
	return err
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = instance(r)
	w.Header().Set("Content-Type", "application/problem+json")
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stationflow"`)
	}
	w.WriteHeader(p.Status)
	encode(w, p)
}

// instance is the request's path when a route matched it and each of its
// path parameters is an ID; otherwise "": a problem does not echo a path
// that may carry anything a client typed.
func instance(r *http.Request) string {
	route := mux.CurrentRoute(r)
	if route == nil {
		return ""
	}
	if _, err := route.GetMethods(); err != nil {
		return "" // the /v1 prefix, standing for a path it does not serve
	}
	for _, v := range mux.Vars(r) {
		if uuid.Validate(v) != nil {
			return ""
		}
	}
	return r.URL.Path
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	encode(w, v)
}

// encode writes v as JSON, leaving <, > and & as they are.
func encode(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// answer writes v with status unless err says the use case refused or
// failed; then the error goes on to the handler wrapper.
func answer(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

// created answers 201 with the new object and its Location under
// collection, unless err says the use case refused or failed.
func created(w http.ResponseWriter, collection string, id uuid.UUID, v any, err error) error {
	if err == nil {
		w.Header().Set("Location", collection+"/"+id.String())
	}
	return answer(w, http.StatusCreated, v, err)
}
