// Package grading turns annual evaluation scores into a station's grade and
// a proposed outcome: it holds the grade bands a cycle freezes, the rule
// that decides whether evaluators agree, and the rule that proposes
// renewal, conditional renewal or exit.
package grading

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/rubric"
)

// Grade codes, best first.
const (
	Excellent = "excellent"
	Good      = "good"
	Pass      = "pass"
	Fail      = "fail"
)

// Outcomes the office decides between.
const (
	Renew            = "renew"
	ConditionalRenew = "conditional_renew"
	Exit             = "exit"
)

// Outcomes lists every outcome, in the order offices read them.
var Outcomes = []string{Renew, ConditionalRenew, Exit}

// Band is one grade: a total at or above Min (and below the next better
// band's Min) earns it.
type Band struct {
	Grade string  `json:"grade"`
	Label string  `json:"label"`
	Min   float64 `json:"min"`
}

// Bands are a cycle's grades, best first; the last band's Min is 0.
type Bands []Band

// DefaultBands: 优秀 excellent ≥ 90, 良好 good 80–89.99, 合格 pass
// 60–79.99, 不合格 fail < 60.
func DefaultBands() Bands {
	return Bands{
		{Grade: Excellent, Label: "优秀", Min: 90},
		{Grade: Good, Label: "良好", Min: 80},
		{Grade: Pass, Label: "合格", Min: 60},
		{Grade: Fail, Label: "不合格", Min: 0},
	}
}

// BandsPassingAt are the default bands with the pass band's minimum at
// the pass mark: the bands of a cycle that names none, so they agree with
// its rubric's pass_mark. With a pass mark the default bands cannot hold
// (not below good's minimum, or 0), the bands fail Check.
func BandsPassingAt(passMark float64) Bands {
	b := DefaultBands()
	b[2].Min = passMark
	return b
}

// PassMarkProblem says how the bands disagree with an annual rubric's
// pass_mark, for the field named; "" when they agree. The bands decide a
// grade, so a cycle may not start with a rubric that draws the pass line
// elsewhere.
func (b Bands) PassMarkProblem(version string, passMark float64) string {
	if got := b.PassMark(); got != passMark {
		return fmt.Sprintf("合格线 %g 与评分表 %s 的及格分 %g 不一致 / the pass band's minimum %g disagrees with rubric %s's pass_mark %g",
			got, version, passMark, got, version, passMark)
	}
	return ""
}

// Check names every problem with a set of bands, under the field prefix:
// the four grades each once, best first, with strictly falling minimums
// from at most 100 down to exactly 0 for the fail band.
func (b Bands) Check(field string) forms.Errors {
	var errs forms.Errors
	add := func(i int, sub, format string, args ...any) {
		errs = append(errs, forms.FieldError{Field: fmt.Sprintf("%s[%d].%s", field, i, sub), Message: fmt.Sprintf(format, args...)})
	}
	want := []string{Excellent, Good, Pass, Fail}
	if len(b) != len(want) {
		return forms.Errors{{Field: field, Message: fmt.Sprintf("must list the %d grades %v, best first", len(want), want)}}
	}
	for i, band := range b {
		if band.Grade != want[i] {
			add(i, "grade", "must be %q: the grades go best first", want[i])
		}
		if band.Label == "" || len([]rune(band.Label)) > 20 {
			add(i, "label", "must be 1 to 20 characters")
		}
		switch {
		case math.IsNaN(band.Min) || band.Min < 0 || band.Min > 100:
			add(i, "min", "must be from 0 to 100")
		case i == len(b)-1 && band.Min != 0:
			add(i, "min", "must be 0: every total earns a grade")
		case i > 0 && band.Min >= b[i-1].Min:
			add(i, "min", "must be below the better grade's minimum %g", b[i-1].Min)
		}
	}
	return errs
}

// Of is the band a total falls in.
func (b Bands) Of(total float64) Band {
	for _, band := range b {
		if total >= band.Min {
			return band
		}
	}
	return b[len(b)-1]
}

// Judge is the band a station earns: the band of its total, or the fail
// band when a critical indicator failed in the agreed result, whatever the
// total.
func (b Bands) Judge(total float64, failedCritical int) Band {
	if failedCritical > 0 {
		return b[len(b)-1]
	}
	return b.Of(total)
}

// PassMark is the lowest total that does not fail: the minimum of the
// worst band above fail.
func (b Bands) PassMark() float64 {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i].Grade != Fail {
			return b[i].Min
		}
	}
	return 0
}

// Label is the Chinese name of a grade code, or the code itself.
func (b Bands) Label(grade string) string {
	for _, band := range b {
		if band.Grade == grade {
			return band.Label
		}
	}
	return grade
}

// Agreement is how far a station's evaluators agree.
type Agreement struct {
	// Agreed: two scores lie within the threshold of each other.
	Agreed bool `json:"agreed"`
	// Used are the indexes of the scores the total rests on: the closest
	// pair (the first such pair when several are as close), or every score
	// when there is only one.
	Used []int `json:"used"`
	// Total is the mean of the used scores, rounded to 2 decimals.
	Total float64 `json:"total"`
	// Spread is the largest difference between any two scores.
	Spread float64 `json:"spread"`
}

// Agree decides whether the evaluators' totals agree: with the spread of
// all of them within the threshold, the total is their mean; otherwise the
// closest pair within the threshold decides; with no such pair they
// disagree, and a third evaluator or the office must settle it.
func Agree(totals []float64, threshold float64) Agreement {
	if len(totals) == 0 {
		return Agreement{}
	}
	lo, hi := slices.Min(totals), slices.Max(totals)
	out := Agreement{Spread: round2(hi - lo)}
	if hi-lo <= threshold {
		out.Agreed = true
		for i := range totals {
			out.Used = append(out.Used, i)
		}
		out.Total = mean(totals, out.Used)
		return out
	}
	best, bi, bj := math.Inf(1), -1, -1
	for i := range totals {
		for j := i + 1; j < len(totals); j++ {
			if d := math.Abs(totals[i] - totals[j]); d < best {
				best, bi, bj = d, i, j
			}
		}
	}
	if bi >= 0 && best <= threshold {
		out.Agreed, out.Used = true, []int{bi, bj}
		out.Total = mean(totals, out.Used)
	}
	return out
}

func mean(xs []float64, use []int) float64 {
	var sum float64
	for _, i := range use {
		sum += xs[i]
	}
	return round2(sum / float64(len(use)))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Propose is the outcome the system proposes for a grade and the station's
// open rectification items: a failing grade, or an open critical item,
// proposes exit; a passing grade with open items proposes renewal on the
// condition that they are closed; a passing grade with none, renewal.
func Propose(grade string, openItems, openCritical int) string {
	switch {
	case grade == Fail || openCritical > 0:
		return Exit
	case openItems > 0:
		return ConditionalRenew
	}
	return Renew
}

// Deviation is how one evaluator's scores stray from their peers' over
// the stations they scored together.
type Deviation struct {
	EvaluatorID string  `json:"evaluator_id"`
	Stations    int     `json:"stations"`
	MeanOffset  float64 `json:"mean_offset"`
	MeanAbs     float64 `json:"mean_abs_offset"`
	Flagged     bool    `json:"flagged"`
}

// Scored is one evaluator's total for one station.
type Scored struct {
	StationID   string
	EvaluatorID string
	Total       float64
}

// Deviations measures every evaluator against the median score of each
// station they scored with others (the median, so that one stray evaluator
// does not drag their peers' offsets along). An evaluator is flagged when,
// over at least minStations stations, their scores lie on average more
// than threshold points from that median. The result is sorted by
// evaluator ID.
func Deviations(scores []Scored, threshold float64, minStations int) []Deviation {
	byStation := map[string][]Scored{}
	for _, s := range scores {
		byStation[s.StationID] = append(byStation[s.StationID], s)
	}
	type sums struct {
		n           int
		offset, abs float64
	}
	acc := map[string]*sums{}
	for _, group := range byStation {
		if len(group) < 2 {
			continue
		}
		totals := make([]float64, len(group))
		for i, s := range group {
			totals[i] = s.Total
		}
		slices.Sort(totals)
		mid := totals[len(totals)/2]
		if len(totals)%2 == 0 {
			mid = (totals[len(totals)/2-1] + mid) / 2
		}
		for _, s := range group {
			peers := mid
			a := acc[s.EvaluatorID]
			if a == nil {
				a = &sums{}
				acc[s.EvaluatorID] = a
			}
			a.n++
			a.offset += s.Total - peers
			a.abs += math.Abs(s.Total - peers)
		}
	}
	out := make([]Deviation, 0, len(acc))
	for id, a := range acc {
		d := Deviation{EvaluatorID: id, Stations: a.n, MeanOffset: round2(a.offset / float64(a.n)), MeanAbs: round2(a.abs / float64(a.n))}
		d.Flagged = a.n >= minStations && d.MeanAbs > threshold
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EvaluatorID < out[j].EvaluatorID })
	return out
}

// SelfAssessment is an operating organisation's self-assessment (自评): the
// annual rubric scored by the organisation itself, and the funding it
// declares it used in the year.
type SelfAssessment struct {
	rubric.Form
	FundingUsedYuan *float64 `json:"funding_used_yuan"`
}

// Check applies the rubric's rules to the scores and asks for the funding
// used, from 0 to 100 million yuan.
func (s SelfAssessment) Check(r *rubric.Rubric) forms.Errors {
	errs := r.Check(s.Form)
	switch {
	case s.FundingUsedYuan == nil:
		errs = append(errs, forms.FieldError{Field: "funding_used_yuan", Message: "is required"})
	case math.IsNaN(*s.FundingUsedYuan) || *s.FundingUsedYuan < 0 || *s.FundingUsedYuan > 1e8:
		errs = append(errs, forms.FieldError{Field: "funding_used_yuan", Message: "must be from 0 to 100000000"})
	case !forms.WholeFen(*s.FundingUsedYuan):
		errs = append(errs, forms.FieldError{Field: "funding_used_yuan", Message: forms.FenMessage})
	}
	return errs
}
