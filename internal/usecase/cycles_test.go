package usecase

import (
	"testing"

	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/schemas"
)

func TestACyclesBandsMustDrawThePassLineWhereItsRubricDoes(t *testing.T) {
	set, err := rubric.Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cases{Rubrics: set}
	check := func(version string, bands grading.Bands) (store.CycleSettings, []string) {
		req := CycleRequest{RubricVersion: version, Bands: bands}
		s := withCycleDefaults(req)
		var fields []string
		for _, e := range c.cycleRubric(req, &s) {
			fields = append(fields, e.Field)
		}
		return s, fields
	}
	// Left out, the bands take the rubric's pass line: 70 for annual-2026.1.
	if s, fields := check("annual-2026.1", nil); len(fields) != 0 || s.Bands.PassMark() != 70 {
		t.Errorf("annual-2026.1 without bands: %v, pass line %g", fields, s.Bands.PassMark())
	}
	// Given, bands passing at 60 agree with annual-2026.2 and are refused
	// with annual-2026.1, on bands.
	if _, fields := check("annual-2026.2", grading.DefaultBands()); len(fields) != 0 {
		t.Errorf("annual-2026.2 with the default bands: %v", fields)
	}
	if _, fields := check("annual-2026.1", grading.DefaultBands()); len(fields) != 1 || fields[0] != "bands" {
		t.Errorf("annual-2026.1 with bands passing at 60: %v, want one error on bands", fields)
	}
	// Bad bands and a rubric of the wrong kind are both named.
	bad := grading.DefaultBands()
	bad[3].Min = 5
	if _, fields := check("supervision-2026.1", bad); len(fields) != 2 || fields[0] != "bands[3].min" || fields[1] != "rubric_version" {
		t.Errorf("bad bands with a supervision rubric: %v", fields)
	}
}
