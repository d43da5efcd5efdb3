package usecase

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store"
)

// Lists: what the caller asked for, narrowed to the caller's scope. A
// query holds only what a caller may choose; the scope is set here.

// TaskQuery asks for a page of the caller's inbox.
type TaskQuery struct {
	Kind, State string
	Overdue     bool
	Page        store.Page
}

// Inbox is the caller's tasks: an office sees the work addressed to it and
// the work escalated to it; an organisation and a supervisor see theirs.
func (c *Cases) Inbox(ctx context.Context, who Caller, in Input[TaskQuery]) (store.List[store.Task], error) {
	q, err := in()
	if err != nil {
		return store.List[store.Task]{}, err
	}
	f := store.TaskFilter{Kind: q.Kind, State: q.State, Overdue: q.Overdue}
	switch who.Role {
	case auth.RoleAdmin:
		f.All = true
	case auth.RoleOffice:
		// An office's inbox is its own work and what escalated to it; its
		// overdue view is every overdue task anywhere in its region.
		f.Office, f.OfficeOverdue = who.Scope, f.Overdue
	case auth.RoleOrg:
		f.Org = scopeID(who)
	case auth.RoleSupervisor:
		f.Person = scopeID(who)
	}
	return c.Store.ListTasks(ctx, f, q.Page)
}

func scopeID(who Caller) *uuid.UUID {
	id := who.ScopeID()
	return &id
}

// RectificationQuery asks for a page of rectification items; State
// "unverified" is every item not verified yet.
type RectificationQuery struct {
	State     string
	Overdue   bool
	StationID *uuid.UUID
	Page      store.Page
}

// Rectifications: an office sees the items in its region, an organisation
// its own, a supervisor those they verify.
func (c *Cases) Rectifications(ctx context.Context, who Caller, in Input[RectificationQuery]) (store.List[store.Rectification], error) {
	q, err := in()
	if err != nil {
		return store.List[store.Rectification]{}, err
	}
	f := store.RectificationFilter{State: q.State, Overdue: q.Overdue, StationID: q.StationID}
	if f.State == "unverified" {
		f.State, f.Open = "", true
	}
	switch who.Role {
	case auth.RoleAdmin:
		f.All = true
	case auth.RoleOffice:
		f.RegionPrefix = who.Scope
	case auth.RoleOrg:
		f.Org = scopeID(who)
	case auth.RoleSupervisor:
		f.Verifier = scopeID(who)
	}
	return c.Store.ListRectifications(ctx, f, q.Page)
}

// StationQuery asks for a page of stations by region prefix, level and
// phase.
type StationQuery struct {
	Region, Level, Phase string
	Page                 store.Page
}

// Stations lists the stations the caller may see that match: an office
// asking for a region outside its own sees none.
func (c *Cases) Stations(ctx context.Context, who Caller, in Input[StationQuery]) (store.List[store.Station], error) {
	q, err := in()
	if err != nil {
		return store.List[store.Station]{}, err
	}
	f := store.StationFilter{RegionPrefix: q.Region, Level: q.Level, Phase: q.Phase}
	switch who.Role {
	case auth.RoleOffice:
		switch {
		case f.RegionPrefix == "" || codes.Within(who.Scope, f.RegionPrefix):
			f.RegionPrefix = who.Scope
		case !codes.Within(f.RegionPrefix, who.Scope):
			return store.List[store.Station]{Items: []store.Station{}}, nil
		}
	case auth.RoleOrg:
		f.OperatorOrOpen = scopeID(who)
	case auth.RoleSupervisor:
		f.SupervisedBy = scopeID(who)
	}
	return c.Store.ListStations(ctx, f, q.Page)
}

// Organisations: admins and offices see the register; an organisation
// sees itself.
func (c *Cases) Organisations(ctx context.Context, who Caller, page Input[store.Page]) (store.List[store.Organisation], error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return store.List[store.Organisation]{}, err
	}
	p, err := page()
	if err != nil {
		return store.List[store.Organisation]{}, err
	}
	var f store.OrganisationFilter
	if who.Role == auth.RoleOrg {
		f.OnlyID = scopeID(who)
	}
	return c.Store.ListOrganisations(ctx, f, p)
}

// PersonQuery asks for a page of people, by role.
type PersonQuery struct {
	Role string
	Page store.Page
}

// People: admins see everyone, an office the people of its region, an
// organisation its own staff.
func (c *Cases) People(ctx context.Context, who Caller, in Input[PersonQuery]) (store.List[store.Person], error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return store.List[store.Person]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.Person]{}, err
	}
	f := store.PersonFilter{Role: q.Role}
	switch who.Role {
	case auth.RoleOffice:
		f.RegionPrefix = who.Scope
	case auth.RoleOrg:
		f.OrganisationID = scopeID(who)
	}
	return c.Store.ListPeople(ctx, f, q.Page)
}

// CycleQuery asks for a page of cycles, of a year when Year is set.
type CycleQuery struct {
	Year int
	Page store.Page
}

// Cycles: an office sees the cycles of its region, an admin all.
func (c *Cases) Cycles(ctx context.Context, who Caller, in Input[CycleQuery]) (store.List[store.Cycle], error) {
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return store.List[store.Cycle]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.Cycle]{}, err
	}
	f := store.CycleFilter{RegionPrefix: who.Scope, All: who.Role == auth.RoleAdmin, Year: q.Year}
	return c.Store.ListCycles(ctx, f, q.Page)
}

// StateQuery asks for a page of a list, of one state when State is set.
type StateQuery struct {
	State string
	Page  store.Page
}

// CycleStations lists the stations of a cycle the caller may see.
func (c *Cases) CycleStations(ctx context.Context, who Caller, id string, in Input[StateQuery]) (store.List[store.CycleStation], error) {
	cy, err := c.Cycle(ctx, who, id)
	if err != nil {
		return store.List[store.CycleStation]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.CycleStation]{}, err
	}
	return c.Store.ListCycleStations(ctx, cy.ID, q.State, nil, q.Page)
}

// PeriodQuery asks for a page of a list, of one period when Period is set.
type PeriodQuery struct {
	Period string
	Page   store.Page
}

// StationScorecards lists the cards of a station whose evidence the caller
// may see, keeping those the caller may see: an organisation sees the
// cards of its own term only, never those of the organisation that ran the
// station before.
func (c *Cases) StationScorecards(ctx context.Context, who Caller, stationID string, in Input[PeriodQuery]) (store.List[store.Scorecard], error) {
	st, err := c.EvidenceStation(ctx, who, stationID)
	if err != nil {
		return store.List[store.Scorecard]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.Scorecard]{}, err
	}
	list, err := c.Store.ListScorecards(ctx, store.ScorecardFilter{StationID: st.ID, Period: q.Period}, q.Page)
	if err != nil {
		return list, err
	}
	kept := list.Items[:0]
	for _, card := range list.Items {
		if ok, err := c.seesScorecard(ctx, who, card); err != nil {
			return list, err
		} else if ok {
			kept = append(kept, card)
		}
	}
	list.Items = kept
	return list, nil
}
