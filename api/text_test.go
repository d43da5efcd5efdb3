package api

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// hostileText is text that breaks the text rules: generated from each
// piece PostgreSQL cannot store (or that is no text), placed alone, first,
// inside and last in an ordinary value.
func hostileText() []string {
	pieces := []string{"\x00", "\x01", "\x1b", "\x7f\x00", "\xff", "\xc3", "\xed\xa0\x80"}
	var out []string
	for _, p := range pieces {
		out = append(out, p, p+"社工站", "社工"+p+"站", "社工站"+p)
	}
	return out
}

// hostileNames adds what only a name refuses: bidirectional controls, and
// nothing visible but white space and zero-width characters.
func hostileNames() []string {
	out := hostileText()
	for _, bidi := range []string{"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"} {
		out = append(out, bidi+"社工站", "社工站"+bidi+"fdp.exe")
	}
	return append(out, " ", "\t\n", "\u3000", "\u200B", "\u200C\u200D", "\uFEFF", "\u2060", " \u200B ")
}

// jsonString writes v as a JSON string as a careless client would: bytes
// that are not UTF-8 go in raw (encoding/json would replace them), control
// characters escaped.
func jsonString(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// count is how many rows table holds.
func (s *stack) count(table string) int {
	s.t.Helper()
	var n int
	if err := s.store.DBForTests().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// refused checks that r is a problem of status naming field.
func refused(t *testing.T, r response, status int, field, what string) {
	t.Helper()
	p := r.must(t, status).problem(t)
	if !fieldNamed(p, field) {
		t.Fatalf("%s: %+v does not name %s", what, p.Errors, field)
	}
}

func TestHostileTextIsRefusedAtEveryEntryNamingTheField(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	org, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000011")
	station, _ := s.operatingStation(admin, orgToken)
	stationPath := "/v1/stations/" + station.ID.String()

	t.Run("JSON bodies: names of organisations, people and stations", func(t *testing.T) {
		orgs, people, stations := s.count("organisations"), s.count("people"), s.count("stations")
		code := jsonString(creditCode(t, "52510108MJ0000099"))
		for _, h := range hostileNames() {
			what := fmt.Sprintf("name %q", h)
			refused(t, s.do("POST", "/v1/organisations", admin, `{"name":`+jsonString(h)+`,"credit_code":`+code+`}`), 422, "name", what)
			refused(t, s.do("POST", "/v1/people", admin, `{"name":`+jsonString(h)+`,"role":"social_worker","region_code":"510108","organisation_id":"`+org.ID.String()+`"}`), 422, "name", what)
			refused(t, s.do("POST", "/v1/stations", admin, `{"name":`+jsonString(h)+`,"level":"township_station","region_code":"510108004","parent_id":"`+station.ParentID.String()+`"}`), 422, "name", what)
		}
		if s.count("organisations") != orgs || s.count("people") != people || s.count("stations") != stations {
			t.Fatal("a refused record was stored")
		}
	})

	t.Run("JSON bodies: nested fields and service records", func(t *testing.T) {
		records := s.count("service_records")
		for _, h := range hostileText() {
			body := `{"records":[{"date":"` + chinaToday().Format(time.DateOnly) + `","service_line":"needs_assessment","activity_type":"visit"},` +
				`{"date":"` + chinaToday().Format(time.DateOnly) + `","service_line":"needs_assessment","activity_type":` + jsonString(h) + `}]}`
			refused(t, s.do("POST", stationPath+"/service-records", orgToken, body), 422, "records[1].activity_type", fmt.Sprintf("%q", h))
		}
		if s.count("service_records") != records {
			t.Fatal("a refused batch was stored")
		}
	})

	t.Run("CSV cells", func(t *testing.T) {
		for _, h := range hostileText() {
			csv := strings.Replace(string(recordsCSV(3)), ",visit,", ","+h+",", 2)
			p := s.send("POST", stationPath+"/service-records/import", orgToken, "text/csv", []byte(csv)).must(t, 422).problem(t)
			if len(p.Errors) != 2 || p.Errors[0].Line != 2 || p.Errors[0].Column != "activity_type" || p.Errors[1].Line != 3 {
				t.Fatalf("activity_type %q: %+v, want lines 2 and 3 naming activity_type", h, p.Errors)
			}
		}
		if n := s.count("service_records"); n != 0 {
			t.Fatalf("%d records stored from refused imports", n)
		}
	})

	t.Run("multipart file names and fields", func(t *testing.T) {
		files := s.count("files") // the application's documents
		for _, h := range hostileNames() {
			ct, body := multipartRawName(t, h)
			if breaksHeader(h) {
				// The multipart reader refuses a part header holding a
				// control character before any name is read.
				refused(t, s.send("POST", stationPath+"/files", orgToken, ct, body), 400, "Content-Type", fmt.Sprintf("file name %q", h))
				continue
			}
			refused(t, s.send("POST", stationPath+"/files", orgToken, ct, body), 422, "file", fmt.Sprintf("file name %q", h))
		}
		for _, h := range hostileText() {
			ct, body := multipartField(t, "kind", h)
			refused(t, s.send("POST", stationPath+"/files", orgToken, ct, body), 422, "kind", fmt.Sprintf("kind %q", h))
		}
		if n := s.count("files"); n != files {
			t.Fatalf("%d files stored from refused uploads", n-files)
		}
	})

	t.Run("query parameters", func(t *testing.T) {
		for _, h := range hostileText() {
			v := url.QueryEscape(h)
			refused(t, s.do("GET", "/v1/stations?region_code="+v, admin, nil), 400, "region_code", fmt.Sprintf("%q", h))
			refused(t, s.do("GET", "/v1/rectifications?station_id="+v, admin, nil), 400, "station_id", fmt.Sprintf("%q", h))
			refused(t, s.do("GET", stationPath+"/evidence?quarter="+v, admin, nil), 400, "quarter", fmt.Sprintf("%q", h))
			refused(t, s.do("GET", "/v1/organisations?cursor="+v, admin, nil), 400, "cursor", fmt.Sprintf("%q", h))
		}
	})

	t.Run("path parameters", func(t *testing.T) {
		for _, h := range hostileText() {
			v := url.PathEscape(h)
			refused(t, s.do("GET", "/v1/stations/"+v, admin, nil), 400, "id", fmt.Sprintf("%q", h))
			refused(t, s.do("POST", "/v1/tasks/"+v+"/claim", admin, nil), 400, "id", fmt.Sprintf("%q", h))
		}
	})
}

// breaksHeader: a control character (but tab) that no MIME header may hold.
func breaksHeader(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f })
}

// multipartRawName is an upload whose file name is written into the part
// header byte for byte, as a hostile client would (multipart.Writer
// escapes quotes and line breaks).
func multipartRawName(t *testing.T, name string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("kind", "sign_in_sheet"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="` + name + `"`},
		"Content-Type": {"application/octet-stream"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(pngBytes(1)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// multipartField is a multipart form with one field and a good file.
func multipartField(t *testing.T, name, value string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField(name, value); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "sheet.png")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(pngBytes(2)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// The case that jammed a workflow: an organisation answers its own
// rectification item with U+0000 in the response. The API refuses it with
// 422 naming the field, on the item's route and on the task's; nothing
// reaches the workflow, and the task stays open and takes a good answer.
func TestARectificationResponseCarryingNULIsRefusedAndTheTaskStaysAnswerable(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 100 * time.Millisecond, quarterWorkdays: 20, policies: map[string]flow.TaskPolicy{
		flow.KindSupervision:        {DueWorkdays: 600, EscalateEveryWorkdays: 600},
		flow.KindRectification:      {DueWorkdays: 600, EscalateEveryWorkdays: 600},
		flow.KindRectificationCheck: {DueWorkdays: 600, EscalateEveryWorkdays: 600},
	}})
	admin := s.token(auth.RoleAdmin, "")
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000011")
	free := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108001"})
	supervisor := s.token(auth.RoleSupervisor, free)
	station, _ := s.operatingStation(admin, orgToken)
	item := s.openRectification(supervisor, orgToken, station, period.Of(chinaToday()).String())
	itemPath := "/v1/rectifications/" + item.ID.String()
	taskPath := "/v1/tasks/" + item.TaskID.String()
	waitFor(t, func() bool { // the response task is projected before it can be answered
		return s.do("POST", itemPath+"/respond", orgToken, map[string]any{"response": "too short"}).Status == 422
	})
	waitFor(t, func() bool { return s.do("GET", taskPath, orgToken, nil).Status == 200 })

	for _, body := range []string{
		`{"response":"two qualified social workers hired\u0000 this month","evidence_ids":[]}`,
		"{\"response\":\"two qualified social workers hired \xff this month\",\"evidence_ids\":[]}",
		`{"response":"two qualified social workers hired \ud800 this month","evidence_ids":[]}`,
	} {
		for _, route := range []string{itemPath + "/respond", taskPath + "/complete"} {
			p := s.do("POST", route, orgToken, body).must(t, http.StatusUnprocessableEntity).problem(t)
			if !fieldNamed(p, "response") {
				t.Fatalf("POST %s %q: %+v does not name response", route, body, p.Errors)
			}
		}
	}

	var open store.Rectification
	s.do("GET", itemPath, orgToken, nil).must(t, 200).json(t, &open)
	var task store.Task
	s.do("GET", taskPath, orgToken, nil).must(t, 200).json(t, &task)
	if open.State != store.RectificationOpen || open.Response != "" || task.State != "open" {
		t.Fatalf("after the refusals the item is %q with response %q and its task %q; want both open", open.State, open.Response, task.State)
	}
	answer := map[string]any{"response": "two qualified social workers hired this month", "evidence_ids": []string{}}
	var answered store.Rectification
	s.do("POST", itemPath+"/respond", orgToken, answer).must(t, 200).json(t, &answered)
	waitFor(t, func() bool {
		s.do("GET", itemPath, orgToken, nil).must(t, 200).json(t, &answered)
		return answered.State == store.RectificationResponded
	})
	if answered.Response != answer["response"] {
		t.Fatalf("the item holds the response %q", answered.Response)
	}
}

// openRectification files the quarter's supervision with one critical
// indicator failed and returns the rectification item it opens, once its
// response task exists.
func (s *stack) openRectification(supervisor, orgToken string, station store.Station, quarter string) store.Rectification {
	t := s.t
	t.Helper()
	task := s.supervisionTask(supervisor, quarter, func(store.Task) bool { return true })
	ct, body := multipartFile(t, "sign_in_sheet", "签到表.png", pngBytes(1))
	var file store.EvidenceFile
	s.send("POST", "/v1/stations/"+station.ID.String()+"/files", orgToken, ct, body).must(t, 201).json(t, &file)
	var full taskWithRubric
	s.do("GET", "/v1/tasks/"+task.ID.String(), supervisor, nil).must(t, 200).json(t, &full)
	var scores []map[string]any
	failed := false
	for _, sec := range full.Rubric.Sections {
		for _, ind := range sec.Indicators {
			sc := map[string]any{"indicator": ind.ID, "points": ind.MaxPoints, "evidence_ids": []string{}}
			if ind.Critical && !failed {
				failed = true
				sc["points"], sc["comment"] = 0, "no qualified full-time worker on the roster"
				sc["evidence_ids"] = []string{file.ID.String()}
			}
			scores = append(scores, sc)
		}
	}
	form := map[string]any{"scores": scores, "summary": "staffing below the standard"}
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", supervisor, form).must(t, 200)
	var items store.List[store.Rectification]
	waitFor(t, func() bool {
		s.do("GET", "/v1/rectifications?state=open", orgToken, nil).must(t, 200).json(t, &items)
		return len(items.Items) == 1 && items.Items[0].TaskID != nil
	})
	return items.Items[0]
}
