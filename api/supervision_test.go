package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/calendar"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// chinaToday is the date in China, the one evidence is dated by.
func chinaToday() time.Time {
	now := time.Now().In(calendar.Location())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// operatingStation runs an application through approval: the township
// station is operating under organisation A from today for a year.
func (s *stack) operatingStation(admin, orgToken string) (station store.Station, county string) {
	s.t.Helper()
	_, _, station = s.province(admin)
	county = s.token(auth.RoleOffice, "510108")
	s.operatorFor(station, orgToken, county)
	return station, county
}

// person registers a person and returns their ID.
func (s *stack) person(admin string, body map[string]any) string {
	s.t.Helper()
	var p store.Person
	s.do("POST", "/v1/people", admin, body).must(s.t, http.StatusCreated).json(s.t, &p)
	return p.ID.String()
}

// recordsCSV is a valid import of n records dated today.
func recordsCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("date,service_line,activity_type,beneficiaries_elderly,beneficiaries_children,beneficiaries_disabled,beneficiaries_hardship,volunteers,volunteer_hours,resources_yuan,cases\n")
	lines := []string{"needs_assessment", "resource_linking", "social_assistance", "elderly_child_care", "community_governance"}
	day := chinaToday().Format(time.DateOnly)
	for i := range n {
		fmt.Fprintf(&b, "%s,%s,visit,%d,%d,0,1,2,4.5,%d,1\n", day, lines[i%len(lines)], i%7, i%3, (i%4)*100)
	}
	return []byte(b.String())
}

func multipartFile(t *testing.T, kind, name string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("kind", kind); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// pngBytes is content that reads as a PNG, different for each seed.
func pngBytes(seed byte) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{seed}, 32)...)
}

// supervisionTask waits until the caller's inbox holds the supervision
// task of a quarter in the state cond accepts.
func (s *stack) supervisionTask(token, quarter string, cond func(store.Task) bool) store.Task {
	s.t.Helper()
	var found store.Task
	waitFor(s.t, func() bool {
		var list store.List[store.Task]
		s.do("GET", "/v1/tasks?kind=quarterly_supervision", token, nil).must(s.t, 200).json(s.t, &list)
		for _, t := range list.Items {
			if t.Period == quarter && cond(t) {
				found = t
				return true
			}
		}
		return false
	})
	return found
}

type taskWithRubric struct {
	store.Task
	Rubric struct {
		Version  string `json:"version"`
		Sections []struct {
			Indicators []struct {
				ID        string `json:"id"`
				MaxPoints int    `json:"max_points"`
				Critical  bool   `json:"critical"`
			} `json:"indicators"`
		} `json:"sections"`
	} `json:"rubric"`
	Evidence       store.EvidencePack    `json:"evidence"`
	AnnualEvidence *store.AnnualEvidence `json:"annual_evidence"`
	Evaluations    []store.Evaluation    `json:"evaluations"`
}

func TestAQuarterIsSupervisedOverHTTPFromEvidenceToAVerifiedRectification(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 20, policies: map[string]flow.TaskPolicy{
		flow.KindSupervision:        {DueWorkdays: 600, EscalateEveryWorkdays: 600},
		flow.KindRectification:      {DueWorkdays: 600, EscalateEveryWorkdays: 600},
		flow.KindRectificationCheck: {DueWorkdays: 600, EscalateEveryWorkdays: 600},
	}})
	admin := s.token(auth.RoleAdmin, "")
	// Two supervisors in the county: one works for the organisation that
	// will run the station and may never supervise it. Its ID sorts first,
	// so only the conflict rule keeps it off the station.
	org, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000011")
	conflicted := s.person(admin, map[string]any{"name": "赵敏", "role": "supervisor", "region_code": "510108", "organisation_id": org.ID})
	free := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108001"})
	supervisor := s.token(auth.RoleSupervisor, free)
	station, county := s.operatingStation(admin, orgToken)
	quarter := period.Of(chinaToday()).String()
	stationPath := "/v1/stations/" + station.ID.String()

	// The quarter ends (twenty scaled working days) and its form goes to the
	// supervisor who is free of conflict.
	task := s.supervisionTask(supervisor, quarter, func(store.Task) bool { return true })
	if task.Period != quarter || task.Assignee.ID != free {
		t.Fatalf("supervision task %+v, want %s for %s", task, quarter, free)
	}
	var other store.List[store.Task]
	s.do("GET", "/v1/tasks", s.token(auth.RoleSupervisor, conflicted), nil).must(t, 200).json(t, &other)
	if len(other.Items) != 0 {
		t.Fatalf("the supervisor employed by the operator was given %d tasks", len(other.Items))
	}

	// The organisation imports its records and uploads a sign-in sheet.
	csv := recordsCSV(1000)
	var imported store.ImportResult
	s.send("POST", stationPath+"/service-records/import", orgToken, "text/csv", csv).must(t, 201).json(t, &imported)
	if imported.Imported != 1000 || imported.Replayed {
		t.Fatalf("import %+v", imported)
	}
	var again store.ImportResult
	s.send("POST", stationPath+"/service-records/import", orgToken, "text/csv", csv).must(t, 200).json(t, &again)
	if !again.Replayed || again.ImportID != imported.ImportID {
		t.Fatalf("re-sent import %+v, want a replay of %s", again, imported.ImportID)
	}
	bad := strings.Replace(string(recordsCSV(5)), ",needs_assessment,", ",knitting,", 1)
	bad = strings.Replace(bad, ",social_assistance,visit,2,", ",social_assistance,visit,-2,", 1)
	p := s.send("POST", stationPath+"/service-records/import", orgToken, "text/csv", []byte(bad)).must(t, 422).problem(t)
	if len(p.Errors) != 2 || p.Errors[0].Line != 2 || p.Errors[0].Column != "service_line" || p.Errors[1].Line != 4 || p.Errors[1].Column != "beneficiaries_elderly" {
		t.Fatalf("bad rows reported as %+v, want line 2 service_line and line 4 beneficiaries_elderly", p.Errors)
	}
	var stored int
	if err := s.store.DBForTests().QueryRow(context.Background(), `SELECT count(*) FROM service_records WHERE station_id = $1`, station.ID).Scan(&stored); err != nil || stored != 1000 {
		t.Fatalf("%d records stored (%v), want the 1000 of the good import only", stored, err)
	}
	s.send("POST", stationPath+"/service-records/import", county, "text/csv", csv).must(t, 403)
	ct, body := multipartFile(t, "sign_in_sheet", "签到表.png", pngBytes(1))
	var file store.EvidenceFile
	s.send("POST", stationPath+"/files", orgToken, ct, body).must(t, 201).json(t, &file)
	sum := sha256.Sum256(pngBytes(1))
	if file.SHA256 != hex.EncodeToString(sum[:]) || file.Period != quarter {
		t.Fatalf("file %+v", file)
	}

	// The supervisor sees the frozen rubric and the evidence pack.
	var full taskWithRubric
	s.do("GET", "/v1/tasks/"+task.ID.String(), supervisor, nil).must(t, 200).json(t, &full)
	if full.Rubric.Version == "" || len(full.Rubric.Sections) == 0 || len(full.Evidence.Lines) != 6 || full.Evidence.Totals.Records != 1000 {
		t.Fatalf("task shows rubric %q with %d sections and evidence %+v", full.Rubric.Version, len(full.Rubric.Sections), full.Evidence.Totals)
	}
	s.do("GET", stationPath+"/evidence?quarter="+quarter, supervisor, nil).must(t, 200)
	s.do("GET", stationPath+"/evidence?quarter=2026Q9", supervisor, nil).must(t, 400)

	// A score citing evidence that is not the station's is refused; then
	// the form is filed with one critical indicator failed.
	var scores []map[string]any
	failed := ""
	for _, sec := range full.Rubric.Sections {
		for _, ind := range sec.Indicators {
			sc := map[string]any{"indicator": ind.ID, "points": ind.MaxPoints, "evidence_ids": []string{}}
			if ind.Critical && failed == "" {
				failed = ind.ID
				sc["points"], sc["comment"] = 0, "no qualified full-time worker on the roster"
				sc["evidence_ids"] = []string{file.ID.String()}
			}
			scores = append(scores, sc)
		}
	}
	form := map[string]any{"scores": scores, "summary": "records complete; staffing below the standard"}
	foreign := store.NewID().String()
	scores[0]["evidence_ids"] = []string{foreign}
	p = s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", supervisor, form).must(t, 422).problem(t)
	if !fieldNamed(p, "scores[0].evidence_ids[0]") {
		t.Fatalf("a foreign citation: %+v", p.Errors)
	}
	scores[0]["evidence_ids"] = []string{}
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", orgToken, form).must(t, 404)
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", supervisor, form).must(t, 200)

	// The scorecard is issued, immutable, and the organisation sees it.
	var cards struct {
		Items []map[string]any `json:"items"`
	}
	waitFor(t, func() bool {
		s.do("GET", stationPath+"/scorecards", orgToken, nil).must(t, 200).json(t, &cards)
		return len(cards.Items) == 1
	})
	card := cards.Items[0]
	if card["passed"] != false || card["period"] != quarter || card["station_id"] != station.ID.String() {
		t.Fatalf("scorecard %v", card)
	}
	cardID := card["id"].(string)
	s.do("GET", "/v1/scorecards/"+cardID, orgToken, nil).must(t, 200)
	_, otherOrg := s.organisation(admin, "晨曦", "52510108MJ0000012")
	s.do("GET", "/v1/scorecards/"+cardID, otherOrg, nil).must(t, 404)
	var doc string
	var hash string
	if err := s.store.DBForTests().QueryRow(context.Background(), `SELECT document::text, content_hash FROM scorecards WHERE id = $1`, cardID).Scan(&doc, &hash); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(doc)); hex.EncodeToString(sum[:]) != hash || card["content_hash"] != hash {
		t.Fatalf("content_hash %v does not hash the stored document", card["content_hash"])
	}
	if _, err := s.store.DBForTests().Exec(context.Background(), `UPDATE scorecards SET total = 100 WHERE id = $1`, cardID); err == nil {
		t.Fatal("an issued scorecard could be changed")
	}

	// The failed indicator opened a rectification item for the organisation.
	var items store.List[store.Rectification]
	waitFor(t, func() bool {
		s.do("GET", "/v1/rectifications?state=open", orgToken, nil).must(t, 200).json(t, &items)
		return len(items.Items) == 1 && items.Items[0].TaskID != nil
	})
	item := items.Items[0]
	if item.Indicator != failed || item.VerifierID != free || item.Round != 1 {
		t.Fatalf("item %+v", item)
	}
	itemPath := "/v1/rectifications/" + item.ID.String()
	s.do("GET", itemPath, otherOrg, nil).must(t, 404)
	waitFor(t, func() bool { // the response task is projected before it can be answered
		return s.do("POST", itemPath+"/respond", orgToken, map[string]any{"response": "too short"}).Status == 422
	})
	answer := map[string]any{"response": "two qualified social workers hired this month", "evidence_ids": []string{file.ID.String()}}
	var answered store.Rectification
	waitFor(t, func() bool {
		r := s.do("POST", itemPath+"/respond", orgToken, answer)
		if r.Status == 200 {
			r.json(t, &answered)
		}
		return r.Status == 200
	})
	if answered.State != "responded" || answered.Response != answer["response"] {
		t.Fatalf("answered %+v", answered)
	}
	s.do("POST", itemPath+"/respond", orgToken, answer).must(t, 409)
	p = s.do("POST", itemPath+"/verify", supervisor, map[string]any{"accepted": false}).must(t, 422).problem(t)
	if !fieldNamed(p, "comment") {
		t.Fatalf("a refusal without comment: %+v", p.Errors)
	}
	var verified store.Rectification
	waitFor(t, func() bool {
		r := s.do("POST", itemPath+"/verify", supervisor, map[string]any{"accepted": true, "comment": "certificates checked"})
		if r.Status == 200 {
			r.json(t, &verified)
		}
		return r.Status == 200
	})
	waitFor(t, func() bool {
		s.do("GET", itemPath, county, nil).must(t, 200).json(t, &verified)
		return verified.State == "verified"
	})
	if verified.ClosedAt == nil {
		t.Errorf("verified item %+v has no closing time", verified)
	}
	s.do("GET", "/v1/rectifications?state=unverified", county, nil).must(t, 200).json(t, &items)
	if len(items.Items) != 0 {
		t.Errorf("%d items still unverified", len(items.Items))
	}
	s.recordHistory(flow.SupervisionWorkflowID(station.ID.String(), quarter), "supervision-filed-with-rectification")
	s.recordHistory(flow.RectificationWorkflowID(station.ID.String(), quarter, failed), "rectification-responded-verified")
	s.recordHistory(flow.StationWorkflowID(station.ID.String()), "station-operating-supervised")
}

func TestAnUnfiledSupervisionFormEscalatesToTheCountyOffice(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 20, policies: map[string]flow.TaskPolicy{
		flow.KindSupervision: {DueWorkdays: 2, EscalateEveryWorkdays: 600},
	}})
	admin := s.token(auth.RoleAdmin, "")
	s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000013")
	station, county := s.operatingStation(admin, orgToken)
	quarter := period.Of(chinaToday()).String()
	// The supervisor files nothing: two scaled working days after the
	// quarter ends, the form is overdue and lands in the county's inbox.
	var task store.Task
	t.Cleanup(func() {
		if t.Failed() {
			all, _ := s.store.ListTasks(context.Background(), store.TaskFilter{All: true}, store.Page{})
			for _, x := range all.Items {
				t.Logf("task %s %s %s:%s escalated=%q due=%s", x.Kind, x.State, x.AssigneeKind, x.AssigneeID, x.EscalatedTo, x.DueAt)
			}
		}
	})
	task = s.supervisionTask(county, quarter, func(t store.Task) bool { return t.State == "escalated" })
	if task.EscalatedTo != "510108" || task.Assignee.Kind != "person" || !task.Overdue {
		t.Fatalf("task %+v: want an overdue supervisor's task escalated to the county office 510108", task)
	}
	var summary struct {
		Total  int64            `json:"total"`
		ByKind map[string]int64 `json:"by_kind"`
	}
	s.do("GET", "/v1/overdue", county, nil).must(t, 200).json(t, &summary)
	// A scaled quarter is short, so the next quarter's form may already be
	// overdue too; overdue forms only accumulate here, so the summary counts
	// this one and never more than are overdue a moment later.
	overdue, err := s.store.ListTasks(context.Background(), store.TaskFilter{All: true, Kind: flow.KindSupervision, Overdue: true}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if n := summary.ByKind["quarterly_supervision"]; n < 1 || n > int64(len(overdue.Items)) || summary.Total < n {
		t.Fatalf("overdue summary %+v, %d supervision forms overdue", summary, len(overdue.Items))
	}
	s.do("GET", "/v1/overdue", s.token(auth.RoleOrg, store.NewID().String()), nil).must(t, 403)
	s.do("GET", "/v1/overdue?region_code=5102", county, nil).must(t, 403)

	// The office closes the quarter as missed, with its reason.
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/close", county, map[string]any{"reason": "short"}).must(t, 422)
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/close", county, map[string]any{"reason": "the station was shut for repairs all quarter"}).must(t, 200)
	waitFor(t, func() bool {
		q, err := s.store.GetSupervisionQuarter(context.Background(), station.ID, quarter)
		return err == nil && q.State == store.QuarterMissed && q.Reason == "the station was shut for repairs all quarter"
	})
	s.recordHistory(task.WorkflowID, "task-supervision-escalated-closed")
	s.recordHistory(flow.SupervisionWorkflowID(station.ID.String(), quarter), "supervision-missed")
}
