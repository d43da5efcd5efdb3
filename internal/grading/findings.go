package grading

import (
	"slices"
	"strings"

	"github.com/stationflow/stationflow/internal/rubric"
)

// Findings are what a station's evaluators found together: each section
// combined the way the totals were, and the indicators failed in the
// agreed result.
type Findings struct {
	Sections         []rubric.SectionResult   `json:"sections"`
	FailedIndicators []rubric.FailedIndicator `json:"failed_indicators"`
	FailedCritical   []string                 `json:"failed_critical"`
}

// Disputed are the indicators, in rubric order, that some but not most of
// the used evaluators failed: the ones an arbitration may confirm, under a
// rubric whose failed_across lets it (none otherwise). critical says
// whether one of them is critical.
func Disputed(r *rubric.Rubric, cards []rubric.Scorecard, used []int) (ids []string, critical bool) {
	ids = []string{}
	if !r.ArbitrationConfirms() {
		return ids, false
	}
	for _, ind := range indicators(r) {
		n := len(failures(cards, used, ind.ID))
		if n > 0 && !majority(n, len(used)) {
			ids = append(ids, ind.ID)
			critical = critical || ind.Critical
		}
	}
	return ids, critical
}

// Combine is the evaluators' agreed findings. used are the evaluators the
// result rests on: the agreeing ones, or every one when the office
// arbitrated. A section's points, max and percent are the mean of the used
// evaluators' (rounded to 2 decimals); it is N/A when every used evaluator
// found it so. An indicator fails when more than half of the used
// evaluators failed it, or, under a rubric whose failed_across lets the
// arbitration confirm, when the arbitration confirmed it and at least one
// evaluator failed it. A failed indicator carries the mean points of the
// evaluators who failed it and their comments.
func Combine(r *rubric.Rubric, cards []rubric.Scorecard, used []int, confirmed []string) Findings {
	out := Findings{Sections: make([]rubric.SectionResult, 0, len(r.Sections)),
		FailedIndicators: []rubric.FailedIndicator{}, FailedCritical: []string{}}
	for i, sec := range r.Sections {
		out.Sections = append(out.Sections, combineSection(sec, cards, used, i))
	}
	for _, ind := range indicators(r) {
		found := failures(cards, used, ind.ID)
		agreed := majority(len(found), len(used)) ||
			(len(found) > 0 && r.ArbitrationConfirms() && slices.Contains(confirmed, ind.ID))
		if !agreed {
			continue
		}
		out.FailedIndicators = append(out.FailedIndicators, merge(found))
		if ind.Critical {
			out.FailedCritical = append(out.FailedCritical, ind.ID)
		}
	}
	return out
}

// combineSection is the mean of the used evaluators' results for the
// section at index i.
func combineSection(sec rubric.Section, cards []rubric.Scorecard, used []int, i int) rubric.SectionResult {
	res := rubric.SectionResult{ID: sec.ID, Name: sec.Name, Weight: sec.Weight, NA: true}
	var points, maxPoints, percent float64
	n := 0
	for _, u := range used {
		if i >= len(cards[u].Sections) || cards[u].Sections[i].NA {
			continue
		}
		s := cards[u].Sections[i]
		points, maxPoints, percent, n = points+s.Points, maxPoints+s.Max, percent+s.Percent, n+1
	}
	if n > 0 {
		res.NA = false
		res.Points, res.Max, res.Percent = round2(points/float64(n)), round2(maxPoints/float64(n)), round2(percent/float64(n))
	}
	return res
}

// failures are the used evaluators' failures of the indicator.
func failures(cards []rubric.Scorecard, used []int, id string) []rubric.FailedIndicator {
	var out []rubric.FailedIndicator
	for _, u := range used {
		for _, f := range cards[u].FailedIndicators {
			if f.ID == id {
				out = append(out, f)
			}
		}
	}
	return out
}

// merge is one failure from several evaluators': the mean of their points
// and their comments, one a line.
func merge(found []rubric.FailedIndicator) rubric.FailedIndicator {
	f := found[0]
	var sum float64
	comments := make([]string, 0, len(found))
	for _, g := range found {
		sum += g.Points
		if g.Comment != "" && !slices.Contains(comments, g.Comment) {
			comments = append(comments, g.Comment)
		}
	}
	f.Points, f.Comment = round2(sum/float64(len(found))), strings.Join(comments, "\n")
	return f
}

// majority says whether n of total is more than half.
func majority(n, total int) bool { return n > 0 && 2*n > total }

// indicators are the rubric's indicators in rubric order.
func indicators(r *rubric.Rubric) []rubric.Indicator {
	var out []rubric.Indicator
	for _, sec := range r.Sections {
		out = append(out, sec.Indicators...)
	}
	return out
}
