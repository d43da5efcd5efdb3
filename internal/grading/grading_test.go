package grading

import (
	"slices"
	"testing"
)

func TestDefaultBandsGradeAtTheirEdges(t *testing.T) {
	b := DefaultBands()
	if errs := b.Check("bands"); len(errs) > 0 {
		t.Fatalf("default bands: %v", errs)
	}
	for total, want := range map[float64]string{100: Excellent, 90: Excellent, 89.99: Good, 80: Good, 79.99: Pass, 60: Pass, 59.99: Fail, 0: Fail} {
		if got := b.Of(total).Grade; got != want {
			t.Errorf("%g graded %s, want %s", total, got, want)
		}
	}
	if b.Label(Good) != "良好" || b.Label("x") != "x" {
		t.Errorf("labels: %s %s", b.Label(Good), b.Label("x"))
	}
}

func TestBandsCheckNamesEachProblem(t *testing.T) {
	b := DefaultBands()
	b[1].Min = 95 // above excellent
	b[3].Min = 10 // fail must start at 0
	b[2].Label = ""
	errs := b.Check("bands")
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	for _, want := range []string{"bands[1].min", "bands[2].label", "bands[3].min"} {
		if !slices.Contains(fields, want) {
			t.Errorf("no error for %s in %v", want, errs)
		}
	}
	if errs := (Bands{{Grade: Excellent, Label: "优", Min: 90}}).Check("bands"); len(errs) != 1 || errs[0].Field != "bands" {
		t.Errorf("too few bands: %v", errs)
	}
}

func TestAgree(t *testing.T) {
	cases := []struct {
		name      string
		totals    []float64
		agreed    bool
		used      []int
		total     float64
		spread    float64
		threshold float64
	}{
		{"close pair", []float64{82, 88}, true, []int{0, 1}, 85, 6, 10},
		{"far pair", []float64{62, 88}, false, nil, 0, 26, 10},
		{"third settles", []float64{62, 88, 84}, true, []int{1, 2}, 86, 26, 10},
		{"third far from both", []float64{40, 88, 64}, false, nil, 0, 48, 10},
		{"one evaluator", []float64{71.5}, true, []int{0}, 71.5, 0, 10},
		{"at the threshold", []float64{70, 80}, true, []int{0, 1}, 75, 10, 10},
	}
	for _, c := range cases {
		got := Agree(c.totals, c.threshold)
		if got.Agreed != c.agreed || !slices.Equal(got.Used, c.used) || got.Total != c.total || got.Spread != c.spread {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}

func TestPropose(t *testing.T) {
	for _, c := range []struct {
		grade          string
		open, critical int
		want           string
	}{
		{Excellent, 0, 0, Renew}, {Pass, 0, 0, Renew}, {Good, 2, 0, ConditionalRenew},
		{Excellent, 1, 1, Exit}, {Fail, 0, 0, Exit},
	} {
		if got := Propose(c.grade, c.open, c.critical); got != c.want {
			t.Errorf("Propose(%s, %d, %d) = %s, want %s", c.grade, c.open, c.critical, got, c.want)
		}
	}
}

func TestDeviationsFlagAnEvaluatorWhoStraysOverManyStations(t *testing.T) {
	var scores []Scored
	for i, st := range []string{"s1", "s2", "s3", "s4", "s5"} {
		base := 70 + float64(i)
		scores = append(scores, Scored{st, "a", base}, Scored{st, "b", base + 2}, Scored{st, "harsh", base - 20})
	}
	scores = append(scores, Scored{"s6", "c", 90}) // alone: no peers to compare
	got := Deviations(scores, 8, 5)
	if len(got) != 3 {
		t.Fatalf("deviations %+v", got)
	}
	byID := map[string]Deviation{}
	for _, d := range got {
		byID[d.EvaluatorID] = d
	}
	if h := byID["harsh"]; !h.Flagged || h.Stations != 5 || h.MeanOffset != -20 {
		t.Errorf("harsh evaluator %+v", h)
	}
	if byID["a"].Flagged || byID["b"].Flagged {
		t.Errorf("agreeing evaluators flagged: %+v", got)
	}
	if few := Deviations(scores[:6], 8, 5); few[2].Flagged {
		t.Errorf("flagged over two stations: %+v", few)
	}
}
