package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/usecase"
	"github.com/stationflow/stationflow/schemas"
	"github.com/stationflow/stationflow/workflows"
)

// fuzzLimit is the small body limit the fuzz target also decodes under, so
// that bodies too large are tried without megabyte inputs.
const fuzzLimit = 64

// fuzzRequest is a POST of body, declared as contentType unless that is
// empty, as a handler receives it from an office's token.
func fuzzRequest(body []byte, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/fuzz", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	p := auth.Principal{Role: auth.RoleOffice, Scope: "510108"}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// fuzzProblem fails unless err is nil or a *problemError with one of the
// statuses whose every field error names a field and says why, with at
// least one of them for a malformed (400) or invalid (422) body. It
// returns the status, 0 for nil.
func fuzzProblem(t testing.TB, what string, err error, statuses ...int) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var pe *problemError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: %T %v, not a problem: the handler would answer 500", what, err, err)
	}
	if !slices.Contains(statuses, pe.p.Status) {
		t.Fatalf("%s: status %d (%v), want one of %v", what, pe.p.Status, err, statuses)
	}
	if (pe.p.Status == http.StatusBadRequest || pe.p.Status == http.StatusUnprocessableEntity) && len(pe.p.Errors) == 0 {
		t.Fatalf("%s: a %d problem names no field: %+v", what, pe.p.Status, pe.p)
	}
	for _, e := range pe.p.Errors {
		if e.Field == "" || e.Message == "" {
			t.Fatalf("%s: a field error names no field or says nothing: %+v", what, pe.p)
		}
	}
	if pe.p.Type == "" || pe.p.Title == "" {
		t.Fatalf("%s: a problem without a type or title: %+v", what, pe.p)
	}
	return pe.p.Status
}

// fuzzDecodeInto sends body to decode, then to decodeLimited with a small
// limit, into a new T each time, and checks what comes back: 400, 413, 415
// or 422 problems, 415 exactly when the body is declared as something but
// JSON, 413 only for a body over the limit, and no body over the limit
// accepted. A body decode accepts, written back as JSON, is accepted
// again. It returns the form decode gave, and whether it accepted it.
func fuzzDecodeInto[T any](t testing.TB, body []byte, contentType string, wantUnsupported bool) (T, bool) {
	t.Helper()
	var v T
	what := fmt.Sprintf("decode into %T", v)
	status := fuzzProblem(t, what, decode(httptest.NewRecorder(), fuzzRequest(body, contentType), &v),
		http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	if (status == http.StatusUnsupportedMediaType) != wantUnsupported {
		t.Fatalf("%s: status %d for Content-Type %q", what, status, contentType)
	}
	if status == http.StatusRequestEntityTooLarge && len(body) <= MaxBodyBytes {
		t.Fatalf("%s: 413 for a body of %d bytes", what, len(body))
	}

	var small T
	smallStatus := fuzzProblem(t, what+" under a small limit", decodeLimited(httptest.NewRecorder(), fuzzRequest(body, contentType), &small, fuzzLimit),
		http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	switch {
	case smallStatus == http.StatusRequestEntityTooLarge && len(body) <= fuzzLimit:
		t.Fatalf("%s: 413 for a body of %d bytes under a limit of %d", what, len(body), fuzzLimit)
	case smallStatus == 0 && len(body) > fuzzLimit:
		t.Fatalf("%s: a body of %d bytes accepted under a limit of %d", what, len(body), fuzzLimit)
	case len(body) <= fuzzLimit && smallStatus != status:
		t.Fatalf("%s: status %d under the limit of %d, %d under %d, for a body of %d bytes", what, smallStatus, fuzzLimit,
			status, MaxBodyBytes, len(body))
	}

	if status != 0 {
		return v, false
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: an accepted body cannot be written back: %v", what, err)
	}
	var w T
	if err := decode(httptest.NewRecorder(), fuzzRequest(again, "application/json"), &w); err != nil {
		t.Fatalf("%s: an accepted body, written back, is refused: %v\n%s", what, err, again)
	}
	return v, true
}

// FuzzDecodeRequestBodies sends arbitrary bodies, declared with arbitrary
// content types, through the decoding path of every handler that reads
// JSON, without a running stack: decode into each request type the
// handlers use (organisations, people, stations, cycles and their bulk
// extension, appeals, task close, reassign and extend), decodeLimited into
// an application, decodeForm into the rectification forms, the service
// record batch as addServiceRecords reads it, and a task completion as
// completeTask reads it and the task's workflow checks it. Each answers
// nothing (accepted) or a problem of status 400, 413, 415 or 422 (403 for
// a cycle outside the token's region) whose field errors each name a field
// — never a panic, never anything that would be a 500. The checks the
// handlers run after decoding (the person's employer, the station's
// region, the cycle's settings, the application's rules) answer the same
// way.
func FuzzDecodeRequestBodies(f *testing.F) {
	set, err := rubric.Load(schemas.FS, "rubrics")
	if err != nil {
		f.Fatal(err)
	}
	annual, err := set.Latest(rubric.KindAnnual)
	if err != nil {
		f.Fatal(err)
	}
	supervision, err := set.Latest(rubric.KindSupervision)
	if err != nil {
		f.Fatal(err)
	}
	// A scored task carries its frozen rubric as the rubric's JSON document.
	annualDoc, err := json.Marshal(annual)
	if err != nil {
		f.Fatal(err)
	}
	supervisionDoc, err := json.Marshal(supervision)
	if err != nil {
		f.Fatal(err)
	}
	cases := &usecase.Cases{Rubrics: set}

	const js = "application/json"
	type seed struct {
		body        []byte
		contentType string
	}
	seeds := []seed{
		{[]byte(`{"name":"成都市锦江区社会工作服务中心","credit_code":"91350100M000100Y43"}`), js},
		{[]byte(`{"name":"张伟","role":"social_worker","region_code":"510108"}`), js},
		{[]byte(`{"name":"王芳","role":"social_worker","region_code":"510108","organisation_id":"0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a","qualification":"senior"}`), js},
		{[]byte(`{"name":"李娜","role":"office_staff","region_code":"510108","organisation_id":"0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"}`), "application/json; charset=utf-8"},
		{[]byte(`{"name":"x","role":"supervisor","region_code":"510108","organisation_id":"not-a-uuid"}`), js},
		{[]byte(`{"name":"双桥子街道社工站","level":"township_station","region_code":"510104003"}`), js},
		{[]byte(`{"region_code":"510108","year":2026,"rubric_version":"annual-2026.1","self_assessment_due":"2099-12-18","evaluation_due":"2099-12-31","evaluators_per_station":2}`), js},
		{[]byte(`{"region_code":"510108","year":2026,"rubric_version":"supervision-2026.1","evaluation_due_workdays":5,"bands":[{"grade":"excellent","label":"优","min":90}],"preview_digest":"zz"}`), js},
		{[]byte(`{"kind":"annual_evaluation","workdays":5,"reason":"系统故障顺延"}`), js},
		{[]byte(`{"reason":"评估结果与实际不符，申请复核"}`), js},
		{[]byte(`{"assignee":{"kind":"office","id":"510108"},"reason":"x"}`), js},
		{[]byte(`{"workdays":61,"pause":true,"resume":true,"reason":""}`), js},
		{[]byte(`{"workdays":5,"reason":"材料补交"}`), js},
		{[]byte(`{"staffing":[{"name":"张伟","employment":"full_time","qualification":"assistant"},{"name":"李娜","employment":"full_time","qualification":"senior"}],"targets":{"needs_assessment":1,"resource_linking":0,"social_assistance":0,"elderly_child_care":0,"community_governance":0,"industry_development":0},"budget_yuan":120000}`), js},
		{[]byte(`{"response":"已补充两名持证社工并完善台账","evidence_ids":["0192f5a4-8e8b-7c3a-9a10-3c1f0e2d4b5a"]}`), js},
		{[]byte(`{"accepted":true,"comment":""}`), js},
		{[]byte(`{"records":[{"date":"2025-11-20","service_line":"elderly_child_care","activity_type":"home_visit","volunteers":1,"volunteer_hours":2}]}`), js},
		{[]byte(`{"decision":"renew","reason":"整改已完成，同意续约"}`), js},
		{[]byte(`{"name":"x"}`), "text/plain"},
		{[]byte(`{"name":"x"}`), "application/json; charset"},
		{[]byte(`{"name":"x"}`), "application/json; charset=iso-8859-1"},
		{[]byte(`{"Name":"x","name":"y"}`), js},
		{[]byte(``), ""},
		{[]byte(`{"name": 1e999, "year": 99999999999999999999}`), js},
		{[]byte(`{"name":"x"} {"name":"y"}`), js},
		{[]byte("{\"name\":\"\xff\xfe\",\"\":1}"), js},
		// Text the rules refuse, in a plain record, a name and a form.
		{[]byte(`{"name":"成都\u0000社工","credit_code":"91350100M000100Y43"}`), js},
		{[]byte("{\"name\":\"\xc3\",\"role\":\"social_worker\",\"region_code\":\"510108\"}"), js},
		{[]byte(`{"name":"\u202Eabc","level":"township_station","region_code":"510104003"}`), js},
		{[]byte(`{"name":" \u200b ","credit_code":"91350100M000100Y43"}`), js},
		{[]byte(`{"response":"已补充两名持证社工\u0001并完善台账","evidence_ids":[]}`), js},
		{[]byte(`{"records":[{"date":"2025-11-20","service_line":"elderly_child_care","activity_type":"\ud800"}]}`), js},
	}

	levels := []codes.StationLevel{codes.CityCentre, codes.CountyStation, codes.TownshipStation, codes.CommunityRoom}
	var completions []flow.TaskInput
	for _, kind := range flow.TaskKinds {
		in := flow.TaskInput{Kind: kind, StationLevel: string(codes.TownshipStation), Outcome: grading.Renew}
		switch kind {
		case flow.KindSupervision:
			in.Rubric = supervisionDoc
		case flow.KindAnnualEvaluation, flow.KindSelfAssessment:
			in.Rubric = annualDoc
		}
		completions = append(completions, in)
	}

	check := func(t testing.TB, body []byte, contentType string) {
		mt, params, err := mime.ParseMediaType(contentType)
		charset, hasCharset := params["charset"]
		unsupported := contentType != "" && (err != nil || mt != "application/json" || hasCharset && !strings.EqualFold(charset, "utf-8"))
		// what the handlers of 422 and 403 add after decoding
		after := []int{http.StatusUnprocessableEntity}

		fuzzDecodeInto[usecase.NewOrganisation](t, body, contentType, unsupported)
		if p, ok := fuzzDecodeInto[usecase.NewPerson](t, body, contentType, unsupported); ok {
			fuzzProblem(t, "NewPerson.Check", toProblem(p.Check()), after...)
		}
		if st, ok := fuzzDecodeInto[usecase.NewStation](t, body, contentType, unsupported); ok {
			if err := codes.CheckStationRegion(codes.StationLevel(st.Level), st.RegionCode); err != nil && err.Error() == "" {
				t.Fatalf("a station's region refused without a reason: %+v", st)
			}
		}
		if c, ok := fuzzDecodeInto[usecase.CycleRequest](t, body, contentType, unsupported); ok {
			_, err := cases.CycleSettings(principal(fuzzRequest(body, contentType)), c)
			fuzzProblem(t, "CycleSettings", toProblem(err), http.StatusUnprocessableEntity, http.StatusForbidden)
		}
		fuzzDecodeInto[usecase.BulkExtension](t, body, contentType, unsupported)
		fuzzDecodeInto[usecase.Appeal](t, body, contentType, unsupported)
		fuzzDecodeInto[forms.CloseReason](t, body, contentType, unsupported)
		fuzzDecodeInto[usecase.Reassignment](t, body, contentType, unsupported)
		fuzzDecodeInto[usecase.Extension](t, body, contentType, unsupported)

		// createApplication: a larger limit, then the rules of the station's level.
		var app forms.Application
		err = decodeLimited(httptest.NewRecorder(), fuzzRequest(body, contentType), &app, MaxApplicationBytes)
		if fuzzProblem(t, "decodeLimited into forms.Application", err, http.StatusBadRequest, http.StatusUnsupportedMediaType,
			http.StatusUnprocessableEntity) == 0 {
			for _, level := range levels {
				fuzzProblem(t, "CheckApplication at "+string(level), invalidIf(forms.CheckApplication(app, level)), after...)
			}
		}

		// answerRectification and verifyRectification: decodeForm, then the form's rules.
		var resp forms.RectificationResponse
		if raw, err := decodeForm(httptest.NewRecorder(), fuzzRequest(body, contentType), &resp); fuzzProblem(t, "decodeForm into forms.RectificationResponse",
			err, http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity) == 0 {
			if !bytes.Equal(raw, body) {
				t.Fatalf("decodeForm handed on %q, not the body %q", raw, body)
			}
			fuzzProblem(t, "CheckRectificationResponse", invalidIf(forms.CheckRectificationResponse(resp)), after...)
		}
		var ver forms.RectificationVerification
		if _, err := decodeForm(httptest.NewRecorder(), fuzzRequest(body, contentType), &ver); fuzzProblem(t, "decodeForm into forms.RectificationVerification",
			err, http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity) == 0 {
			fuzzProblem(t, "CheckRectificationVerification", invalidIf(forms.CheckRectificationVerification(ver)), after...)
		}

		// addServiceRecords and completeTask read the body whole first.
		if err := requireJSON(fuzzRequest(body, contentType)); fuzzProblem(t, "requireJSON", err, http.StatusUnsupportedMediaType) != 0 {
			return
		}
		raw, err := readLimited(httptest.NewRecorder(), fuzzRequest(body, contentType), MaxRecordBatchBytes)
		if err != nil || !bytes.Equal(raw, body) {
			t.Fatalf("readLimited read %d of %d bytes: %v", len(raw), len(body), err)
		}
		var batch forms.ServiceRecordBatch
		if derr := forms.DecodeStrictBytes(raw, &batch); derr != nil {
			if derr.Field == "" || derr.Message == "" {
				t.Fatalf("a service record batch refused naming no field: %+v", derr)
			}
		} else {
			fuzzProblem(t, "CheckServiceRecordBatch", invalidIf(forms.CheckServiceRecordBatch(batch, usecase.Today())), after...)
		}
		if !json.Valid(raw) {
			return // completeTask answers 400 "not valid JSON" on the body
		}
		if fuzzProblem(t, "checkJSONText", checkJSONText(raw), http.StatusUnprocessableEntity) != 0 {
			return // completeTask answers 422 naming the field
		}
		for _, in := range completions {
			fuzzProblem(t, "workflows.CheckForm for "+in.Kind, invalidIf(workflows.CheckForm(in, raw)), after...)
		}
	}
	// Each seed is also checked before fuzzing, in each worker process: the
	// first decode, check and encode of a type fill caches (encoding/json's,
	// the validator's) whose code then never runs again; coverage first seen
	// there cannot be reproduced, and the fuzzer would spend up to
	// -fuzzminimizetime trying to minimise such an input.
	for _, sd := range seeds {
		f.Add(sd.body, sd.contentType)
		check(f, sd.body, sd.contentType)
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) { check(t, body, contentType) })
}
