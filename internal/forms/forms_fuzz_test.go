package forms

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
)

// The fuzz targets in this file feed arbitrary bytes through the path every
// form takes when it arrives (DecodeStrictBytes, then its check) and hold
// each form type to three properties:
//
//   - nothing panics;
//   - every refusal, by the decoder or by a rule, names a field and says why;
//   - a form that passes, written back as JSON, decodes to the same value
//     and passes again (the API hands the bytes on to a workflow, whose
//     validator decodes and checks them a second time).
//
// Each target also checks the rules of its forms that can be stated
// without repeating the code. Seeds are added below and committed under
// testdata/fuzz/<target>/.
//
// Every target runs its checks on its seeds before fuzzing (fuzzWarm), in
// each worker process: the first decode, check and encode of a type fills
// caches (encoding/json's and the validator's) whose code then never runs
// again. Coverage first seen there cannot be reproduced, and the fuzzer
// would spend up to -fuzzminimizetime trying to minimise such an input.

// fuzzWarm adds each seed and runs check on it.
func fuzzWarm(f *testing.F, check func(testing.TB, []byte), seeds ...string) {
	f.Helper()
	for _, seed := range seeds {
		f.Add([]byte(seed))
		check(f, []byte(seed))
	}
}

// fuzzDecodeCheck decodes raw strictly into a T and checks it. It returns
// the form and whether it passed; a refused decode returns ok false and
// decoded false.
func fuzzDecodeCheck[T any](t testing.TB, raw []byte, check func(T) Errors) (v T, decoded, ok bool) {
	t.Helper()
	if derr := DecodeStrictBytes(raw, &v); derr != nil {
		if derr.Field == "" || derr.Message == "" {
			t.Fatalf("%T: a decode error names no field or says nothing: %+v", v, derr)
		}
		if derr.TooLarge {
			t.Fatalf("%T: a byte slice was refused as too large: %+v", v, derr)
		}
		return v, false, false
	}
	errs := check(v)
	fuzzNamed(t, reflect.TypeOf(v).Name(), errs)
	if len(errs) > 0 {
		return v, true, false
	}
	if fe := CheckJSONText(raw); fe != nil {
		t.Fatalf("%T: a form that passed holds text the rules refuse: %+v", v, fe)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T: a form that passed cannot be written as JSON: %v", v, err)
	}
	var w T
	if derr := DecodeStrictBytes(again, &w); derr != nil {
		t.Fatalf("%T: a form that passed, written back, is refused by the decoder: %v\n%s", v, derr, again)
	}
	if errs := check(w); len(errs) > 0 {
		t.Fatalf("%T: a form that passed, written back, breaks a rule: %v\n%s", v, errs, again)
	}
	if !reflect.DeepEqual(v, w) {
		t.Fatalf("%T: the round trip changed the form:\n%#v\n%#v", v, v, w)
	}
	return v, true, true
}

// fuzzNamed fails unless every error names a field and says why.
func fuzzNamed(t testing.TB, what string, errs Errors) {
	t.Helper()
	for _, e := range errs {
		if e.Field == "" || e.Message == "" {
			t.Fatalf("%s: a rule error names no field or says nothing: %+v (all: %v)", what, e, errs)
		}
	}
}

// fuzzLevels are the station levels, fewest qualified workers needed first.
func fuzzLevels() []codes.StationLevel {
	levels := []codes.StationLevel{codes.CityCentre, codes.CountyStation, codes.TownshipStation, codes.CommunityRoom}
	// A rule with a part-time alternative accepts more than the same
	// full-time minimum alone.
	key := func(l codes.StationLevel) int {
		r := DefaultStaffingRules[l]
		k := 2 * r.MinFullTime
		if r.MinWithPartTime == 0 {
			k++
		}
		return k
	}
	slices.SortStableFunc(levels, func(a, b codes.StationLevel) int { return key(a) - key(b) })
	return levels
}

// FuzzApplicationForms: an application checked for each station level, and
// the office's review decision. An application that passes for a level
// passes for every level that needs no more qualified workers; a refusal
// is either the shape rules (the same for every level) or the staffing and
// target rules. A review decision that passes gives reasons unless it
// approves, and a term only with an approval, ending after it starts.
func FuzzApplicationForms(f *testing.F) {
	levels := fuzzLevels()
	check := func(t testing.TB, raw []byte) {
		var a Application
		if derr := DecodeStrictBytes(raw, &a); derr == nil {
			shape := Check(a)
			passed := map[codes.StationLevel]bool{}
			for _, level := range levels {
				errs := CheckApplication(a, level)
				fuzzNamed(t, "Application at "+string(level), errs)
				if len(shape) > 0 && !reflect.DeepEqual(errs, shape) {
					t.Fatalf("%s: the shape rules failed (%v) but the check gave %v", level, shape, errs)
				}
				for _, e := range errs {
					if len(shape) == 0 && e.Field != "staffing" && e.Field != "targets" {
						t.Fatalf("%s: a rule error on %s although the shape rules pass", level, e.Field)
					}
				}
				passed[level] = len(errs) == 0
			}
			for i, easier := range levels {
				for _, harder := range levels[i+1:] {
					if passed[harder] && !passed[easier] {
						t.Fatalf("passes for %s but not for %s, which needs fewer qualified workers", harder, easier)
					}
				}
			}
		}
		for _, level := range levels {
			fuzzDecodeCheck(t, raw, func(a Application) Errors { return CheckApplication(a, level) })
		}

		d, _, ok := fuzzDecodeCheck(t, raw, CheckReviewDecision)
		if ok {
			if d.Decision != DecisionApprove && d.Reasons == "" {
				t.Fatalf("%s passed without reasons", d.Decision)
			}
			if d.Term != nil {
				start, err1 := time.Parse(time.DateOnly, d.Term.Start)
				end, err2 := time.Parse(time.DateOnly, d.Term.End)
				if d.Decision != DecisionApprove || err1 != nil || err2 != nil || !end.After(start) {
					t.Fatalf("a term %+v passed with decision %s", *d.Term, d.Decision)
				}
			}
		}
	}
	fuzzWarm(f, check,
		goodPlan,
		`{"staffing":[{"name":"王芳","employment":"part_time","qualification":"none"}],"targets":{"needs_assessment":0,"resource_linking":0,"social_assistance":0,"elderly_child_care":0,"community_governance":0,"industry_development":3},"budget_yuan":0.5,"documents":[{"filename":"plan.pdf","content_type":"application/pdf","content_base64":"JVBERi0xLjcK"}]}`,
		`{"staffing":[{"name":"x","employment":"full_time","qualification":"senior"}],"targets":{"needs_assessment":100000001},"budget_yuan":1e308}`,
		`{"decision":"approve","reasons":"","term":{"start":"2026-01-01","end":"2026-12-31"}}`,
		`{"decision":"amend","term":{"start":"2026-12-31","end":"2026-01-01"}}`,
		`{"decision":"reject","reasons":"预算不合理"}`,
		// Text the rules refuse: NUL, a control, invalid UTF-8, an unpaired
		// surrogate, a bidi override and an invisible name.
		`{"staffing":[{"name":"张\u0000伟","employment":"full_time","qualification":"senior"}]}`,
		`{"staffing":[{"name":"a\u0001","employment":"full_time","qualification":"senior"}],"documents":[{"filename":"\ud800.pdf"}]}`,
		"{\"staffing\":[{\"name\":\"\xff\xfe\",\"employment\":\"full_time\",\"qualification\":\"senior\"}]}",
		`{"staffing":[{"name":"\u200b\ufeff","employment":"full_time","qualification":"senior"}],"documents":[{"filename":"cv\u202Efdp.exe","content_type":"application/pdf","content_base64":"JVBERi0xLjcK"}]}`,
		`{"decision":"reject","reasons":"\u0000"}`,
	)
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// FuzzSupervisionForms: a rectification response, its verification, and a
// reason for closing a task. A response that passes says what changed in
// 10 to 5000 characters and cites at most 20 evidence IDs, each a UUID,
// none of them twice; a verification that passes decides, and a refusal
// says what is missing in at least 10 characters; a close reason holds 10
// to 2000 characters.
func FuzzSupervisionForms(f *testing.F) {
	check := func(t testing.TB, raw []byte) {
		if r, _, ok := fuzzDecodeCheck(t, raw, CheckRectificationResponse); ok {
			if n := utf8.RuneCountInString(r.Response); n < 10 || n > 5000 {
				t.Fatalf("a response of %d characters passed", n)
			}
			if len(r.EvidenceIDs) > 20 {
				t.Fatalf("%d evidence IDs passed", len(r.EvidenceIDs))
			}
			seen := map[uuid.UUID]int{}
			for i, id := range r.EvidenceIDs {
				u, err := uuid.Parse(id)
				if err != nil {
					t.Fatalf("evidence_ids[%d] %q passed but is not a UUID: %v", i, id, err)
				}
				if j, dup := seen[u]; dup {
					t.Fatalf("evidence_ids[%d] %q passed but cites the same evidence as evidence_ids[%d] %q", i, id, j, r.EvidenceIDs[j])
				}
				seen[u] = i
			}
		}
		if v, _, ok := fuzzDecodeCheck(t, raw, CheckRectificationVerification); ok {
			if v.Accepted == nil {
				t.Fatal("a verification passed without deciding")
			}
			if !*v.Accepted && utf8.RuneCountInString(v.Comment) < 10 {
				t.Fatalf("a refusal passed with the comment %q", v.Comment)
			}
		}
		if c, _, ok := fuzzDecodeCheck(t, raw, func(c CloseReason) Errors { return Check(c) }); ok {
			if n := utf8.RuneCountInString(c.Reason); n < 10 || n > 2000 {
				t.Fatalf("a close reason of %d characters passed", n)
			}
		}
	}
	fuzzWarm(f, check,
		`{"response":"two qualified workers were hired","evidence_ids":["0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"]}`,
		`{"response":"补充了两名持证社工并完善了台账","evidence_ids":["0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a","0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5b"]}`,
		`{"response":"hired two","evidence_ids":["photo.png","0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a","0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"]}`,
		`{"accepted":true}`,
		`{"accepted":false,"comment":"台账仍然缺失"}`,
		`{"reason":"the quarter ended before anyone visited"}`,
		`{"response":"two qualified workers were hired\u0000","evidence_ids":[]}`,
		"{\"accepted\":false,\"comment\":\"\xed\xa0\x80 surrogate bytes\"}",
		`{"reason":"\ud83d alone, not a pair, in a reason"}`,
	)
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// FuzzCycleForms: the forms of an annual evaluation cycle, each checked
// against every possible proposal or appealed decision. A renewal decision
// that passes departs from the proposal only with a reason of 10
// characters or more, and has conditions only when conditional; one that
// passes against some proposal passes when it is the proposal. An appeal
// review that passes changes to a different decision or upholds naming
// none. An arbitration that passes sets a total from 0 to 100.
func FuzzCycleForms(f *testing.F) {
	outcomes := []string{"renew", "conditional_renew", "exit"}
	check := func(t testing.TB, raw []byte) {
		var d RenewalDecision
		if DecodeStrictBytes(raw, &d) == nil {
			passes := map[string]bool{}
			for _, proposal := range outcomes {
				passes[proposal] = len(CheckRenewalDecision(d, proposal)) == 0
			}
			for _, proposal := range outcomes {
				if passes[proposal] && !passes[d.Decision] {
					t.Fatalf("%+v passes against proposal %s but not against its own decision", d, proposal)
				}
			}
		}
		for _, proposal := range outcomes {
			if d, _, ok := fuzzDecodeCheck(t, raw, func(d RenewalDecision) Errors { return CheckRenewalDecision(d, proposal) }); ok {
				if d.Decision != proposal && utf8.RuneCountInString(d.Reason) < 10 {
					t.Fatalf("%s departs from proposal %s with the reason %q", d.Decision, proposal, d.Reason)
				}
				if d.ConditionsDueWorkdays != 0 && (d.Decision != "conditional_renew" || d.ConditionsDueWorkdays < 1 || d.ConditionsDueWorkdays > 120) {
					t.Fatalf("%s passed with conditions due in %d working days", d.Decision, d.ConditionsDueWorkdays)
				}
			}
		}
		for _, appealed := range outcomes {
			if r, _, ok := fuzzDecodeCheck(t, raw, func(r AppealReview) Errors { return CheckAppealReview(r, appealed) }); ok {
				switch r.Outcome {
				case "change":
					if r.Decision == appealed || !slices.Contains(outcomes, r.Decision) {
						t.Fatalf("a change of %s to %q passed", appealed, r.Decision)
					}
				case "uphold":
					if r.Decision != "" {
						t.Fatalf("upholding passed naming the decision %q", r.Decision)
					}
				default:
					t.Fatalf("the outcome %q passed", r.Outcome)
				}
			}
		}
		if a, _, ok := fuzzDecodeCheck(t, raw, func(a Arbitration) Errors { return Check(a) }); ok {
			if a.Total == nil || !(*a.Total >= 0 && *a.Total <= 100) {
				t.Fatalf("an arbitration passed with total %v", a.Total)
			}
		}
		if a, _, ok := fuzzDecodeCheck(t, raw, func(a Appeal) Errors { return Check(a) }); ok {
			if n := utf8.RuneCountInString(a.Reason); n < 10 || n > 5000 {
				t.Fatalf("an appeal of %d characters passed", n)
			}
		}
	}
	fuzzWarm(f, check,
		`{"decision":"renew","reason":""}`,
		`{"decision":"conditional_renew","reason":"两项整改尚未完成，限期整改","conditions_due_workdays":20}`,
		`{"decision":"exit","reason":"x","conditions_due_workdays":121}`,
		`{"outcome":"uphold","reason":"评估过程规范，维持原决定"}`,
		`{"outcome":"change","decision":"renew","reason":"the evaluators missed the new staff list"}`,
		`{"outcome":"change","reason":"no decision named here"}`,
		`{"total":85.5,"reason":"第三位评估员的评分更符合实际"}`,
		`{"total":-0.0,"reason":"0123456789"}`,
		`{"reason":"评分时未考虑新招聘的社工"}`,
	)
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// fuzzToday is the day the service-record targets take as today.
var fuzzToday = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

// FuzzServiceRecordForms: one service record and a batch of them. A record
// that passes is dated from 2000-01-01 to today and has volunteers for its
// volunteer hours. A batch names each record's errors records[i].<field>,
// and those are exactly the errors the record gets on its own.
func FuzzServiceRecordForms(f *testing.F) {
	check := func(t testing.TB, raw []byte) {
		one := func(r ServiceRecord) Errors { return CheckServiceRecord(r, fuzzToday) }
		if r, _, ok := fuzzDecodeCheck(t, raw, one); ok {
			d, err := time.Parse(time.DateOnly, r.Date)
			if err != nil || d.Before(EarliestServiceDate) || d.After(fuzzToday) {
				t.Fatalf("a record dated %q passed", r.Date)
			}
			if r.VolunteerHours > 0 && r.Volunteers == 0 {
				t.Fatalf("%v volunteer hours passed without volunteers", r.VolunteerHours)
			}
		}
		b, decoded, _ := fuzzDecodeCheck(t, raw, func(b ServiceRecordBatch) Errors { return CheckServiceRecordBatch(b, fuzzToday) })
		if !decoded {
			return
		}
		batchErrs := CheckServiceRecordBatch(b, fuzzToday)
		byRecord := map[int][]string{}
		for _, e := range batchErrs {
			if e.Field == "records" {
				if n := len(b.Records); n >= 1 && n <= 5000 {
					t.Fatalf("a batch of %d records refused as a whole: %v", n, e)
				}
				continue
			}
			i, ok := fuzzRecordIndex(e.Field)
			if !ok || i >= len(b.Records) {
				t.Fatalf("a batch error names %q, not a field of one of its %d records", e.Field, len(b.Records))
			}
			byRecord[i] = append(byRecord[i], strings.TrimPrefix(e.Field, "records["+strconv.Itoa(i)+"].")+": "+e.Message)
		}
		if n := len(b.Records); n < 1 || n > 5000 {
			return // the shape rules stop at the list; the records are not dived into
		}
		for i, r := range b.Records {
			var alone []string
			for _, e := range CheckServiceRecord(r, fuzzToday) {
				alone = append(alone, e.Field+": "+e.Message)
			}
			slices.Sort(alone)
			slices.Sort(byRecord[i])
			if !slices.Equal(alone, byRecord[i]) {
				t.Fatalf("records[%d] alone gets %q, in the batch %q", i, alone, byRecord[i])
			}
		}
	}
	fuzzWarm(f, check,
		`{"date":"2026-11-20","service_line":"elderly_child_care","activity_type":"home_visit","beneficiaries":{"elderly":3,"children":1},"volunteers":2,"volunteer_hours":4.5,"resources_yuan":300,"cases":1}`,
		`{"date":"2026-11-21","service_line":"knitting","activity_type":"","volunteers":0,"volunteer_hours":0.5,"resources_yuan":-1,"cases":100001}`,
		`{"date":"1999-12-31","service_line":"needs_assessment","activity_type":"x","beneficiaries":{"elderly":-1,"hardship":100001}}`,
		`{"records":[{"date":"2000-01-01","service_line":"resource_linking","activity_type":"donation","resources_yuan":1e10}]}`,
		`{"records":[{"date":"2026-02-30","service_line":"social_assistance","activity_type":"visit"},{"date":"2026-11-20","service_line":"community_governance","activity_type":"meeting","volunteer_hours":2}]}`,
		`{"records":[]}`,
		`{"date":"2026-11-20","service_line":"elderly_child_care","activity_type":"home\u0000visit"}`,
		"{\"records\":[{\"date\":\"2026-11-20\",\"service_line\":\"needs_assessment\",\"activity_type\":\"\xc3\"}]}",
	)
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// fuzzRecordIndex reads i from a field "records[i].<field>".
func fuzzRecordIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "records[")
	if !ok {
		return 0, false
	}
	num, sub, ok := strings.Cut(rest, "].")
	if !ok || sub == "" {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil && i >= 0
}
