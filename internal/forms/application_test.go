package forms

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
)

func plan(t *testing.T, raw string) Application {
	t.Helper()
	var a Application
	if err := DecodeStrictBytes([]byte(raw), &a); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return a
}

const goodPlan = `{"staffing":[{"name":"张伟","employment":"full_time","qualification":"assistant"},
	{"name":"李娜","employment":"full_time","qualification":"senior"}],
	"targets":{"needs_assessment":1,"resource_linking":0,"social_assistance":0,"elderly_child_care":0,"community_governance":0,"industry_development":0},
	"budget_yuan":120000}`

func fields(errs Errors) string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return strings.Join(out, ",")
}

func TestATownshipStationNeedsTwoQualifiedFullTimeSocialWorkers(t *testing.T) {
	if errs := CheckApplication(plan(t, goodPlan), codes.TownshipStation); len(errs) != 0 {
		t.Fatalf("a complete plan was refused: %v", errs)
	}
	one := strings.Replace(goodPlan, `"full_time","qualification":"senior"`, `"part_time","qualification":"senior"`, 1)
	if errs := CheckApplication(plan(t, one), codes.TownshipStation); fields(errs) != "staffing" {
		t.Fatalf("one full-time worker: %v", errs)
	}
	if errs := CheckApplication(plan(t, one), codes.CommunityRoom); len(errs) != 0 {
		t.Fatalf("a community room with one full-time and one part-time worker: %v", errs)
	}
	unqualified := strings.Replace(goodPlan, `"qualification":"assistant"`, `"qualification":"none"`, 1)
	if errs := CheckApplication(plan(t, unqualified), codes.TownshipStation); fields(errs) != "staffing" {
		t.Fatalf("a worker without a qualification counted: %v", errs)
	}
}

func TestAnApplicationReportsEveryBrokenRuleAtOnce(t *testing.T) {
	a := plan(t, `{"staffing":[{"name":"","employment":"contract","qualification":"master"}],
		"targets":{"needs_assessment":-5},"budget_yuan":0}`)
	got := fields(CheckApplication(a, codes.TownshipStation))
	for _, want := range []string{"staffing[0].name", "staffing[0].employment", "staffing[0].qualification",
		"targets.needs_assessment", "targets.resource_linking", "budget_yuan"} {
		if !strings.Contains(got, want) {
			t.Errorf("no error on %s; got %s", want, got)
		}
	}
	zero := strings.Replace(goodPlan, `"needs_assessment":1`, `"needs_assessment":0`, 1)
	if errs := CheckApplication(plan(t, zero), codes.TownshipStation); fields(errs) != "targets" {
		t.Errorf("a plan with every target zero: %v", errs)
	}
}

func TestReviewDecisions(t *testing.T) {
	for raw, want := range map[string]string{
		`{"decision":"approve"}`:             "",
		`{"decision":"reject"}`:              "reasons",
		`{"decision":"amend","reasons":"x"}`: "",
		`{"decision":"maybe"}`:               "decision",
		`{"decision":"approve","term":{"start":"2026-07-01","end":"2026-06-30"}}`:              "term.end",
		`{"decision":"reject","reasons":"x","term":{"start":"2026-07-01","end":"2027-06-30"}}`: "term",
		`{"decision":"approve","term":{"start":"1 July","end":"2027-06-30"}}`:                  "term.start",
	} {
		var d ReviewDecision
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			t.Fatal(err)
		}
		if got := fields(CheckReviewDecision(d)); got != want {
			t.Errorf("%s: errors on %q, want %q", raw, got, want)
		}
	}
}

func TestStrictDecodingNamesTheField(t *testing.T) {
	var d ReviewDecision
	for raw, want := range map[string]string{
		`{"decision":"approve","score":10}`: "score",
		`{"decision":5}`:                    "decision",
		`{"decision":"approve"} {}`:         "body",
		`{"decision":`:                      "body",
		``:                                  "body",
	} {
		err := DecodeStrictBytes([]byte(raw), &d)
		if err == nil || err.Field != want {
			t.Errorf("%q: %v, want an error on %s", raw, err, want)
		}
	}
}

func FuzzCheckApplication(f *testing.F) {
	f.Add([]byte(goodPlan))
	f.Add([]byte(`{"staffing":[],"targets":{},"budget_yuan":-1}`))
	f.Add([]byte(`{"staffing":[{"name":"x","employment":"full_time","qualification":"none"}],"documents":[{"filename":"a","content_type":"image/png","content_base64":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var a Application
		if err := DecodeStrictBytes(raw, &a); err != nil {
			if err.Field == "" || err.Message == "" {
				t.Fatalf("a decode error names no field: %+v", err)
			}
			return
		}
		for _, level := range []codes.StationLevel{codes.CityCentre, codes.CountyStation, codes.TownshipStation, codes.CommunityRoom} {
			for _, e := range CheckApplication(a, level) {
				if e.Field == "" || e.Message == "" {
					t.Fatalf("a rule error names no field: %+v", e)
				}
			}
		}
	})
}
