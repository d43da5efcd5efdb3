package codes

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CreditCodeLen is the length of a unified social credit code.
const CreditCodeLen = 18

// creditAlphabet is the character set of GB 32100-2015, in value order: a
// character's value is its index. I, O, Z, S and V are left out because they
// are easily mistaken for 1, 0, 2, 5 and U.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of positions 1–17: 3^(i-1) mod 31.
var creditWeights = [CreditCodeLen - 1]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Credit code problems; a *CreditCodeError wraps exactly one of them, and
// every one of them also matches ErrInvalidCreditCode.
var (
	ErrInvalidCreditCode   = errors.New("invalid unified social credit code")
	ErrCreditCodeLength    = errors.New("credit code has the wrong length")
	ErrCreditCodeCharacter = errors.New("credit code has a character it may not have")
	ErrCreditCodeCheck     = errors.New("credit code check character does not match")
)

// CreditCodeError says what is wrong with a unified social credit code.
// Its message is a sentence fit to show next to the field.
type CreditCodeError struct {
	Code string
	// Kind is ErrCreditCodeLength, ErrCreditCodeCharacter or ErrCreditCodeCheck.
	Kind error
	// Position is the 1-based position of the offending character; 0 when
	// the problem is the code's length.
	Position int
	// Expected is the check character the first 17 characters call for
	// (set for ErrCreditCodeCheck only).
	Expected byte
	detail   string
}

func (e *CreditCodeError) Error() string { return e.detail }

// Unwrap returns the kind of problem.
func (e *CreditCodeError) Unwrap() error { return e.Kind }

// Is makes every credit code problem match ErrInvalidCreditCode.
func (e *CreditCodeError) Is(target error) bool { return target == ErrInvalidCreditCode }

// ValidateCreditCode checks a unified social credit code (统一社会信用代码,
// GB 32100-2015): 18 capital letters and digits from the standard's alphabet
// (no I, O, Z, S or V), position 1 the registration authority, 2 the entity
// type, 3–8 the registering office's 6-digit administrative division code,
// 9–17 the organisation code and 18 the check character. The error is a
// *CreditCodeError naming the one thing wrong: the length, the first bad
// character and its position, or the check character that was expected.
//
// Operating organisations of social-work stations are mostly social service
// organisations (社会服务机构, formerly 民办非企业单位) registered with civil
// affairs: registration authority '5' (民政) and entity type '2', so their
// codes start "52".
func ValidateCreditCode(s string) error {
	if n := utf8.RuneCountInString(s); n != CreditCodeLen {
		return &CreditCodeError{Code: s, Kind: ErrCreditCodeLength,
			detail: fmt.Sprintf("must be %d characters long, got %d", CreditCodeLen, n)}
	}
	if err := checkCreditChars(s, CreditCodeLen); err != nil {
		return err
	}
	want := creditCheck(s[:CreditCodeLen-1])
	if got := s[CreditCodeLen-1]; got != want {
		return &CreditCodeError{Code: s, Kind: ErrCreditCodeCheck, Position: CreditCodeLen, Expected: want,
			detail: fmt.Sprintf("check character is %c, expected %c", got, want)}
	}
	return nil
}

// CreditCodeCheckChar computes the check character (position 18) for the
// first 17 characters of a credit code: each character's value times its
// position's weight, summed; the check value is 31 minus the sum mod 31,
// with 31 written as 0.
func CreditCodeCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != CreditCodeLen-1 {
		return 0, &CreditCodeError{Code: first17, Kind: ErrCreditCodeLength,
			detail: fmt.Sprintf("the part before the check character must be %d characters long, got %d", CreditCodeLen-1, n)}
	}
	if err := checkCreditChars(first17, CreditCodeLen-1); err != nil {
		return 0, err
	}
	return creditCheck(first17), nil
}

// MakeCreditCode completes the first 17 characters of a credit code with its
// check character.
func MakeCreditCode(first17 string) (string, error) {
	c, err := CreditCodeCheckChar(first17)
	if err != nil {
		return "", err
	}
	return first17 + string(c), nil
}

// checkCreditChars checks the first n characters of s (which has n runes)
// against the alphabet; positions 3–8 must be digits.
func checkCreditChars(s string, n int) error {
	pos := 0
	for _, r := range s {
		pos++
		if pos > n {
			break
		}
		bad := func(format string, args ...any) error {
			return &CreditCodeError{Code: s, Kind: ErrCreditCodeCharacter, Position: pos,
				detail: fmt.Sprintf("character %d is %q: ", pos, r) + fmt.Sprintf(format, args...)}
		}
		switch {
		case r >= 'a' && r <= 'z':
			return bad("credit codes are written in capital letters (%c, not %c)", unicode.ToUpper(r), r)
		case strings.ContainsRune("IOZSV", r):
			return bad("credit codes never use the letters I, O, Z, S or V")
		case r >= utf8.RuneSelf || !strings.ContainsRune(creditAlphabet, r):
			return bad("only digits and capital letters may appear in a credit code")
		case pos >= 3 && pos <= 8 && (r < '0' || r > '9'):
			return bad("characters 3 to 8 are the registering office's region code and must be digits")
		}
	}
	return nil
}

// creditCheck computes the check character of 17 characters already known
// to be in the alphabet.
func creditCheck(first17 string) byte {
	sum := 0
	for i := 0; i < CreditCodeLen-1; i++ {
		sum += strings.IndexByte(creditAlphabet, first17[i]) * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}
