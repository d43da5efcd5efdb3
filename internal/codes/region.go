package codes

import (
	"errors"
	"fmt"
	"strings"
)

// RegionLevel is the level of an administrative division code. The zero
// value is no level.
type RegionLevel int

// The five levels stationflow places stations and offices at, by the
// number of digits of their codes: province 2 (51 四川省), city 4 (5101
// 成都市), county 6 (510108 成华区, GB/T 2260), township 9 (510108001, a
// street or town) and village 12 (510108001002, a village or urban
// community).
const (
	Province RegionLevel = iota + 1
	City
	County
	Township
	Village
)

var regionLevelNames = [...]string{Province: "province", City: "city", County: "county", Township: "township", Village: "village"}

// regionLevelDigits is the length of a code at each level.
var regionLevelDigits = [...]int{Province: 2, City: 4, County: 6, Township: 9, Village: 12}

// String names the level: "province", "city", "county", "township" or
// "village".
func (l RegionLevel) String() string {
	if l < Province || l > Village {
		return fmt.Sprintf("RegionLevel(%d)", int(l))
	}
	return regionLevelNames[l]
}

// Digits is the length of a region code at this level; 0 for no level.
func (l RegionLevel) Digits() int {
	if l < Province || l > Village {
		return 0
	}
	return regionLevelDigits[l]
}

// levelOfLength returns the level whose codes have n digits.
func levelOfLength(n int) (RegionLevel, bool) {
	for l := Province; l <= Village; l++ {
		if regionLevelDigits[l] == n {
			return l, true
		}
	}
	return 0, false
}

// ErrInvalidRegionCode is matched by every *RegionCodeError.
var ErrInvalidRegionCode = errors.New("invalid region code")

// RegionCodeError says why a string is not a region code. Its message is a
// sentence fit to show next to the field.
type RegionCodeError struct {
	Code    string
	Problem string
}

func (e *RegionCodeError) Error() string { return e.Problem }

// Unwrap returns ErrInvalidRegionCode.
func (e *RegionCodeError) Unwrap() error { return ErrInvalidRegionCode }

// provinceRanges are the first two digits GB/T 2260 gives provinces,
// autonomous regions, municipalities and special administrative regions.
var provinceRanges = [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}, {71, 71}, {81, 82}}

// ParseRegion checks an administrative division code and returns its level.
// A code is digits only and has 2, 4, 6, 9 or 12 of them; its first two
// digits are a real province (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71,
// 81, 82); and none of its city, county, township or village parts is all
// zeros, so "5100" is not a city and "510100" is not a county: GB/T 2260
// pads a province's or city's own code with zeros, stationflow writes it
// short ("51", "5101"). The error is a *RegionCodeError.
func ParseRegion(code string) (RegionLevel, error) {
	bad := func(format string, args ...any) (RegionLevel, error) {
		return 0, &RegionCodeError{Code: code, Problem: fmt.Sprintf(format, args...)}
	}
	if code == "" {
		return bad("region code is empty")
	}
	pos := 0
	for _, r := range code {
		pos++
		if r < '0' || r > '9' {
			return bad("a region code is digits only; character %d is %q", pos, r)
		}
	}
	level, ok := levelOfLength(len(code))
	if !ok {
		return bad("region code %s has %d digits; a region code has 2 (province), 4 (city), 6 (county), 9 (township) or 12 (village)", code, len(code))
	}
	province := int(code[0]-'0')*10 + int(code[1]-'0')
	known := false
	for _, r := range provinceRanges {
		known = known || (province >= r[0] && province <= r[1])
	}
	if !known {
		return bad("%s is not a province: provinces are 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81 and 82", code[:2])
	}
	for l := City; l <= level; l++ {
		part := code[regionLevelDigits[l-1]:regionLevelDigits[l]]
		if strings.Trim(part, "0") == "" {
			if l == level {
				return bad("%s is not a %s: its %s part %s is all zeros (the %s itself is written %s)",
					code, level, l, part, l-1, code[:regionLevelDigits[l-1]])
			}
			return bad("%s is not a %s: its %s part %s is all zeros", code, level, l, part)
		}
	}
	return level, nil
}

// Parent returns the region one level up: village → township → county →
// city → province. A province, or a string that is not a region code, has
// none.
func Parent(code string) (string, bool) {
	level, err := ParseRegion(code)
	if err != nil || level == Province {
		return "", false
	}
	return code[:regionLevelDigits[level-1]], true
}

// Ancestors returns every region that contains code, nearest first:
// 510108001 gives [510108 5101 51]. It is empty for a province and for a
// string that is not a region code.
func Ancestors(code string) []string {
	var out []string
	for p, ok := Parent(code); ok; p, ok = Parent(p) {
		out = append(out, p)
	}
	return out
}

// Within reports whether the region code lies within the region scope: the
// same region or one below it. Both must be region codes, so the scope always
// ends at a level boundary: "51" contains "510108", "5101" contains "5101"
// and "510108001", and "5101" does not contain "510201" (nor "51011", which
// is not a region code). Anything that does not parse is within nothing.
func Within(code, scope string) bool {
	if _, err := ParseRegion(code); err != nil {
		return false
	}
	if _, err := ParseRegion(scope); err != nil {
		return false
	}
	return strings.HasPrefix(code, scope)
}
