package usecase

import (
	"context"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

// OverdueSummary counts the overdue work in a region by kind and by
// station level. Its fields are in the order of their names, as an
// answer lists them.
type OverdueSummary struct {
	ByKind     map[string]int64     `json:"by_kind"`
	ByLevel    map[string]int64     `json:"by_level"`
	Groups     []store.OverdueGroup `json:"groups"`
	RegionCode string               `json:"region_code"`
	Total      int64                `json:"total"`
}

// Overdue is an office's view of every overdue piece of work in its region
// (or in region, a part of it); an admin's of region, everywhere when
// empty.
func (c *Cases) Overdue(ctx context.Context, who Caller, region string) (OverdueSummary, error) {
	if err := AllowRoles(who, auth.RoleOffice, auth.RoleAdmin); err != nil {
		return OverdueSummary{}, err
	}
	if who.Role != auth.RoleAdmin {
		if region == "" {
			region = who.Scope
		} else if err := inOfficeScope(who, "region_code", region); err != nil {
			return OverdueSummary{}, err
		}
	}
	groups, err := c.Store.OverdueSummary(ctx, region)
	if err != nil {
		return OverdueSummary{}, err
	}
	out := OverdueSummary{ByKind: map[string]int64{}, ByLevel: map[string]int64{}, Groups: groups, RegionCode: region}
	if out.Groups == nil {
		out.Groups = []store.OverdueGroup{}
	}
	for _, g := range groups {
		out.ByKind[g.Kind] += g.Count
		out.ByLevel[g.StationLevel] += g.Count
		out.Total += g.Count
	}
	return out, nil
}
