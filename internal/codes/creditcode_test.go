package codes_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
)

// Published codes whose check characters the algorithm reproduces.
const (
	// 华为技术有限公司, as published in its Wikipedia infobox (机构代码).
	huaweiCode = "914403001922038216"
	// 深圳市腾讯计算机系统有限公司, as published in its business licence record.
	tencentCode = "91440300708461136T"
	// The worked example of GB 32100-2015: the standard computes check
	// character 3 for 91350100M000100Y4 (sum 1640, 1640 mod 31 = 28, 31-28 = 3).
	standardExample = "91350100M000100Y43"
)

func TestPublishedCreditCodesAreValid(t *testing.T) {
	for _, code := range []string{huaweiCode, tencentCode, standardExample} {
		if err := codes.ValidateCreditCode(code); err != nil {
			t.Errorf("ValidateCreditCode(%s) = %v, want valid", code, err)
		}
	}
}

func TestCheckCharacterOfPublishedCodes(t *testing.T) {
	for _, code := range []string{huaweiCode, tencentCode, standardExample} {
		got, err := codes.CreditCodeCheckChar(code[:17])
		if err != nil {
			t.Fatalf("CreditCodeCheckChar(%s): %v", code[:17], err)
		}
		if got != code[17] {
			t.Errorf("CreditCodeCheckChar(%s) = %c, want %c", code[:17], got, code[17])
		}
	}
}

func TestInvalidCreditCodesSayWhatIsWrong(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		kind     error
		position int
		message  string
	}{
		{"one character short", huaweiCode[:17], codes.ErrCreditCodeLength, 0, "must be 18 characters long, got 17"},
		{"one character long", huaweiCode + "0", codes.ErrCreditCodeLength, 0, "must be 18 characters long, got 19"},
		{"empty", "", codes.ErrCreditCodeLength, 0, "must be 18 characters long, got 0"},
		{"Chinese characters count as one each", "91440300192203821华", codes.ErrCreditCodeCharacter, 18, `character 18 is '华'`},
		{"lowercase check letter", strings.ToLower(tencentCode), codes.ErrCreditCodeCharacter, 18, "capital letters (T, not t)"},
		{"letter I is never used", "91440300I08461136T", codes.ErrCreditCodeCharacter, 9, "character 9 is 'I': credit codes never use the letters I, O, Z, S or V"},
		{"letter O looks like zero", "9144030O708461136T", codes.ErrCreditCodeCharacter, 8, "never use the letters I, O, Z, S or V"},
		{"punctuation", "91440300-08461136T", codes.ErrCreditCodeCharacter, 9, "only digits and capital letters"},
		{"letter in the region code", "9144A300708461136T", codes.ErrCreditCodeCharacter, 5, "characters 3 to 8 are the registering office's region code and must be digits"},
		{"wrong check character", huaweiCode[:17] + "7", codes.ErrCreditCodeCheck, 18, "check character is 7, expected 6"},
		{"transposed digits", "914403001922038126", codes.ErrCreditCodeCheck, 18, "check character is 6, expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := codes.ValidateCreditCode(tt.code)
			if err == nil {
				t.Fatalf("ValidateCreditCode(%q) = nil, want an error", tt.code)
			}
			if !errors.Is(err, tt.kind) || !errors.Is(err, codes.ErrInvalidCreditCode) {
				t.Errorf("error %v is not %v and ErrInvalidCreditCode", err, tt.kind)
			}
			var ce *codes.CreditCodeError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *CreditCodeError", err)
			}
			if ce.Position != tt.position {
				t.Errorf("position = %d, want %d", ce.Position, tt.position)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not say %q", err.Error(), tt.message)
			}
		})
	}
}

func TestCheckMismatchCarriesTheExpectedCharacter(t *testing.T) {
	var ce *codes.CreditCodeError
	if err := codes.ValidateCreditCode(tencentCode[:17] + "0"); !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CreditCodeError", err)
	}
	if ce.Expected != 'T' {
		t.Errorf("Expected = %c, want T", ce.Expected)
	}
}

func TestMakeCreditCodeForASocialServiceOrganisation(t *testing.T) {
	// A civil-affairs registered social service organisation in 成华区:
	// registration authority 5, entity type 2, region 510108.
	code, err := codes.MakeCreditCode("52510108MJ0000001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "52510108MJ0000001") || len(code) != 18 {
		t.Fatalf("MakeCreditCode = %s", code)
	}
	if err := codes.ValidateCreditCode(code); err != nil {
		t.Errorf("a made code must validate: %v", err)
	}
}

func TestMakeCreditCodeRefusesBadInput(t *testing.T) {
	for _, first17 := range []string{"", "52510108MJ000000", "52510108MJ00000011", "52510108mj0000001", "52510108MJ000000I"} {
		if code, err := codes.MakeCreditCode(first17); err == nil || !errors.Is(err, codes.ErrInvalidCreditCode) {
			t.Errorf("MakeCreditCode(%q) = %q, %v; want an ErrInvalidCreditCode", first17, code, err)
		}
	}
}

// Every single-character change to a valid code is caught: the mod-31
// check with weights coprime to 31 detects all substitutions.
func TestEverySingleSubstitutionIsDetected(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for pos := 0; pos < 18; pos++ {
		for _, c := range []byte(alphabet) {
			if c == huaweiCode[pos] || (pos >= 2 && pos < 8 && (c < '0' || c > '9')) {
				continue
			}
			changed := huaweiCode[:pos] + string(c) + huaweiCode[pos+1:]
			if codes.ValidateCreditCode(changed) == nil {
				t.Errorf("%s (position %d changed to %c) validates", changed, pos+1, c)
			}
		}
	}
}
