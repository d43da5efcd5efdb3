package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text rules: what text stationflow accepts, in one place. Every way
// text enters (JSON bodies, CSV cells, multipart file names and fields,
// query and path parameters) calls these functions, so that nothing
// PostgreSQL cannot store in text or jsonb (U+0000, invalid UTF-8) reaches
// a workflow or a projection, where it would fail on every retry.
//
// Names (of stations, organisations, people and files) are shown to other
// people and sorted and compared, so they are held to more: no
// bidirectional controls, which can make a name read as another, and
// something visible.

// Messages of the text rules, as a field error says them.
const (
	msgInvalidUTF8 = "must be valid UTF-8 text"
	msgNUL         = "must not contain the NUL character (U+0000)"
	msgControl     = "must not contain control characters other than tab, line feed and carriage return"
	msgSurrogate   = "must not contain an unpaired UTF-16 surrogate escape"
	msgBidi        = "must not contain bidirectional control characters"
	msgInvisible   = "must contain a visible character"
	msgLineControl = "must not contain control characters"
)

// CheckText says why s is not text stationflow can store, or "" when it is:
// it must be valid UTF-8 and hold no C0 control character but tab, line
// feed and carriage return.
func CheckText(s string) string {
	if !utf8.ValidString(s) {
		return msgInvalidUTF8
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			return msgNUL
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return msgControl
		}
	}
	return ""
}

// CheckLine says why s is not one line of text, or "" when it is: text
// (CheckText) without any control character at all, tab, line feed and
// carriage return included. Query and path parameters are held to it:
// none of them is free text.
func CheckLine(s string) string {
	if msg := CheckText(s); msg != "" {
		return msg
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return msgLineControl
		}
	}
	return ""
}

// CheckName says why s is not a name, or "" when it is: text (CheckText)
// with no bidirectional control character and, unless empty (which
// `required` judges), something other than white space and zero-width
// characters.
func CheckName(s string) string {
	if msg := CheckText(s); msg != "" {
		return msg
	}
	visible := false
	for _, r := range s {
		if isBidiControl(r) {
			return msgBidi
		}
		if !unicode.IsSpace(r) && !isZeroWidth(r) {
			visible = true
		}
	}
	if s != "" && !visible {
		return msgInvisible
	}
	return ""
}

// isBidiControl: the embeddings and overrides (U+202A–U+202E), the
// isolates (U+2066–U+2069), the marks (U+200E, U+200F) and the Arabic
// letter mark (U+061C).
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// isZeroWidth: characters that take no room, so a name of only these
// looks empty.
func isZeroWidth(r rune) bool {
	return (r >= 0x200B && r <= 0x200D) || r == 0xFEFF || r == 0x2060
}

// CheckJSONText walks every string of a JSON document, keys and values,
// and names the first that breaks CheckText by its JSON path (such as
// staffing[1].name). It reads the raw bytes, because encoding/json
// silently replaces invalid UTF-8 and unpaired surrogate escapes with
// U+FFFD. A document that is not JSON gives nil: decoding reports that.
func CheckJSONText(raw []byte) *FieldError {
	w := jsonWalk{dec: json.NewDecoder(bytes.NewReader(raw)), raw: raw}
	w.dec.UseNumber()
	for {
		tok, err := w.dec.Token()
		if err != nil {
			return nil
		}
		end := w.dec.InputOffset()
		literal := raw[w.prev:end]
		w.prev = end
		if fe := w.step(tok, literal); fe != nil {
			return fe
		}
	}
}

// jsonFrame is one open object or array: the key or index being read.
type jsonFrame struct {
	array   bool
	index   int
	key     string
	wantKey bool
}

type jsonWalk struct {
	dec   *json.Decoder
	raw   []byte
	prev  int64
	stack []jsonFrame
}

// step takes one token; literal holds the bytes read for it.
func (w *jsonWalk) step(tok json.Token, literal []byte) *FieldError {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			w.stack = append(w.stack, jsonFrame{wantKey: true})
		case '[':
			w.stack = append(w.stack, jsonFrame{array: true})
		default:
			w.stack = w.stack[:len(w.stack)-1]
			w.valueDone()
		}
	case string:
		isKey := len(w.stack) > 0 && w.stack[len(w.stack)-1].wantKey
		if isKey {
			top := &w.stack[len(w.stack)-1]
			top.key, top.wantKey = v, false
		}
		if msg := checkJSONString(v, literal); msg != "" {
			return &FieldError{Field: w.path(), Message: msg}
		}
		if !isKey {
			w.valueDone()
		}
	default:
		w.valueDone()
	}
	return nil
}

// valueDone moves the innermost container past the value just read.
func (w *jsonWalk) valueDone() {
	if len(w.stack) == 0 {
		return
	}
	top := &w.stack[len(w.stack)-1]
	if top.array {
		top.index++
	} else {
		top.wantKey = true
	}
}

// path is the JSON path of the value being read; "body" at the top.
func (w *jsonWalk) path() string {
	var b strings.Builder
	for _, f := range w.stack {
		if f.array {
			fmt.Fprintf(&b, "[%d]", f.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(f.key)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// checkJSONString judges a decoded string and the raw literal it came
// from: a U+FFFD the literal does not hold (as itself or escaped) is one
// encoding/json put in place of something broken.
func checkJSONString(s string, literal []byte) string {
	if !utf8.Valid(literal) {
		return msgInvalidUTF8
	}
	if msg := CheckText(s); msg != "" {
		return msg
	}
	const replacement = "\uFFFD"
	if n := strings.Count(s, replacement); n > 0 {
		lower := bytes.ToLower(literal)
		if n > bytes.Count(literal, []byte(replacement))+bytes.Count(lower, []byte(`\ufffd`)) {
			return msgSurrogate
		}
	}
	return ""
}
