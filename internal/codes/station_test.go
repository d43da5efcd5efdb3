package codes_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestFourStationLevels(t *testing.T) {
	tests := []struct {
		level  codes.StationLevel
		region codes.RegionLevel
		parent codes.StationLevel
	}{
		{codes.CityCentre, codes.City, ""},
		{codes.CountyStation, codes.County, codes.CityCentre},
		{codes.TownshipStation, codes.Township, codes.CountyStation},
		{codes.CommunityRoom, codes.Village, codes.TownshipStation},
	}
	for _, tt := range tests {
		parsed, err := codes.ParseStationLevel(string(tt.level))
		if err != nil || parsed != tt.level {
			t.Errorf("ParseStationLevel(%s) = %q, %v", tt.level, parsed, err)
		}
		if got := tt.level.RegionLevel(); got != tt.region {
			t.Errorf("%s.RegionLevel() = %v, want %v", tt.level, got, tt.region)
		}
		parent, ok := tt.level.Parent()
		if parent != tt.parent || ok != (tt.parent != "") {
			t.Errorf("%s.Parent() = %q, %v; want %q", tt.level, parent, ok, tt.parent)
		}
	}
}

func TestUnknownStationLevel(t *testing.T) {
	for _, s := range []string{"", "City_Centre", "province_office", "township"} {
		_, err := codes.ParseStationLevel(s)
		if !errors.Is(err, codes.ErrUnknownStationLevel) {
			t.Errorf("ParseStationLevel(%q) = %v, want ErrUnknownStationLevel", s, err)
			continue
		}
		if !strings.Contains(err.Error(), "city_centre, county_station, township_station or community_room") {
			t.Errorf("message %q does not list the levels", err)
		}
	}
	if got := codes.StationLevel("hall").RegionLevel(); got != 0 {
		t.Errorf("unknown level's region level = %v, want none", got)
	}
	if _, ok := codes.StationLevel("hall").Parent(); ok {
		t.Error("an unknown level has no parent")
	}
}

func TestStationRegionMustMatchLevel(t *testing.T) {
	ok := []struct {
		level codes.StationLevel
		code  string
	}{
		{codes.CityCentre, "5101"},
		{codes.CountyStation, "510108"},
		{codes.TownshipStation, "510108001"},
		{codes.CommunityRoom, "510108001002"},
	}
	for _, tt := range ok {
		if err := codes.CheckStationRegion(tt.level, tt.code); err != nil {
			t.Errorf("CheckStationRegion(%s, %s): %v", tt.level, tt.code, err)
		}
	}
	bad := []struct {
		level   codes.StationLevel
		code    string
		kind    error
		message string
	}{
		{codes.TownshipStation, "510108", codes.ErrStationRegionLevel, "a township_station sits in a township and needs a 9-digit region code; 510108 is a 6-digit county code"},
		{codes.CityCentre, "51", codes.ErrStationRegionLevel, "needs a 4-digit region code"},
		{codes.CommunityRoom, "510108001", codes.ErrStationRegionLevel, "needs a 12-digit region code"},
		{codes.CountyStation, "510100", codes.ErrInvalidRegionCode, "510100 is not a county"},
		{"village_hall", "510108001002", codes.ErrUnknownStationLevel, `unknown station level "village_hall"`},
	}
	for _, tt := range bad {
		err := codes.CheckStationRegion(tt.level, tt.code)
		if !errors.Is(err, tt.kind) {
			t.Errorf("CheckStationRegion(%s, %s) = %v, want %v", tt.level, tt.code, err, tt.kind)
			continue
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("CheckStationRegion(%s, %s) = %q, want it to say %q", tt.level, tt.code, err, tt.message)
		}
	}
}

func TestParentStationSitsOneRegionUp(t *testing.T) {
	tests := []struct {
		level codes.StationLevel
		code  string
		want  string
	}{
		{codes.CommunityRoom, "510108001002", "510108001"},
		{codes.TownshipStation, "510108001", "510108"},
		{codes.CountyStation, "510108", "5101"},
	}
	for _, tt := range tests {
		got, ok := codes.ParentStationRegion(tt.level, tt.code)
		if !ok || got != tt.want {
			t.Errorf("ParentStationRegion(%s, %s) = %q, %v; want %s", tt.level, tt.code, got, ok, tt.want)
		}
	}
	for _, none := range []struct {
		level codes.StationLevel
		code  string
	}{
		{codes.CityCentre, "5101"},        // the top level has no parent
		{codes.TownshipStation, "510108"}, // the code does not fit the level
		{"hall", "510108001"},
	} {
		if got, ok := codes.ParentStationRegion(none.level, none.code); ok {
			t.Errorf("ParentStationRegion(%s, %s) = %q, want none", none.level, none.code, got)
		}
	}
}

func TestEscalationClimbsOfficesNearestFirst(t *testing.T) {
	tests := []struct {
		name string
		code string
		want []string
	}{
		{"township work starts at its county office", "510108001", []string{"510108", "5101", "51"}},
		{"village work also starts at the county", "510108001002", []string{"510108", "5101", "51"}},
		{"county work climbs to city and province", "510108", []string{"5101", "51"}},
		{"city work climbs to the province", "5101", []string{"51"}},
		{"province work has nowhere to go", "51", []string{}},
		{"not a region code", "5100", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes.EscalationPath(tt.code)
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("EscalationPath(%s) = %#v, want %#v", tt.code, got, tt.want)
			}
		})
	}
}

func TestOfficeOwningAStationsRegion(t *testing.T) {
	tests := []struct{ code, office string }{
		{"510108001002", "510108"},
		{"510108001", "510108"},
		{"510108", "510108"},
		{"5101", "5101"},
		{"51", "51"},
		{"5100", ""},
	}
	for _, tt := range tests {
		if got := codes.OfficeRegion(tt.code); got != tt.office {
			t.Errorf("OfficeRegion(%s) = %q, want %q", tt.code, got, tt.office)
		}
	}
}
