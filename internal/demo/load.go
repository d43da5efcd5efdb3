package demo

import (
	"context"
	"fmt"

	"github.com/stationflow/stationflow/internal/store"
)

// LoadResult counts what one load inserted; a second load inserts nothing.
type LoadResult struct {
	Regions, Organisations, People, Stations, Assignments int64
}

// Load writes the province into the database in one transaction, each
// record where it is missing, so a repeated load changes nothing. Each
// inserted object gets an audit row. The store refuses a province whose
// regions hold stations the demo did not create.
func Load(ctx context.Context, st *store.Store, p *Province, actor string, progress func(string)) (LoadResult, error) {
	var report func(string, int, int)
	if progress != nil {
		report = func(what string, added, of int) { progress(fmt.Sprintf("%s: %d new of %d", what, added, of)) }
	}
	c, err := st.SeedRecords(ctx, actor, p.seed(), report)
	return LoadResult(c), err
}

// seed lays the province out as the store's seed.
func (p *Province) seed() store.Seed {
	var s store.Seed
	for _, r := range p.Regions {
		s.Regions = append(s.Regions, store.SeedRegion{Code: r.Code, Level: r.Level, Parent: r.Parent, Name: r.Name})
	}
	for _, o := range p.Organisations {
		s.Organisations = append(s.Organisations, store.Organisation{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode})
	}
	for _, x := range p.People {
		s.People = append(s.People, store.Person{ID: x.ID, Name: x.Name, Role: x.Role, RegionCode: x.RegionCode,
			OrganisationID: x.OrganisationID, Qualification: x.Qualification})
	}
	for _, x := range p.Stations {
		s.Stations = append(s.Stations, store.SeedStation{Station: store.Station{ID: x.ID, Name: x.Name, Level: string(x.Level),
			RegionCode: x.RegionCode, ParentID: x.ParentID}})
	}
	for _, a := range p.Assignments {
		s.Assignments = append(s.Assignments, store.SupervisorAssignment{PersonID: a.PersonID, StationID: a.StationID})
	}
	return s
}
