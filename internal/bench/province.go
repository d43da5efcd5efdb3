// Package bench measures an annual evaluation cycle at provincial and
// national scale on a real (embedded) Temporal server and PostgreSQL: it
// writes a synthetic province of operating stations, runs a cycle over it
// against a bare SignalWithStart baseline on the same server, drives every
// station's evaluation to its end, and simulates one station over ten
// years to measure the largest workflow history.
package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// stationsPerCounty is how many stations one synthetic county holds: its
// county station, townships and community rooms.
const stationsPerCounty = 500

// Station is one synthetic operating station.
type Station struct {
	ID, OrganisationID, ContractID uuid.UUID
	Level, RegionCode              string
	TermStart, TermEnd             time.Time
}

// Input is the station's lifecycle input as an operating station under its
// contract, with the term's quarters counted from anchor.
func (s Station) Input(anchor time.Time) flow.StationInput {
	return flow.StationInput{StationID: s.ID, Level: s.Level, RegionCode: s.RegionCode,
		State: flow.StationState{Phase: flow.PhaseOperating, OperatorID: s.OrganisationID, ContractID: s.ContractID,
			Version: 2, Term: &flow.Term{Start: s.TermStart, End: s.TermEnd, Anchor: anchor}}}
}

// Province is a synthetic province of operating stations, written straight
// to the database: counties of stationsPerCounty stations in the first city
// of the province, each county with its operating organisation (one contract
// per station, this year) and three supervisors.
type Province struct {
	Stations []Station
}

var idSpace = uuid.MustParse("b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d")

func id(kind string, key any) uuid.UUID {
	return uuid.NewSHA1(idSpace, fmt.Appendf(nil, "%s/%v", kind, key))
}

// WriteProvince writes n operating stations of a province (its two-digit
// code), their regions, organisations, contracts and supervisors, with
// COPY, and returns them.
func WriteProvince(ctx context.Context, st *store.Store, province string, n int, termStart time.Time) (*Province, error) {
	p := &Province{}
	var seed store.Seed
	cityCode := province + "01"
	seed.Regions = append(seed.Regions, store.SeedRegion{Code: province, Level: "province", Name: "省" + province},
		store.SeedRegion{Code: cityCode, Level: "city", Parent: province, Name: "市" + cityCode})
	city := id("station", cityCode)
	seed.Stations = append(seed.Stations, store.SeedStation{Station: store.Station{ID: city, Name: cityCode + "社工支持中心",
		Level: string(codes.CityCentre), RegionCode: cityCode, Phase: store.PhaseAwaitingOperator}, PhaseVersion: 1})
	termEnd := termStart.AddDate(1, 0, -1)
	for i := 0; len(p.Stations) < n; i++ {
		if i >= 99 {
			return nil, fmt.Errorf("a synthetic province holds at most %d stations", 99*stationsPerCounty)
		}
		if err := p.addCounty(&seed, cityCode, city, i, n, termStart, termEnd); err != nil {
			return nil, err
		}
	}
	return p, st.BulkLoad(ctx, seed)
}

// addCounty adds the i-th county of the city: its organisation, three
// supervisors, its county station and townships and community rooms under
// it, until the province holds n stations.
func (p *Province) addCounty(seed *store.Seed, cityCode string, city uuid.UUID, i, n int, termStart, termEnd time.Time) error {
	county := fmt.Sprintf("%s%02d", cityCode, i+1)
	seed.Regions = append(seed.Regions, store.SeedRegion{Code: county, Level: "county", Parent: cityCode, Name: fmt.Sprintf("第%d区县", i+1)})
	org := id("organisation", county)
	code, err := codes.MakeCreditCode(fmt.Sprintf("52%sMJ%07d", county, 2000000+i))
	if err != nil {
		return err
	}
	seed.Organisations = append(seed.Organisations, store.Organisation{ID: org, Name: county + "社会工作服务中心", CreditCode: code})
	for k := range 3 {
		seed.People = append(seed.People, store.Person{ID: id("person", fmt.Sprintf("%s/%d", county, k)),
			Name: fmt.Sprintf("督导%s-%d", county, k), Role: store.PersonSupervisor, RegionCode: county})
	}
	add := func(level codes.StationLevel, region string, parent uuid.UUID) uuid.UUID {
		sid := id("station", region)
		seed.Stations = append(seed.Stations, store.SeedStation{Station: store.Station{ID: sid, Name: region + "社工站",
			Level: string(level), RegionCode: region, ParentID: &parent, Phase: store.PhaseOperating}, PhaseVersion: 2, WorkflowStarted: true})
		cid := id("contract", region)
		seed.Contracts = append(seed.Contracts, store.Contract{ID: cid, StationID: sid, OrganisationID: org, TermStart: termStart,
			TermEnd: termEnd, FundingYuan: 300000, State: "active"})
		p.Stations = append(p.Stations, Station{ID: sid, OrganisationID: org, ContractID: cid, Level: string(level), RegionCode: region,
			TermStart: termStart, TermEnd: termEnd})
		return sid
	}
	countyStation := add(codes.CountyStation, county, city)
	var township uuid.UUID
	for t := 0; len(p.Stations) < n && t < stationsPerCounty-1; t++ {
		if t%20 == 0 {
			region := fmt.Sprintf("%s%03d", county, t/20+1)
			seed.Regions = append(seed.Regions, store.SeedRegion{Code: region, Level: "township", Parent: county})
			township = add(codes.TownshipStation, region, countyStation)
			continue
		}
		region := fmt.Sprintf("%s%03d%03d", county, t/20+1, t%20)
		seed.Regions = append(seed.Regions, store.SeedRegion{Code: region, Level: "village", Parent: region[:9]})
		add(codes.CommunityRoom, region, township)
	}
	return nil
}
