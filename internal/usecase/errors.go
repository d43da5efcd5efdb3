package usecase

import (
	"fmt"

	"github.com/stationflow/stationflow/internal/forms"
)

// Kind is why a use case refused.
type Kind uint8

// The kinds of refusal. Each face maps them to its own answer (the API to
// 422, 403, 404, 409 and 504).
const (
	// KindInvalid: the input breaks a rule; Fields names each refused field.
	KindInvalid Kind = iota + 1
	// KindForbidden: the caller's role may never do this, or the object lies
	// outside what this caller may change.
	KindForbidden
	// KindNotFound: no such object, or one outside the caller's scope: the
	// same answer, so scope leaks nothing.
	KindNotFound
	// KindConflict: the object is not in a state that allows it.
	KindConflict
	// KindTimeout: the workflow that owns the object did not answer within
	// the wait deadline; what was asked may still be done.
	KindTimeout
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not found"
	case KindConflict:
		return "conflict"
	case KindTimeout:
		return "timeout"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

// Error is a use case's refusal: its kind, a sentence for the caller and
// the fields it refused.
type Error struct {
	Kind   Kind
	Detail string
	Fields forms.Errors
}

func (e *Error) Error() string { return e.Kind.String() + ": " + e.Detail }

func refuse(kind Kind, detail string, fields ...forms.FieldError) error {
	return &Error{Kind: kind, Detail: detail, Fields: fields}
}

// NotFound is the answer for an object that does not exist or lies outside
// the caller's scope.
func NotFound(what string) error { return refuse(KindNotFound, "no such "+what) }

func forbidden(detail string, fields ...forms.FieldError) error {
	return refuse(KindForbidden, detail, fields...)
}

func conflict(detail string, fields ...forms.FieldError) error {
	return refuse(KindConflict, detail, fields...)
}

func invalid(detail string, fields ...forms.FieldError) error {
	return refuse(KindInvalid, detail, fields...)
}

// invalidIf refuses the input when a rule named fields.
func invalidIf(errs forms.Errors) error {
	if len(errs) == 0 {
		return nil
	}
	return invalid("one or more fields break a rule", errs...)
}
