package codes_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestRegionLevelsByLength(t *testing.T) {
	tests := []struct {
		code  string
		level codes.RegionLevel
		name  string
	}{
		{"51", codes.Province, "province"},         // 四川省
		{"5101", codes.City, "city"},               // 成都市
		{"510108", codes.County, "county"},         // 成华区
		{"510108001", codes.Township, "township"},  // a street of 成华区
		{"510108001002", codes.Village, "village"}, // a community of that street
		{"11", codes.Province, "province"},         // 北京市
		{"1101", codes.City, "city"},               // 北京市市辖区
		{"65", codes.Province, "province"},         // 新疆维吾尔自治区
		{"82", codes.Province, "province"},         // 澳门特别行政区
		{"460201100", codes.Township, "township"},  // a town of 三亚市
		{"110101001001", codes.Village, "village"}, // a community of 东城区
	}
	for _, tt := range tests {
		level, err := codes.ParseRegion(tt.code)
		if err != nil {
			t.Errorf("ParseRegion(%s): %v", tt.code, err)
			continue
		}
		if level != tt.level || level.String() != tt.name {
			t.Errorf("ParseRegion(%s) = %v, want %s", tt.code, level, tt.name)
		}
	}
}

func TestInvalidRegionCodesSayWhy(t *testing.T) {
	tests := []struct {
		code    string
		message string
	}{
		{"", "region code is empty"},
		{"51a1", `character 3 is 'a'`},
		{"５１", "digits only"},
		{"510", "has 3 digits; a region code has 2 (province), 4 (city), 6 (county), 9 (township) or 12 (village)"},
		{"5101080", "has 7 digits"},
		{"5101080010020", "has 13 digits"},
		{"10", "10 is not a province"},
		{"16", "16 is not a province"},
		{"99", "99 is not a province"},
		{"5100", "5100 is not a city: its city part 00 is all zeros (the province itself is written 51)"},
		{"510100", "510100 is not a county: its county part 00 is all zeros (the city itself is written 5101)"},
		{"510108000", "510108000 is not a township: its township part 000 is all zeros"},
		{"510108001000", "510108001000 is not a village: its village part 000 is all zeros"},
		{"510000001", "510000001 is not a township: its city part 00 is all zeros"},
	}
	for _, tt := range tests {
		_, err := codes.ParseRegion(tt.code)
		if err == nil {
			t.Errorf("ParseRegion(%q) = nil, want an error", tt.code)
			continue
		}
		var re *codes.RegionCodeError
		if !errors.As(err, &re) || !errors.Is(err, codes.ErrInvalidRegionCode) || re.Code != tt.code {
			t.Errorf("ParseRegion(%q) error %#v is not a *RegionCodeError for the code", tt.code, err)
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("ParseRegion(%q) = %q, want it to say %q", tt.code, err, tt.message)
		}
	}
}

func TestEveryRealProvinceParses(t *testing.T) {
	provinces := []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
	for _, p := range provinces {
		if _, err := codes.ParseRegion(p); err != nil {
			t.Errorf("ParseRegion(%s): %v", p, err)
		}
	}
	for n := 0; n <= 99; n++ {
		p := string([]byte{byte('0' + n/10), byte('0' + n%10)})
		_, err := codes.ParseRegion(p)
		if real := slices.Contains(provinces, p); real != (err == nil) {
			t.Errorf("ParseRegion(%s) = %v; it is a province: %v", p, err, real)
		}
	}
}

func TestParentClimbsOneLevel(t *testing.T) {
	tests := []struct{ code, parent string }{
		{"510108001002", "510108001"},
		{"510108001", "510108"},
		{"510108", "5101"},
		{"5101", "51"},
	}
	for _, tt := range tests {
		got, ok := codes.Parent(tt.code)
		if !ok || got != tt.parent {
			t.Errorf("Parent(%s) = %q, %v; want %s", tt.code, got, ok, tt.parent)
		}
	}
	for _, none := range []string{"51", "", "5100", "abc"} {
		if got, ok := codes.Parent(none); ok {
			t.Errorf("Parent(%q) = %q, want none", none, got)
		}
	}
}

func TestAncestorsNearestFirst(t *testing.T) {
	tests := []struct {
		code string
		want []string
	}{
		{"510108001002", []string{"510108001", "510108", "5101", "51"}},
		{"510108001", []string{"510108", "5101", "51"}},
		{"5101", []string{"51"}},
		{"51", nil},
		{"5100", nil},
	}
	for _, tt := range tests {
		if got := codes.Ancestors(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Ancestors(%s) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestWithinMeansInsideTheScope(t *testing.T) {
	tests := []struct {
		code, scope string
		within      bool
	}{
		{"510108", "51", true},
		{"510108001002", "5101", true},
		{"510108001", "510108", true},
		{"5101", "5101", true}, // a region lies within itself
		{"51", "51", true},
		{"510201", "5101", false},    // 自贡市's county is not in 成都市
		{"5101", "510108", false},    // a city is not within its county
		{"51", "5101", false},        // nor a province within its city
		{"52", "5", false},           // "5" is not a region scope
		{"510108", "5101080", false}, // nor is a 7-digit prefix
		{"51011", "51", false},       // nor is a 5-digit code a region
		{"510108", "", false},        // the empty scope contains nothing
		{"1101", "11", true},
		{"110108", "51", false},
	}
	for _, tt := range tests {
		if got := codes.Within(tt.code, tt.scope); got != tt.within {
			t.Errorf("Within(%q, %q) = %v, want %v", tt.code, tt.scope, got, tt.within)
		}
	}
}

func TestRegionLevelDigits(t *testing.T) {
	want := map[codes.RegionLevel]int{codes.Province: 2, codes.City: 4, codes.County: 6, codes.Township: 9, codes.Village: 12, 0: 0}
	for level, digits := range want {
		if got := level.Digits(); got != digits {
			t.Errorf("%v.Digits() = %d, want %d", level, got, digits)
		}
	}
	if got := codes.RegionLevel(0).String(); got != "RegionLevel(0)" {
		t.Errorf("zero level String() = %q", got)
	}
}
