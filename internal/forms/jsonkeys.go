package forms

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// DecodeRequest is DecodeStrict for a body that arrives over HTTP: its
// keys must also match their fields exactly and appear once in each
// object (CheckJSONKeys). Workflows keep DecodeStrictBytes, so that forms
// they accepted before this rule replay as they ran.
func DecodeRequest(r io.Reader, dst any) *DecodeError {
	raw, err := io.ReadAll(r)
	if err != nil {
		return decodeError(err)
	}
	return DecodeRequestBytes(raw, dst)
}

// DecodeRequestBytes is DecodeRequest on a byte slice.
func DecodeRequestBytes(raw []byte, dst any) *DecodeError {
	if derr := DecodeStrictBytes(raw, dst); derr != nil {
		return derr
	}
	if fe := CheckJSONKeys(raw, reflect.TypeOf(dst)); fe != nil {
		return &DecodeError{FieldError: *fe}
	}
	return nil
}

// CheckJSONKeys walks doc, a valid JSON document, beside t, the Go type it
// decodes into, and refuses what encoding/json lets through: an object key
// that names a field only when case is ignored ("Name" fills name) and a
// key given twice in one object (the last would win unseen). Values that
// decode themselves (IDs, raw JSON, maps) are checked for repeated keys
// only. It names the first such key by its JSON path; nil when there is
// none.
func CheckJSONKeys(doc []byte, t reflect.Type) *FieldError {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	fe, err := keyWalker{dec}.value(t, "")
	if err != nil {
		return &FieldError{Field: "body", Message: "not valid JSON"}
	}
	return fe
}

type keyWalker struct{ dec *json.Decoder }

func (w keyWalker) value(t reflect.Type, at string) (*FieldError, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t, at)
	case json.Delim('['):
		return w.array(t, at)
	}
	return nil, nil
}

func (w keyWalker) object(t reflect.Type, at string) (*FieldError, error) {
	t = decodedBy(t)
	fields := jsonFields(t)
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		path := joinPath(at, key)
		if seen[key] {
			return &FieldError{Field: path, Message: "is given more than once"}, nil
		}
		seen[key] = true
		var vt reflect.Type
		switch {
		case fields != nil:
			ft, ok := fields[key]
			if !ok {
				return &FieldError{Field: path, Message: unknownKey(key, fields)}, nil
			}
			vt = ft
		case t != nil && t.Kind() == reflect.Map:
			vt = t.Elem()
		}
		if fe, err := w.value(vt, path); fe != nil || err != nil {
			return fe, err
		}
	}
	_, err := w.dec.Token() // }
	return nil, err
}

func (w keyWalker) array(t reflect.Type, at string) (*FieldError, error) {
	t = decodedBy(t)
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for i := 0; w.dec.More(); i++ {
		if fe, err := w.value(elem, fmt.Sprintf("%s[%d]", at, i)); fe != nil || err != nil {
			return fe, err
		}
	}
	_, err := w.dec.Token() // ]
	return nil, err
}

// unknownKey says why key is refused: a field of another case, or none.
func unknownKey(key string, fields map[string]reflect.Type) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("is not a field this form takes; names match exactly: %s", name)
		}
	}
	return "is not a field this form takes"
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodedBy is t without pointers, or nil when encoding/json does not
// decode t field by field: an interface, or a type that decodes itself.
func decodedBy(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		return nil
	}
	return t
}

// jsonFields maps each JSON name of struct t's fields, embedded structs'
// included, to the field's type; nil when t is not a struct.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]reflect.Type{}
	addJSONFields(t, out)
	return out
}

func addJSONFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-" && f.Tag.Get("json") == "-":
			continue
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			addJSONFields(ft, out)
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		if _, taken := out[name]; !taken {
			out[name] = f.Type
		}
	}
}

func joinPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}
