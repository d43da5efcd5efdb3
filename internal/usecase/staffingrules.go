package usecase

import (
	"context"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Staffing rules: how many qualified social workers a station of each
// level needs, by default (forms.DefaultStaffingRules) or as a province,
// city or county sets it. The most specific rule on a station's region
// chain holds, for an application's staffing plan and for its roster.

// StaffingRules is what holds in a region, one rule per station level.
type StaffingRules struct {
	Region string               `json:"region"`
	Rules  []store.StaffingRule `json:"rules"`
}

// SetStaffingRule is a rule as an admin or a province office sets it for
// the stations of one level under a region.
type SetStaffingRule struct {
	Level           string `json:"level" validate:"required,stationlevel"`
	MinFullTime     *int   `json:"min_full_time" validate:"required,gte=0,lte=50"`
	MinWithPartTime *int   `json:"min_with_part_time" validate:"required,gte=0,lte=50"`
}

// staffingRegion reads a region prefix that may hold a rule (province,
// city or county): anything else names no region.
func staffingRegion(raw string) (string, error) {
	level, err := codes.ParseRegion(raw)
	if err != nil || level > codes.County {
		return "", NotFound("region")
	}
	return raw, nil
}

// onChain: an office sees the rules of its region's chain (above it) and
// below it.
func onChain(who Caller, region string) bool {
	return codes.Within(region, who.Scope) || codes.Within(who.Scope, region)
}

// ReadStaffingRules answers the rules that hold in a region to an admin or
// an office whose region lies on the region's chain.
func (c *Cases) ReadStaffingRules(ctx context.Context, who Caller, rawRegion string) (StaffingRules, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return StaffingRules{}, err
	}
	region, err := staffingRegion(rawRegion)
	if err != nil {
		return StaffingRules{}, err
	}
	if who.Role == auth.RoleOffice && !onChain(who, region) {
		return StaffingRules{}, NotFound("region")
	}
	rules, err := c.Store.StaffingRules(ctx, region)
	return StaffingRules{Region: region, Rules: rules}, err
}

// PutStaffingRule sets the rule for one station level under a region: an
// admin anywhere, a province office within its province. Other offices on
// the chain may read but not set (403); off the chain, 404.
func (c *Cases) PutStaffingRule(ctx context.Context, who Caller, rawRegion string, in Input[SetStaffingRule]) (StaffingRules, error) {
	if err := AllowRoles(who, auth.RoleAdmin, auth.RoleOffice); err != nil {
		return StaffingRules{}, err
	}
	region, err := staffingRegion(rawRegion)
	if err != nil {
		return StaffingRules{}, err
	}
	if who.Role == auth.RoleOffice {
		if !onChain(who, region) {
			return StaffingRules{}, NotFound("region")
		}
		if len(who.Scope) != 2 || !auth.InRegion(who.Scope, region) {
			return StaffingRules{}, forbidden("only a province office (or an admin) sets staffing rules, within its province")
		}
	}
	form, err := in()
	if err != nil {
		return StaffingRules{}, err
	}
	if err := invalidIf(forms.Check(form)); err != nil {
		return StaffingRules{}, err
	}
	if err := c.Store.SetStaffingRule(ctx, who.Actor(), region, form.Level,
		forms.StaffingRule{MinFullTime: *form.MinFullTime, MinWithPartTime: *form.MinWithPartTime}); err != nil {
		return StaffingRules{}, err
	}
	rules, err := c.Store.StaffingRules(ctx, region)
	return StaffingRules{Region: region, Rules: rules}, err
}
