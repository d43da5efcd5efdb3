package forms

import (
	"fmt"

	"github.com/stationflow/stationflow/internal/codes"
)

// StaffingRule is how many qualified social workers a station of one level
// needs. A station meets it with at least MinFullTime qualified full-time
// social workers (专职社工), or, when MinWithPartTime is above zero, with at
// least MinWithPartTime qualified social workers counting full-time and
// part-time (兼职) together: the report's "2名专职或若干名兼职", part-timers
// standing in for the full-timers a station lacks. "Qualified" is holding
// an assistant, intermediate or senior qualification.
type StaffingRule struct {
	MinFullTime     int `json:"min_full_time" validate:"gte=0,lte=50"`
	MinWithPartTime int `json:"min_with_part_time" validate:"gte=0,lte=50"`
}

// DefaultStaffingRules are the rules where no region sets its own. A
// township station needs 2 qualified full-time social workers, or 3
// qualified workers full-time and part-time together (so one full-time and
// two part-time, or three part-time, also pass); city centres and county
// stations need 2 qualified full-time workers; a community room needs no
// qualified worker (an application still names at least one person).
var DefaultStaffingRules = map[codes.StationLevel]StaffingRule{
	codes.CityCentre:      {MinFullTime: 2},
	codes.CountyStation:   {MinFullTime: 2},
	codes.TownshipStation: {MinFullTime: 2, MinWithPartTime: 3},
	codes.CommunityRoom:   {},
}

// Staffing counts a station's qualified social workers.
type Staffing struct {
	FullTimeQualified int `json:"full_time_qualified"`
	PartTimeQualified int `json:"part_time_qualified"`
}

// Meets reports whether the staffing meets the rule.
func (r StaffingRule) Meets(s Staffing) bool {
	if s.FullTimeQualified >= r.MinFullTime {
		return true
	}
	return r.MinWithPartTime > 0 && s.FullTimeQualified+s.PartTimeQualified >= r.MinWithPartTime
}

// String says the rule, Chinese first, English second.
func (r StaffingRule) String() string { return chinese(r) + " / " + english(r) }

// CheckStaffing refuses, naming the field staffing, staffing that falls
// short of the rule for a station of the level.
func CheckStaffing(r StaffingRule, level codes.StationLevel, s Staffing) Errors {
	if r.Meets(s) {
		return nil
	}
	return Errors{{Field: "staffing", Message: fmt.Sprintf("%s（%s）需要%s；现有持证专职%d名、持证兼职%d名 / a %s needs %s; there are %d qualified full-time and %d qualified part-time",
		levelNames[level], level, chinese(r), s.FullTimeQualified, s.PartTimeQualified, level, english(r), s.FullTimeQualified, s.PartTimeQualified)}}
}

var levelNames = map[codes.StationLevel]string{
	codes.CityCentre: "市级社工支持中心", codes.CountyStation: "县级社工总站",
	codes.TownshipStation: "镇街社工服务站", codes.CommunityRoom: "村(社区)社工服务室",
}

func chinese(r StaffingRule) string {
	if r.MinWithPartTime == 0 {
		return fmt.Sprintf("至少%d名持证专职社工", r.MinFullTime)
	}
	return fmt.Sprintf("至少%d名持证专职社工，或专职与兼职持证社工合计至少%d名", r.MinFullTime, r.MinWithPartTime)
}

func english(r StaffingRule) string {
	if r.MinWithPartTime == 0 {
		return fmt.Sprintf("at least %d qualified full-time social workers", r.MinFullTime)
	}
	return fmt.Sprintf("at least %d qualified full-time social workers, or at least %d qualified social workers full-time and part-time together",
		r.MinFullTime, r.MinWithPartTime)
}
