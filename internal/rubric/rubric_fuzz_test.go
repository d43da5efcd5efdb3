package rubric

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stationflow/stationflow/internal/testkit"
)

// fuzzCommittedRubrics are the rubric files under schemas/rubrics.
var fuzzCommittedRubrics = []string{"annual-2026.1.json", "supervision-2026.1.json"}

func fuzzReadRubric(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("../../schemas/rubrics/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fuzzWarm adds each seed and runs check on it, before fuzzing, in each
// worker process: the first parse, check and encode of a type fills caches
// (encoding/json's, the schema's) whose code then never runs again, and
// coverage first seen there cannot be reproduced: the fuzzer would spend up
// to -fuzzminimizetime (60 s unless told) trying to minimise such an input.
func fuzzWarm(f *testing.F, check func(testing.TB, []byte), seeds ...[]byte) {
	f.Helper()
	for _, seed := range seeds {
		f.Add(seed)
		check(f, seed)
	}
}

// fuzzShrunk is a committed rubric with its texts cut to a few
// characters and its JSON compacted: the same structure, numbers and ids
// in a quarter of the bytes. A run of Parse takes most of a millisecond,
// and the fuzzer minimises every input that finds new code a run at a
// time: mutants of the shrunk seeds minimise in a quarter of the runs.
func fuzzShrunk(tb testing.TB, doc []byte) []byte {
	tb.Helper()
	var r Rubric
	if err := json.Unmarshal(doc, &r); err != nil {
		tb.Fatal(err)
	}
	cut := func(s string) string {
		if rs := []rune(s); len(rs) > 4 {
			return string(rs[:4])
		}
		return s
	}
	r.Title = cut(r.Title)
	for i := range r.Sections {
		s := &r.Sections[i]
		s.Name = cut(s.Name)
		for j := range s.Indicators {
			s.Indicators[j].Name, s.Indicators[j].Guidance = cut(s.Indicators[j].Name), cut(s.Indicators[j].Guidance)
		}
	}
	out, err := json.Marshal(r)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// fuzzForm fills in r: every indicator that allows N/A is N/A when na is
// true, every other is given points(ind) with a comment that explains any
// score.
func fuzzForm(r *Rubric, na bool, points func(Indicator) float64) Form {
	f := Form{Summary: "总体情况 overall"}
	for _, s := range r.Sections {
		for _, ind := range s.Indicators {
			if na && ind.AllowNA {
				f.Scores = append(f.Scores, Score{Indicator: ind.ID, NA: true})
				continue
			}
			p := points(ind)
			f.Scores = append(f.Scores, Score{Indicator: ind.ID, Points: &p, Comment: "评分依据见台账 see the ledger"})
		}
	}
	return f
}

// FuzzParseRubricScores: whatever the bytes, Parse refuses them with a
// *LoadError matching ErrInvalidRubric whose problems each say what is
// wrong and name a field that is in the document (or none, for the
// document as a whole; a document the schema and the decoder accept has
// its every problem named by field). A rubric it accepts loads the same
// through Load, and scores as a rubric must: every indicator at its
// max_points, or N/A where allowed and the rest at max_points, passes
// Check, totals 100 and passes; every indicator at 0 (with a comment)
// passes Check, totals 0, and fails every indicator when low_score_ratio
// is above 0.
func FuzzParseRubricScores(f *testing.F) {
	var seeds [][]byte
	for _, name := range fuzzCommittedRubrics {
		doc := fuzzReadRubric(f, name)
		seeds = append(seeds, doc, fuzzShrunk(f, doc))
	}
	seeds = append(seeds, []byte(baseDoc),
		[]byte(`{"version":"x-2026.1","kind":"annual_evaluation","title":"t","pass_mark":100,"low_score_ratio":1,"sections":[{"id":"a","name":"A","weight":100,"indicators":[{"id":"a.b","name":"B","max_points":1,"guidance":"g","critical":true}]}]}`),
		[]byte(`{"version":"x-2026.1","kind":"annual_evaluation","title":"t","pass_mark":0,"low_score_ratio":0,"sections":[{"id":"a","name":"A","weight":33.3,"indicators":[{"id":"a.b","name":"B","max_points":3,"guidance":"g"}]},{"id":"c","name":"C","weight":33.3,"indicators":[{"id":"c.d","name":"D","max_points":7,"guidance":"g","allow_na":true},{"id":"c.e","name":"E","max_points":100,"guidance":"g"}]},{"id":"f","name":"F","weight":33.4,"indicators":[{"id":"f.g","name":"G","max_points":1,"guidance":"g"}]}]}`))
	check := func(t testing.TB, doc []byte) {
		r, err := Parse(doc)
		if err != nil {
			var lerr *LoadError
			if !errors.As(err, &lerr) || !errors.Is(err, ErrInvalidRubric) || len(lerr.Problems) == 0 || lerr.File != "" {
				t.Fatalf("refused with %T %v, not a *LoadError with problems", err, err)
			}
			paths, valid := testkit.JSONPaths(doc)
			var decodable bool
			if valid {
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
				sch, _ := rubricSchema()
				var probe Rubric
				decodable = err == nil && sch.Validate(inst) == nil && json.Unmarshal(doc, &probe) == nil
			}
			for _, p := range lerr.Problems {
				if p.Message == "" {
					t.Fatalf("a problem says nothing: %+v", p)
				}
				if valid && p.Field != "" && !paths[p.Field] {
					t.Fatalf("a problem names %q, which is not in the document: %+v", p.Field, lerr.Problems)
				}
				if decodable && p.Field == "" {
					t.Fatalf("a document the schema and the decoder accept has a problem naming no field: %+v", lerr.Problems)
				}
			}
			return
		}

		loaded, err := Load(fstest.MapFS{"r/" + r.Version + ".json": {Data: doc}}, "r")
		if err != nil {
			t.Fatalf("Parse accepts the rubric but Load refuses it: %v", err)
		}
		if !reflect.DeepEqual(loaded[r.Version], r) {
			t.Fatalf("Load and Parse give different rubrics:\n%+v\n%+v", loaded[r.Version], r)
		}

		for _, na := range []bool{false, true} {
			full := fuzzForm(r, na, func(ind Indicator) float64 { return float64(ind.MaxPoints) })
			if errs := r.Check(full); len(errs) > 0 {
				t.Fatalf("full marks (na %v) break a rule: %v", na, errs)
			}
			card, errs := r.Score(full)
			if len(errs) > 0 || card.Total != 100 || !card.Passed || len(card.FailedIndicators) != 0 {
				t.Fatalf("full marks (na %v) scored %+v, %v; want a passing 100", na, card, errs)
			}
		}
		zero := fuzzForm(r, false, func(Indicator) float64 { return 0 })
		card, errs := r.Score(zero)
		if len(errs) > 0 || card.Total != 0 {
			t.Fatalf("no marks scored %+v, %v; want 0", card, errs)
		}
		indicators, critical := 0, 0
		for _, s := range r.Sections {
			for _, ind := range s.Indicators {
				indicators++
				if ind.Critical {
					critical++
				}
			}
		}
		if r.LowScoreRatio > 0 && (len(card.FailedIndicators) != indicators || len(card.FailedCritical) != critical) {
			t.Fatalf("no marks failed %d indicators (%d critical) of %d (%d critical)", len(card.FailedIndicators),
				len(card.FailedCritical), indicators, critical)
		}
		if want := r.PassMark <= 0 && len(card.FailedCritical) == 0; card.Passed != want {
			t.Fatalf("no marks passed %v, want %v (pass mark %v)", card.Passed, want, r.PassMark)
		}
	}
	fuzzWarm(f, check, seeds...)
	f.Fuzz(func(t *testing.T, doc []byte) { check(t, doc) })
}

// FuzzCheckScoreAnnual: whatever form is filed against the committed
// annual rubric, decoded strictly as the workflow decodes it, Check and
// Score do not panic and agree; every error names a field of the form
// (scores, scores[i]…, summary) and says why. A form that passes scores
// every indicator once and gives a total from 0 to 100, between the lowest
// and the highest section percentage, that passes exactly when it reaches
// the pass mark with no failed critical indicator; the failed indicators
// are those below low_score_ratio of their max_points. Giving one
// indicator half a point more never lowers the total.
func FuzzCheckScoreAnnual(f *testing.F) {
	r, err := Parse(fuzzReadRubric(f, "annual-2026.1.json"))
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, points := range []func(Indicator) float64{
		func(ind Indicator) float64 { return float64(ind.MaxPoints) },
		func(ind Indicator) float64 { return math.Floor(float64(ind.MaxPoints)*0.7*2) / 2 },
		func(Indicator) float64 { return 0 },
	} {
		seed, err := json.Marshal(fuzzForm(r, true, points))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, seed)
	}
	seeds = append(seeds,
		[]byte(`{"scores":[{"indicator":"governance.staffing","points":10.25,"comment":"","evidence_ids":["x"]},{"indicator":"elderly_child_care.day_care","na":true,"points":1}],"summary":""}`),
		[]byte(`{"scores":[{"indicator":"governance.staffing","points":5}],"summary":"s","extra":1}`))
	byID := r.indicatorsByID()
	check := func(t testing.TB, raw []byte) {
		var form Form
		if !testkit.DecodeStrict(t, raw, &form) {
			return
		}
		errs := r.Check(form)
		card, scoreErrs := r.Score(form)
		if !reflect.DeepEqual(errs, scoreErrs) {
			t.Fatalf("Check gives %v, Score %v", errs, scoreErrs)
		}
		for _, e := range errs {
			if e.Message == "" || !fuzzFormField(e.Field, len(form.Scores)) {
				t.Fatalf("an error names no field of the form: %+v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		if len(form.Scores) != len(byID) {
			t.Fatalf("a form with %d scores passed; the rubric has %d indicators", len(form.Scores), len(byID))
		}
		if math.IsNaN(card.Total) || card.Total < 0 || card.Total > 100 {
			t.Fatalf("total %v outside 0..100", card.Total)
		}
		if len(card.Sections) != len(r.Sections) {
			t.Fatalf("%d section results for %d sections", len(card.Sections), len(r.Sections))
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, s := range card.Sections {
			if s.ID != r.Sections[i].ID || s.NA != (s.Max == 0) || s.Points < 0 || s.Points > s.Max || s.Percent < 0 || s.Percent > 100 {
				t.Fatalf("section result %+v for section %s", s, r.Sections[i].ID)
			}
			if !s.NA {
				lo, hi = min(lo, s.Percent), max(hi, s.Percent)
			}
		}
		if !math.IsInf(lo, 1) && (card.Total < lo-0.01 || card.Total > hi+0.01) {
			t.Fatalf("total %v outside the section percentages %v..%v", card.Total, lo, hi)
		}
		if want := card.Total >= r.PassMark && len(card.FailedCritical) == 0; card.Passed != want {
			t.Fatalf("passed %v with total %v and failed critical %v", card.Passed, card.Total, card.FailedCritical)
		}
		failed, critical := 0, 0
		for _, s := range form.Scores {
			ind := byID[s.Indicator]
			if s.Points != nil && *s.Points < r.LowScoreRatio*float64(ind.MaxPoints) {
				failed++
				if ind.Critical {
					critical++
				}
			}
		}
		if len(card.FailedIndicators) != failed || len(card.FailedCritical) != critical {
			t.Fatalf("%d failed indicators (%d critical) listed, %d (%d) scored below the line", len(card.FailedIndicators),
				len(card.FailedCritical), failed, critical)
		}

		for i, s := range form.Scores {
			if s.Points == nil || *s.Points+0.5 > float64(byID[s.Indicator].MaxPoints) {
				continue
			}
			better := form
			better.Scores = append([]Score(nil), form.Scores...)
			p := *s.Points + 0.5
			better.Scores[i].Points = &p
			card2, errs := r.Score(better)
			if len(errs) > 0 {
				t.Fatalf("half a point more on %s breaks a rule: %v", s.Indicator, errs)
			}
			if card2.Total < card.Total {
				t.Fatalf("half a point more on %s lowers the total from %v to %v", s.Indicator, card.Total, card2.Total)
			}
			break
		}
	}
	fuzzWarm(f, check, seeds...)
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// fuzzFormField says whether field names a part of a form with n scores.
func fuzzFormField(field string, n int) bool {
	if field == "scores" || field == "summary" {
		return true
	}
	rest, ok := strings.CutPrefix(field, "scores[")
	if !ok {
		return false
	}
	var i int
	var sub string
	if k, err := fmt.Sscanf(rest, "%d]%s", &i, &sub); err != nil || k != 2 {
		return false
	}
	return i >= 0 && i < n && strings.HasPrefix(sub, ".")
}
