package codes_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stationflow/stationflow/internal/codes"
)

// FuzzValidateCreditCode: a code is valid exactly when completing its first
// 17 characters reproduces it, and every refusal has a message.
func FuzzValidateCreditCode(f *testing.F) {
	for _, seed := range []string{huaweiCode, tencentCode, standardExample, "91350100M000100Y4Z", "", "52510108mj0000001X", "91440300192203821华"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := codes.ValidateCreditCode(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ValidateCreditCode(%q) failed without a message", s)
			}
			return
		}
		if len(s) != 18 || !utf8.ValidString(s) {
			t.Fatalf("ValidateCreditCode accepted %q", s)
		}
		made, err := codes.MakeCreditCode(s[:17])
		if err != nil || made != s {
			t.Fatalf("MakeCreditCode(%q) = %q, %v; want %q", s[:17], made, err, s)
		}
	})
}

// FuzzParseRegion: every accepted code has a parent chain down to a
// province, lies within each ancestor, and escalates only to offices that
// contain it.
func FuzzParseRegion(f *testing.F) {
	for _, seed := range []string{"51", "5101", "510108", "510108001", "510108001002", "5100", "99", "51a", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		level, err := codes.ParseRegion(code)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseRegion(%q) failed without a message", code)
			}
			if codes.Within(code, code) || codes.EscalationPath(code) != nil || codes.OfficeRegion(code) != "" {
				t.Fatalf("an invalid code %q must relate to nothing", code)
			}
			return
		}
		if len(code) != level.Digits() {
			t.Fatalf("ParseRegion(%q) = %v of %d digits", code, level, level.Digits())
		}
		ancestors := codes.Ancestors(code)
		if len(ancestors) != int(level-codes.Province) {
			t.Fatalf("Ancestors(%q) = %v for a %v", code, ancestors, level)
		}
		for _, a := range ancestors {
			if !codes.Within(code, a) || codes.Within(a, code) {
				t.Fatalf("%q and its ancestor %q are not nested", code, a)
			}
		}
		for _, office := range codes.EscalationPath(code) {
			if !strings.HasPrefix(code, office) || len(office) > 6 {
				t.Fatalf("EscalationPath(%q) names %q", code, office)
			}
		}
		if office := codes.OfficeRegion(code); !codes.Within(code, office) {
			t.Fatalf("OfficeRegion(%q) = %q does not contain it", code, office)
		}
	})
}
