package api

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/notify"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testkit"
)

// robotHub is a TLS server standing in for the WeCom and DingTalk group
// robots: it checks each message's format (and DingTalk's signature) as
// the real robots do, and fails every post to /failing.
type robotHub struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	got    map[string][]map[string]any // by path
	errs   []string
}

func newRobotHub(t *testing.T, secret string) *robotHub {
	h := &robotHub{secret: secret, got: map[string][]map[string]any{}}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *robotHub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	err := json.Unmarshal(raw, &body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got[r.URL.Path] = append(h.got[r.URL.Path], body)
	switch {
	case r.URL.Path == "/failing":
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case err != nil || body["msgtype"] != "markdown" || r.Method != http.MethodPost:
		h.errs = append(h.errs, r.URL.Path+": not a markdown message: "+string(raw))
	case r.URL.Path == "/dingtalk":
		q := r.URL.Query()
		mac := hmac.New(sha256.New, []byte(h.secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + h.secret))
		if q.Get("access_token") != "dt" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			h.errs = append(h.errs, "dingtalk: bad signature in "+r.URL.RawQuery)
			_, _ = io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
			return
		}
	}
	_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (h *robotHub) posts(path string) []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got[path]
}

// account creates an account with an e-mail address and one grant, and a
// personal token for it.
func (s *stack) account(login, email string, g auth.Grant) (store.Account, string) {
	s.t.Helper()
	ctx := context.Background()
	acc, _, err := s.store.CreateAccount(ctx, "test", store.NewAccount{Login: login, Name: "测试 " + login, Email: email, Grant: g})
	if err != nil {
		s.t.Fatal(err)
	}
	tok, _, err := s.store.CreateAccountToken(ctx, "test", acc.ID, "script", 0, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return acc, tok
}

func (s *stack) notifications(token, query string) store.List[store.InboxNotification] {
	s.t.Helper()
	var list store.List[store.InboxNotification]
	s.do("GET", "/v1/notifications"+query, token, nil).must(s.t, http.StatusOK).json(s.t, &list)
	return list
}

func TestNotificationsReachTheAccountsOfTheAddressedOfficeAndTheirChannels(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	countyOffice := s.token(auth.RoleOffice, "510108")
	mail := testkit.StartSMTP(t)
	robots := newRobotHub(t, "SECtest-secret")

	office := func(region string, duty auth.Duty) auth.Grant {
		return auth.Grant{Role: auth.RoleOffice, Scope: region, Duty: duty}
	}
	_, clerk := s.account("city.clerk", "clerk@example.org", office("5101", auth.DutyClerk))
	_, approver := s.account("city.approver", "", office("5101", auth.DutyApprover))
	_, neighbour := s.account("county.clerk", "", office("510104", auth.DutyClerk))
	_, reviewer := s.account("chenghua.clerk", "", office("510108", auth.DutyClerk))

	// Channels: the clerk wants everything; the neighbour county's clerk
	// WeCom, whose robot fails.
	s.do("PUT", "/v1/me/notification-preferences", clerk, map[string]bool{"email": true, "wecom": true, "dingtalk": true}).must(t, 200)
	p := s.do("PUT", "/v1/me/notification-preferences", approver, map[string]bool{"email": true, "wecom": false, "dingtalk": false}).must(t, 422).problem(t)
	if !fieldNamed(p, "email") {
		t.Errorf("e-mail for an account without an address: %+v, want 422 naming email", p)
	}
	s.do("PUT", "/v1/me/notification-preferences", neighbour, map[string]bool{"email": false, "wecom": true, "dingtalk": false}).must(t, 200)
	p = s.do("PUT", "/v1/notification-channels/5101", admin, map[string]string{"wecom_url": "http://insecure.example/hook"}).must(t, 422).problem(t)
	if !fieldNamed(p, "wecom_url") {
		t.Errorf("an http webhook: %+v, want 422 naming wecom_url", p)
	}
	var ch store.NotificationChannel
	s.do("PUT", "/v1/notification-channels/5101", admin, map[string]string{"wecom_url": robots.URL + "/wecom?key=wc",
		"dingtalk_url": robots.URL + "/dingtalk?access_token=dt", "dingtalk_secret": robots.secret}).must(t, 200).json(t, &ch)
	if !ch.DingTalkSigned || strings.Contains(string(s.do("PUT", "/v1/notification-channels/510104", countyOffice,
		map[string]string{"wecom_url": robots.URL + "/failing"}).must(t, 404).Body), "failing") {
		t.Fatalf("channel %+v; a county office setting its neighbour's robots must get 404", ch)
	}
	s.do("PUT", "/v1/notification-channels/510104", admin, map[string]string{"wecom_url": robots.URL + "/failing"}).must(t, 200)

	// A reminder to the neighbouring county (its robot fails), written
	// first, so its delivery comes first in every pass.
	if err := s.store.EnqueueNotification(ctx, store.Notification{Key: "test/510104/reminded", Event: "task.reminded",
		Recipient: "office:510104", Payload: json.RawMessage(`{"kind":"self_assessment","due_at":"2026-04-09T10:00:00Z"}`)}); err != nil {
		t.Fatal(err)
	}

	// An application's review task, reassigned by an admin to the city
	// office: its workflow writes the event into the outbox.
	orgA, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, _, township := s.province(admin)
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, applicationBody()).must(t, 201).json(t, &app)
	_ = orgA
	review := app.ReviewTaskID.String()
	s.inboxTask(countyOffice, review, func(store.Task) bool { return true })
	s.reassignedTo(admin, review, "office", "5101")

	d := &notify.Dispatcher{Store: s.store, Mail: &notify.SMTP{Addr: mail.Addr, From: "stationflow@example.org"},
		Robots: &notify.Robots{Client: robots.Client()}, MaxAttempts: 3, Backoff: func(int) time.Duration { return 0 }}
	waitFor(t, func() bool {
		if _, err := d.FanOut(ctx); err != nil {
			t.Fatal(err)
		}
		return len(s.notifications(clerk, "").Items) == 1 && len(s.notifications(reviewer, "").Items) == 1
	})
	if _, err := d.FanOut(ctx); err != nil { // a second fan-out writes nothing twice
		t.Fatal(err)
	}

	// In-app: each account of the city office has it once, the
	// neighbouring county's only its own reminder.
	mine := s.notifications(clerk, "?unread=true")
	theirs := s.notifications(approver, "")
	if len(mine.Items) != 1 || len(theirs.Items) != 1 || mine.Items[0].Event != "task.reassigned" ||
		mine.Items[0].TaskID == nil || mine.Items[0].TaskID.String() != review || mine.Items[0].ID == theirs.Items[0].ID {
		t.Fatalf("clerk %+v, approver %+v: want the reassignment once each", mine.Items, theirs.Items)
	}
	n := mine.Items[0]
	if !strings.HasPrefix(n.Title, "新任务：申请审核 / New task: application review") || strings.Contains(n.Body, "张伟") {
		t.Errorf("title %q body %q: want Chinese first, English second and no personal data", n.Title, n.Body)
	}
	if other := s.notifications(neighbour, ""); len(other.Items) != 1 || other.Items[0].Event != "task.reminded" {
		t.Errorf("the neighbouring county's clerk has %+v, want only its own reminder", other.Items)
	}
	// The county office the review was first assigned to was told of it.
	if got := s.notifications(reviewer, ""); len(got.Items) != 1 || got.Items[0].Event != "task.assigned" ||
		got.Items[0].TaskID == nil || got.Items[0].TaskID.String() != review {
		t.Errorf("the county office's clerk has %+v, want the review's assignment", got.Items)
	}

	// Read: own only; another account's is 404, the same as none.
	s.do("POST", "/v1/notifications/"+n.ID.String()+"/read", approver, nil).must(t, 404)
	var read store.InboxNotification
	s.do("POST", "/v1/notifications/"+n.ID.String()+"/read", clerk, nil).must(t, 200).json(t, &read)
	if read.ReadAt == nil || len(s.notifications(clerk, "?unread=true").Items) != 0 || len(s.notifications(clerk, "").Items) != 1 {
		t.Errorf("read %+v: want it read and out of the unread list only", read)
	}
	if p := s.do("GET", "/v1/notifications?unread=perhaps", clerk, nil).must(t, 400).problem(t); !fieldNamed(p, "unread") {
		t.Errorf("unread=perhaps: %+v, want 400 naming unread", p)
	}
	s.do("GET", "/v1/notifications", admin, nil).must(t, 403) // a service token has no list

	// Delivery: three passes; the failing robot is tried three times and
	// given up, the rest are delivered on the first pass regardless.
	for pass := 1; pass <= 3; pass++ {
		if _, _, err := d.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		if pass == 1 && (len(mail.Mails()) != 1 || len(robots.posts("/wecom")) != 1 || len(robots.posts("/dingtalk")) != 1) {
			t.Fatalf("after the first pass: %d mails, %d WeCom and %d DingTalk posts; want one each",
				len(mail.Mails()), len(robots.posts("/wecom")), len(robots.posts("/dingtalk")))
		}
	}
	if len(robots.posts("/failing")) != 3 {
		t.Errorf("the failing robot got %d posts, want 3", len(robots.posts("/failing")))
	}
	if _, _, err := d.Deliver(ctx); err != nil || len(robots.posts("/failing")) != 3 {
		t.Errorf("a given-up delivery was tried again (%d posts, %v)", len(robots.posts("/failing")), err)
	}
	if len(robots.errs) > 0 {
		t.Errorf("the robots refused: %v", robots.errs)
	}
	m := mail.Mails()[0]
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Msg.Header.Get("Subject"))
	if err != nil || subject != n.Title || m.To[0] != "clerk@example.org" {
		t.Errorf("mail to %v with subject %q (%v), want the clerk and %q", m.To, subject, err, n.Title)
	}
	content, _ := robots.posts("/wecom")[0]["markdown"].(map[string]any)
	if c, _ := content["content"].(string); !strings.Contains(c, n.Title) {
		t.Errorf("WeCom markdown %v, want the title", content)
	}

	metrics := string(s.do("GET", "/metrics", stackMetricsToken, nil).must(t, http.StatusOK).Body)
	for _, line := range []string{`stationflow_notification_deliveries{channel="wecom",state="failed"} 1`,
		`stationflow_notification_deliveries{channel="wecom",state="delivered"} 1`,
		`stationflow_notification_deliveries{channel="email",state="delivered"} 1`,
		`stationflow_notification_deliveries{channel="dingtalk",state="delivered"} 1`} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}
