package evidence

import (
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
)

// RosterSpell is one member of staff's time at a station: first and last
// day (Left nil while they are still there), post and qualification. It
// carries no name.
type RosterSpell struct {
	ID            uuid.UUID
	Post          string
	Qualification string
	Joined        time.Time
	Left          *time.Time
}

// on reports whether the spell covers the day.
func (s RosterSpell) on(day time.Time) bool {
	return !day.Before(s.Joined) && (s.Left == nil || !day.After(*s.Left))
}

// DateRange is a run of whole days, both ends included, written 2006-01-02.
type DateRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// RosterQuarter is a station's staff over a quarter: who held each post on
// the quarter's last day, who joined and who left within it, and the days
// the station fell below its staffing rule.
type RosterQuarter struct {
	Rule        forms.StaffingRule `json:"rule"`
	RuleText    string             `json:"rule_text"`   // the rule in words, Chinese first, English second
	RuleRegion  string             `json:"rule_region"` // the region prefix that set the rule; "" for the default
	PostsFilled map[string]int     `json:"posts_filled"`
	// AtEnd counts the qualified social workers on the last day.
	AtEnd    forms.Staffing `json:"staffing_at_end"`
	Joiners  []uuid.UUID    `json:"joiners"` // roster entry IDs
	Leavers  []uuid.UUID    `json:"leavers"`
	Turnover int            `json:"turnover"` // joiners and leavers together
	// BelowRule lists the runs of days the station's qualified staff fell
	// short of the rule; BelowRuleDays counts them.
	BelowRule     []DateRange `json:"below_rule"`
	BelowRuleDays int         `json:"below_rule_days"`
}

// QuarterRoster computes the roster over from..to (whole days) from the
// spells that meet it, under the station's rule.
func QuarterRoster(spells []RosterSpell, rule forms.StaffingRule, from, to time.Time) RosterQuarter {
	rq := RosterQuarter{Rule: rule, RuleText: rule.String(), PostsFilled: map[string]int{}, Joiners: []uuid.UUID{},
		Leavers: []uuid.UUID{}, BelowRule: []DateRange{}}
	for _, p := range forms.RosterPosts {
		rq.PostsFilled[p] = 0
	}
	for _, s := range spells {
		if s.on(to) {
			rq.PostsFilled[s.Post]++
		}
		if !s.Joined.Before(from) && !s.Joined.After(to) {
			rq.Joiners = append(rq.Joiners, s.ID)
		}
		if s.Left != nil && !s.Left.Before(from) && !s.Left.After(to) {
			rq.Leavers = append(rq.Leavers, s.ID)
		}
	}
	rq.Turnover = len(rq.Joiners) + len(rq.Leavers)
	var run *DateRange
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		staffing := staffingOn(spells, day)
		if day.Equal(to) {
			rq.AtEnd = staffing
		}
		if rule.Meets(staffing) {
			run = nil
			continue
		}
		rq.BelowRuleDays++
		if run == nil {
			rq.BelowRule = append(rq.BelowRule, DateRange{From: day.Format(time.DateOnly)})
			run = &rq.BelowRule[len(rq.BelowRule)-1]
		}
		run.To = day.Format(time.DateOnly)
	}
	return rq
}

// staffingOn counts the qualified social workers on the roster on the day.
func staffingOn(spells []RosterSpell, day time.Time) forms.Staffing {
	var st forms.Staffing
	for _, s := range spells {
		if !s.on(day) {
			continue
		}
		full, part := forms.CountsAsStaffing(s.Post, s.Qualification)
		if full {
			st.FullTimeQualified++
		}
		if part {
			st.PartTimeQualified++
		}
	}
	return st
}
