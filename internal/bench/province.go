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
	"github.com/jackc/pgx/v5"

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
	var regions, stations, orgs, people, contracts [][]any
	cityCode := province + "01"
	regions = append(regions, []any{province, "province", nil, "省" + province}, []any{cityCode, "city", province, "市" + cityCode})
	city := id("station", cityCode)
	stations = append(stations, []any{city, cityCode + "社工支持中心", string(codes.CityCentre), cityCode, nil, "awaiting_operator", int64(1), false})
	termEnd := termStart.AddDate(1, 0, -1)
	for i := 0; len(p.Stations) < n; i++ {
		county := fmt.Sprintf("%s%02d", cityCode, i+1)
		if i >= 99 {
			return nil, fmt.Errorf("a synthetic province holds at most %d stations", 99*stationsPerCounty)
		}
		regions = append(regions, []any{county, "county", cityCode, fmt.Sprintf("第%d区县", i+1)})
		org := id("organisation", county)
		code, err := codes.MakeCreditCode(fmt.Sprintf("52%sMJ%07d", county, 2000000+i))
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, []any{org, county + "社会工作服务中心", code})
		for k := range 3 {
			people = append(people, []any{id("person", fmt.Sprintf("%s/%d", county, k)), fmt.Sprintf("督导%s-%d", county, k), "supervisor", county})
		}
		add := func(level codes.StationLevel, region string, parent uuid.UUID) uuid.UUID {
			sid := id("station", region)
			stations = append(stations, []any{sid, region + "社工站", string(level), region, parent, "operating", int64(2), true})
			cid := id("contract", region)
			contracts = append(contracts, []any{cid, sid, org, termStart, termEnd, 300000.0, "{}", "active"})
			p.Stations = append(p.Stations, Station{ID: sid, OrganisationID: org, ContractID: cid, Level: string(level), RegionCode: region,
				TermStart: termStart, TermEnd: termEnd})
			return sid
		}
		countyStation := add(codes.CountyStation, county, city)
		var township uuid.UUID
		for t := 0; len(p.Stations) < n && t < stationsPerCounty-1; t++ {
			if t%20 == 0 {
				region := fmt.Sprintf("%s%03d", county, t/20+1)
				regions = append(regions, []any{region, "township", county, ""})
				township = add(codes.TownshipStation, region, countyStation)
				continue
			}
			region := fmt.Sprintf("%s%03d%03d", county, t/20+1, t%20)
			regions = append(regions, []any{region, "village", region[:9], ""})
			add(codes.CommunityRoom, region, township)
		}
	}
	err := st.InTx(ctx, func(tx pgx.Tx) error {
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"regions", []string{"code", "level", "parent_code", "name"}, regions},
			{"organisations", []string{"id", "name", "credit_code"}, orgs},
			{"people", []string{"id", "name", "role", "region_code"}, people},
			{"stations", []string{"id", "name", "level", "region_code", "parent_id", "phase", "phase_version", "workflow_started"}, stations},
			{"contracts", []string{"id", "station_id", "organisation_id", "term_start", "term_end", "funding_yuan", "targets", "state"}, contracts},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("writing %s: %w", c.table, err)
			}
		}
		_, err := tx.Exec(ctx, `UPDATE stations s SET operator_id = c.organisation_id FROM contracts c WHERE c.station_id = s.id`)
		return err
	})
	return p, err
}
