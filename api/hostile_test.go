package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/store"
)

// The end-to-end refusal test: every operation of openapi.yaml, called on
// the authorization matrix's fixture, gets hostile variants generated from
// what the document declares for it and from the hostile value lists of
// text_test.go:
//   - each query parameter: control bytes and bytes that are no UTF-8,
//     NaN/Inf, numbers, years and quarters out of range, junk enumerations
//     and forged cursors (those its schema refuses), and the parameter
//     twice: 400 naming it;
//   - each path parameter: no ID, NUL, no UTF-8: 404, or 400 naming it;
//   - each string field of a JSON or multipart body: text PostgreSQL
//     cannot store (names also: bidirectional controls, nothing visible):
//     400 or 422 naming its JSON path; each enumerated field a value that
//     is no member; each field in yuan an amount finer than a fen (422);
//     a key in the wrong case or twice (400); charset=latin1 (415);
//   - each name of a body the fixture's call creates: formula-leading
//     text, accepted as text (201);
//   - each path a method it does not take: 405 with Allow;
//   - every task kind's form, each string field hostile, through
//     /complete: 422 naming the field; the task then takes a good form and
//     its projection lands (it reads completed).
//
// Every answer must be no 500, match openapi.yaml, be a problem naming
// the field for a 400, 415 or 422, and come within the API's wait
// deadline. An operation with parameters or a body but no fixture path
// fails the test.

// hostileWait is the stack's wait deadline on a workflow; hostileMargin is
// what a request may take beyond it.
const (
	hostileWait   = 6 * time.Second
	hostileMargin = 3 * time.Second
)

// hostileMarker stands in a body for the hostile value, which json.Marshal
// would mend; the value is written over it byte for byte.
const hostileMarker = "\u2603hostile-marker\u2603"

// junkParams are malformed parameter values beyond hostileText: numbers
// no schema takes, out-of-range years and quarters, junk enumerations and
// forged cursors. A value the parameter's schema accepts is not sent as
// hostile (the document would call it valid).
func junkParams() []string {
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"after":"` + uuid.NewString() + `","sig":"forged"}`))
	return []string{"NaN", "nan", "Inf", "-Inf", "+Inf", "1e400", "-1", "-2026", "99999999999999999999", "0x10", "1.5e3",
		"1999", "2101", "99999", "2026Q5", "2999Q4", "2026-Q1", "3026", "junk-值", "TRUE ", " 1", forged, forged + "A"}
}

// hostilePathValues are path parameter values that name nothing: not an
// ID, NUL, bytes that are no UTF-8, a bidirectional control.
func hostilePathValues() []string {
	id := uuid.NewString()
	return []string{"not-a-uuid", "%00", id + "%00", "%FF", "%C3", "%ED%A0%80", "%E2%80%AE" + id, "%20", strings.ToUpper(id) + "x"}
}

// hostileCall is one request and what it must get.
type hostileCall struct {
	what        string
	method      string
	path        string
	contentType string
	body        []byte
	allowed     []int  // the statuses it may get
	field       string // the field a 400 or 422 must name
}

// hostileTarget is, for a route, the matrix entry and the caller that
// gets past authorization on it, so that the hostile part is what is
// judged.
type hostileTarget struct {
	entry  authzEntry
	token  string
	status int // what the fixture's own call gets
}

// hostileTargets picks a target for each route: a caller whose answer
// shows it got through authorization and had its input read (2xx, 400,
// 422); failing that, one the route's state check refuses (409), whose
// input is read first or not, as the cases will tell.
func hostileTargets(f *authzFixture, matrix []authzEntry) map[string]hostileTarget {
	out := map[string]hostileTarget{}
	for _, passed := range [][]int{{200, 201, 202, 400, 422}, {409}} {
		for _, e := range matrix {
			if _, ok := out[e.route]; ok {
				continue
			}
			for _, role := range slices.Concat([]authzRole{roleAdmin}, authzRoles, []authzRole{rolePerson}) {
				if _, moved := e.paths[role]; !moved && slices.Contains(passed, e.wantOf(role)) {
					out[e.route] = hostileTarget{entry: e, token: f.tokens[role], status: e.wantOf(role)}
					break
				}
			}
		}
	}
	return out
}

func TestEveryRouteRefusesEveryHostileInputNamingItsField(t *testing.T) {
	t.Parallel()
	started := time.Now()
	doc := mustSpec(t)
	s := newStackWith(t, stackOptions{workday: time.Hour, quarterWorkdays: 100000, waitTimeout: hostileWait})
	f := newAuthzFixture(s)
	targets := hostileTargets(f, authzMatrix(t, f))
	ops := specOperations(doc)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range ops {
			if !yield(k) {
				return
			}
		}
	})
	cases := 0
	for _, k := range keys {
		op := ops[k]
		method, tpl, _ := strings.Cut(k, " ")
		params := slices.Concat(doc.Paths.Value(tpl).Parameters, op.Parameters)
		target, ok := targets[k]
		if !ok {
			if len(params) > 0 || op.RequestBody != nil {
				t.Errorf("%s has no fixture path a caller gets through authorization on: give it an entry in the authorization matrix", k)
			}
			continue // only its path's wrong methods, below
		}
		var calls []hostileCall
		calls = append(calls, queryCalls(method, target.entry, params)...)
		calls = append(calls, pathCalls(method, tpl, target.entry, params)...)
		calls = append(calls, bodyCalls(t, method, target.entry, op)...)
		calls = append(calls, moneyCalls(t, method, target.entry.path, jsonObject(t, target.entry.body), requestSchema(op))...)
		if target.status == http.StatusCreated {
			calls = append(calls, formulaCalls(t, method, target.entry, requestSchema(op))...)
		}
		if len(calls) == 0 {
			continue // nothing the caller chooses but the method, checked below
		}
		t.Run(k, func(t *testing.T) {
			t.Logf("%d cases, as the caller the fixture gives %d", len(calls), target.status)
			sub := s.forSubtest(t)
			for _, c := range calls {
				sub.hostile(target.token, c)
			}
		})
		cases += len(calls)
	}
	cases += wrongMethods(t, s, doc, f.tokens[roleAdmin])
	cases += taskForms(t, s, doc, f)
	t.Logf("%d operations, %d hostile cases in %s", len(keys), cases, time.Since(started).Round(time.Millisecond))
}

// hostile sends c and judges the answer.
func (s *stack) hostile(token string, c hostileCall) {
	t := s.t
	t.Helper()
	began := time.Now()
	res := s.send(c.method, c.path, token, c.contentType, c.body)
	if took := time.Since(began); took > hostileWait+hostileMargin {
		t.Errorf("%s: answered in %s, past the %s deadline", c.what, took.Round(time.Millisecond), hostileWait+hostileMargin)
	}
	if res.Status >= 500 || !slices.Contains(c.allowed, res.Status) {
		t.Errorf("%s: %s %s: status %d, want one of %v; body %s", c.what, c.method, c.path, res.Status, c.allowed, truncate(res.Body, 500))
		return
	}
	if res.Status != 400 && res.Status != 415 && res.Status != 422 {
		return
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: a %d of type %q, want a problem", c.what, res.Status, ct)
		return
	}
	var p Problem
	if err := json.Unmarshal(res.Body, &p); err != nil || !fieldNamed(p, c.field) {
		t.Errorf("%s: %s %s: %d %+v does not name %s", c.what, c.method, c.path, res.Status, p.Errors, c.field)
	}
}

// queryCalls are the hostile values of each query parameter the operation
// declares, and each parameter twice.
func queryCalls(method string, e authzEntry, params openapi3.Parameters) []hostileCall {
	base, rawQuery, _ := strings.Cut(e.path, "?")
	var out []hostileCall
	for _, ref := range params {
		p := ref.Value
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		q, _ := url.ParseQuery(rawQuery)
		with := func(vals ...string) string {
			q.Del(p.Name)
			rest := q.Encode()
			for _, v := range vals {
				if rest != "" {
					rest += "&"
				}
				rest += url.QueryEscape(p.Name) + "=" + url.QueryEscape(v)
			}
			return base + "?" + rest
		}
		good := goodValue(p, rawQuery)
		values := hostileText()
		for _, v := range junkParams() {
			if !schemaAccepts(p.Schema, v) {
				values = append(values, v)
			}
		}
		for _, v := range values {
			out = append(out, e.call(method, fmt.Sprintf("query %s=%q", p.Name, v), with(v), []int{400}, p.Name))
		}
		out = append(out, e.call(method, fmt.Sprintf("query %s twice", p.Name), with(good, good), []int{400}, p.Name))
	}
	return out
}

// goodValue is a value the parameter takes: the fixture's, the schema's
// example, default or first enumerated value, or its minimum.
func goodValue(p *openapi3.Parameter, rawQuery string) string {
	if q, _ := url.ParseQuery(rawQuery); q.Has(p.Name) {
		return q.Get(p.Name)
	}
	s := p.Schema.Value
	switch {
	case p.Example != nil:
		return fmt.Sprint(p.Example)
	case s.Example != nil:
		return fmt.Sprint(s.Example)
	case s.Default != nil:
		return fmt.Sprint(s.Default)
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Min != nil:
		return strconv.FormatFloat(*s.Min, 'f', -1, 64)
	}
	return "1"
}

// schemaAccepts says whether the document takes v for a parameter of
// schema ref, read as the schema's type.
func schemaAccepts(ref *openapi3.SchemaRef, v string) bool {
	s := ref.Value
	var value any = v
	switch {
	case s.Type.Is("integer"), s.Type.Is("number"):
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || strings.TrimSpace(v) != v {
			return false
		}
		value = n
	case s.Type.Is("boolean"):
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return false
		}
		value = b
	}
	return s.VisitJSON(value) == nil
}

// pathCalls put what names nothing in each path parameter: 404, or 400
// naming the parameter.
func pathCalls(method, tpl string, e authzEntry, params openapi3.Parameters) []hostileCall {
	p, query, _ := strings.Cut(e.path, "?")
	tplParts, parts := strings.Split(tpl, "/"), strings.Split(p, "/")
	var out []hostileCall
	for _, ref := range params {
		if ref.Value.In != openapi3.ParameterInPath {
			continue
		}
		i := slices.Index(tplParts, "{"+ref.Value.Name+"}")
		if i < 0 || len(tplParts) != len(parts) {
			continue
		}
		for _, v := range hostilePathValues() {
			hostileParts := slices.Clone(parts)
			hostileParts[i] = v
			target := strings.Join(hostileParts, "/")
			if query != "" {
				target += "?" + query
			}
			out = append(out, e.call(method, fmt.Sprintf("path %s=%q", ref.Value.Name, v), target, []int{400, 404}, ref.Value.Name))
		}
	}
	return out
}

// call is a request on e's route with e's body (or none).
func (e authzEntry) call(method, what, target string, allowed []int, field string) hostileCall {
	c := hostileCall{what: what, method: method, path: target, allowed: allowed, field: field}
	switch {
	case e.contentType != "":
		c.contentType, c.body = e.contentType, e.raw
	case e.body != nil:
		raw, _ := json.Marshal(e.body)
		c.contentType, c.body = "application/json", raw
	}
	return c
}

// bodyCalls put each hostile text in each string field of the operation's
// JSON body (422 or 400 naming its path), send keys in the wrong case and
// twice (400), and declare another charset (415).
func bodyCalls(t *testing.T, method string, e authzEntry, op *openapi3.Operation) []hostileCall {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	var out []hostileCall
	if mt := op.RequestBody.Value.Content.Get("multipart/form-data"); mt != nil {
		for _, field := range stringFields(mt.Schema, "") {
			for _, h := range hostileText() {
				ct, raw := multipartField(t, field, h)
				out = append(out, hostileCall{what: fmt.Sprintf("multipart %s=%q", field, h), method: method, path: e.path,
					contentType: ct, body: raw, allowed: []int{422}, field: field})
			}
		}
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return out
	}
	base := jsonObject(t, e.body)
	for _, field := range stringFields(mt.Schema, "") {
		values := hostileText()
		if strings.HasSuffix(field, "name") {
			values = hostileNames()
		}
		for _, h := range values {
			out = append(out, hostileCall{what: fmt.Sprintf("body %s=%q", field, h), method: method, path: e.path,
				contentType: "application/json", body: withHostile(t, base, field, h), allowed: []int{400, 422}, field: field})
		}
	}
	out = append(out, enumCalls(t, method, e.path, base, mt.Schema)...)
	raw, _ := json.Marshal(base)
	out = append(out, hostileCall{what: "charset latin1", method: method, path: e.path, contentType: "application/json; charset=latin1",
		body: raw, allowed: []int{415}, field: "Content-Type"})
	key := firstKey(base, mt.Schema)
	if key == "" {
		return out
	}
	value, _ := json.Marshal(base[key])
	rest := string(raw[1:]) // the body's own keys, and its closing brace
	if len(base) > 0 {
		rest = "," + rest
	}
	twice := `{"` + key + `":` + string(value) + rest
	if _, has := base[key]; !has {
		twice = `{"` + key + `":` + string(value) + `,"` + key + `":` + string(value) + rest
	}
	upper := strings.ToUpper(key[:1]) + key[1:]
	out = append(out,
		hostileCall{what: "key " + upper, method: method, path: e.path, contentType: "application/json",
			body: []byte(`{"` + upper + `":` + string(value) + rest), allowed: []int{400}, field: upper},
		hostileCall{what: "key " + key + " twice", method: method, path: e.path, contentType: "application/json",
			body: []byte(twice), allowed: []int{400}, field: key})
	return out
}

// requestSchema is the schema of the operation's JSON body; nil for none.
func requestSchema(op *openapi3.Operation) *openapi3.SchemaRef {
	if op.RequestBody == nil || op.RequestBody.Value == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
		return nil
	}
	return op.RequestBody.Value.Content.Get("application/json").Schema
}

// finerThanAFen are amounts in yuan that no integer number of fen holds.
var finerThanAFen = []string{"0.005", "12.345", "1e-9", "180000.0001"}

// moneyCalls put amounts finer than a fen in each field in yuan of the
// body: 422 naming it.
func moneyCalls(t *testing.T, method, target string, base map[string]any, schema *openapi3.SchemaRef) []hostileCall {
	var out []hostileCall
	for _, field := range fieldsOf(schema, "", func(s *openapi3.Schema) bool { return s.Type.Is("number") }) {
		if !strings.HasSuffix(field, "_yuan") {
			continue
		}
		for _, v := range finerThanAFen {
			out = append(out, hostileCall{what: fmt.Sprintf("money %s=%s", field, v), method: method, path: target,
				contentType: "application/json", body: withLiteral(t, base, field, v), allowed: []int{422}, field: field})
		}
	}
	return out
}

// formulaLeading are names a spreadsheet would read as formulas; they are
// text like any other, accepted where a name is (the CSV exports
// neutralise them).
var formulaLeading = []string{"=HYPERLINK(\"http://x\")", "+86社工站", "-社工站", "@SUM(A1)", "\t=1+2社工站", "\r=1+2社工站"}

// formulaCalls put formula-leading text in each name of a body whose
// fixture call is accepted: still accepted.
func formulaCalls(t *testing.T, method string, e authzEntry, schema *openapi3.SchemaRef) []hostileCall {
	var out []hostileCall
	for _, field := range stringFields(schema, "") {
		if !strings.HasSuffix(field, "name") {
			continue
		}
		for _, v := range formulaLeading {
			out = append(out, hostileCall{what: fmt.Sprintf("formula %s=%q", field, v), method: method, path: e.path,
				contentType: "application/json", body: withHostile(t, jsonObject(t, e.body), field, v), allowed: []int{http.StatusCreated}})
		}
	}
	return out
}

// enumCalls put values that are no member in each enumerated field of
// the body: 400 or 422 naming it.
func enumCalls(t *testing.T, method, target string, base map[string]any, schema *openapi3.SchemaRef) []hostileCall {
	var out []hostileCall
	for _, field := range fieldsOf(schema, "", func(s *openapi3.Schema) bool { return s.Type.Is("string") && len(s.Enum) > 0 }) {
		// An empty value of an optional enumeration is read as none
		// given (the default), so only values that are no member go here.
		for _, v := range []string{"junk-值", "ADMIN", "Social_Worker"} {
			out = append(out, hostileCall{what: fmt.Sprintf("enum %s=%q", field, v), method: method, path: target,
				contentType: "application/json", body: withHostile(t, base, field, v), allowed: []int{400, 422}, field: field})
		}
	}
	return out
}

// firstKey is a key of the body (sorted), or the schema's first property.
func firstKey(base map[string]any, ref *openapi3.SchemaRef) string {
	if len(base) > 0 {
		return slices.Sorted(func(yield func(string) bool) {
			for k := range base {
				if !yield(k) {
					return
				}
			}
		})[0]
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Properties) == 0 {
		return ""
	}
	names := make([]string, 0, len(ref.Value.Properties))
	for n := range ref.Value.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	return names[0]
}

// stringFields lists the JSON paths of every string field a schema
// describes (a list's first element standing for all), binary ones aside.
func stringFields(ref *openapi3.SchemaRef, at string) []string {
	return fieldsOf(ref, at, func(s *openapi3.Schema) bool { return s.Type.Is("string") && s.Format != "binary" })
}

// fieldsOf lists the JSON paths of every field of a schema that leaf
// picks.
func fieldsOf(ref *openapi3.SchemaRef, at string, leaf func(*openapi3.Schema) bool) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	var out []string
	for _, sub := range s.AllOf {
		out = append(out, fieldsOf(sub, at, leaf)...)
	}
	switch {
	case leaf(s):
		if at != "" {
			out = append(out, at)
		}
	case s.Type.Is("array"):
		out = append(out, fieldsOf(s.Items, at+"[0]", leaf)...)
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range s.Properties {
			if !yield(n) {
				return
			}
		}
	}) {
		sep := "."
		if at == "" {
			sep = ""
		}
		out = append(out, fieldsOf(s.Properties[name], at+sep+name, leaf)...)
	}
	return slices.Compact(out)
}

// jsonObject is v as a JSON object (an empty one for no body).
func jsonObject(t *testing.T, v any) map[string]any {
	t.Helper()
	out := map[string]any{}
	if v == nil {
		return out
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var pathStep = regexp.MustCompile(`([^.\[]+)|\[(\d+)\]`)

// withHostile is base with h at the JSON path field, written byte for
// byte; the objects and lists on the way are made where base has none.
func withHostile(t *testing.T, base map[string]any, field, h string) []byte {
	t.Helper()
	return withLiteral(t, base, field, jsonString(h))
}

// withLiteral is base with the JSON literal at the JSON path field.
func withLiteral(t *testing.T, base map[string]any, field, literal string) []byte {
	t.Helper()
	var copied map[string]any
	raw, _ := json.Marshal(base)
	_ = json.Unmarshal(raw, &copied)
	var node any = copied
	steps := pathStep.FindAllStringSubmatch(field, -1)
	for i, step := range steps {
		last := i == len(steps)-1
		next := func() any {
			if last {
				return hostileMarker
			}
			if steps[i+1][2] != "" {
				return []any{nil}
			}
			return map[string]any{}
		}
		switch n := node.(type) {
		case map[string]any:
			child, ok := n[step[1]]
			if _, isMap := child.(map[string]any); last || !ok || (!isMap && steps[i+1][2] == "") {
				child = next()
			}
			if list, isList := child.([]any); !last && steps[i+1][2] != "" && (!isList || len(list) == 0) {
				child = next()
			}
			n[step[1]] = child
			node = child
		case []any:
			if _, isMap := n[0].(map[string]any); last || !isMap {
				n[0] = next()
			}
			node = n[0]
		}
	}
	out, err := json.Marshal(copied)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(out, []byte(`"`+hostileMarker+`"`), []byte(literal), 1)
}

// wrongMethods sends each path of the document a method it does not
// take: 405 with Allow.
func wrongMethods(t *testing.T, s *stack, doc *openapi3.T, token string) int {
	n := 0
	param := regexp.MustCompile(`\{[^}]+\}`)
	t.Run("wrong methods", func(t *testing.T) {
		sub := s.forSubtest(t)
		for tpl, item := range doc.Paths.Map() {
			target := param.ReplaceAllString(tpl, uuid.NewString())
			for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
				if item.GetOperation(m) != nil || servedElsewhere(doc, param, target, m) {
					continue
				}
				n++
				res := sub.send(m, target, token, "", nil)
				if res.Status != 405 || res.Header.Get("Allow") == "" {
					t.Errorf("%s %s: %d (Allow %q), want 405 with Allow", m, tpl, res.Status, res.Header.Get("Allow"))
				}
			}
		}
	})
	return n
}

// servedElsewhere says whether another path of the document takes method
// on target (GET /v1/cycles/preview is GET /v1/cycles/{id}).
func servedElsewhere(doc *openapi3.T, param *regexp.Regexp, target, method string) bool {
	for tpl, item := range doc.Paths.Map() {
		re := "^" + strings.ReplaceAll(regexp.QuoteMeta(param.ReplaceAllString(tpl, "PARAM")), "PARAM", "[^/]+") + "$"
		if item.GetOperation(method) != nil && regexp.MustCompile(re).MatchString(target) {
			return true
		}
	}
	return false
}

// taskForms sends every task kind's form, each string field hostile, to
// an open self-assessment: the API refuses the text before the workflow
// sees it (422 naming the field). The task then takes a good form, and
// its projection lands.
func taskForms(t *testing.T, s *stack, doc *openapi3.T, f *authzFixture) int {
	n := 0
	token := f.tokens[roleOrgOwner]
	taskPath := "/v1/tasks/" + f.selfA
	t.Run("every task kind's form", func(t *testing.T) {
		sub := s.forSubtest(t)
		forms := doc.Components.Schemas["CompletionForm"].Value.OneOf
		if len(forms) == 0 {
			t.Fatal("CompletionForm lists no forms")
		}
		for _, form := range forms {
			for _, field := range stringFields(form, "") {
				for _, h := range hostileText() {
					n++
					sub.hostile(token, hostileCall{what: fmt.Sprintf("%s %s=%q", form.Ref, field, h), method: "POST",
						path: taskPath + "/complete", contentType: "application/json", body: withHostile(t, map[string]any{}, field, h),
						allowed: []int{422}, field: field})
				}
			}
		}
		for _, form := range forms {
			if strings.HasSuffix(form.Ref, "/SelfAssessmentForm") {
				for _, c := range moneyCalls(t, "POST", taskPath+"/complete", map[string]any{}, form) {
					n++
					sub.hostile(token, c)
				}
			}
		}
		var full taskWithRubric
		sub.do("GET", taskPath, token, nil).must(t, 200).json(t, &full)
		if full.State != "open" && full.State != "claimed" {
			t.Fatalf("after the refusals the task is %q, want it still open", full.State)
		}
		good := rubricForm(full, 0.9)
		good["funding_used_yuan"] = 180000
		sub.do("POST", taskPath+"/complete", token, good).must(t, 200)
		waitFor(t, func() bool {
			var task store.Task
			sub.do("GET", taskPath, token, nil).must(t, 200).json(t, &task)
			return task.State == "completed"
		})
	})
	return n
}
