package codes

import (
	"errors"
	"fmt"
)

// StationLevel is one of the four levels of social-work stations (社工站),
// from the city's support centre down to the room in a village or urban
// community. Each level sits in a region of one level.
type StationLevel string

const (
	// CityCentre is a city's social-work support centre (市级社工支持中心),
	// in a city region (4 digits).
	CityCentre StationLevel = "city_centre"
	// CountyStation is a county's general social-work station (县级社工总站),
	// in a county region (6 digits).
	CountyStation StationLevel = "county_station"
	// TownshipStation is a town's or street's social-work service station
	// (镇街社工服务站), in a township region (9 digits).
	TownshipStation StationLevel = "township_station"
	// CommunityRoom is a village's or community's social-work service room
	// (村(社区)社工服务室), in a village region (12 digits).
	CommunityRoom StationLevel = "community_room"
)

// stationLevels lists the levels from the top down.
var stationLevels = []StationLevel{CityCentre, CountyStation, TownshipStation, CommunityRoom}

var stationRegionLevels = map[StationLevel]RegionLevel{
	CityCentre:      City,
	CountyStation:   County,
	TownshipStation: Township,
	CommunityRoom:   Village,
}

// Station level problems.
var (
	// ErrUnknownStationLevel: the string is none of the four levels.
	ErrUnknownStationLevel = errors.New("unknown station level")
	// ErrStationRegionLevel: the region code is of another level than the
	// station's.
	ErrStationRegionLevel = errors.New("region code is not at the station's level")
)

// ParseStationLevel accepts exactly one of "city_centre", "county_station",
// "township_station" and "community_room". The error wraps
// ErrUnknownStationLevel.
func ParseStationLevel(s string) (StationLevel, error) {
	l := StationLevel(s)
	if _, ok := stationRegionLevels[l]; !ok {
		return "", fmt.Errorf("%w %q: must be one of city_centre, county_station, township_station or community_room", ErrUnknownStationLevel, s)
	}
	return l, nil
}

// RegionLevel is the level of region a station of this level sits in; 0 for
// an unknown station level.
func (l StationLevel) RegionLevel() RegionLevel { return stationRegionLevels[l] }

// Parent is the level of the station a station of this level reports to. A
// city centre, and an unknown level, has none.
func (l StationLevel) Parent() (StationLevel, bool) {
	for i, s := range stationLevels {
		if s == l && i > 0 {
			return stationLevels[i-1], true
		}
	}
	return "", false
}

// CheckStationRegion checks that regionCode is a region code of the level a
// station of this level sits in: a township_station needs a 9-digit township
// code. The error wraps ErrUnknownStationLevel, ErrInvalidRegionCode or
// ErrStationRegionLevel and says which length is required.
func CheckStationRegion(level StationLevel, regionCode string) error {
	want, ok := stationRegionLevels[level]
	if !ok {
		_, err := ParseStationLevel(string(level))
		return err
	}
	got, err := ParseRegion(regionCode)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: a %s sits in a %s and needs a %d-digit region code; %s is a %d-digit %s code",
			ErrStationRegionLevel, level, want, want.Digits(), regionCode, got.Digits(), got)
	}
	return nil
}

// ParentStationRegion returns the region code where the parent of a station
// of this level in this region sits: the township station of community room
// 510108001002 is at 510108001, the county station of township station
// 510108001 at 510108, the city centre of county station 510108 at 5101. A
// city centre has no parent, and neither has a station whose region code
// does not fit its level.
func ParentStationRegion(level StationLevel, regionCode string) (string, bool) {
	if _, ok := level.Parent(); !ok || CheckStationRegion(level, regionCode) != nil {
		return "", false
	}
	return Parent(regionCode)
}
