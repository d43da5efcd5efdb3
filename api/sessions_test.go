package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// browser is a request as a browser sends it: the session cookie (when
// not empty) and the headers given, and no Authorization header.
func (s *stack) browser(method, path, cookie string, header map[string]string, contentType, body string) response {
	s.t.Helper()
	var rd io.Reader
	if contentType != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.http.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.http.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	specReq, _ := http.NewRequest(method, "http://localhost"+path, nil)
	checkResponseAgainstSpec(s.t, specReq, res.StatusCode, res.Header, raw)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// signIn signs in with JSON, sending planted as a cookie when not empty,
// and returns the answer.
func (s *stack) signIn(login, password, planted string) response {
	s.t.Helper()
	body := `{"login":"` + login + `","password":"` + password + `"}`
	return s.browser("POST", "/auth/sign-in", planted, nil, "application/json", body)
}

// sessionOf is the session cookie an answer sets, checked for its
// attributes.
func sessionOf(t *testing.T, r response) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name != SessionCookie {
			continue
		}
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
			t.Fatalf("session cookie attributes: %+v", c)
		}
		return c.Value
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return ""
}

const goodPassword = "Str0ng-enough-pw"

func TestASessionActsAsItsPersonUntilSignOutAndIsNeverAPlantedOne(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	_, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000041")
	clerk, _ := s.personWithToken("li.na", "李娜", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})

	// A session ID planted before sign-in is not adopted: sign-in sets a
	// new one, and the planted one authenticates nothing.
	planted := "sfs_planted-by-someone-else"
	res := s.signIn("li.na", goodPassword, planted).must(t, 200)
	cookie := sessionOf(t, res)
	if cookie == planted || !strings.HasPrefix(cookie, "sfs_") {
		t.Fatalf("the session cookie %q", cookie)
	}
	var me usecase.Me
	res.json(t, &me)
	if me.Account == nil || me.Account.ID != clerk.ID || me.Via != auth.ViaSession {
		t.Fatalf("sign-in answered %+v", me)
	}
	s.browser("GET", "/v1/me", planted, nil, "", "").must(t, 401)
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 200).json(t, &me)
	if me.Via != auth.ViaSession || me.Acting.Duty != auth.DutyClerk {
		t.Fatalf("me through the session %+v", me)
	}

	// Signed in with her password, the clerk completes a review: the task
	// and the trail name her, acting through a session.
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, applicationBody()).must(t, 201).json(t, &app)
	review := s.inboxTask(admin, app.ReviewTaskID.String(), func(store.Task) bool { return true })
	start := chinaToday()
	decision := `{"decision":"approve","term":{"start":"` + start.Format(time.DateOnly) + `","end":"` +
		start.AddDate(1, 0, -1).Format(time.DateOnly) + `"}}`
	s.browser("POST", "/v1/tasks/"+review.ID.String()+"/complete", cookie, map[string]string{"Origin": s.http.URL},
		"application/json", decision).must(t, 200)
	s.application(orgToken, app.ID.String(), "approved")
	var task store.Task
	s.browser("GET", "/v1/tasks/"+review.ID.String(), cookie, nil, "", "").must(t, 200).json(t, &task)
	if task.State != "completed" {
		t.Errorf("the review is %s, not completed", task.State)
	}
	var trail store.List[store.AuditItem]
	s.browser("GET", "/v1/audit?subject="+review.ID.String(), cookie, nil, "", "").must(t, 200).json(t, &trail)
	completed := findAction(trail.Items, "task.completed")
	if completed == nil || completed.Actor.AccountID == nil || *completed.Actor.AccountID != clerk.ID ||
		completed.Actor.Name != "李娜" || completed.Actor.Via != "session" {
		t.Fatalf("the trail of the completed review: %+v", trail.Items)
	}

	// After sign-out the cookie, stolen or kept, is refused.
	s.browser("POST", "/auth/sign-out", cookie, nil, "", "").must(t, 204)
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 401)
	s.browser("POST", "/auth/sign-out", cookie, nil, "", "").must(t, 204)
}

func TestSignOutEverywhereAPasswordResetAndDisablingEndSessionsNotTokens(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	acc, token := s.personWithToken("wang.fang", "王芳", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	laptop := sessionOf(t, s.signIn("wang.fang", goodPassword, "").must(t, 200))
	phone := sessionOf(t, s.signIn("wang.fang", goodPassword, "").must(t, 200))
	s.browser("POST", "/auth/sign-out-everywhere", laptop, nil, "", "").must(t, 204)
	for _, c := range []string{laptop, phone} {
		s.browser("GET", "/v1/me", c, nil, "", "").must(t, 401)
	}
	s.do("GET", "/v1/me", token, nil).must(t, 200)

	// A reset link's new password ends the sessions.
	phone = sessionOf(t, s.signIn("wang.fang", goodPassword, "").must(t, 200))
	link, err := s.store.ResetLink(ctx, "test", acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "An0ther-strong-pw"}).must(t, 204)
	s.browser("GET", "/v1/me", phone, nil, "", "").must(t, 401)

	// Disabling the account ends its sessions at once, and its tokens.
	phone = sessionOf(t, s.signIn("wang.fang", "An0ther-strong-pw", "").must(t, 200))
	if err := s.store.SetAccountState(ctx, "test", acc.ID, store.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	s.browser("GET", "/v1/me", phone, nil, "", "").must(t, 401)
	s.do("GET", "/v1/me", token, nil).must(t, 401)
	if err := s.store.SetAccountState(ctx, "test", acc.ID, store.AccountActive); err != nil {
		t.Fatal(err)
	}
	s.browser("GET", "/v1/me", phone, nil, "", "").must(t, 401)
}

func TestAnIdleSessionTimesOut(t *testing.T) {
	t.Parallel()
	idle := 3 * time.Second
	s := newStackWith(t, stackOptions{sessions: store.SessionLimits{Idle: idle}})
	s.personWithToken("zhao.lei", "赵磊", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	cookie := sessionOf(t, s.signIn("zhao.lei", goodPassword, "").must(t, 200))
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 200)
	// Wait, without using the session, until the database sees it idle
	// longer than the timeout; then it is refused.
	waitFor(t, func() bool {
		var idleFor bool
		err := s.store.InTx(context.Background(), func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT bool_and(last_seen_at < now() - make_interval(secs => $1)) FROM sessions",
				idle.Seconds()).Scan(&idleFor)
		})
		return err == nil && idleFor
	})
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 401)
}

func TestACrossOriginRequestWithASessionCookieIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.personWithToken("chen.jing", "陈静", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	cookie := sessionOf(t, s.signIn("chen.jing", goodPassword, "").must(t, 200))
	for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
		p := s.browser("POST", "/auth/sign-out-everywhere", cookie, h, "", "").must(t, 403).problem(t)
		if p.Type != ProblemForbidden {
			t.Errorf("a cross-origin POST: %+v", p)
		}
		s.browser("POST", "/auth/sign-in", "", h, "application/json", `{"login":"chen.jing","password":"`+goodPassword+`"}`).must(t, 403)
	}
	s.browser("GET", "/v1/me", cookie, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", "").must(t, 200)
	// A bearer token from any origin is a script's call, not a browser's:
	// it reaches the handler (404 for a task that does not exist).
	req, _ := http.NewRequest("POST", s.http.URL+"/v1/tasks/"+uuid.NewString()+"/claim", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := s.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("a bearer call from another origin: %d", res.StatusCode)
	}
	s.do("POST", "/auth/sign-out-everywhere", token, nil).must(t, 403)
	// From the same origin the session signs out everywhere.
	s.browser("POST", "/auth/sign-out-everywhere", cookie, map[string]string{"Origin": s.http.URL, "Sec-Fetch-Site": "same-origin"},
		"", "").must(t, 204)
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 401)
}

func TestRefusedSignInsLockTheLoginThenTheAddress(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	acc, _ := s.personWithToken("liu.yang", "刘洋", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	off, _ := s.personWithToken("sun.li", "孙丽", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	if err := s.store.SetAccountState(ctx, "test", off.ID, store.AccountDisabled); err != nil {
		t.Fatal(err)
	}

	// Unknown login, wrong password, disabled account: the same answer.
	want := s.signIn("no.such.person", goodPassword, "").must(t, 401).problem(t)
	if !strings.Contains(want.Detail, "登录失败") || !strings.Contains(want.Detail, "sign-in refused") ||
		strings.Index(want.Detail, "登录失败") > strings.Index(want.Detail, "sign-in refused") {
		t.Errorf("the refusal is not Chinese then English: %q", want.Detail)
	}
	for _, got := range []Problem{s.signIn("sun.li", goodPassword, "").must(t, 401).problem(t),
		s.signIn("liu.yang", "Wr0ng-password!", "").must(t, 401).problem(t)} {
		if got.Type != want.Type || got.Title != want.Title || got.Detail != want.Detail || len(got.Errors) != 0 {
			t.Errorf("refusals differ: %+v and %+v", got, want)
		}
	}
	// Four more wrong passwords lock the login: even the right one is 423.
	for range 4 {
		s.signIn("liu.yang", "Wr0ng-password!", "").must(t, 401)
	}
	locked := s.signIn("liu.yang", goodPassword, "").must(t, 423)
	if ra := locked.Header.Get("Retry-After"); ra == "" || ra == "0" || len(ra) > 3 {
		t.Errorf("Retry-After %q on a 15-minute lock", ra)
	}
	trail := s.trail(admin, acc.ID.String())
	refused := 0
	for _, it := range trail.Items {
		if it.Action == "session.refused" {
			refused++
			if raw := string(mustJSONBytes(t, it)); strings.Contains(raw, "Wr0ng") || strings.Contains(raw, "liu.yang") {
				t.Errorf("an audit row holds the password or login: %s", raw)
			}
		}
	}
	if refused != 5 {
		t.Errorf("%d refusals audited for the account, want 5: %+v", refused, trail.Items)
	}

	// 7 refusals so far from this address; 13 more (links count) lock it.
	for i := range 13 {
		if i%2 == 0 {
			s.do("POST", "/auth/password", "", map[string]string{"link": "sfl_unknown", "password": goodPassword}).must(t, 400)
		} else {
			s.signIn("nobody"+string(rune('a'+i)), goodPassword, "").must(t, 401)
		}
	}
	for _, res := range []response{s.signIn("someone.else", goodPassword, ""),
		s.do("POST", "/auth/password", "", map[string]string{"link": "sfl_unknown", "password": goodPassword})} {
		res.must(t, 429)
		if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("no Retry-After on the address lock: %v", res.Header)
		}
	}
	metrics := s.do("GET", "/metrics", stackMetricsToken, nil).must(t, 200)
	for _, line := range []string{`stationflow_sign_in_failures_total{kind="sign_in"} 13`, `stationflow_sign_in_failures_total{kind="link"} 7`,
		`stationflow_sign_in_lockouts_total{scope="login"} 1`, `stationflow_sign_in_lockouts_total{scope="address"} 2`} {
		if !strings.Contains(string(metrics.Body), line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

func TestSignInTakesAnHTMLForm(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.personWithToken("he.ping", "何平", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	form := url.Values{"login": {"he.ping"}, "password": {goodPassword}}.Encode()
	cookie := sessionOf(t, s.browser("POST", "/auth/sign-in", "", map[string]string{"Origin": s.http.URL},
		"application/x-www-form-urlencoded", form).must(t, 200))
	s.browser("GET", "/v1/me", cookie, nil, "", "").must(t, 200)
	p := s.browser("POST", "/auth/sign-in", "", nil, "application/x-www-form-urlencoded", "login=he.ping").must(t, 422).problem(t)
	if !fieldNamed(p, "password") {
		t.Errorf("a form without password: %+v", p)
	}
}

func mustJSONBytes(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
