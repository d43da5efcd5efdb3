package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

// allowRoles answers 403 unless the caller's role is one of roles.
func allowRoles(r *http.Request, roles ...auth.Role) error {
	p := principal(r)
	if slices.Contains(roles, p.Role) {
		return nil
	}
	return problem(http.StatusForbidden, ProblemForbidden, "a "+string(p.Role)+" token may not do this")
}

// notFound is what a caller gets for an object outside its scope: the same
// answer as for an object that does not exist, so scope leaks nothing.
func notFound(what string) error {
	return problem(http.StatusNotFound, ProblemNotFound, "no such "+what)
}

// canSeeStation decides whether the caller may see a station:
//   - admin: every station;
//   - office: stations in its region;
//   - org: the stations it operates, and those open for tender;
//   - supervisor: the stations assigned to them.
func (s *Server) canSeeStation(ctx context.Context, p auth.Principal, st store.Station) (bool, error) {
	switch p.Role {
	case auth.RoleAdmin:
		return true, nil
	case auth.RoleOffice:
		return auth.InRegion(p.Scope, st.RegionCode), nil
	case auth.RoleOrg:
		return (st.OperatorID != nil && *st.OperatorID == p.ScopeID()) || st.Phase == store.PhaseAwaitingOperator, nil
	case auth.RoleSupervisor:
		return s.Store.IsAssignedSupervisor(ctx, p.ScopeID(), st.ID)
	}
	return false, nil
}

// canSeeOrganisation: admins and offices see the register of operating
// organisations; an organisation sees itself; supervisors see none.
func canSeeOrganisation(p auth.Principal, id uuid.UUID) bool {
	switch p.Role {
	case auth.RoleAdmin, auth.RoleOffice:
		return true
	case auth.RoleOrg:
		return p.ScopeID() == id
	}
	return false
}

// inOfficeScope answers 403 naming the field when an office acts on a region
// outside its own.
func inOfficeScope(p auth.Principal, field, regionCode string) error {
	if p.Role == auth.RoleOffice && !auth.InRegion(p.Scope, regionCode) {
		return problem(http.StatusForbidden, ProblemForbidden, "the region is outside this office's scope "+p.Scope,
			FieldError{Field: field, Message: "must lie within region " + p.Scope})
	}
	return nil
}

// pathID parses the {id} path variable; a malformed ID is simply not found.
func pathID(r *http.Request, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(muxVar(r, "id"))
	if err != nil {
		return uuid.Nil, notFound(what)
	}
	return id, nil
}
