package api

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// Internal supervision sessions (内部督导) are checked against the roster
// on the session's day, show in the quarter's evidence pack under
// internal_supervision and leave the six service lines' totals as they
// were; another organisation cannot see the station to record one.
func TestInternalSupervisionSessionsAreCheckedAgainstTheRosterAndCountApartFromTheServiceLines(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000191")
	_, otherOrg := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000192")
	station, county := s.operatingStation(admin, orgToken)
	stationPath := "/v1/stations/" + station.ID.String()
	today := chinaToday()
	day := today.Format(time.DateOnly)

	join := func(name, post string) string {
		var e store.RosterEntry
		s.do("POST", stationPath+"/roster", orgToken, map[string]any{"name": name, "post": post, "qualification": "none",
			"joined_on": "2020-01-01"}).must(t, http.StatusCreated).json(t, &e)
		return e.ID.String()
	}
	supervisor, head, worker, leaver := join("周督导", "internal_supervisor"), join("吴站长", "head"), join("张伟", "full_time"), join("李娜", "part_time")
	s.do("POST", stationPath+"/roster/"+leaver+"/leave", orgToken,
		map[string]any{"left_on": today.AddDate(0, 0, -1).Format(time.DateOnly)}).must(t, http.StatusOK)

	s.do("POST", stationPath+"/service-records", orgToken, map[string]any{"records": []any{map[string]any{"date": day,
		"service_line": "elderly_child_care", "activity_type": "visit", "beneficiaries": map[string]int{"elderly": 3}}}}).
		must(t, http.StatusCreated)
	q := period.Of(today)
	var before store.EvidencePack
	s.do("GET", stationPath+"/evidence?quarter="+q.String(), county, nil).must(t, http.StatusOK).json(t, &before)

	session := func(supervisorID string, staff ...string) map[string]any {
		return map[string]any{"date": day, "minutes": 90, "supervisor_id": supervisorID, "staff_ids": staff, "topic": "个案记录规范"}
	}
	refused(t, s.do("POST", stationPath+"/supervision-sessions", orgToken, session(supervisor, worker, leaver)),
		http.StatusUnprocessableEntity, "staff_ids[1]", "a member of staff who left the day before")
	refused(t, s.do("POST", stationPath+"/supervision-sessions", orgToken, session(head, worker)),
		http.StatusUnprocessableEntity, "supervisor_id", "a station head as the internal supervisor")
	s.do("POST", stationPath+"/supervision-sessions", otherOrg, session(supervisor, worker)).must(t, http.StatusNotFound)
	s.do("POST", stationPath+"/supervision-sessions", county, session(supervisor, worker)).must(t, http.StatusForbidden)

	var x store.SupervisionSession
	s.do("POST", stationPath+"/supervision-sessions", orgToken, session(supervisor, worker, head)).must(t, http.StatusCreated).json(t, &x)
	if x.Minutes != 90 || x.Date != day || x.SupervisorID.String() != supervisor || len(x.StaffIDs) != 2 {
		t.Fatalf("session recorded as %+v", x)
	}
	var list store.List[store.SupervisionSession]
	s.do("GET", stationPath+"/supervision-sessions", county, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != x.ID {
		t.Fatalf("the county office lists %+v, want the one session", list.Items)
	}
	s.do("GET", stationPath+"/supervision-sessions", otherOrg, nil).must(t, http.StatusNotFound)

	var after store.EvidencePack
	s.do("GET", stationPath+"/evidence?quarter="+q.String(), county, nil).must(t, http.StatusOK).json(t, &after)
	want := store.InternalSupervision{Sessions: 1, Minutes: 90, Hours: 1.5, StaffSupervised: 2}
	if after.InternalSupervision != want {
		t.Fatalf("internal_supervision %+v, want %+v", after.InternalSupervision, want)
	}
	if after.Totals.Records != 1 || !reflect.DeepEqual(after.Totals, before.Totals) || !reflect.DeepEqual(after.Lines, before.Lines) {
		t.Fatalf("the six lines changed with the session: totals %+v, were %+v", after.Totals, before.Totals)
	}
	if a := findAction(s.trail(admin, station.ID.String()).Items, "supervision_session.recorded"); a == nil {
		t.Fatal("the session was not audited")
	}
}
