package testkit

import (
	"testing"

	"github.com/stationflow/stationflow/internal/forms"
)

// DecodeStrict decodes raw into v as a request body is decoded and reports
// whether it did. A refusal that names no field or says nothing fails the
// test: every refused body must tell its caller where it is wrong.
func DecodeStrict(t testing.TB, raw []byte, v any) bool {
	t.Helper()
	derr := forms.DecodeStrictBytes(raw, v)
	if derr == nil {
		return true
	}
	if derr.Field == "" || derr.Message == "" {
		t.Fatalf("a decode error names no field: %+v", derr)
	}
	return false
}
