package rubric

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/stationflow/stationflow/schemas"
)

// FuzzParseRubric: whatever the bytes, Parse refuses them with a *LoadError
// or returns a rubric that, written back as JSON, parses to the same value.
//
// The seeds are small on purpose: the fuzzer minimises every input that
// finds new code, and minimising a 13 kB committed rubric (a few
// milliseconds a run) takes the whole fuzzing time. TestCommittedRubrics
// checks the same round trip on the committed rubrics.
func FuzzParseRubric(f *testing.F) {
	f.Add([]byte(baseDoc))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			var lerr *LoadError
			if !errors.As(err, &lerr) || len(lerr.Problems) == 0 {
				t.Fatalf("refused with %T %v, not a *LoadError with problems", err, err)
			}
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("cannot write the accepted rubric: %v", err)
		}
		r2, err := Parse(again)
		if err != nil {
			t.Fatalf("the accepted rubric, written back, is refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip changed the rubric:\n%+v\n%+v", r, r2)
		}
	})
}

// FuzzScoreForm: whatever form is filed against the committed supervision
// rubric, Score does not panic, and a scorecard it gives has a total from 0
// to 100 and passes only with no failed critical indicator.
func FuzzScoreForm(f *testing.F) {
	set, err := Load(schemas.FS, "rubrics")
	if err != nil {
		f.Fatal(err)
	}
	r, err := set.Latest(KindSupervision)
	if err != nil {
		f.Fatal(err)
	}
	valid := Form{Summary: "总体良好"}
	for _, s := range r.Sections {
		for _, ind := range s.Indicators {
			valid.Scores = append(valid.Scores, Score{Indicator: ind.ID, Points: pts(float64(ind.MaxPoints) / 2),
				Comment: "得分偏低，需要改进工作。"})
		}
	}
	seed, err := json.Marshal(valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"scores": [{"indicator": "governance.staffing", "points": 10.5}], "summary": ""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var form Form
		if json.Unmarshal(data, &form) != nil {
			return
		}
		card, errs := r.Score(form)
		if len(errs) > 0 {
			if !reflect.DeepEqual(errs, r.Check(form)) {
				t.Fatal("Score and Check disagree")
			}
			return
		}
		if !(card.Total >= 0 && card.Total <= 100) || math.IsNaN(card.Total) {
			t.Fatalf("total %v outside 0..100", card.Total)
		}
		if card.Passed && len(card.FailedCritical) > 0 {
			t.Fatalf("passed with failed critical indicators %v", card.FailedCritical)
		}
		if card.FailedCritical == nil || card.FailedIndicators == nil {
			t.Fatal("a failed list is nil")
		}
		for _, s := range card.Sections {
			if s.Percent < 0 || s.Percent > 100 || (s.NA && s.Max != 0) {
				t.Fatalf("section %+v out of range", s)
			}
		}
	})
}
