package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store/db"
)

// StaffingRule is the staffing rule that holds for one station level in a
// region, and where it comes from: the region prefix that set it, or ""
// for the built-in default (forms.DefaultStaffingRules).
type StaffingRule struct {
	forms.StaffingRule
	Level        string     `json:"level"`
	RegionPrefix string     `json:"set_by_region"`
	Text         string     `json:"text"` // the rule in words, Chinese first, English second
	UpdatedAt    *time.Time `json:"updated_at"`
}

// regionChain is a region code's prefixes that may hold a rule: province,
// city and county.
func regionChain(region string) []string {
	var out []string
	for _, n := range []int{2, 4, 6} {
		if len(region) >= n {
			out = append(out, region[:n])
		}
	}
	return out
}

// StaffingRules are the rules that hold in the region, one per station
// level: for each, the one set by the longest prefix of the region, or the
// default.
func (s *Store) StaffingRules(ctx context.Context, region string) ([]StaffingRule, error) {
	rows, err := s.q.StaffingRulesOnChain(ctx, regionChain(region))
	if err != nil {
		return nil, err
	}
	levels := []codes.StationLevel{codes.CityCentre, codes.CountyStation, codes.TownshipStation, codes.CommunityRoom}
	out := make([]StaffingRule, len(levels))
	for i, l := range levels {
		out[i] = StaffingRule{StaffingRule: forms.DefaultStaffingRules[l], Level: string(l)}
		for _, r := range rows {
			if r.Level == string(l) && len(r.RegionPrefix) > len(out[i].RegionPrefix) {
				at := r.UpdatedAt
				out[i] = StaffingRule{StaffingRule: forms.StaffingRule{MinFullTime: r.MinFullTime, MinWithPartTime: r.MinWithPartTime},
					Level: string(l), RegionPrefix: r.RegionPrefix, UpdatedAt: &at}
			}
		}
		out[i].Text = out[i].StaffingRule.String()
	}
	return out, nil
}

// StaffingRuleFor is the rule that holds for a station of the level in the
// region.
func (s *Store) StaffingRuleFor(ctx context.Context, region, level string) (StaffingRule, error) {
	rules, err := s.StaffingRules(ctx, region)
	if err != nil {
		return StaffingRule{}, err
	}
	for _, r := range rules {
		if r.Level == level {
			return r, nil
		}
	}
	return StaffingRule{StaffingRule: forms.DefaultStaffingRules[codes.StationLevel(level)], Level: level}, nil
}

// SetStaffingRule stores the rule for stations of the level under the
// region prefix, audited.
func (s *Store) SetStaffingRule(ctx context.Context, actor, region, level string, rule forms.StaffingRule) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.UpsertStaffingRule(ctx, db.UpsertStaffingRuleParams{RegionPrefix: region, Level: level,
			MinFullTime: rule.MinFullTime, MinWithPartTime: rule.MinWithPartTime}); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "staffing_rule.set", ObjectType: "region", ObjectID: region,
			Detail: mustJSON(map[string]any{"level": level, "min_full_time": rule.MinFullTime, "min_with_part_time": rule.MinWithPartTime})})
	})
}
