package forms

import "testing"

func TestDecodeRequestRefusesKeysOfAnotherCaseAndRepeatedKeys(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type embedded struct {
		Note string `json:"note"`
	}
	type form struct {
		embedded
		Title  string            `json:"title"`
		Items  []inner           `json:"items"`
		Labels map[string]string `json:"labels"`
		Any    any               `json:"any"`
	}
	for _, c := range []struct{ doc, field string }{
		{`{"Title":"a"}`, "Title"},
		{`{"title":"a","title":"b"}`, "title"},
		{`{"NOTE":"a"}`, "NOTE"},
		{`{"items":[{"name":"a"},{"NAME":"b"}]}`, "items[1].NAME"},
		{`{"items":[{"name":"a","name":"b"}]}`, "items[0].name"},
		{`{"labels":{"k":"a","k":"b"}}`, "labels.k"},
		{`{"any":{"x":{"y":1,"y":2}}}`, "any.x.y"},
	} {
		var f form
		derr := DecodeRequestBytes([]byte(c.doc), &f)
		if derr == nil || derr.Field != c.field || derr.Invalid || derr.TooLarge {
			t.Errorf("%s: %+v, want a malformed body naming %s", c.doc, derr, c.field)
		}
	}
	var f form
	ok := `{"title":"a","note":"b","items":[{"name":"c"}],"labels":{"K":"d","k":"e"},"any":{"Y":1,"y":2}}`
	if derr := DecodeRequestBytes([]byte(ok), &f); derr != nil {
		t.Errorf("%s refused: %+v", ok, derr)
	}
	if f.Title != "a" || f.Note != "b" || f.Items[0].Name != "c" || f.Labels["K"] != "d" {
		t.Errorf("decoded %+v", f)
	}
}
