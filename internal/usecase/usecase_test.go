package usecase

import (
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/grading"
)

// The console will call these use cases as the API does, so none of them
// may lean on HTTP.
func TestTheUseCasesDoNotKnowHTTP(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "net/http" || strings.HasPrefix(path, "net/http/") || path == "github.com/gorilla/mux" ||
				path == "github.com/stationflow/stationflow/api" {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

func kindOf(t *testing.T, err error) Kind {
	t.Helper()
	var refused *Error
	if !errors.As(err, &refused) {
		t.Fatalf("%v is not a refusal", err)
	}
	return refused.Kind
}

func TestAnUploadNamesEveryRuleItBreaks(t *testing.T) {
	png := &UploadedFile{Name: "sheet.png", ContentType: "image/png", Content: []byte("png")}
	tomorrow := Today().AddDate(0, 0, 1).Format(time.DateOnly)
	for _, c := range []struct {
		name   string
		up     Upload
		fields []string
	}{
		{"a photo of today", Upload{Kind: "photo", File: png}, nil},
		{"a dated sign-in sheet", Upload{Kind: "sign_in_sheet", Date: "2026-01-05", File: png}, nil},
		{"no file", Upload{Kind: "video", Date: "5 Jan"}, []string{"kind", "date", "file"}},
		{"a date to come", Upload{Kind: "photo", Date: tomorrow, File: png}, []string{"date"}},
		{"an empty file", Upload{Kind: "photo", File: &UploadedFile{Name: "x.png"}}, []string{"file"}},
		{"a script", Upload{Kind: "document", File: &UploadedFile{Name: "x.sh", ContentType: "text/plain", Content: []byte("#!")}}, []string{"file"}},
		{"a long name", Upload{Kind: "document", File: &UploadedFile{Name: strings.Repeat("名", 201), ContentType: "application/pdf",
			Content: []byte("%PDF")}}, []string{"file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errs := checkUpload(c.up)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("refused fields %v, want %v (%v)", got, c.fields, errs)
			}
		})
	}
}

func TestAWorkflowsRejectionKeepsItsKind(t *testing.T) {
	fields := forms.Errors{{Field: "scores[0].points", Message: "is above the indicator's maximum"}}
	for _, c := range []struct {
		err  error
		want Kind
	}{
		{temporal.NewApplicationError("this token may not complete the task", flow.RejectForbidden), KindForbidden},
		{temporal.NewApplicationError("the task is completed", flow.RejectWrongState), KindConflict},
		{temporal.NewApplicationError(fields.Error(), flow.RejectInvalid, fields), KindInvalid},
		{serviceerror.NewNotFound("workflow not found"), KindConflict},
	} {
		if got := kindOf(t, rejection(c.err)); got != c.want {
			t.Errorf("%v: kind %s, want %s", c.err, got, c.want)
		}
	}
	var refused *Error
	errors.As(rejection(temporal.NewApplicationError(fields.Error(), flow.RejectInvalid, fields)), &refused)
	if len(refused.Fields) != 1 || refused.Fields[0] != fields[0] {
		t.Fatalf("an invalid form lost its fields: %+v", refused)
	}
	other := errors.New("the frontend went away")
	if rejection(other) != other || rejection(nil) != nil {
		t.Fatal("an error that is no rejection must pass unchanged")
	}
}

func TestASettingLeftOutTakesItsDefault(t *testing.T) {
	set := withCycleDefaults(CycleRequest{RegionCode: "510108", Year: 2026, RubricVersion: "annual-2026.1"})
	if set.EvaluatorsPerStation != DefaultEvaluatorsPerStation || set.OnDisagreement != "third_evaluator" ||
		set.AppealWorkdays != DefaultAppealWorkdays || set.DisagreementThreshold != DefaultDisagreementThreshold ||
		set.MinTermDays != DefaultMinTermDays || len(set.Bands) != len(grading.DefaultBands()) {
		t.Fatalf("defaults not filled in: %+v", set)
	}
	zero, threshold := 0, 15.0
	set = withCycleDefaults(CycleRequest{MinTermDays: &zero, DisagreementThreshold: &threshold, EvaluatorsPerStation: 3})
	if set.MinTermDays != 0 || set.DisagreementThreshold != 15 || set.EvaluatorsPerStation != 3 {
		t.Fatalf("given settings overridden: %+v", set)
	}
}

func TestAnOfficeActsInsideItsRegionOnly(t *testing.T) {
	office := Caller{Role: auth.RoleOffice, Scope: "510108"}
	if err := inOfficeScope(office, "region_code", "510108001"); err != nil {
		t.Fatal(err)
	}
	err := inOfficeScope(office, "region_code", "510104")
	if kindOf(t, err) != KindForbidden {
		t.Fatalf("outside the region: %v", err)
	}
	if err := AllowRoles(Caller{Role: auth.RoleSupervisor}, auth.RoleOffice, auth.RoleAdmin); kindOf(t, err) != KindForbidden {
		t.Fatalf("a supervisor starting a cycle: %v", err)
	}
	if _, err := parseID("task", "not-an-id"); kindOf(t, err) != KindNotFound {
		t.Fatalf("a malformed ID: %v", err)
	}
}
