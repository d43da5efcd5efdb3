package rubric

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/schemas"
)

// baseDoc is a valid rubric document the Parse tests break one way at a
// time.
const baseDoc = `{
  "version": "test-2026.1",
  "kind": "quarterly_supervision",
  "title": "测试 Test rubric",
  "pass_mark": 60,
  "low_score_ratio": 0.6,
  "sections": [
    {"id": "care", "name": "一老一小 Care", "weight": 50, "indicators": [
      {"id": "care.visits", "name": "Visits", "max_points": 10, "guidance": "Check the visit log.", "critical": true},
      {"id": "care.daycare", "name": "Day care", "max_points": 5, "guidance": "Check the partnership.", "allow_na": true}
    ]},
    {"id": "records", "name": "档案 Records", "weight": 30, "indicators": [
      {"id": "records.files", "name": "Files", "max_points": 10, "guidance": "Sample the files."},
      {"id": "records.privacy", "name": "Privacy", "max_points": 5, "guidance": "Check the locks."}
    ]},
    {"id": "industry", "name": "产业 Industry", "weight": 20, "indicators": [
      {"id": "industry.livelihood", "name": "Livelihood", "max_points": 10, "guidance": "Check the projects.", "allow_na": true},
      {"id": "industry.training", "name": "Training", "max_points": 5, "guidance": "Check the courses."}
    ]}
  ]
}`

// docWith returns baseDoc changed by edit, which works on the decoded JSON.
func docWith(t *testing.T, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(baseDoc), &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func section(doc map[string]any, i int) map[string]any {
	return doc["sections"].([]any)[i].(map[string]any)
}

func indicator(doc map[string]any, i, j int) map[string]any {
	return section(doc, i)["indicators"].([]any)[j].(map[string]any)
}

// problemsOf returns the problems of a Parse error, failing the test when
// the error is not a *LoadError.
func problemsOf(t *testing.T, err error) forms.Errors {
	t.Helper()
	if err == nil {
		t.Fatal("Parse accepted the document")
	}
	if !errors.Is(err, ErrInvalidRubric) {
		t.Errorf("error %v does not match ErrInvalidRubric", err)
	}
	var lerr *LoadError
	if !errors.As(err, &lerr) {
		t.Fatalf("error is %T %v, not a *LoadError", err, err)
	}
	return lerr.Problems
}

// hasProblem says whether a problem names field and says something
// containing text.
func hasProblem(problems forms.Errors, field, text string) bool {
	for _, p := range problems {
		if p.Field == field && strings.Contains(p.Message, text) {
			return true
		}
	}
	return false
}

func TestParseAcceptsBaseDoc(t *testing.T) {
	r, err := Parse([]byte(baseDoc))
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != "test-2026.1" || len(r.Sections) != 3 || r.Sections[1].Indicators[1].ID != "records.privacy" {
		t.Fatalf("parsed %+v", r)
	}
	ind, sec, ok := r.Indicator("care.daycare")
	if !ok || sec.ID != "care" || !ind.AllowNA || ind.Critical || ind.MaxPoints != 5 {
		t.Fatalf("Indicator(care.daycare) = %+v, %s, %v", ind, sec.ID, ok)
	}
	if _, _, ok := r.Indicator("care.nothing"); ok {
		t.Fatal("Indicator found an id the rubric does not have")
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(doc map[string]any)
		field string
		text  string
	}{
		{"weights not summing to 100", func(d map[string]any) { section(d, 0)["weight"] = 60 },
			"sections", "sum to 110"},
		{"duplicate indicator id", func(d map[string]any) { indicator(d, 0, 1)["id"] = "care.visits" },
			"sections[0].indicators[1].id", "already the id of sections[0].indicators[0]"},
		{"duplicate indicator id across sections", func(d map[string]any) {
			section(d, 1)["id"] = "care"
			indicator(d, 1, 0)["id"] = "care.visits"
		}, "sections[1].indicators[0].id", "already the id of sections[0].indicators[0]"},
		{"duplicate section id", func(d map[string]any) { section(d, 1)["id"] = "care" },
			"sections[1].id", `"care" is already the id of sections[0]`},
		{"indicator outside its section's id", func(d map[string]any) { indicator(d, 1, 0)["id"] = "care.files" },
			"sections[1].indicators[0].id", "does not start with its section's id"},
		{"critical and allow_na", func(d map[string]any) { indicator(d, 2, 1)["critical"] = true; indicator(d, 2, 1)["allow_na"] = true },
			"sections[2].indicators[1].allow_na", "critical"},
		{"section of only N/A indicators", func(d map[string]any) { indicator(d, 2, 1)["allow_na"] = true },
			"sections[2].indicators", "at least one that must be scored"},
		{"bad version", func(d map[string]any) { d["version"] = "Test-26.1" },
			"version", "does not match pattern"},
		{"unknown kind", func(d map[string]any) { d["kind"] = "monthly" },
			"kind", "must be one of"},
		{"unknown field", func(d map[string]any) { indicator(d, 0, 0)["weight"] = 3 },
			"sections[0].indicators[0]", "weight"},
		{"unknown top-level field", func(d map[string]any) { d["author"] = "x" },
			"", "author"},
		{"max_points 0", func(d map[string]any) { indicator(d, 1, 1)["max_points"] = 0 },
			"sections[1].indicators[1].max_points", "minimum"},
		{"max_points not whole", func(d map[string]any) { indicator(d, 1, 1)["max_points"] = 2.5 },
			"sections[1].indicators[1].max_points", "integer"},
		{"guidance missing", func(d map[string]any) { delete(indicator(d, 0, 0), "guidance") },
			"sections[0].indicators[0]", "guidance"},
		{"guidance blank", func(d map[string]any) { indicator(d, 0, 0)["guidance"] = "   " },
			"sections[0].indicators[0].guidance", "pattern"},
		{"weight 0", func(d map[string]any) { section(d, 0)["weight"] = 0 },
			"sections[0].weight", "0"},
		{"no sections", func(d map[string]any) { d["sections"] = []any{} },
			"sections", "minItems"},
		{"unknown failed_across", func(d map[string]any) { d["failed_across"] = "any" },
			"failed_across", "must be one of"},
		{"failed_across on a supervision rubric", func(d map[string]any) {
			d["kind"] = KindSupervision
			d["failed_across"] = FailedByMajority
		}, "failed_across", "only an annual_evaluation rubric"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(docWith(t, c.edit))
			problems := problemsOf(t, err)
			if !hasProblem(problems, c.field, c.text) {
				t.Fatalf("no problem on %q saying %q; got %v", c.field, c.text, problems)
			}
		})
	}
}

func TestParseListsEveryProblem(t *testing.T) {
	doc := docWith(t, func(d map[string]any) {
		section(d, 0)["weight"] = 10
		indicator(d, 0, 0)["allow_na"] = true
		indicator(d, 2, 1)["allow_na"] = true
	})
	problems := problemsOf(t, func() error { _, err := Parse(doc); return err }())
	// care.visits allowing N/A also leaves the care section with no
	// indicator that must be scored.
	for _, want := range []string{"sections", "sections[0].indicators[0].allow_na", "sections[0].indicators", "sections[2].indicators"} {
		if !hasProblem(problems, want, "") {
			t.Errorf("no problem on %q; got %v", want, problems)
		}
	}
	if len(problems) != 4 {
		t.Errorf("got %d problems, want 4: %v", len(problems), problems)
	}
}

// TestParseRefusesMonstrousNumbers: the schema validator works out numbers
// exactly, so 1e99999999 would keep it busy for minutes; Parse refuses such
// numbers first, naming where they are.
func TestParseRefusesMonstrousNumbers(t *testing.T) {
	doc := strings.Replace(baseDoc, `"pass_mark": 60`, `"pass_mark": 1e99999999`, 1)
	doc = strings.Replace(doc, `"max_points": 5, "guidance": "Check the locks."`, `"max_points": 5`+strings.Repeat("0", 70)+`, "guidance": "Check the locks."`, 1)
	doc = strings.Replace(doc, `"title": "测试 Test rubric",`, `"title": "测试 Test rubric", "extra": [1, {"x": [2, 3E+401]}],`, 1)
	problems := problemsOf(t, func() error { _, err := Parse([]byte(doc)); return err }())
	for _, want := range []string{"pass_mark", "sections[1].indicators[1].max_points", "extra[1].x[1]"} {
		if !hasProblem(problems, want, "is written with more than 64 characters or an exponent beyond ±400") {
			t.Errorf("no problem on %q; got %v", want, problems)
		}
	}
	if len(problems) != 3 {
		t.Errorf("got %d problems, want 3: %v", len(problems), problems)
	}
	if _, err := Parse([]byte(strings.Replace(baseDoc, `"pass_mark": 60`, `"pass_mark": 6.0e+1`, 1))); err != nil {
		t.Errorf("a plain exponent refused: %v", err)
	}
}

func TestParseRefusesBadJSON(t *testing.T) {
	problems := problemsOf(t, func() error { _, err := Parse([]byte(`{"version": `)); return err }())
	if len(problems) != 1 || problems[0].Field != "" || !strings.Contains(problems[0].Message, "not valid JSON") {
		t.Fatalf("got %v", problems)
	}
}

// TestCommittedRubrics loads schemas/rubrics as the service does.
func TestCommittedRubrics(t *testing.T) {
	set, err := Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	if len(set) != 4 {
		t.Fatalf("loaded %d rubrics, want 4: %v", len(set), set.versions())
	}
	for kind, version := range map[string]string{KindSupervision: "supervision-2026.1", KindAnnual: "annual-2026.3"} {
		r, err := set.Latest(kind)
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != version || r.Kind != kind {
			t.Errorf("Latest(%s) = %s of kind %s, want %s", kind, r.Version, r.Kind, version)
		}
		data, err := fs.ReadFile(schemas.FS, "rubrics/"+version+".json")
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(parsed, r) {
			t.Errorf("Parse and Load disagree on %s", version)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if reparsed, err := Parse(again); err != nil || !reflect.DeepEqual(reparsed, r) {
			t.Errorf("%s written back as JSON does not parse to the same rubric: %v", version, err)
		}
	}
	// Annual rubrics say how an indicator fails across evaluators: the
	// first by majority (left out), the second by majority or arbitration.
	for version, want := range map[string]string{"annual-2026.1": "", "annual-2026.2": FailedByMajorityOrArbitration,
		"annual-2026.3": FailedByMajorityOrArbitration} {
		if r, _ := set.Get(version); r == nil || r.FailedAcross != want || r.ArbitrationConfirms() != (want != "") {
			t.Errorf("%s failed_across %+v, want %q", version, r, want)
		}
	}
	sup, _ := set.Get("supervision-2026.1")
	lines := map[string]bool{}
	for _, s := range sup.Sections {
		lines[s.ID] = true
	}
	for _, id := range []string{"needs_assessment", "resource_linking", "social_assistance", "elderly_child_care",
		"community_governance", "industry_development", "governance", "records"} {
		if !lines[id] {
			t.Errorf("the supervision rubric has no section %s", id)
		}
	}
	if ind, _, ok := sup.Indicator("industry_development.livelihood"); !ok || !ind.AllowNA {
		t.Error("industry development livelihood support is not N/A-able at community rooms")
	}
}

func TestSetGetAndLatest(t *testing.T) {
	set := Set{}
	for _, v := range []string{"supervision-2026.9", "supervision-2026.10", "supervision-2025.20", "supervision-2026.2"} {
		set[v] = &Rubric{Version: v, Kind: KindSupervision}
	}
	set["annual-2027.1"] = &Rubric{Version: "annual-2027.1", Kind: KindAnnual}
	r, err := set.Latest(KindSupervision)
	if err != nil || r.Version != "supervision-2026.10" {
		t.Fatalf("Latest(supervision) = %v, %v; want supervision-2026.10", r, err)
	}
	if r, err := set.Get("supervision-2026.9"); err != nil || r.Version != "supervision-2026.9" {
		t.Fatalf("Get = %v, %v", r, err)
	}
	_, err = set.Get("supervision-2024.1")
	want := "annual-2027.1, supervision-2025.20, supervision-2026.10, supervision-2026.2, supervision-2026.9"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Get(unknown) error %v does not list %s", err, want)
	}
	_, err = set.Latest("monthly")
	if err == nil || !strings.Contains(err.Error(), "annual_evaluation, quarterly_supervision") {
		t.Fatalf("Latest(unknown kind) error %v does not list the kinds", err)
	}
}

func TestCompareVersionsBeyondIntRange(t *testing.T) {
	a, b := "x-2026.99999999999999999999", "x-2026.100000000000000000000"
	if compareVersions(a, b) >= 0 || compareVersions(b, a) <= 0 || compareVersions(a, a) != 0 {
		t.Fatal("long release numbers are not compared by value")
	}
	if compareVersions("x-2027.1", "x-2026.10") <= 0 {
		t.Fatal("the year is not compared first")
	}
}

func TestLoadChecksFiles(t *testing.T) {
	base := []byte(baseDoc)
	good := fstest.MapFS{
		"r/test-2026.1.json":      {Data: base},
		"r/rubric.schema.json":    {Data: []byte(`not a rubric`)},
		"r/README.md":             {Data: []byte(`# rubrics`)},
		"r/old/other.schema.json": {Data: []byte(`{}`)},
	}
	set, err := Load(good, "r")
	if err != nil || len(set) != 1 || set["test-2026.1"] == nil {
		t.Fatalf("Load = %v, %v", set, err)
	}

	misnamed := fstest.MapFS{"r/test-2026.2.json": {Data: base}}
	_, err = Load(misnamed, "r")
	var lerr *LoadError
	if !errors.As(err, &lerr) || lerr.File != "r/test-2026.2.json" || !hasProblem(lerr.Problems, "version", "test-2026.1.json") {
		t.Fatalf("a misnamed file gave %v", err)
	}

	twice := fstest.MapFS{"r/test-2026.1.json": {Data: base}, "r/archive/test-2026.1.json": {Data: base}}
	_, err = Load(twice, "r")
	if !errors.As(err, &lerr) || lerr.File != "r/test-2026.1.json" || !hasProblem(lerr.Problems, "version", "already given by r/archive/test-2026.1.json") {
		t.Fatalf("a version given twice gave %v", err)
	}

	broken := fstest.MapFS{
		"r/test-2026.1.json": {Data: []byte(strings.Replace(baseDoc, `"weight": 50`, `"weight": 40`, 1))},
		"r/test-2026.2.json": {Data: []byte(strings.Replace(baseDoc, `"critical": true`, `"critical": true, "allow_na": true`, 1))},
	}
	_, err = Load(broken, "r")
	if err == nil || !strings.Contains(err.Error(), "r/test-2026.1.json: rubric: sections: ") ||
		!strings.Contains(err.Error(), "r/test-2026.2.json: rubric: sections[0].indicators[0].allow_na") {
		t.Fatalf("Load did not report both broken files: %v", err)
	}

	if _, err := Load(fstest.MapFS{}, "missing"); err == nil {
		t.Fatal("Load of a missing directory succeeded")
	}
}

// annual-2026.3 is annual-2026.2 with one indicator more, resource
// integration (整合各方资源), read from the resources by funder in the
// annual evidence; annual-2026.2 is left as it was for the cycles using it.
func TestAnnual2026Point3AddsResourceIntegrationToAnnual2026Point2(t *testing.T) {
	set, err := Load(schemas.FS, "rubrics")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := set.Get("annual-2026.2")
	next, _ := set.Get("annual-2026.3")
	if old == nil || next == nil {
		t.Fatal("annual-2026.2 and annual-2026.3 must both load")
	}
	if _, _, ok := old.Indicator("resource_linking.integration"); ok {
		t.Error("annual-2026.2 changed: it has resource_linking.integration")
	}
	ind, _, ok := next.Indicator("resource_linking.integration")
	if !ok || !strings.Contains(ind.Guidance, "by_funder") || !strings.Contains(ind.Name, "整合各方资源") {
		t.Fatalf("annual-2026.3 resource_linking.integration = %+v", ind)
	}
	var added []string
	for _, sec := range next.Sections {
		for _, in := range sec.Indicators {
			if _, _, ok := old.Indicator(in.ID); !ok {
				added = append(added, in.ID)
			}
		}
	}
	if !slices.Equal(added, []string{"resource_linking.integration"}) || next.PassMark != old.PassMark {
		t.Errorf("annual-2026.3 adds %v and passes at %g, want only resource_linking.integration at %g", added, next.PassMark, old.PassMark)
	}
}
