package evidence

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/forms"
)

func TestAQuarterShowsTheDaysAStationFellBelowItsStaffingRule(t *testing.T) {
	left := day("2026-11-10")
	leaver := RosterSpell{ID: uuid.New(), Post: forms.PostFullTime, Qualification: "assistant", Joined: day("2025-01-01"), Left: &left}
	stays := RosterSpell{ID: uuid.New(), Post: forms.PostFullTime, Qualification: "senior", Joined: day("2025-01-01")}
	joiner := RosterSpell{ID: uuid.New(), Post: forms.PostFullTime, Qualification: "intermediate", Joined: day("2026-11-21")}
	sup := RosterSpell{ID: uuid.New(), Post: forms.PostInternalSupervisor, Qualification: "senior", Joined: day("2026-10-01")}
	rq := QuarterRoster([]RosterSpell{leaver, stays, joiner, sup}, forms.StaffingRule{MinFullTime: 2}, day("2026-10-01"), day("2026-12-31"))
	if want := []DateRange{{From: "2026-11-11", To: "2026-11-20"}}; !reflect.DeepEqual(rq.BelowRule, want) || rq.BelowRuleDays != 10 {
		t.Fatalf("below the rule: %v (%d days), want %v", rq.BelowRule, rq.BelowRuleDays, want)
	}
	if !reflect.DeepEqual(rq.Joiners, []uuid.UUID{joiner.ID, sup.ID}) || !reflect.DeepEqual(rq.Leavers, []uuid.UUID{leaver.ID}) || rq.Turnover != 3 {
		t.Fatalf("joiners %v, leavers %v, turnover %d", rq.Joiners, rq.Leavers, rq.Turnover)
	}
	if rq.PostsFilled[forms.PostFullTime] != 2 || rq.PostsFilled[forms.PostInternalSupervisor] != 1 || rq.PostsFilled[forms.PostHead] != 0 {
		t.Fatalf("posts filled at the end: %v", rq.PostsFilled)
	}
	if rq.AtEnd != (forms.Staffing{FullTimeQualified: 2}) {
		t.Fatalf("staffing at the end: %+v", rq.AtEnd)
	}
}
