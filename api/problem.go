package api

import (
	"encoding/json"
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
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
	ProblemRateLimited:  "Too many requests from this token",
}

func (e *problemError) Error() string { return e.p.Title + ": " + e.p.Detail }

// problemError carries a Problem through error returns to the handler wrapper.
type problemError struct{ p Problem }

func problem(status int, typ, detail string, fields ...FieldError) error {
	return &problemError{Problem{Type: typ, Title: problemTitles[typ], Status: status, Detail: detail, Errors: fields}}
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stationflow"`)
	}
	w.WriteHeader(p.Status)
	encode(w, p)
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
