package api

import (
	"mime"
	"net/http"

	"github.com/stationflow/stationflow/internal/forms"
)

// MaxBodyBytes bounds every JSON request body but those that carry files.
const MaxBodyBytes = 1 << 20

// decode reads a JSON body strictly (unknown fields and trailing data are
// refused, size is limited) into dst and validates it. Malformed bodies are
// 400; bodies that parse but break a rule are 422; both name the field.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeLimited(w, r, dst, MaxBodyBytes)
}

func decodeLimited(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if err := forms.DecodeStrict(http.MaxBytesReader(w, r.Body, limit), dst); err != nil {
		if err.TooLarge {
			return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, err.Message, err.FieldError)
		}
		return problem(http.StatusBadRequest, ProblemMalformed, "the body could not be read as this endpoint's JSON", err.FieldError)
	}
	return invalidIf(forms.Check(dst))
}

// requireJSON refuses a body declared as anything but JSON; a body with no
// Content-Type is read as JSON.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
		return nil
	}
	return problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the body as application/json",
		FieldError{Field: "Content-Type", Message: "must be application/json"})
}

// invalidIf turns field errors into a 422 problem.
func invalidIf(errs forms.Errors) error {
	if len(errs) == 0 {
		return nil
	}
	return problem(http.StatusUnprocessableEntity, ProblemInvalid, "one or more fields break a rule", errs...)
}
