// Package docschema checks stationflow's own JSON documents (working-day
// calendars, rubrics) against their JSON Schemas: it compiles a schema
// (draft 2020-12, formats asserted) and turns a validation failure into one
// field error per failed keyword, each field named the way the rest of
// stationflow names fields ("sections[2].weight").
package docschema

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stationflow/stationflow/internal/forms"
)

// Compile compiles the schema document data under the resource URL url;
// name is how errors refer to it.
func Compile(name, url string, data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	return sch, nil
}

// Problems lists what a validation error found, one field error per failed
// keyword. An error that is not a validation failure is one error on the
// document as a whole (an empty field).
func Problems(err error) forms.Errors {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return forms.Errors{{Message: err.Error()}}
	}
	var problems forms.Errors
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msg := e.Error()
			if out := e.BasicOutput(); out != nil && out.Error != nil {
				msg = out.Error.String()
			}
			problems = append(problems, forms.FieldError{Field: FieldPath(e.InstanceLocation), Message: msg})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	return problems
}

// FieldPath writes a location in a JSON document as stationflow names
// fields: ["workdays", "1", "date"] is workdays[1].date.
func FieldPath(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}
