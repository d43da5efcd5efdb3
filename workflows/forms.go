package workflows

import (
	"encoding/json"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/rubric"
)

// formCheck validates a completion form against the task it completes.
type formCheck func(in flow.TaskInput, raw json.RawMessage) forms.Errors

// formChecks holds each task kind's form check, registered by the file of
// the capability that owns the kind.
var formChecks = map[string]formCheck{}

// registerForm makes check the form check of a task kind. Each kind is
// registered once, at package initialisation.
func registerForm(kind string, check formCheck) {
	if _, dup := formChecks[kind]; dup {
		panic("workflows: a form check for " + kind + " is registered twice")
	}
	formChecks[kind] = check
}

// CheckForm validates a completion form for a task: the same rules the
// HTTP API applies when the form arrives. A scored task is checked against
// the rubric frozen into it.
func CheckForm(in flow.TaskInput, raw json.RawMessage) forms.Errors {
	check, ok := formChecks[in.Kind]
	if !ok {
		return forms.Errors{{Field: "kind", Message: "no form is defined for task kind " + in.Kind}}
	}
	return check(in, raw)
}

// checkDecoded decodes a form strictly into T and applies check to it.
func checkDecoded[T any](raw json.RawMessage, check func(T) forms.Errors) forms.Errors {
	var v T
	if err := forms.DecodeStrictBytes(raw, &v); err != nil {
		return forms.Errors{err.FieldError}
	}
	return check(v)
}

// plainCheck registers a kind whose form is checked on its own.
func plainCheck[T any](check func(T) forms.Errors) formCheck {
	return func(_ flow.TaskInput, raw json.RawMessage) forms.Errors { return checkDecoded(raw, check) }
}

// scoredCheck registers a kind whose form is scored against the rubric
// frozen into its task.
func scoredCheck[T any](check func(*rubric.Rubric, T) forms.Errors) formCheck {
	return func(in flow.TaskInput, raw json.RawMessage) forms.Errors {
		rb, err := frozenRubric(in)
		if err != nil {
			return forms.Errors{{Field: "kind", Message: "the task has no rubric to score against"}}
		}
		return checkDecoded(raw, func(f T) forms.Errors { return check(rb, f) })
	}
}

// frozenRubric decodes the rubric frozen into a scored task.
func frozenRubric(in flow.TaskInput) (*rubric.Rubric, error) {
	return decodeRubric(in.Rubric)
}

// decodeRubric reads a rubric's JSON document as it crossed Temporal.
func decodeRubric(doc json.RawMessage) (*rubric.Rubric, error) {
	if len(doc) == 0 || string(doc) == "null" {
		return nil, unreadable("the rubric", nil)
	}
	var rb rubric.Rubric
	if err := json.Unmarshal(doc, &rb); err != nil {
		return nil, unreadable("the rubric", err)
	}
	return &rb, nil
}
