package usecase

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// The scope rules: an object outside the caller's scope is not found, the
// same answer as for an object that does not exist; a role that may never
// do an action is forbidden.

// AllowRoles refuses unless the caller's role is one of roles.
func AllowRoles(who Caller, roles ...auth.Role) error {
	if slices.Contains(roles, who.Role) {
		return nil
	}
	return forbidden("a " + string(who.Role) + " token may not do this")
}

// inOfficeScope refuses, naming the field, an office acting on a region
// outside its own.
func inOfficeScope(who Caller, field, regionCode string) error {
	if who.Role == auth.RoleOffice && !auth.InRegion(who.Scope, regionCode) {
		return forbidden("the region is outside this office's scope "+who.Scope,
			forms.FieldError{Field: field, Message: "must lie within region " + who.Scope})
	}
	return nil
}

// parseID reads an object's ID as the caller sent it; one that does not
// parse names no object.
func parseID(what, raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, NotFound(what)
	}
	return id, nil
}

// load reads an object and answers not found when it does not exist or
// the caller may not see it.
func load[T any](ctx context.Context, what string, id uuid.UUID, get func(context.Context, uuid.UUID) (T, error),
	visible func(context.Context, T) (bool, error)) (T, error) {
	var zero T
	v, err := get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return zero, NotFound(what)
	}
	if err != nil {
		return zero, err
	}
	ok, err := visible(ctx, v)
	if err != nil {
		return zero, err
	}
	if !ok {
		return zero, NotFound(what)
	}
	return v, nil
}

// loadID is load for an ID as the caller sent it.
func loadID[T any](ctx context.Context, what, rawID string, get func(context.Context, uuid.UUID) (T, error),
	visible func(context.Context, T) (bool, error)) (T, error) {
	id, err := parseID(what, rawID)
	if err != nil {
		var zero T
		return zero, err
	}
	return load(ctx, what, id, get, visible)
}

// Station is a station the caller may see:
//   - admin: every station;
//   - office: stations in its region;
//   - org: the stations it operates, and those open for tender;
//   - supervisor: the stations assigned to them.
func (c *Cases) Station(ctx context.Context, who Caller, id string) (store.Station, error) {
	return loadID(ctx, "station", id, c.Store.GetStation, func(ctx context.Context, st store.Station) (bool, error) {
		switch who.Role {
		case auth.RoleAdmin:
			return true, nil
		case auth.RoleOffice:
			return auth.InRegion(who.Scope, st.RegionCode), nil
		case auth.RoleOrg:
			return operates(who, st) || st.Phase == store.PhaseAwaitingOperator, nil
		case auth.RoleSupervisor:
			return c.Store.IsAssignedSupervisor(ctx, who.ScopeID(), st.ID)
		}
		return false, nil
	})
}

func operates(who Caller, st store.Station) bool {
	return st.OperatorID != nil && *st.OperatorID == who.ScopeID()
}

// EvidenceStation is a station whose evidence the caller may see: its
// region's office, its operating organisation, its assigned supervisors
// and admins. An organisation that merely may apply for it sees none.
func (c *Cases) EvidenceStation(ctx context.Context, who Caller, id string) (store.Station, error) {
	st, err := c.Station(ctx, who, id)
	if err != nil {
		return st, err
	}
	if who.Role == auth.RoleOrg && !operates(who, st) {
		return store.Station{}, NotFound("station")
	}
	return st, nil
}

// recordingStation is a station the caller may record evidence for: only
// its operating organisation (and admins, acting for it).
func (c *Cases) recordingStation(ctx context.Context, who Caller, id string) (store.Station, error) {
	st, err := c.EvidenceStation(ctx, who, id)
	if err != nil {
		return st, err
	}
	if err := AllowRoles(who, auth.RoleOrg, auth.RoleAdmin); err != nil {
		return st, err
	}
	if st.OperatorID == nil {
		return st, conflict("the station has no operating organisation to record evidence for")
	}
	return st, nil
}

// Task is a task the caller may see: the assignee, the office a task
// escalated to, offices above the station's region, and the organisation
// whose application a review is about; admins see all.
func (c *Cases) Task(ctx context.Context, who Caller, id string) (store.Task, error) {
	return loadID(ctx, "task", id, c.Store.GetTask, func(ctx context.Context, t store.Task) (bool, error) {
		return c.seesTask(ctx, who, t)
	})
}

func (c *Cases) seesTask(ctx context.Context, who Caller, t store.Task) (bool, error) {
	switch who.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleOffice:
		return codes.Within(t.RegionCode, who.Scope) || t.EscalatedTo == who.Scope ||
			(t.AssigneeKind == flow.AssignOffice && t.AssigneeID == who.Scope), nil
	case auth.RoleOrg:
		if t.AssigneeKind == flow.AssignOrg && t.AssigneeID == who.Scope {
			return true, nil
		}
		if t.SubjectID != nil {
			app, err := c.Store.GetApplication(ctx, *t.SubjectID)
			if errors.Is(err, store.ErrNotFound) {
				return false, nil
			}
			return err == nil && app.OrganisationID == who.ScopeID(), err
		}
	case auth.RoleSupervisor:
		return t.AssigneeKind == flow.AssignPerson && t.AssigneeID == who.Scope, nil
	}
	return false, nil
}

// Rectification is an item the caller may see: an office the items in its
// region, an organisation its own, a supervisor those they verify.
func (c *Cases) Rectification(ctx context.Context, who Caller, id string) (store.Rectification, error) {
	return loadID(ctx, "rectification", id, c.Store.GetRectification, func(_ context.Context, item store.Rectification) (bool, error) {
		switch who.Role {
		case auth.RoleAdmin:
			return true, nil
		case auth.RoleOffice:
			return auth.InRegion(who.Scope, item.RegionCode), nil
		case auth.RoleOrg:
			return item.OrganisationID != nil && *item.OrganisationID == who.ScopeID(), nil
		case auth.RoleSupervisor:
			return item.VerifierKind == flow.AssignPerson && item.VerifierID == who.Scope, nil
		}
		return false, nil
	})
}

// Scorecard is a card the caller may see.
func (c *Cases) Scorecard(ctx context.Context, who Caller, id string) (store.Scorecard, error) {
	return loadID(ctx, "scorecard", id, c.Store.GetScorecard, func(ctx context.Context, card store.Scorecard) (bool, error) {
		return c.seesScorecard(ctx, who, card)
	})
}

// seesScorecard: the station's region office, the organisation the card
// scores, the station's supervisors, and admins.
func (c *Cases) seesScorecard(ctx context.Context, who Caller, card store.Scorecard) (bool, error) {
	switch who.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleOffice:
		return auth.InRegion(who.Scope, card.RegionCode), nil
	case auth.RoleOrg:
		return card.OrganisationID != nil && *card.OrganisationID == who.ScopeID(), nil
	case auth.RoleSupervisor:
		return c.Store.IsAssignedSupervisor(ctx, who.ScopeID(), card.StationID)
	}
	return false, nil
}

// Cycle is a cycle an office whose region holds it (or an admin) may see;
// any other role is refused.
func (c *Cases) Cycle(ctx context.Context, who Caller, id string) (store.Cycle, error) {
	cycleID, err := parseID("cycle", id)
	if err != nil {
		return store.Cycle{}, err
	}
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return store.Cycle{}, err
	}
	return load(ctx, "cycle", cycleID, c.Store.GetCycle, func(_ context.Context, cy store.Cycle) (bool, error) {
		return who.Role != auth.RoleOffice || auth.InRegion(who.Scope, cy.RegionCode), nil
	})
}

// Application: the applying organisation and the offices in scope see an
// application; nobody else learns that it exists.
func (c *Cases) Application(ctx context.Context, who Caller, id string) (store.Application, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice, auth.RoleOrg); err != nil {
		return store.Application{}, err
	}
	return loadID(ctx, "application", id, c.Store.GetApplication, func(ctx context.Context, app store.Application) (bool, error) {
		switch who.Role {
		case auth.RoleAdmin:
			return true, nil
		case auth.RoleOrg:
			return app.OrganisationID == who.ScopeID(), nil
		case auth.RoleOffice:
			st, err := c.Store.GetStation(ctx, app.StationID)
			if err != nil {
				return false, err
			}
			return auth.InRegion(who.Scope, st.RegionCode), nil
		}
		return false, nil
	})
}

// visibleOrganisation parses an organisation's ID and answers not found
// unless the caller may see it: admins and offices see the register of
// operating organisations; an organisation sees itself; supervisors none.
// The record itself is read by the caller.
func visibleOrganisation(who Caller, raw string) (uuid.UUID, error) {
	id, err := parseID("organisation", raw)
	if err != nil {
		return id, err
	}
	switch who.Role {
	case auth.RoleAdmin, auth.RoleOffice:
		return id, nil
	case auth.RoleOrg:
		if who.ScopeID() == id {
			return id, nil
		}
	}
	return id, NotFound("organisation")
}
