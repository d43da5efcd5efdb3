package docschema

import (
	"bytes"
	"errors"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestFieldPathWritesIndexesInBrackets(t *testing.T) {
	for tokens, want := range map[*[]string]string{
		{"workdays", "1", "date"}:                        "workdays[1].date",
		{"sections", "2", "indicators", "0", "allow_na"}: "sections[2].indicators[0].allow_na",
		{"0"}: "[0]",
		{}:    "",
	} {
		if got := FieldPath(*tokens); got != want {
			t.Errorf("FieldPath(%v) = %q, want %q", *tokens, got, want)
		}
	}
}

func TestProblemsNameEachFailedField(t *testing.T) {
	sch, err := Compile("test.schema.json", "urn:test", []byte(`{"type":"object","additionalProperties":false,
		"properties":{"items":{"type":"array","items":{"type":"integer","minimum":1}}},"required":["items"]}`))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"items":[1,0,"x"],"extra":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	problems := Problems(sch.Validate(inst))
	seen := map[string]bool{}
	for _, p := range problems {
		if p.Message == "" {
			t.Errorf("problem %+v says nothing", p)
		}
		seen[p.Field] = true
	}
	for _, f := range []string{"items[1]", "items[2]", ""} {
		if !seen[f] {
			t.Errorf("no problem on %q in %+v", f, problems)
		}
	}
	if got := Problems(errors.New("disk on fire")); len(got) != 1 || got[0].Field != "" || got[0].Message != "disk on fire" {
		t.Errorf("a plain error became %+v", got)
	}
	if _, err := Compile("bad.schema.json", "urn:bad", []byte(`{"type": 3}`)); err == nil {
		t.Error("an invalid schema compiled")
	}
}
