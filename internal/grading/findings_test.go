package grading

import (
	"slices"
	"testing"

	"github.com/stationflow/stationflow/internal/rubric"
)

// findingsRubric has a critical and a plain indicator in one section, and
// a second section.
func findingsRubric(rule string) *rubric.Rubric {
	return &rubric.Rubric{Version: "annual-2026.9", Kind: rubric.KindAnnual, PassMark: 60, LowScoreRatio: 0.6, FailedAcross: rule,
		Sections: []rubric.Section{
			{ID: "care", Name: "Care", Weight: 50, Indicators: []rubric.Indicator{
				{ID: "care.child", Name: "Child protection", MaxPoints: 10, Critical: true},
				{ID: "care.visits", Name: "Visits", MaxPoints: 10}}},
			{ID: "files", Name: "Files", Weight: 50, Indicators: []rubric.Indicator{{ID: "files.records", Name: "Records", MaxPoints: 10}}},
		}}
}

// card scores the rubric: child, visits and records points.
func card(t *testing.T, r *rubric.Rubric, child, visits, records float64) rubric.Scorecard {
	t.Helper()
	score := func(id string, p float64) rubric.Score {
		return rubric.Score{Indicator: id, Points: &p, Comment: "found in the station's files"}
	}
	c, errs := r.Score(rubric.Form{Scores: []rubric.Score{score("care.child", child), score("care.visits", visits),
		score("files.records", records)}, Summary: "the year"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return c
}

func TestAgreedFindingsTakeTheMajorityOrTheArbitrationsConfirmation(t *testing.T) {
	for _, c := range []struct {
		name      string
		rule      string
		cards     [3]float64 // the child protection points of three evaluators
		used      []int
		confirmed []string
		failed    bool
		disputed  bool
	}{
		{"both agreeing evaluators fail it", rubric.FailedByMajority, [3]float64{0, 0, 9}, []int{0, 1}, nil, true, false},
		{"one of two is no majority", rubric.FailedByMajority, [3]float64{0, 9, 9}, []int{0, 1}, nil, false, false},
		{"the majority rule ignores a confirmation", rubric.FailedByMajority, [3]float64{0, 9, 9}, []int{0, 1, 2}, []string{"care.child"}, false, false},
		{"two of three are a majority", rubric.FailedByMajority, [3]float64{0, 0, 9}, []int{0, 1, 2}, nil, true, false},
		{"one of two, unconfirmed", rubric.FailedByMajorityOrArbitration, [3]float64{0, 9, 9}, []int{0, 1}, nil, false, true},
		{"one of two, confirmed", rubric.FailedByMajorityOrArbitration, [3]float64{0, 9, 9}, []int{0, 1}, []string{"care.child"}, true, true},
		{"confirmed but failed by none", rubric.FailedByMajorityOrArbitration, [3]float64{9, 9, 9}, []int{0, 1}, []string{"care.child"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := findingsRubric(c.rule)
			cards := []rubric.Scorecard{card(t, r, c.cards[0], 8, 9), card(t, r, c.cards[1], 6, 9), card(t, r, c.cards[2], 10, 9)}
			f := Combine(r, cards, c.used, c.confirmed)
			if got := slices.Equal(f.FailedCritical, []string{"care.child"}); got != c.failed {
				t.Errorf("failed critical %v, want failed %v", f.FailedCritical, c.failed)
			}
			disputed, critical := Disputed(r, cards, c.used)
			if critical != c.disputed || (len(disputed) > 0) != c.disputed {
				t.Errorf("disputed %v (critical %v), want %v", disputed, critical, c.disputed)
			}
		})
	}
}

func TestAgreedSectionsAreTheMeanOfTheUsedEvaluators(t *testing.T) {
	r := findingsRubric("")
	cards := []rubric.Scorecard{card(t, r, 8, 8, 9), card(t, r, 6, 5, 4), card(t, r, 10, 10, 10)}
	f := Combine(r, cards, []int{0, 2}, nil)
	care, files := f.Sections[0], f.Sections[1]
	if care.Points != 18 || care.Max != 20 || care.Percent != 90 || files.Points != 9.5 || files.Percent != 95 || care.NA || files.NA {
		t.Errorf("sections %+v, want the mean of evaluators 1 and 3", f.Sections)
	}
	if len(f.FailedIndicators) != 0 || len(f.FailedCritical) != 0 {
		t.Errorf("failures %+v from evaluators who failed nothing", f.FailedIndicators)
	}
	// Evaluator 2 failed visits (5 of 10) and records (4 of 10); with
	// evaluator 3 failing records too (here at 5), records fails at the
	// mean of their points, and visits, failed by one of two, does not.
	cards[2] = card(t, r, 10, 10, 5)
	f = Combine(r, cards, []int{1, 2}, nil)
	if len(f.FailedIndicators) != 1 || f.FailedIndicators[0].ID != "files.records" || f.FailedIndicators[0].Points != 4.5 {
		t.Errorf("failures %+v, want records alone at the mean 4.5", f.FailedIndicators)
	}
}

func TestACriticalFailureGradesFailAndThePassLineFollowsTheRubric(t *testing.T) {
	b := DefaultBands()
	if b.Judge(85, 1).Grade != Fail || b.Judge(85, 0).Grade != Good {
		t.Errorf("judged %s and %s, want fail with a critical failure and good without", b.Judge(85, 1).Grade, b.Judge(85, 0).Grade)
	}
	at70 := BandsPassingAt(70)
	if at70.PassMark() != 70 || len(at70.Check("bands")) != 0 || at70.PassMarkProblem("annual-2026.1", 70) != "" {
		t.Errorf("bands passing at 70: %+v", at70)
	}
	if b.PassMarkProblem("annual-2026.1", 70) == "" {
		t.Error("default bands passing at 60 agree with a pass mark of 70")
	}
	if len(BandsPassingAt(85).Check("bands")) == 0 {
		t.Error("a pass line above good's minimum made valid bands")
	}
}
