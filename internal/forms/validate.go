// Package forms holds the rules every input is checked against, in one
// place: the shape rules of go-playground/validator with stationflow's own
// tags (creditcode, regioncode, stationlevel), and the domain rules of the
// forms people file (an application to run a station, a review decision).
// The HTTP API checks a form when it arrives; a workflow's update validator
// checks it again with the same code, because a workflow is a boundary too.
package forms

import (
	"bytes"
	"encoding/base64"
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
		must(v.RegisterValidation("fen", func(fl validator.FieldLevel) bool {
			return WholeFen(fl.Field().Float())
		}))
		must(v.RegisterValidation("name", func(fl validator.FieldLevel) bool {
			return CheckName(fl.Field().String()) == ""
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
	case "name":
		return CheckName(value)
	case "fen":
		return FenMessage
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
	case "unique":
		return "must not name the same item twice"
	case "datetime":
		return "must be a date written " + fe.Param()
	}
	return "breaks the rule " + fe.Tag()
}

// DecodeError says why a JSON document could not be read at all, naming
// the field where it can. Invalid marks a document that parsed but holds
// text stationflow cannot store (CheckJSONText): a rule broken, not a
// malformed body.
type DecodeError struct {
	FieldError
	TooLarge bool
	Invalid  bool
}

func (e *DecodeError) Error() string { return e.Field + ": " + e.Message }

// DecodeStrict reads exactly one JSON value from r into dst, refusing
// unknown fields, trailing data and strings that break the text rules.
func DecodeStrict(r io.Reader, dst any) *DecodeError {
	raw, err := io.ReadAll(r)
	if err != nil {
		return decodeError(err)
	}
	return DecodeStrictBytes(raw, dst)
}

// DecodeStrictBytes is DecodeStrict on a byte slice.
func DecodeStrictBytes(raw []byte, dst any) *DecodeError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		de := decodeError(err)
		// An ID that does not parse fails in uuid's own decoding, which
		// names no field: find the field in what was read.
		if de.Field == "body" && strings.Contains(err.Error(), "UUID") {
			if field := badLeafField(raw, reflect.TypeOf(dst), uuidType); field != "" {
				de.FieldError = FieldError{Field: field, Message: "must be an ID such as 0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21"}
			}
		}
		// So does content that is no base64, in encoding/json's own
		// decoding of bytes.
		var corrupt base64.CorruptInputError
		if de.Field == "body" && errors.As(err, &corrupt) {
			if field := badLeafField(raw, reflect.TypeOf(dst), bytesType); field != "" {
				de.FieldError = FieldError{Field: field, Message: "must be base64 (RFC 4648, with padding)"}
			}
		}
		return de
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return &DecodeError{FieldError: FieldError{Field: "body", Message: "unexpected data after the JSON value"}}
	}
	if fe := CheckJSONText(raw); fe != nil {
		return &DecodeError{FieldError: *fe, Invalid: true}
	}
	return nil
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

// badLeafField is the JSON path of the first string in doc that stands
// where t has a leaf of type leaf (an ID, uuid.UUID, or bytes, []byte,
// which JSON carries as base64) and does not decode as one; "" when there
// is none.
func badLeafField(doc []byte, t, leaf reflect.Type) string {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return ""
	}
	return findBadLeaf(v, t, leaf, "")
}

var (
	uuidType  = reflect.TypeFor[uuid.UUID]()
	bytesType = reflect.TypeFor[[]byte]()
)

// leafDecodes says whether s decodes as a value of the leaf type.
func leafDecodes(leaf reflect.Type, s string) bool {
	var err error
	if leaf == bytesType {
		_, err = base64.StdEncoding.DecodeString(s)
	} else {
		_, err = uuid.Parse(s)
	}
	return err == nil
}

func findBadLeaf(v any, t, leaf reflect.Type, at string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == leaf {
		if s, ok := v.(string); ok && !leafDecodes(leaf, s) {
			return at
		}
		return ""
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous && name == "":
				if p := findBadLeaf(v, f.Type, leaf, at); p != "" {
					return p
				}
				continue
			case !f.IsExported() || name == "-":
				continue
			case name == "":
				name = f.Name
			}
			val, ok := m[name]
			if !ok {
				continue
			}
			path := name
			if at != "" {
				path = at + "." + name
			}
			if p := findBadLeaf(val, f.Type, leaf, path); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return ""
		}
		for i, item := range items {
			if p := findBadLeaf(item, t.Elem(), leaf, fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	}
	return ""
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
