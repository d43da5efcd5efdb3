package forms

import (
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestATownshipStationPassesWithTwoFullTimeOrThreeQualifiedWorkersTogether(t *testing.T) {
	rule := DefaultStaffingRules[codes.TownshipStation]
	cases := []struct {
		full, part int
		meets      bool
	}{{2, 0, true}, {1, 3, true}, {1, 2, true}, {0, 3, true}, {1, 1, false}, {0, 2, false}, {0, 0, false}}
	for _, c := range cases {
		if got := rule.Meets(Staffing{FullTimeQualified: c.full, PartTimeQualified: c.part}); got != c.meets {
			t.Errorf("%d full-time and %d part-time: meets %v, want %v", c.full, c.part, got, c.meets)
		}
	}
	strict := StaffingRule{MinFullTime: 2}
	errs := CheckStaffing(strict, codes.TownshipStation, Staffing{FullTimeQualified: 1, PartTimeQualified: 3})
	if len(errs) != 1 || errs[0].Field != "staffing" || !strings.Contains(errs[0].Message, "至少2名持证专职社工") ||
		!strings.Contains(errs[0].Message, "at least 2 qualified full-time social workers") {
		t.Fatalf("a province rule of two full-time: %v", errs)
	}
}

func TestAnApplicationWithOneFullTimeAndThreePartTimeWorkersPassesTheDefaultTownshipRule(t *testing.T) {
	staff := `{"name":"张伟","employment":"full_time","qualification":"assistant"},
		{"name":"李娜","employment":"part_time","qualification":"assistant"},
		{"name":"王芳","employment":"part_time","qualification":"intermediate"},
		{"name":"赵强","employment":"part_time","qualification":"senior"}`
	a := plan(t, strings.Replace(goodPlan, goodPlan[strings.Index(goodPlan, "[")+1:strings.Index(goodPlan, "]")], staff, 1))
	if errs := CheckApplication(a, codes.TownshipStation); len(errs) != 0 {
		t.Fatalf("refused under the default: %v", errs)
	}
	if errs := CheckApplicationUnder(a, codes.TownshipStation, StaffingRule{MinFullTime: 2}); fields(errs) != "staffing" {
		t.Fatalf("under a rule of two full-time: %v", errs)
	}
}

func TestARosterEntryNeedsACertificateExactlyWhenQualified(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	good := RosterEntry{Name: "张伟", Post: PostFullTime, Qualification: "assistant", CertificateNo: "A51012021001", JoinedOn: "2026-01-05"}
	if errs := CheckRosterEntry(good, today); len(errs) != 0 {
		t.Fatalf("a good entry: %v", errs)
	}
	cases := map[string]func(*RosterEntry){
		"certificate_no": func(e *RosterEntry) { e.CertificateNo = "" },
		"name":           func(e *RosterEntry) { e.Name = "" },
		"joined_on":      func(e *RosterEntry) { e.JoinedOn = "2027-01-01" },
		"post":           func(e *RosterEntry) { e.Post = "cleaner" },
	}
	for field, change := range cases {
		e := good
		change(&e)
		if got := fields(CheckRosterEntry(e, today)); got != field {
			t.Errorf("breaking %s: errors on %q", field, got)
		}
	}
	unqualified := good
	unqualified.Qualification = "none"
	if got := fields(CheckRosterEntry(unqualified, today)); got != "certificate_no" {
		t.Errorf("a certificate without a qualification: %q", got)
	}
	bad := good
	bad.CertificateNo = "a5-1"
	if got := fields(CheckRosterEntry(bad, today)); got != "certificate_no" {
		t.Errorf("a malformed certificate number: %q", got)
	}
	joined, _ := time.Parse(time.DateOnly, good.JoinedOn)
	if got := fields(CheckRosterLeave(RosterLeave{LeftOn: "2026-01-04"}, joined, today)); got != "left_on" {
		t.Errorf("leaving before joining: %q", got)
	}
	if errs := CheckRosterLeave(RosterLeave{LeftOn: "2026-01-05"}, joined, today); len(errs) != 0 {
		t.Errorf("leaving the day one joined: %v", errs)
	}
}
