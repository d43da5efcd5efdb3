// Package forms holds the rules every input is checked against, in one
// place: the shape rules of go-playground/validator with stationflow's own
// tags (creditcode, regioncode, stationlevel), and the domain rules of the
// forms people file (an application to run a station, a review decision).
// The HTTP API checks a form when it arrives; a workflow's update validator
// checks it again with the same code, because a workflow is a boundary too.
package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
)

// FieldError names one refused field, by its JSON path, and says why. A
// field of an imported file also gives its line and column.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column,omitempty"`
}

// Errors is a list of field errors; it is an error when not empty.
type Errors []FieldError

func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

func instance() *validator.Validate {
	validateOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				return ""
			}
			return name
		})
		must(v.RegisterValidation("creditcode", func(fl validator.FieldLevel) bool {
			return codes.ValidateCreditCode(fl.Field().String()) == nil
		}))
		must(v.RegisterValidation("regioncode", func(fl validator.FieldLevel) bool {
			_, err := codes.ParseRegion(fl.Field().String())
			return err == nil
		}))
		must(v.RegisterValidation("stationlevel", func(fl validator.FieldLevel) bool {
			_, err := codes.ParseStationLevel(fl.Field().String())
			return err == nil
		}))
		validate = v
	})
	return validate
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Check runs the struct's validate tags and returns every failing field
// with a sentence a person can act on; nil when all pass.
func Check(v any) Errors {
	err := instance().Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			return Errors{{Field: "body", Message: err.Error()}}
		}
		return nil
	}
	out := make(Errors, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, FieldError{Field: fieldPath(fe), Message: ruleMessage(fe)})
	}
	return out
}

// fieldPath drops the struct's own name: "Application.staffing[0].name"
// becomes "staffing[0].name".
func fieldPath(fe validator.FieldError) string {
	if _, rest, ok := strings.Cut(fe.Namespace(), "."); ok {
		return rest
	}
	return fe.Namespace()
}

func ruleMessage(fe validator.FieldError) string {
	value := fmt.Sprint(fe.Value())
	switch fe.Tag() {
	case "required":
		return "is required"
	case "creditcode":
		return codes.ValidateCreditCode(value).Error()
	case "regioncode":
		_, err := codes.ParseRegion(value)
		return err.Error()
	case "stationlevel":
		_, err := codes.ParseStationLevel(value)
		return err.Error()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters long", fe.Param())
		}
		if fe.Kind() == reflect.Slice {
			return fmt.Sprintf("must hold at most %s items", fe.Param())
		}
		return fmt.Sprintf("must be at most %s", fe.Param())
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters long", fe.Param())
		}
		if fe.Kind() == reflect.Slice {
			return fmt.Sprintf("must hold at least %s items", fe.Param())
		}
		return fmt.Sprintf("must be at least %s", fe.Param())
	case "gte":
		return "must be at least " + fe.Param()
	case "gt":
		return "must be more than " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "uuid":
		return "must be an ID"
	case "datetime":
		return "must be a date written " + fe.Param()
	}
	return "breaks the rule " + fe.Tag()
}

// DecodeError says why a JSON document could not be read at all, naming
// the field where it can.
type DecodeError struct {
	FieldError
	TooLarge bool
}

func (e *DecodeError) Error() string { return e.Field + ": " + e.Message }

// DecodeStrict reads exactly one JSON value from r into dst, refusing
// unknown fields and trailing data.
func DecodeStrict(r io.Reader, dst any) *DecodeError {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return &DecodeError{FieldError: FieldError{Field: "body", Message: "unexpected data after the JSON value"}}
	}
	return nil
}

// DecodeStrictBytes is DecodeStrict on a byte slice.
func DecodeStrictBytes(b []byte, dst any) *DecodeError {
	return DecodeStrict(bytes.NewReader(b), dst)
}

func decodeError(err error) *DecodeError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &DecodeError{FieldError: FieldError{Field: "body", Message: fmt.Sprintf("a request body may hold at most %d bytes", tooLarge.Limit)}, TooLarge: true}
	case errors.Is(err, io.EOF):
		return &DecodeError{FieldError: FieldError{Field: "body", Message: "a JSON value is required"}}
	case errors.As(err, &syntax):
		return &DecodeError{FieldError: FieldError{Field: "body", Message: fmt.Sprintf("not valid JSON at byte %d: %v", syntax.Offset, syntax)}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{FieldError: FieldError{Field: "body", Message: "the JSON ends too early"}}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &DecodeError{FieldError: FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonTypeName(typ.Type), typ.Value)}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if field == "" {
			return &DecodeError{FieldError: FieldError{Field: "body", Message: "has a field with an empty name"}}
		}
		return &DecodeError{FieldError: FieldError{Field: field, Message: "is not a field this form takes"}}
	}
	return &DecodeError{FieldError: FieldError{Field: "body", Message: err.Error()}}
}

// jsonTypeName says in words what JSON a Go type takes; an optional
// (pointer) field takes what its element takes.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[uuid.UUID]() {
		return "an ID string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
