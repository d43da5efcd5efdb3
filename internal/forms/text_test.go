package forms

import (
	"strings"
	"testing"
	"time"
)

// hostile is text that must never reach PostgreSQL or a name, each with
// whether it is refused everywhere (text) or only in names.
var hostile = []struct {
	name     string
	value    string
	onlyName bool
}{
	{"NUL", "站\x00点", false},
	{"NUL alone", "\x00", false},
	{"control U+0001", "a\x01b", false},
	{"escape U+001B", "a\x1b[31m", false},
	{"invalid UTF-8", "a\xffb", false},
	{"truncated UTF-8", "社\xe5\xb7", false},
	{"bidi override", "abc\u202Eexe.pdf", true},
	{"bidi isolate", "\u2066x\u2069", true},
	{"right-to-left mark", "a\u200Fb", true},
	{"Arabic letter mark", "a\u061Cb", true},
	{"zero-width only", "\u200B\u200C\u200D\uFEFF\u2060", true},
	{"whitespace only", " \t\u3000 ", true},
}

func TestTheTextRulesRefuseWhatPostgreSQLCannotStoreAndNamesThatHide(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			if msg := CheckName(h.value); msg == "" {
				t.Errorf("CheckName(%q) accepted", h.value)
			}
			if msg := CheckText(h.value); (msg != "") == h.onlyName {
				t.Errorf("CheckText(%q) = %q; refused only in names: %v", h.value, msg, h.onlyName)
			}
		})
	}
	for _, ok := range []string{"成华区阳光社工服务中心", "line one\nline two\r\n\tindented", "O'Brien & Sons", "a\u200Db (joined)", ""} {
		if msg := CheckName(ok); msg != "" {
			t.Errorf("CheckName(%q) = %q, want accepted", ok, msg)
		}
	}
}

func TestALineRefusesEveryControlCharacter(t *testing.T) {
	for _, h := range hostile {
		if !h.onlyName && CheckLine(h.value) == "" {
			t.Errorf("CheckLine(%q) accepted", h.value)
		}
	}
	for _, bad := range []string{"2026\t", "a\nb", "a\rb", "a\x7fb", "a\u0085b", "a\u009bb"} {
		if CheckLine(bad) == "" {
			t.Errorf("CheckLine(%q) accepted", bad)
		}
	}
	for _, ok := range []string{"", "2026Q4", "成华区", "township_station", "0190b7c2-8f1e-7c3a-9d2b-5e6f7a8b9c0d"} {
		if msg := CheckLine(ok); msg != "" {
			t.Errorf("CheckLine(%q) = %q, want accepted", ok, msg)
		}
	}
}

// hostileJSON is the value written as a JSON string literal: invalid
// UTF-8 goes in raw, as a careless client sends it; the rest escaped, as
// encoding/json writes it.
func hostileJSON(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&0xf])
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestAJSONBodyWithHostileTextIsRefusedNamingItsPath(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			raw := strings.Replace(goodPlan, `"name":"李娜"`, `"name":`+hostileJSON(h.value), 1)
			var a Application
			derr := DecodeStrictBytes([]byte(raw), &a)
			var got FieldError
			switch {
			case derr != nil:
				if !derr.Invalid {
					t.Fatalf("refused as malformed, not invalid: %+v", derr)
				}
				got = derr.FieldError
			default:
				errs := Check(a)
				if len(errs) != 1 {
					t.Fatalf("decoded and checked: %v, want one error", errs)
				}
				got = errs[0]
			}
			if h.onlyName == (derr != nil) {
				t.Errorf("refused by the decoder: %v; a name-only rule: %v", derr != nil, h.onlyName)
			}
			if got.Field != "staffing[1].name" || got.Message == "" {
				t.Fatalf("refusal %+v, want staffing[1].name with a reason", got)
			}
		})
	}
}

func TestEscapesEncodingJSONWouldReplaceAreRefused(t *testing.T) {
	for raw, field := range map[string]string{
		`{"response":"ok \ud800 here"}`:               "response",
		`{"records":[{},{"activity_type":"\u0000"}]}`: "records[1].activity_type",
		`{"a":{"b\u0000":1}}`:                         "a.b\x00",
		`"\u0007"`:                                    "body",
	} {
		fe := CheckJSONText([]byte(raw))
		if fe == nil || fe.Field != field {
			t.Errorf("CheckJSONText(%s) = %+v, want the field %q", raw, fe, field)
		}
	}
	for _, raw := range []string{`{"a":"\ufffd kept","b":"\uFFFD","c":"` + "\uFFFD" + `"}`, `[1,true,null,{"x":[""]}]`, `not json`} {
		if fe := CheckJSONText([]byte(raw)); fe != nil {
			t.Errorf("CheckJSONText(%s) = %+v, want accepted", raw, fe)
		}
	}
}

func TestACSVCellWithHostileTextIsRefusedNamingItsColumn(t *testing.T) {
	header, errs := ReadCSVHeader(CSVColumns)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, h := range hostile {
		if h.onlyName {
			continue // no CSV column is a name
		}
		t.Run(h.name, func(t *testing.T) {
			for c, column := range CSVColumns {
				row := []string{"2026-11-20", "elderly_child_care", "home_visit", "1", "0", "0", "0", "0", "0", "0", "0"}
				row[c] = h.value
				_, _, errs := ParseCSVRow(header, row, today)
				if len(errs) != 1 || errs[0].Column != column || errs[0].Message != CheckText(h.value) {
					t.Errorf("%s holding %q: %+v, want one error naming it", column, h.value, errs)
				}
			}
		})
	}
	_, errs = ReadCSVHeader(append([]string{"da\x00te"}, CSVColumns[1:]...))
	if len(errs) == 0 || !strings.Contains(errs[0].Message, "column 1") {
		t.Errorf("a header name holding NUL: %+v", errs)
	}
}
