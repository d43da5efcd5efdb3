package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// Seed is a batch of plain records written in one go: the demo province,
// or a bench's synthetic one. Parents come before children in each slice
// only where the caller wants; the store orders regions and stations so
// that every parent is written before its children.
type Seed struct {
	Regions       []SeedRegion
	Organisations []Organisation
	People        []Person
	Stations      []SeedStation
	Contracts     []Contract
	Assignments   []SupervisorAssignment
}

// SeedRegion is one region code with its level, parent ("" for a
// province) and name.
type SeedRegion struct {
	Code, Level, Parent, Name string
}

// SeedStation is a station as a seed writes it: with the projection
// version and workflow flag of its phase, which a bench that starts its
// stations operating sets itself.
type SeedStation struct {
	Station
	PhaseVersion    int64
	WorkflowStarted bool
}

// SupervisorAssignment links a supervisor to a station.
type SupervisorAssignment struct {
	PersonID, StationID uuid.UUID
}

// SeedCounts counts what a seed added; seeding the same records again adds
// nothing.
type SeedCounts struct {
	Regions, Organisations, People, Stations, Assignments int64
}

// SeedRecords writes the seed's regions, organisations, people, stations
// (in phase awaiting_operator, at the initial phase version) and
// supervisor assignments in one transaction, each where it is missing, so
// a repeated seed changes nothing. Every object added, regions aside
// (reference data, not events), gets an audit row. progress, when not nil,
// hears each kind's count of added rows against the seed's. A seed whose
// stations stand in regions that hold stations it did not create is
// refused: they would collide. Contracts are not seeded here.
func (s *Store) SeedRecords(ctx context.Context, actor string, seed Seed, progress func(what string, added, of int)) (SeedCounts, error) {
	var counts SeedCounts
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := checkSeedRegionsFree(ctx, q, seed.Stations); err != nil {
			return err
		}
		var audit []AuditEntry
		for _, step := range seedSteps(seed, &counts) {
			ids, err := step.insert(ctx, q)
			if err != nil {
				return fmt.Errorf("inserting %s: %w", step.name, err)
			}
			*step.count = int64(len(ids))
			if step.object != "" {
				for _, id := range ids {
					audit = append(audit, AuditEntry{Actor: actor, Action: step.object + ".created", ObjectType: step.object,
						ObjectID: id, Detail: json.RawMessage(`{"source":"demo seed"}`)})
				}
			}
			if progress != nil {
				progress(step.name, len(ids), step.of)
			}
		}
		return AppendAudit(ctx, tx, audit...)
	})
	return counts, err
}

// seedStep inserts one kind of record where missing and returns the IDs
// (as audit object IDs) of the rows it added.
type seedStep struct {
	name   string
	object string // audit object type; "" for none
	of     int
	count  *int64
	insert func(ctx context.Context, q *db.Queries) ([]string, error)
}

func seedSteps(seed Seed, counts *SeedCounts) []seedStep {
	return []seedStep{
		{"regions", "", len(seed.Regions), &counts.Regions, func(ctx context.Context, q *db.Queries) ([]string, error) {
			return insertSeedRegions(ctx, q, seed.Regions)
		}},
		{"organisations", "organisation", len(seed.Organisations), &counts.Organisations, func(ctx context.Context, q *db.Queries) ([]string, error) {
			return insertSeedOrganisations(ctx, q, seed.Organisations)
		}},
		{"people", "person", len(seed.People), &counts.People, func(ctx context.Context, q *db.Queries) ([]string, error) {
			return insertSeedPeople(ctx, q, seed.People)
		}},
		{"stations", "station", len(seed.Stations), &counts.Stations, func(ctx context.Context, q *db.Queries) ([]string, error) {
			return insertSeedStations(ctx, q, seed.Stations)
		}},
		{"supervisor assignments", "assignment", len(seed.Assignments), &counts.Assignments, func(ctx context.Context, q *db.Queries) ([]string, error) {
			return insertSeedAssignments(ctx, q, seed.Assignments)
		}},
	}
}

// checkSeedRegionsFree refuses a seed whose stations' regions already hold
// stations that are not the seed's own.
func checkSeedRegionsFree(ctx context.Context, q *db.Queries, stations []SeedStation) error {
	ids := make([]uuid.UUID, 0, len(stations))
	regions := make([]string, 0, len(stations))
	for _, st := range stations {
		ids = append(ids, st.ID)
		regions = append(regions, st.RegionCode)
	}
	c, err := q.SeedCollision(ctx, db.SeedCollisionParams{Regions: regions, Ids: ids})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("region %s already has a %s that the demo did not create; "+
		"load the demo into an empty database (or one only the demo has seeded)", c.RegionCode, c.Level)
}

func insertSeedRegions(ctx context.Context, q *db.Queries, regions []SeedRegion) ([]string, error) {
	var p db.SeedRegionsParams
	for _, r := range regions {
		p.Codes, p.Levels, p.Parents, p.Names = append(p.Codes, r.Code), append(p.Levels, r.Level), append(p.Parents, r.Parent), append(p.Names, r.Name)
	}
	return q.SeedRegions(ctx, p)
}

func insertSeedOrganisations(ctx context.Context, q *db.Queries, orgs []Organisation) ([]string, error) {
	var p db.SeedOrganisationsParams
	for _, o := range orgs {
		p.Ids, p.Names, p.CreditCodes = append(p.Ids, o.ID), append(p.Names, o.Name), append(p.CreditCodes, o.CreditCode)
	}
	return idStrings(q.SeedOrganisations(ctx, p))
}

func insertSeedPeople(ctx context.Context, q *db.Queries, people []Person) ([]string, error) {
	var p db.SeedPeopleParams
	for _, x := range people {
		org := uuid.Nil
		if x.OrganisationID != nil {
			org = *x.OrganisationID
		}
		qualification := x.Qualification
		if qualification == "" {
			qualification = "none"
		}
		p.Ids, p.OrganisationIds = append(p.Ids, x.ID), append(p.OrganisationIds, org)
		p.Names, p.Roles, p.RegionCodes = append(p.Names, x.Name), append(p.Roles, x.Role), append(p.RegionCodes, x.RegionCode)
		p.Qualifications = append(p.Qualifications, qualification)
	}
	return idStrings(q.SeedPeople(ctx, p))
}

func insertSeedStations(ctx context.Context, q *db.Queries, stations []SeedStation) ([]string, error) {
	p := db.SeedStationsParams{PhaseVersion: InitialPhaseVersion}
	for _, st := range stations {
		parent := uuid.Nil
		if st.ParentID != nil {
			parent = *st.ParentID
		}
		p.Ids, p.ParentIds = append(p.Ids, st.ID), append(p.ParentIds, parent)
		p.Names, p.Levels, p.RegionCodes = append(p.Names, st.Name), append(p.Levels, st.Level), append(p.RegionCodes, st.RegionCode)
	}
	return idStrings(q.SeedStations(ctx, p))
}

func insertSeedAssignments(ctx context.Context, q *db.Queries, assignments []SupervisorAssignment) ([]string, error) {
	var p db.SeedAssignmentsParams
	for _, a := range assignments {
		p.PersonIds, p.StationIds = append(p.PersonIds, a.PersonID), append(p.StationIds, a.StationID)
	}
	return idStrings(q.SeedAssignments(ctx, p))
}

// idStrings turns the IDs a seed step added into audit object IDs.
func idStrings(ids []uuid.UUID, err error) ([]string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, err
}

// BulkLoad copies a synthetic seed straight into its tables in one
// transaction, without audit rows, and makes each station's operator the
// organisation of its contract. It is for benches that write tens of
// thousands of stations into an empty region: a row that exists already
// fails the load, except a region, which the divisions data may hold.
func (s *Store) BulkLoad(ctx context.Context, seed Seed) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		for _, step := range bulkSteps(seed) {
			if _, err := step.copy(ctx, q); err != nil {
				return fmt.Errorf("writing %s: %w", step.table, err)
			}
		}
		return q.OperatorsFromContracts(ctx)
	})
}

type bulkStep struct {
	table string
	copy  func(context.Context, *db.Queries) (int64, error)
}

// bulkSteps lays the seed out as rows to copy, parents before children.
func bulkSteps(seed Seed) []bulkStep {
	return []bulkStep{
		// Regions go in as the seed does, skipping codes the divisions
		// data already holds: COPY cannot pass over a row that exists.
		{"regions", func(ctx context.Context, q *db.Queries) (int64, error) {
			codes, err := insertSeedRegions(ctx, q, seed.Regions)
			return int64(len(codes)), err
		}},
		{"organisations", func(ctx context.Context, q *db.Queries) (int64, error) {
			return q.BulkOrganisations(ctx, mapRows(seed.Organisations, func(o Organisation) db.BulkOrganisationsParams {
				return db.BulkOrganisationsParams{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode}
			}))
		}},
		{"people", func(ctx context.Context, q *db.Queries) (int64, error) {
			return q.BulkPeople(ctx, mapRows(seed.People, func(p Person) db.BulkPeopleParams {
				return db.BulkPeopleParams{ID: p.ID, Name: p.Name, Role: p.Role, RegionCode: p.RegionCode}
			}))
		}},
		{"stations", func(ctx context.Context, q *db.Queries) (int64, error) {
			return q.BulkStations(ctx, mapRows(seed.Stations, func(st SeedStation) db.BulkStationsParams {
				return db.BulkStationsParams{ID: st.ID, Name: st.Name, Level: st.Level, RegionCode: st.RegionCode, ParentID: st.ParentID,
					Phase: st.Phase, PhaseVersion: st.PhaseVersion, WorkflowStarted: st.WorkflowStarted}
			}))
		}},
		{"contracts", func(ctx context.Context, q *db.Queries) (int64, error) {
			return q.BulkContracts(ctx, mapRows(seed.Contracts, func(c Contract) db.BulkContractsParams {
				targets := c.Targets
				if len(targets) == 0 {
					targets = json.RawMessage(`{}`)
				}
				return db.BulkContractsParams{ID: c.ID, StationID: c.StationID, OrganisationID: c.OrganisationID, TermStart: c.TermStart,
					TermEnd: c.TermEnd, FundingYuan: c.FundingYuan, Targets: targets, State: c.State}
			}))
		}},
	}
}
