package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/usecase"
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
	if err := forms.DecodeRequest(http.MaxBytesReader(w, r.Body, limit), dst); err != nil {
		if err.TooLarge {
			return problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, err.Message, err.FieldError)
		}
		return decodeProblem(err, "the body could not be read as this endpoint's JSON")
	}
	return invalidIf(forms.Check(dst))
}

// decodeProblem answers a refused decode: 422 for a body that parsed but
// holds text stationflow cannot store, 400 with detail for the rest.
func decodeProblem(err *forms.DecodeError, detail string) error {
	if err.Invalid {
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "a field holds text stationflow cannot store", err.FieldError)
	}
	return problem(http.StatusBadRequest, ProblemMalformed, detail, err.FieldError)
}

// checkJSONText refuses, with 422 naming the field, a JSON body that
// parses but holds text stationflow cannot store; for bodies handed on
// without being decoded here.
func checkJSONText(raw []byte) error {
	if fe := forms.CheckJSONText(raw); fe != nil {
		return problem(http.StatusUnprocessableEntity, ProblemInvalid, "a field holds text stationflow cannot store", *fe)
	}
	return nil
}

// body is a use case's input read from the JSON body by decode, when the
// use case asks for it.
func body[T any](w http.ResponseWriter, r *http.Request) usecase.Input[T] {
	return bodyLimited[T](w, r, MaxBodyBytes)
}

func bodyLimited[T any](w http.ResponseWriter, r *http.Request, limit int64) usecase.Input[T] {
	return func() (T, error) {
		var v T
		err := decodeLimited(w, r, &v, limit)
		return v, err
	}
}

// requireJSON refuses a body declared as anything but JSON in UTF-8; a
// body with no Content-Type, or no charset, is read as such.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the body as application/json",
			FieldError{Field: "Content-Type", Message: "must be application/json"})
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the body as application/json in UTF-8",
			FieldError{Field: "Content-Type", Message: "the charset must be utf-8"})
	}
	return nil
}

// readJSON reads a JSON body whole, refusing more than limit bytes.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	return readLimited(w, r, limit)
}

// readLimited reads the whole body, refusing more than limit bytes.
func readLimited(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, fmt.Sprintf("a request body may hold at most %d bytes", limit),
			FieldError{Field: "body", Message: "too large"})
	}
	return raw, err
}

// decodeForm reads a JSON form strictly into dst and also returns its
// bytes, which go on to the task's workflow unchanged.
func decodeForm(w http.ResponseWriter, r *http.Request, dst any) (json.RawMessage, error) {
	raw, err := readJSON(w, r, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if derr := forms.DecodeRequestBytes(raw, dst); derr != nil {
		return nil, decodeProblem(derr, "the body could not be read as this endpoint's JSON")
	}
	return raw, invalidIf(forms.Check(dst))
}

// formBody is a form read by decodeForm, as a use case's input.
func formBody[T any](w http.ResponseWriter, r *http.Request) usecase.Input[usecase.Form[T]] {
	return func() (usecase.Form[T], error) {
		var f usecase.Form[T]
		raw, err := decodeForm(w, r, &f.Value)
		f.Raw = raw
		return f, err
	}
}

// invalidIf turns field errors into a 422 problem.
func invalidIf(errs forms.Errors) error {
	if len(errs) == 0 {
		return nil
	}
	return problem(http.StatusUnprocessableEntity, ProblemInvalid, "one or more fields break a rule", errs...)
}
