package rubric

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/schemas"
)

func pts(p float64) *float64 { return &p }

// scoringRubric is built in code, not parsed: its industry section has only
// N/A-able indicators, which Parse refuses, so that Score's handling of a
// wholly N/A section can be tested.
func scoringRubric() *Rubric {
	return &Rubric{
		Version: "test-2026.1", Kind: KindSupervision, Title: "Test", PassMark: 60, LowScoreRatio: 0.6,
		Sections: []Section{
			{ID: "care", Name: "Care", Weight: 50, Indicators: []Indicator{
				{ID: "care.visits", Name: "Visits", MaxPoints: 10, Guidance: "g", Critical: true},
				{ID: "care.groups", Name: "Groups", MaxPoints: 10, Guidance: "g"},
				{ID: "care.daycare", Name: "Day care", MaxPoints: 5, Guidance: "g", AllowNA: true},
			}},
			{ID: "records", Name: "Records", Weight: 30, Indicators: []Indicator{
				{ID: "records.files", Name: "Files", MaxPoints: 10, Guidance: "g"},
				{ID: "records.privacy", Name: "Privacy", MaxPoints: 5, Guidance: "g", Critical: true},
			}},
			{ID: "industry", Name: "Industry", Weight: 20, Indicators: []Indicator{
				{ID: "industry.livelihood", Name: "Livelihood", MaxPoints: 10, Guidance: "g", AllowNA: true},
				{ID: "industry.training", Name: "Training", MaxPoints: 5, Guidance: "g", AllowNA: true},
			}},
		},
	}
}

const groupsComment = "只开展了一次小组活动，未达计划"

// scoringForm is a valid form for scoringRubric: care.groups fails (5.5 of
// 10, below 6), care.daycare is N/A by leaving out its points, the industry
// section is wholly N/A, one by na and one by no points.
func scoringForm() Form {
	return Form{
		Summary: "本季度服务总体平稳。",
		Scores: []Score{
			{Indicator: "records.privacy", Points: pts(4)},
			{Indicator: "care.visits", Points: pts(8), EvidenceIDs: []string{"0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21"}},
			{Indicator: "care.groups", Points: pts(5.5), Comment: groupsComment},
			{Indicator: "care.daycare"},
			{Indicator: "records.files", Points: pts(9)},
			{Indicator: "industry.livelihood", NA: true},
			{Indicator: "industry.training"},
		},
	}
}

func TestScoringRubricIsOnlyBuiltInCode(t *testing.T) {
	doc, err := json.Marshal(scoringRubric())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(doc)
	if !hasProblem(problemsOf(t, err), "sections[2].indicators", "at least one that must be scored") {
		t.Fatalf("Parse did not refuse the wholly N/A-able section: %v", err)
	}
}

func TestScoreHandComputed(t *testing.T) {
	card, errs := scoringRubric().Score(scoringForm())
	if errs != nil {
		t.Fatal(errs)
	}
	// care: (8 + 5.5) of (10 + 10), day care N/A: 67.5%.
	// records: (9 + 4) of (10 + 5): 86.666...%, shown as 86.67.
	// industry: wholly N/A, left out; weights 50 and 30 re-normalised:
	// (50*67.5 + 30*86.666...) / 80 = (3375 + 2600) / 80 = 74.6875, so 74.69.
	want := Scorecard{
		RubricVersion: "test-2026.1",
		Total:         74.69,
		Passed:        true,
		Sections: []SectionResult{
			{ID: "care", Name: "Care", Weight: 50, Points: 13.5, Max: 20, Percent: 67.5},
			{ID: "records", Name: "Records", Weight: 30, Points: 13, Max: 15, Percent: 86.67},
			{ID: "industry", Name: "Industry", Weight: 20, Points: 0, Max: 0, Percent: 0, NA: true},
		},
		FailedIndicators: []FailedIndicator{
			{ID: "care.groups", Name: "Groups", Section: "care", Points: 5.5, MaxPoints: 10, Comment: groupsComment},
		},
		FailedCritical: []string{},
	}
	if !reflect.DeepEqual(card, want) {
		t.Fatalf("scorecard\n got %+v\nwant %+v", card, want)
	}
	b, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"failed_critical":[]`) {
		t.Fatalf("failed_critical is not an empty array: %s", b)
	}
}

func TestScoreFailedCriticalFailsAboveThePassMark(t *testing.T) {
	f := scoringForm()
	f.Scores[0] = Score{Indicator: "records.privacy", Points: pts(2.5), Comment: "档案柜未上锁，存在泄露风险"}
	card, errs := scoringRubric().Score(f)
	if errs != nil {
		t.Fatal(errs)
	}
	// records: (9 + 2.5) of 15 = 76.666...%; total (3375 + 2300) / 80 = 70.9375.
	if card.Total != 70.94 || card.Sections[1].Percent != 76.67 {
		t.Fatalf("total %v, records %v%%; want 70.94 and 76.67", card.Total, card.Sections[1].Percent)
	}
	if card.Total < scoringRubric().PassMark {
		t.Fatal("the example does not test what it says: the total is below the pass mark")
	}
	if card.Passed {
		t.Fatal("passed with a failed critical indicator")
	}
	if !reflect.DeepEqual(card.FailedCritical, []string{"records.privacy"}) {
		t.Fatalf("failed critical %v", card.FailedCritical)
	}
	var ids []string
	for _, fi := range card.FailedIndicators {
		ids = append(ids, fi.ID)
	}
	if !reflect.DeepEqual(ids, []string{"care.groups", "records.privacy"}) || !card.FailedIndicators[1].Critical {
		t.Fatalf("failed indicators %+v, want care.groups then critical records.privacy", card.FailedIndicators)
	}
}

func TestScoreBelowPassMark(t *testing.T) {
	f := scoringForm()
	f.Scores[1] = Score{Indicator: "care.visits", Points: pts(6)}
	f.Scores[2] = Score{Indicator: "care.groups", Points: pts(0), Comment: groupsComment}
	f.Scores[4] = Score{Indicator: "records.files", Points: pts(6)}
	card, errs := scoringRubric().Score(f)
	if errs != nil {
		t.Fatal(errs)
	}
	// care 6/20 = 30%, records 10/15 = 66.666...%: (1500 + 2000) / 80 = 43.75.
	if card.Total != 43.75 || card.Passed || len(card.FailedCritical) != 0 {
		t.Fatalf("got total %v passed %v critical %v; want 43.75, failed, none critical", card.Total, card.Passed, card.FailedCritical)
	}
}

func TestScoreHalfPoints(t *testing.T) {
	f := scoringForm()
	f.Scores[1].Points = pts(7.5)
	card, errs := scoringRubric().Score(f)
	if errs != nil {
		t.Fatal(errs)
	}
	if card.Sections[0].Points != 13 || card.Sections[0].Percent != 65 {
		t.Fatalf("care section %+v, want 13 points, 65%%", card.Sections[0])
	}
	f.Scores[1].Points = pts(7.25)
	if _, errs := scoringRubric().Score(f); !hasProblem(errs, "scores[1].points", "steps of 0.5") {
		t.Fatalf("7.25 points accepted: %v", errs)
	}
}

func TestScoreReturnsCheckErrors(t *testing.T) {
	f := scoringForm()
	f.Summary = ""
	card, errs := scoringRubric().Score(f)
	if len(errs) != 1 || errs[0].Field != "summary" {
		t.Fatalf("errors %v, want the summary one", errs)
	}
	if !reflect.DeepEqual(card, Scorecard{}) {
		t.Fatalf("a refused form gave a scorecard %+v", card)
	}
}

func TestCheckAcceptsValidForm(t *testing.T) {
	if errs := scoringRubric().Check(scoringForm()); errs != nil {
		t.Fatalf("valid form refused: %v", errs)
	}
}

func TestCheckRefuses(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(f *Form)
		field string
		text  string
	}{
		{"missing indicator", func(f *Form) { f.Scores = f.Scores[1:] },
			"scores", "records.privacy"},
		{"unknown indicator", func(f *Form) { f.Scores = append(f.Scores, Score{Indicator: "care.meals", Points: pts(1)}) },
			"scores[7].indicator", `"care.meals" is not an indicator`},
		{"duplicate indicator", func(f *Form) { f.Scores = append(f.Scores, Score{Indicator: "care.visits", Points: pts(9)}) },
			"scores[7].indicator", "already scored at scores[1]"},
		{"points above max", func(f *Form) { f.Scores[1].Points = pts(10.5) },
			"scores[1].points", "from 0 to 10"},
		{"negative points", func(f *Form) { f.Scores[1].Points = pts(-1) },
			"scores[1].points", "from 0 to 10"},
		{"low score without comment", func(f *Form) { f.Scores[2].Comment = "" },
			"scores[2].comment", "at least 10 characters"},
		{"low score with a 9-character comment", func(f *Form) { f.Scores[2].Comment = "只开展了一次小组活" },
			"scores[2].comment", "at least 10 characters"},
		{"low score with a comment of spaces", func(f *Form) { f.Scores[2].Comment = strings.Repeat(" ", 12) },
			"scores[2].comment", "at least 10 characters"},
		{"N/A by no points where not allowed", func(f *Form) { f.Scores[1].Points = nil },
			"scores[1].points", "cannot be N/A"},
		{"N/A by na where not allowed", func(f *Form) { f.Scores[1] = Score{Indicator: "care.visits", NA: true} },
			"scores[1].na", "cannot be N/A"},
		{"na with points", func(f *Form) { f.Scores[3] = Score{Indicator: "care.daycare", NA: true, Points: pts(3)} },
			"scores[3].points", "left out when na is true"},
		{"bad evidence id", func(f *Form) { f.Scores[1].EvidenceIDs = append(f.Scores[1].EvidenceIDs, "evidence-7") },
			"scores[1].evidence_ids[1]", "not an evidence ID"},
		{"evidence id in another UUID form", func(f *Form) {
			f.Scores[1].EvidenceIDs = []string{"urn:uuid:0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21"}
		}, "scores[1].evidence_ids[0]", "not an evidence ID"},
		{"repeated evidence id", func(f *Form) {
			f.Scores[1].EvidenceIDs = append(f.Scores[1].EvidenceIDs, "0B6A6FF0-3C1E-4A7E-9A64-2F1F3B0C9D21")
		}, "scores[1].evidence_ids[1]", "repeats scores[1].evidence_ids[0]"},
		{"too much evidence", func(f *Form) {
			f.Scores[1].EvidenceIDs = nil
			for k := range 21 {
				f.Scores[1].EvidenceIDs = append(f.Scores[1].EvidenceIDs, fmt.Sprintf("0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d%02d", k))
			}
		}, "scores[1].evidence_ids", "at most 20 items"},
		{"comment too long", func(f *Form) { f.Scores[1].Comment = strings.Repeat("好", 2001) },
			"scores[1].comment", "at most 2000 characters"},
		{"summary missing", func(f *Form) { f.Summary = " \n" },
			"summary", "is required"},
		{"summary too long", func(f *Form) { f.Summary = strings.Repeat("好", 5001) },
			"summary", "at most 5000 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := scoringForm()
			c.edit(&f)
			errs := scoringRubric().Check(f)
			if len(errs) != 1 || errs[0].Field != c.field || !strings.Contains(errs[0].Message, c.text) {
				t.Fatalf("want one error on %q saying %q; got %v", c.field, c.text, errs)
			}
		})
	}
}

func TestCheckCountsCharactersNotBytes(t *testing.T) {
	f := scoringForm()
	f.Scores[2].Comment = "只开展了一次小组活动" // 10 characters, 30 bytes
	if errs := scoringRubric().Check(f); errs != nil {
		t.Fatalf("a 10-character comment refused: %v", errs)
	}
	f.Scores[1].Comment = strings.Repeat("好", 2000)
	f.Summary = strings.Repeat("好", 5000)
	if errs := scoringRubric().Check(f); errs != nil {
		t.Fatalf("texts at their limits refused: %v", errs)
	}
}

func TestScoreCommittedSupervisionRubric(t *testing.T) {
	set, err := Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	r, err := set.Latest(KindSupervision)
	if err != nil {
		t.Fatal(err)
	}
	full, zero := Form{Summary: "满分"}, Form{Summary: "零分"}
	var critical []string
	for _, s := range r.Sections {
		for _, ind := range s.Indicators {
			full.Scores = append(full.Scores, Score{Indicator: ind.ID, Points: pts(float64(ind.MaxPoints))})
			zero.Scores = append(zero.Scores, Score{Indicator: ind.ID, Points: pts(0), Comment: "现场未见任何相关记录材料。"})
			if ind.Critical {
				critical = append(critical, ind.ID)
			}
		}
	}
	card, errs := r.Score(full)
	if errs != nil || card.Total != 100 || !card.Passed {
		t.Fatalf("full marks: %+v, %v", card, errs)
	}
	card, errs = r.Score(zero)
	if errs != nil || card.Total != 0 || card.Passed || !reflect.DeepEqual(card.FailedCritical, critical) {
		t.Fatalf("zero: %+v, %v; want every critical indicator %v failed", card, errs, critical)
	}
	if len(critical) == 0 {
		t.Fatal("the supervision rubric has no critical indicator")
	}
}

func TestContentHash(t *testing.T) {
	card, errs := scoringRubric().Score(scoringForm())
	if errs != nil {
		t.Fatal(errs)
	}
	h1, err := ContentHash(card)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := ContentHash(card)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != h2 || len(h1) != 64 || strings.Trim(h1, "0123456789abcdef") != "" {
		t.Fatalf("hashes %s and %s: not the same 64 hex digits", h1, h2)
	}
	card.Sections[1].Points++
	h3, err := ContentHash(card)
	if err != nil {
		t.Fatal(err)
	}
	if h3 == h1 {
		t.Fatal("the hash did not change with the content")
	}
	m1 := map[string]any{}
	m2 := map[string]any{}
	for i := range 50 {
		m1[fmt.Sprint(i)] = i
		m2[fmt.Sprint(49-i)] = 49 - i
	}
	a, _ := ContentHash(m1)
	b, _ := ContentHash(m2)
	if a != b {
		t.Fatal("a map's hash depends on the order it was filled in")
	}
	if _, err := ContentHash(func() {}); err == nil {
		t.Fatal("hashed a value JSON cannot write")
	}
}
