package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
)

// serveBare sends a request to a router that needs no database: one that
// never reaches a handler of /v1 with a valid token. It checks the answer
// against the document.
func serveBare(t *testing.T, h http.Handler, method, target, remoteAddr string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if remoteAddr != "" {
		req.RemoteAddr = remoteAddr
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if method != http.MethodHead {
		checkResponseAgainstSpec(t, specRequest(method, target), rec.Code, rec.Header(), rec.Body.Bytes())
	}
	return rec
}

func bareRouter() http.Handler {
	return (&Server{Logger: slog.New(slog.DiscardHandler)}).Router()
}

func TestMethodNotAllowedAnswers405WithAllow(t *testing.T) {
	h := bareRouter()
	id := uuid.NewString()
	for _, c := range []struct{ method, target, allow string }{
		{"DELETE", "/v1/stations", "GET, HEAD, POST"},
		{"PUT", "/v1/stations/" + id, "GET, HEAD"},
		{"GET", "/v1/tasks/" + id + "/claim", "POST"},
		{"HEAD", "/v1/tasks/" + id + "/claim", "POST"},
		{"POST", "/healthz", "GET, HEAD"},
		{"PATCH", "/v1/organisations/" + id + "/status", "GET, HEAD"},
	} {
		rec := serveBare(t, h, c.method, c.target, "", nil)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: status %d, want 405; body %s", c.method, c.target, rec.Code, rec.Body)
			continue
		}
		if got := rec.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.target, got, c.allow)
		}
		if c.method != "HEAD" && !strings.Contains(rec.Body.String(), ProblemNotAllowed) {
			t.Errorf("%s %s: body %s, want the method-not-allowed problem", c.method, c.target, rec.Body)
		}
	}
	// A path no route serves stays 404, whatever the method.
	if rec := serveBare(t, h, "DELETE", "/v1/nowhere", "", nil); rec.Code != http.StatusNotFound || rec.Header().Get("Allow") != "" {
		t.Errorf("DELETE /v1/nowhere: %d Allow %q, want 404 without Allow", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestHeadersKeepEveryAnswerOutOfCachesAndUnsniffed(t *testing.T) {
	h := bareRouter()
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/healthz", 200},
		{"GET", "/v1/stations", 401},
		{"GET", "/v1/nowhere", 404},
		{"DELETE", "/v1/stations", 405},
		{"GET", "/metrics", 404}, // no metrics token: no /metrics
	} {
		rec := serveBare(t, h, c.method, c.target, "", nil)
		if rec.Code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.target, rec.Code, c.status)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", c.method, c.target, got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", c.method, c.target, got)
		}
	}
}

// TestMethodAndRouteProblemsDoNotEchoThePath: what a client put in the
// path appears neither in detail nor in instance.
func TestMethodAndRouteProblemsDoNotEchoThePath(t *testing.T) {
	h := bareRouter()
	const marker = "张三-110101199003071234"
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/v1/" + url.PathEscape(marker), 404},
		{"GET", "/" + url.PathEscape(marker), 404},
		{"DELETE", "/healthz", 405},
		{"POST", "/v1/stations/" + url.PathEscape(marker), 405},
	} {
		rec := serveBare(t, h, c.method, c.target, "", nil)
		if rec.Code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.target, rec.Code, c.status)
		}
		if strings.Contains(rec.Body.String(), "110101199003071234") || strings.Contains(rec.Body.String(), "healthz") {
			t.Errorf("%s %s: the problem repeats the path: %s", c.method, c.target, rec.Body)
		}
	}
}

// TestThrottleRequestsWithoutAValidTokenPerAddress: an address that sends
// requests without a valid token is held to the rate, by its own bucket,
// before its token is looked at; another address is not. The clock is
// the test's.
func TestThrottleRequestsWithoutAValidTokenPerAddress(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := (&Server{Logger: slog.New(slog.DiscardHandler), RateLimit: 1, now: clock}).Router() // bursts of 2
	basic := http.Header{"Authorization": {"Basic dXNlcjpwdw=="}}
	const a, b = "192.0.2.10:40000", "198.51.100.7:40000"

	for i := range 2 {
		if rec := serveBare(t, h, "GET", "/v1/stations", a, basic); rec.Code != http.StatusUnauthorized {
			t.Fatalf("request %d of the burst: %d, want 401", i+1, rec.Code)
		}
	}
	// The third from the same address, on another port, is refused before
	// its token is read: no database is needed, none is asked.
	rec := serveBare(t, h, "GET", "/v1/stations", "192.0.2.10:40001", nil)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), ProblemRateLimited) {
		t.Fatalf("third request without a token: %d %s, want 429", rec.Code, rec.Body)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs != 1 {
		t.Fatalf("Retry-After %q, want 1", rec.Header().Get("Retry-After"))
	}
	if rec := serveBare(t, h, "GET", "/v1/stations", b, basic); rec.Code != http.StatusUnauthorized {
		t.Fatalf("another address: %d, want 401", rec.Code)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if rec := serveBare(t, h, "GET", "/v1/stations", a, basic); rec.Code != http.StatusUnauthorized {
		t.Fatalf("after a second: %d, want 401 again", rec.Code)
	}
	if rec := serveBare(t, h, "GET", "/v1/stations", a, basic); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a second request in that second: %d, want 429", rec.Code)
	}
}

// TestThrottleUnknownTokensPerAddressOnAStack: unknown tokens, each a
// different one, count against the address; once it is over the rate,
// even a valid token from it waits, while the valid token's own bucket
// is untouched.
func TestThrottleUnknownTokensPerAddressOnAStack(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	s := newStackWith(t, stackOptions{rateLimit: 1, now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	admin := s.token(auth.RoleAdmin, "")
	s.do("GET", "/v1/stations", admin, nil).must(t, http.StatusOK)
	s.do("GET", "/v1/stations", "sf_"+uuid.NewString(), nil).must(t, http.StatusUnauthorized)
	s.do("GET", "/v1/stations", "sf_"+uuid.NewString(), nil).must(t, http.StatusUnauthorized)
	r := s.do("GET", "/v1/stations", "sf_"+uuid.NewString(), nil).must(t, http.StatusTooManyRequests)
	if p := r.problem(t); p.Type != ProblemRateLimited || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("problem %+v Retry-After %q", p, r.Header.Get("Retry-After"))
	}
	s.do("GET", "/v1/stations", admin, nil).must(t, http.StatusTooManyRequests)
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	s.do("GET", "/v1/stations", admin, nil).must(t, http.StatusOK)
}

func TestHeadAnswersWhereGetDoesOnAStack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	get := s.do("GET", "/v1/stations", admin, nil).must(t, http.StatusOK)
	for _, c := range []struct {
		target, token string
		status        int
	}{
		{"/v1/stations", admin, 200},
		{"/healthz", "", 200},
		{"/v1/stations/" + uuid.NewString(), admin, 404},
		{"/v1/stations", "", 401},
	} {
		req, _ := http.NewRequest(http.MethodHead, s.http.URL+c.target, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := s.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || len(body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes, want %d and no body", c.target, res.StatusCode, len(body), c.status)
		}
		if c.target == "/v1/stations" && c.status == 200 {
			if ct := res.Header.Get("Content-Type"); ct != get.Header.Get("Content-Type") {
				t.Errorf("HEAD %s: Content-Type %q, GET's is %q", c.target, ct, get.Header.Get("Content-Type"))
			}
			if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("HEAD %s: headers %v", c.target, res.Header)
			}
		}
	}
	if get.Header.Get("Cache-Control") != "no-store" || get.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET /v1/stations: headers %v", get.Header)
	}
	// A malformed ID in a path is 404 without repeating it.
	r := s.do("GET", "/v1/stations/"+url.PathEscape("张三-110101199003071234"), admin, nil).must(t, http.StatusNotFound)
	if strings.Contains(string(r.Body), "110101199003071234") {
		t.Errorf("the 404 repeats the path: %s", r.Body)
	}
}

func TestStrictDecodingAndCharsetOnAStack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	for _, c := range []struct{ body, field string }{
		{`{"Name": "成华区阳光社工服务中心", "credit_code": "` + validCreditCode + `"}`, "Name"},
		{`{"name": "成华区阳光社工服务中心", "CREDIT_CODE": "` + validCreditCode + `"}`, "CREDIT_CODE"},
		{`{"name": "甲", "name": "成华区阳光社工服务中心", "credit_code": "` + validCreditCode + `"}`, "name"},
	} {
		p := s.do("POST", "/v1/organisations", admin, c.body).must(t, http.StatusBadRequest).problem(t)
		if p.Type != ProblemMalformed || !fieldNamed(p, c.field) {
			t.Errorf("%s: %+v, want malformed-request naming %s", c.body, p, c.field)
		}
	}
	org := []byte(`{"name": "成华区阳光社工服务中心", "credit_code": "` + validCreditCode + `"}`)
	for _, ct := range []string{"application/json; charset=iso-8859-1", "application/json; charset=gbk", "application/json; charset=utf-16"} {
		p := s.send("POST", "/v1/organisations", admin, ct, org).must(t, http.StatusUnsupportedMediaType).problem(t)
		if !fieldNamed(p, "Content-Type") {
			t.Errorf("%s: %+v, want Content-Type named", ct, p)
		}
	}
	s.send("POST", "/v1/organisations", admin, "application/json; charset=UTF-8", org).must(t, http.StatusCreated)
}

func TestStrictUploadTakesOnlyMultipart(t *testing.T) {
	for _, ct := range []string{"", "application/json", "text/plain; charset=utf-8", "multipart/form-data; boundary"} {
		req := httptest.NewRequest("POST", "/v1/stations/x/files", strings.NewReader(`{"file":"x"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		_, err := readUpload(httptest.NewRecorder(), req)
		var pe *problemError
		if !errors.As(err, &pe) || pe.p.Status != http.StatusUnsupportedMediaType || !fieldNamed(pe.p, "Content-Type") {
			t.Errorf("Content-Type %q: %v, want 415 naming Content-Type", ct, err)
		}
	}
}
