// Package rubric holds the rubrics: the versioned scoring sheets that
// supervisors (quarterly supervision) and evaluators (annual evaluation) fill
// in for a social-work station. It loads them, each checked against a JSON
// Schema and then against the rules a schema cannot state, and computes a
// scorecard from a filled form.
//
// Everything but the loader is pure and deterministic, because it runs
// inside Temporal workflow code: no clock, no randomness, no I/O, and no map
// iteration order reaching any output.
package rubric

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stationflow/stationflow/internal/docschema"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/schemas"
)

// The kinds of rubric.
const (
	// KindSupervision is the rubric a supervisor fills in each quarter.
	KindSupervision = "quarterly_supervision"
	// KindAnnual is the rubric an evaluator fills in once a year.
	KindAnnual = "annual_evaluation"
)

// SchemaFile is the JSON Schema every rubric document is checked against,
// beside the rubric files in schemas/rubrics; Load skips it, and any other
// *.schema.json.
const SchemaFile = "rubric.schema.json"

// weightTotal is what the section weights of a rubric sum to, and
// weightTolerance how far off the sum may be from floating-point error.
const (
	weightTotal     = 100
	weightTolerance = 1e-9
)

// Rubric is a loaded, checked rubric.
type Rubric struct {
	// Version names the rubric, as in supervision-2026.1; a published
	// version never changes.
	Version string `json:"version"`
	// Kind is KindSupervision or KindAnnual.
	Kind string `json:"kind"`
	// Title is the sheet's title as people read it.
	Title string `json:"title"`
	// PassMark is the weighted total, 0 to 100, a station needs to pass.
	PassMark float64 `json:"pass_mark"`
	// LowScoreRatio: an indicator given fewer than LowScoreRatio times its
	// MaxPoints has failed, and its score needs a comment.
	LowScoreRatio float64 `json:"low_score_ratio"`
	// FailedAcross, for an annual rubric, says how an indicator counts as
	// failed in the result its evaluators agree on: FailedByMajority
	// (the default when empty) or FailedByMajorityOrArbitration.
	FailedAcross string `json:"failed_across,omitempty"`
	// Sections are the parts of the sheet, in the order people fill them in.
	Sections []Section `json:"sections"`
}

// Section is one weighted part of a rubric.
type Section struct {
	// ID is unique within the rubric, as in "governance".
	ID string `json:"id"`
	// Name is the section's heading as people read it.
	Name string `json:"name"`
	// Weight is the section's share of the total; a rubric's weights sum
	// to 100.
	Weight float64 `json:"weight"`
	// Indicators are the things scored in the section.
	Indicators []Indicator `json:"indicators"`
}

// Indicator is one thing a scorer gives points for.
type Indicator struct {
	// ID is "<section id>.<name>", unique within the rubric.
	ID string `json:"id"`
	// Name is what is scored, as people read it.
	Name string `json:"name"`
	// MaxPoints is the most points the indicator can be given; half points
	// may be given.
	MaxPoints int `json:"max_points"`
	// Guidance tells the scorer what to look at and how to give points.
	Guidance string `json:"guidance"`
	// AllowNA: the indicator may be scored as not applicable.
	AllowNA bool `json:"allow_na"`
	// Critical: failing the indicator fails the scorecard, whatever the
	// total.
	Critical bool `json:"critical"`
}

// How an indicator counts as failed across an annual evaluation's
// evaluators (a rubric's failed_across).
const (
	// FailedByMajority: more than half of the evaluators the agreed result
	// rests on failed it.
	FailedByMajority = "majority"
	// FailedByMajorityOrArbitration: as FailedByMajority, or at least one
	// evaluator failed it and the office's arbitration confirms it.
	FailedByMajorityOrArbitration = "majority_or_arbitration"
)

// ArbitrationConfirms says whether the office's arbitration may confirm
// an indicator that only some evaluators failed.
func (r *Rubric) ArbitrationConfirms() bool { return r.FailedAcross == FailedByMajorityOrArbitration }

// ErrInvalidRubric is matched by every *LoadError.
var ErrInvalidRubric = errors.New("invalid rubric")

// LoadError is everything wrong with one rubric document.
type LoadError struct {
	// File is the document's path within the file system given to Load;
	// empty from Parse.
	File string
	// Problems lists each problem, its Field the JSON path of what is wrong
	// (as in "sections[2].indicators[0].allow_na"), empty for the document
	// as a whole.
	Problems forms.Errors
}

func (e *LoadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Field == "" {
			parts[i] = p.Message
		} else {
			parts[i] = p.Field + ": " + p.Message
		}
	}
	msg := "rubric: " + strings.Join(parts, "; ")
	if e.File != "" {
		msg = e.File + ": " + msg
	}
	return msg
}

// Unwrap returns ErrInvalidRubric.
func (e *LoadError) Unwrap() error { return ErrInvalidRubric }

var (
	schemaOnce     sync.Once
	compiledSchema *jsonschema.Schema
	schemaErr      error
)

// rubricSchema compiles the embedded schemas/rubrics/rubric.schema.json
// once; every rubric, from Parse or Load, is checked against it.
func rubricSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		name := path.Join("rubrics", SchemaFile)
		data, err := fs.ReadFile(schemas.FS, name)
		if err != nil {
			schemaErr = fmt.Errorf("rubric schema: %w", err)
			return
		}
		compiledSchema, schemaErr = compileSchema(name, data)
	})
	return compiledSchema, schemaErr
}

func compileSchema(name string, data []byte) (*jsonschema.Schema, error) {
	sch, err := docschema.Compile(name, "urn:stationflow:rubric.schema.json", data)
	if err != nil {
		return nil, fmt.Errorf("rubric: %w", err)
	}
	return sch, nil
}

// Parse checks one rubric document against the rubric JSON Schema and then
// against the rules a schema cannot state, and returns the rubric. The
// rules: the section weights sum to 100; section ids are unique; every
// indicator id is unique in the rubric and starts with its section's id; a
// critical indicator is not allow_na; every section has an indicator that
// is not allow_na; only an annual rubric says failed_across. A refused document gives a *LoadError listing every
// problem found, each with its JSON path.
func Parse(doc []byte) (*Rubric, error) {
	sch, err := rubricSchema()
	if err != nil {
		return nil, err
	}
	r, problems := parse(doc, sch)
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return r, nil
}

func parse(doc []byte, sch *jsonschema.Schema) (*Rubric, forms.Errors) {
	whole := func(format string, args ...any) forms.Errors {
		return forms.Errors{{Message: fmt.Sprintf(format, args...)}}
	}
	if problems := numberProblems(doc); len(problems) > 0 {
		return nil, problems
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, whole("not valid JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		return nil, docschema.Problems(err)
	}
	var r Rubric
	if err := json.Unmarshal(doc, &r); err != nil {
		// The schema admits what encoding/json may not, such as a
		// max_points written 10.0.
		return nil, whole("%v", err)
	}
	if problems := r.semanticProblems(); len(problems) > 0 {
		return nil, problems
	}
	return &r, nil
}

// Limits on how a number in a rubric document is written. The schema
// validator compares numbers exactly, as fractions of big integers, so
// 1e99999999 would take it minutes; no rubric needs numbers like that.
const (
	maxNumberLength   = 64
	maxNumberExponent = 400
)

// numberProblems reports every number in doc written with too many
// characters or too large an exponent, naming its field. It stops quietly
// at a syntax error, which the JSON decoding that follows reports.
func numberProblems(doc []byte) forms.Errors {
	// level is one open object or array, and where in it the decoder is.
	type level struct {
		array   bool
		index   int    // of the current element, in an array
		key     string // of the current member, in an object
		wantKey bool   // in an object: the next string is a key
	}
	var problems forms.Errors
	var stack []level
	here := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index)
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	// value notes that a value starts at the current position.
	value := func() {
		if len(stack) == 0 {
			return
		}
		top := &stack[len(stack)-1]
		if top.array {
			top.index++
		} else {
			top.wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return problems
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				value()
				stack = append(stack, level{wantKey: true})
			case '[':
				value()
				stack = append(stack, level{array: true, index: -1})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			value()
		case json.Number:
			value()
			if !numberWrittenSanely(string(t)) {
				shown := string(t)
				if len(shown) > 24 {
					shown = shown[:24] + "…"
				}
				problems = append(problems, forms.FieldError{Field: here(),
					Message: fmt.Sprintf("the number %s is written with more than %d characters or an exponent beyond ±%d",
						shown, maxNumberLength, maxNumberExponent)})
			}
		default:
			value()
		}
	}
}

// numberWrittenSanely says whether a JSON number is short and its exponent
// small.
func numberWrittenSanely(n string) bool {
	if len(n) > maxNumberLength {
		return false
	}
	i := strings.IndexAny(n, "eE")
	if i < 0 {
		return true
	}
	exp, err := strconv.Atoi(strings.TrimPrefix(n[i+1:], "+"))
	return err == nil && exp >= -maxNumberExponent && exp <= maxNumberExponent
}

// semanticProblems checks the rules the schema cannot state.
func (r *Rubric) semanticProblems() forms.Errors {
	var problems forms.Errors
	add := func(field, format string, args ...any) {
		problems = append(problems, forms.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	var weights float64
	sectionAt := map[string]int{}
	indicatorAt := map[string]string{}
	for i, s := range r.Sections {
		field := fmt.Sprintf("sections[%d]", i)
		weights += s.Weight
		if j, dup := sectionAt[s.ID]; dup {
			add(field+".id", "%q is already the id of sections[%d]", s.ID, j)
		} else {
			sectionAt[s.ID] = i
		}
		applicable := false
		for j, ind := range s.Indicators {
			ifield := fmt.Sprintf("%s.indicators[%d]", field, j)
			if prefix, _, _ := strings.Cut(ind.ID, "."); prefix != s.ID {
				add(ifield+".id", "%q does not start with its section's id %q", ind.ID, s.ID+".")
			}
			if first, dup := indicatorAt[ind.ID]; dup {
				add(ifield+".id", "%q is already the id of %s", ind.ID, first)
			} else {
				indicatorAt[ind.ID] = ifield
			}
			if ind.Critical && ind.AllowNA {
				add(ifield+".allow_na", "a critical indicator must always be scored, so cannot allow N/A")
			}
			if !ind.AllowNA {
				applicable = true
			}
		}
		if !applicable {
			add(field+".indicators", "every indicator allows N/A; a section needs at least one that must be scored")
		}
	}
	if r.FailedAcross != "" && r.Kind != KindAnnual {
		add("failed_across", "only an %s rubric has several evaluators to agree", KindAnnual)
	}
	if math.Abs(weights-weightTotal) > weightTolerance {
		add("sections", "the section weights sum to %s, not %d", strconv.FormatFloat(weights, 'g', -1, 64), weightTotal)
	}
	return problems
}

// Set is every loaded rubric, keyed by version.
type Set map[string]*Rubric

// Load reads every rubric file (*.json other than *.schema.json) in dir of
// fsys and in the directories below it, and checks each as Parse does,
// against the embedded rubric schema. A file is named <version>.json, and no
// two files give the same version. The error joins a *LoadError for every
// file refused.
func Load(fsys fs.FS, dir string) (Set, error) {
	sch, err := rubricSchema()
	if err != nil {
		return nil, err
	}
	set := Set{}
	from := map[string]string{}
	var errs []error
	err = fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		base := d.Name()
		if d.IsDir() || !strings.HasSuffix(base, ".json") || strings.HasSuffix(base, ".schema.json") {
			return nil
		}
		fail := func(field, format string, args ...any) {
			errs = append(errs, &LoadError{File: name, Problems: forms.Errors{{Field: field, Message: fmt.Sprintf(format, args...)}}})
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			fail("", "%v", err)
			return nil
		}
		r, problems := parse(data, sch)
		if len(problems) > 0 {
			errs = append(errs, &LoadError{File: name, Problems: problems})
			return nil
		}
		if want := r.Version + ".json"; base != want {
			fail("version", "is %q, so the file must be named %s", r.Version, want)
			return nil
		}
		if prev, dup := from[r.Version]; dup {
			fail("version", "%q is already given by %s", r.Version, prev)
			return nil
		}
		set[r.Version], from[r.Version] = r, name
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rubric directory %s: %w", dir, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

// Get returns the rubric of the version; for an unknown version the error
// lists the versions there are.
func (s Set) Get(version string) (*Rubric, error) {
	if r, ok := s[version]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("no rubric has version %q; the versions are: %s", version, listOrNone(s.versions()))
}

// Latest returns the rubric of the kind with the highest version: the
// highest year, then the highest release, compared as numbers (2026.10 is
// after 2026.9). Two versions with the same numbers differ by name; the
// greater name wins, so the answer never depends on map order.
func (s Set) Latest(kind string) (*Rubric, error) {
	var latest *Rubric
	kinds := map[string]bool{}
	for _, r := range s {
		kinds[r.Kind] = true
		if r.Kind != kind {
			continue
		}
		if latest == nil || compareVersions(r.Version, latest.Version) > 0 {
			latest = r
		}
	}
	if latest == nil {
		known := make([]string, 0, len(kinds))
		for k := range kinds {
			known = append(known, k)
		}
		slices.Sort(known)
		return nil, fmt.Errorf("no rubric is of kind %q; the kinds are: %s", kind, listOrNone(known))
	}
	return latest, nil
}

func (s Set) versions() []string {
	vs := make([]string, 0, len(s))
	for v := range s {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ", ")
}

// versionPattern is the schema's pattern for a version, with the year and
// release captured.
var versionPattern = regexp.MustCompile(`^[a-z]+-([0-9]{4})\.([0-9]+)$`)

// compareVersions orders two versions by year, then release, then as
// strings; it returns -1, 0 or +1.
func compareVersions(a, b string) int {
	ma, mb := versionPattern.FindStringSubmatch(a), versionPattern.FindStringSubmatch(b)
	if ma != nil && mb != nil {
		if c := compareDigits(ma[1], mb[1]); c != 0 {
			return c
		}
		if c := compareDigits(ma[2], mb[2]); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

// compareDigits compares two strings of decimal digits by value, whatever
// their length.
func compareDigits(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// Indicator returns the indicator with the id and its section; false when
// the rubric has none.
func (r *Rubric) Indicator(id string) (Indicator, Section, bool) {
	for _, s := range r.Sections {
		for _, ind := range s.Indicators {
			if ind.ID == id {
				return ind, s, true
			}
		}
	}
	return Indicator{}, Section{}, false
}
