package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/testkit"
)

var sample = Message{Title: "提醒：自评任务即将到期 / Reminder: self-assessment task due soon", Body: "截止时间 / due: 2026-04-09 18:00"}

func TestSMTPDeliversAChineseSubjectAndBodyToARealServer(t *testing.T) {
	srv := testkit.StartSMTP(t)
	m := &SMTP{Addr: srv.Addr, From: "stationflow@example.org"}
	if err := m.Send(context.Background(), "clerk@example.org", sample); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 || mails[0].From != "stationflow@example.org" || len(mails[0].To) != 1 || mails[0].To[0] != "clerk@example.org" {
		t.Fatalf("received %+v, want one mail from stationflow to the clerk", mails)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(mails[0].Msg.Header.Get("Subject"))
	if err != nil || subject != sample.Title {
		t.Errorf("subject %q (%v), want %q", subject, err, sample.Title)
	}
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(mails[0].Body), "\r\n", ""))
	if err != nil || string(body) != sample.Body {
		t.Errorf("body %q (%v), want %q", body, err, sample.Body)
	}
}

func TestSMTPRefusalOfTheMailboxIsPermanent(t *testing.T) {
	srv := testkit.StartSMTP(t)
	srv.Refuse["gone@example.org"] = true
	err := (&SMTP{Addr: srv.Addr, From: "stationflow@example.org"}).Send(context.Background(), "gone@example.org", sample)
	if err == nil || !IsPermanent(err) {
		t.Fatalf("error %v, want a permanent refusal", err)
	}
	if err := (&SMTP{Addr: "127.0.0.1:1", From: "x@example.org"}).Send(context.Background(), "a@example.org", sample); err == nil || IsPermanent(err) {
		t.Fatalf("an unreachable server gave %v, want an error worth retrying", err)
	}
}

// robot is an httptest robot that records the bodies and query it got.
func robot(t *testing.T, status int, reply string) (*httptest.Server, chan *http.Request, chan []byte) {
	reqs, bodies := make(chan *http.Request, 10), make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs <- r
		bodies <- b
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, reqs, bodies
}

func TestWeComRobotGetsAMarkdownMessage(t *testing.T) {
	srv, reqs, bodies := robot(t, 200, `{"errcode":0,"errmsg":"ok"}`)
	if err := (&Robots{}).WeCom(context.Background(), srv.URL+"/cgi-bin/webhook/send?key=k1", sample); err != nil {
		t.Fatal(err)
	}
	r, b := <-reqs, <-bodies
	if r.Method != http.MethodPost || r.URL.Query().Get("key") != "k1" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s %s %q, want a JSON POST keeping the key", r.Method, r.URL, r.Header.Get("Content-Type"))
	}
	var m struct {
		MsgType  string         `json:"msgtype"`
		Markdown map[string]any `json:"markdown"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.MsgType != "markdown" || len(m.Markdown) != 1 ||
		!strings.Contains(m.Markdown["content"].(string), sample.Title) {
		t.Errorf("body %s, want msgtype markdown with only markdown.content holding the title", b)
	}
}

func TestDingTalkRobotGetsASignedMarkdownMessage(t *testing.T) {
	srv, reqs, bodies := robot(t, 200, `{"errcode":0,"errmsg":"ok"}`)
	now := time.UnixMilli(1764547200123)
	secret := "SEC0123456789abcdef"
	if err := (&Robots{Now: func() time.Time { return now }}).DingTalk(context.Background(), srv.URL+"/robot/send?access_token=t1", secret, sample); err != nil {
		t.Fatal(err)
	}
	r, b := <-reqs, <-bodies
	q := r.URL.Query()
	if q.Get("access_token") != "t1" || q.Get("timestamp") != strconv.FormatInt(now.UnixMilli(), 10) {
		t.Errorf("query %s, want the access token and the timestamp in milliseconds", r.URL.RawQuery)
	}
	// The signature, computed here independently of DingTalkSign.
	mac := hmacSHA256(secret, q.Get("timestamp")+"\n"+secret)
	if q.Get("sign") != mac {
		t.Errorf("sign %q, want %q", q.Get("sign"), mac)
	}
	if !strings.Contains(r.URL.RawQuery, "sign="+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(mac)) {
		t.Errorf("raw query %s does not carry the url-encoded sign", r.URL.RawQuery)
	}
	var m struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Title string `json:"title"`
			Text  string `json:"text"`
		} `json:"markdown"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.MsgType != "markdown" || m.Markdown.Title != sample.Title ||
		!strings.Contains(m.Markdown.Text, sample.Body) {
		t.Errorf("body %s, want msgtype markdown with title and text", b)
	}
}

func hmacSHA256(key, msg string) string {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestRobotAnswersAreClassified(t *testing.T) {
	cases := []struct {
		status    int
		reply     string
		ok, perm  bool
		situation string
	}{
		{200, `{"errcode":0}`, true, false, "accepted"},
		{404, ``, false, true, "a 4xx"},
		{429, ``, false, false, "too many requests"},
		{502, ``, false, false, "a 5xx"},
		{200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, false, true, "a robot's error code"},
		{200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, false, false, "a rate limit"},
	}
	for _, c := range cases {
		srv, _, _ := robot(t, c.status, c.reply)
		err := (&Robots{}).WeCom(context.Background(), srv.URL, sample)
		if (err == nil) != c.ok || IsPermanent(err) != c.perm {
			t.Errorf("%s: error %v, want ok=%v permanent=%v", c.situation, err, c.ok, c.perm)
		}
	}
}

func TestMessagesSpeakChineseFirstAndNameNoPerson(t *testing.T) {
	m := Render(Event{Event: "task.escalated", Kind: "self_assessment", EscalationLevel: 2, TaskID: "t-1",
		DueAt: time.Date(2026, 4, 9, 10, 0, 0, 0, time.UTC)})
	zh, en, ok := strings.Cut(m.Title, " / ")
	if !ok || !strings.Contains(zh, "自评") || !strings.Contains(zh, "第 2 级") || !strings.Contains(en, "level 2") {
		t.Errorf("title %q, want Chinese then English naming the kind and level", m.Title)
	}
	if !strings.Contains(m.Body, "2026-04-09 18:00") || !strings.Contains(m.Body, "t-1") {
		t.Errorf("body %q, want the due time in China and the task", m.Body)
	}
}

func TestBackoffIsBounded(t *testing.T) {
	if Backoff(1) != 5*time.Second || Backoff(2) != 10*time.Second || Backoff(50) != time.Hour {
		t.Errorf("backoff %v %v %v", Backoff(1), Backoff(2), Backoff(50))
	}
}
