// Package demo builds and loads a deterministic Sichuan-shaped demo
// province: the report's 5 city support centres, 96 county general
// stations, 843 township stations and 3,507 community rooms (4,451 in all),
// operating organisations with valid credit codes, supervisors and office
// staff. Cities, counties and townships are Sichuan's real ones with their
// real names, from the embedded administrative divisions (internal/regions):
// the 5 city centres stand in 成都, 自贡, 攀枝花, 泸州 and 德阳, and the 96
// counties are Sichuan's first in code order, so counties in cities beyond
// those 5 have no city centre above them, as in Sichuan. Villages are not in
// that data set: the community rooms' codes and names are made up. Every ID
// is derived from a stable key, so loading twice adds nothing.
package demo

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
)

// The report's counts (Sichuan Daily, 2022).
const (
	Cities      = 5
	Counties    = 96
	Townships   = 843
	Communities = 3507
	Stations    = Cities + Counties + Townships + Communities
)

// Province is the demo data, ready to load.
type Province struct {
	Code          string
	Regions       []Region
	Stations      []Station
	Organisations []Organisation
	People        []Person
	Assignments   []Assignment
}

// Region is one region code with its level and name.
type Region struct {
	Code, Level, Parent, Name string
}

// Station is one demo station.
type Station struct {
	ID         uuid.UUID
	Name       string
	Level      codes.StationLevel
	RegionCode string
	ParentID   *uuid.UUID
}

// Organisation is one demo operating organisation.
type Organisation struct {
	ID         uuid.UUID
	Name       string
	CreditCode string
}

// Person is one demo supervisor or office worker.
type Person struct {
	ID             uuid.UUID
	Name           string
	Role           string
	RegionCode     string
	OrganisationID *uuid.UUID
	Qualification  string
}

// Assignment links a supervisor to a station.
type Assignment struct {
	PersonID, StationID uuid.UUID
}

// idSpace makes the demo's IDs stable across runs.
var idSpace = uuid.MustParse("6a0c3b0e-3f51-4f5e-9a44-5c2d1b7e0a51")

// ID derives the stable ID of a demo object from its kind and key.
func ID(kind, key string) uuid.UUID { return uuid.NewSHA1(idSpace, []byte(kind+"/"+key)) }

// centreCities are the cities with a city support centre.
var centreCities = []string{"5101", "5103", "5104", "5105", "5106"}

// share splits total into n parts that differ by at most one, larger first.
func share(total, n, i int) int {
	q, r := total/n, total%n
	if i < r {
		return q + 1
	}
	return q
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
var givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"}

// fakeName is a made-up name: demo people are not real people.
func fakeName(i int) string {
	return string(surnames[i%len(surnames)]) + givenNames[(i/len(surnames))%len(givenNames)]
}

// Build generates the province. It is pure and always returns the same data.
func Build() (*Province, error) {
	p, err := BuildCounties(Counties)
	if err != nil {
		return nil, err
	}
	if len(p.Stations) != Stations {
		return nil, fmt.Errorf("demo province has %d stations, want %d", len(p.Stations), Stations)
	}
	return p, nil
}

// BuildCounties generates the province's first n counties (1 to Counties)
// with their townships and community rooms, and the 5 city centres: a
// smaller province for a small machine. It is a prefix of Build's province,
// with the same IDs, so loading the whole province afterwards adds only the
// rest.
func BuildCounties(n int) (*Province, error) {
	if n < 1 || n > Counties {
		return nil, fmt.Errorf("--counties must be from 1 to %d, got %d", Counties, n)
	}
	sichuan, err := sichuanRegions()
	if err != nil {
		return nil, err
	}
	p := &Province{Code: "51"}
	b := builder{p: p, sichuan: sichuan, centres: map[string]uuid.UUID{}}
	p.Regions = append(p.Regions, sichuan.region("51"))
	for _, city := range sichuan.children["51"] {
		p.Regions = append(p.Regions, sichuan.region(city))
	}
	for _, city := range centreCities {
		id := ID("station", city)
		b.centres[city] = id
		p.Stations = append(p.Stations, Station{ID: id, Name: sichuan.names[city] + "社工支持中心",
			Level: codes.CityCentre, RegionCode: city})
	}
	counties := sichuan.counties()[:Counties]
	b.quota = sichuan.townshipQuota(counties)
	for ci, county := range counties[:n] {
		if err := b.county(ci, county); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// builder lays out the province county by county.
type builder struct {
	p       *Province
	sichuan *divisions
	centres map[string]uuid.UUID
	// quota is how many township stations each county has.
	quota                  map[string]int
	townshipIdx, personIdx int
}

// county adds a county's general station, operating organisation, people
// and its townships' stations and community rooms.
func (b *builder) county(countyIdx int, county string) error {
	p, name := b.p, b.sichuan.names[county]
	p.Regions = append(p.Regions, b.sichuan.region(county))
	countyStation := ID("station", county)
	var parent *uuid.UUID
	if centre, ok := b.centres[county[:4]]; ok {
		parent = &centre
	}
	p.Stations = append(p.Stations, Station{ID: countyStation, Name: name + "社工总站",
		Level: codes.CountyStation, RegionCode: county, ParentID: parent})

	// Each county has an operating organisation registered there and a
	// supervisor employed by a different one (the conflict rule).
	org, err := organisation(county, countyIdx)
	if err != nil {
		return err
	}
	p.Organisations = append(p.Organisations, org)
	supervisor := Person{ID: ID("person", "supervisor/"+county), Name: fakeName(b.personIdx), Role: "supervisor",
		RegionCode: county, Qualification: []string{"intermediate", "senior"}[countyIdx%2]}
	office := Person{ID: ID("person", "office/"+county), Name: fakeName(b.personIdx + 1), Role: "office_staff",
		RegionCode: county, Qualification: "none"}
	b.personIdx += 2
	p.People = append(p.People, supervisor, office)

	for _, township := range b.sichuan.children[county][:b.quota[county]] {
		b.township(township, countyStation, supervisor.ID)
	}
	return nil
}

// township adds a township's station and its community rooms.
func (b *builder) township(township string, countyStation, supervisor uuid.UUID) {
	p, name := b.p, b.sichuan.names[township]
	p.Regions = append(p.Regions, b.sichuan.region(township))
	townshipStation := ID("station", township)
	p.Stations = append(p.Stations, Station{ID: townshipStation, Name: name + "社工服务站",
		Level: codes.TownshipStation, RegionCode: township, ParentID: &countyStation})
	p.Assignments = append(p.Assignments, Assignment{PersonID: supervisor, StationID: townshipStation})
	for v := range share(Communities, Townships, b.townshipIdx) {
		village := fmt.Sprintf("%s%03d", township, v+1)
		villageName := fmt.Sprintf("%s第%d社区", name, v+1)
		p.Regions = append(p.Regions, Region{Code: village, Level: "village", Parent: township, Name: villageName})
		room := ID("station", village)
		p.Stations = append(p.Stations, Station{ID: room, Name: villageName + "社工服务室",
			Level: codes.CommunityRoom, RegionCode: village, ParentID: &townshipStation})
		p.Assignments = append(p.Assignments, Assignment{PersonID: supervisor, StationID: room})
	}
	b.townshipIdx++
}

// organisation makes the county's operating organisation: a social service
// organisation registered with civil affairs (credit code "52…").
func organisation(county string, i int) (Organisation, error) {
	code, err := codes.MakeCreditCode(fmt.Sprintf("52%sMJ%07d", county, 1000000+i*37))
	if err != nil {
		return Organisation{}, err
	}
	return Organisation{ID: ID("organisation", county), Name: fmt.Sprintf("%s阳光社会工作服务中心", county), CreditCode: code}, nil
}
