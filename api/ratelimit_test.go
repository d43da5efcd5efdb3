package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
)

func TestEachTokenHasItsOwnBucket(t *testing.T) {
	l := newTokenLimiter(2) // 2 a second, bursts of 4
	a, b := uuid.New(), uuid.New()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	for i := range 4 {
		if ok, _ := l.allow(a, now); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow(a, now)
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("fifth request at once: allowed=%v wait=%s, want refused with a wait of at most 0.5 s", ok, wait)
	}
	if ok, _ := l.allow(b, now); !ok {
		t.Fatal("another token was refused because of the first one's burst")
	}
	if ok, _ := l.allow(a, now.Add(500*time.Millisecond)); !ok {
		t.Fatal("a token was still refused after its bucket refilled one request")
	}
	// An idle bucket is dropped after a while and starts full again.
	later := now.Add(limiterIdle + time.Minute)
	if ok, _ := l.allow(b, later); !ok {
		t.Fatal("an idle token was refused")
	}
	if _, kept := l.buckets[a]; kept {
		t.Error("the idle bucket of the first token was kept")
	}
}

func TestATokenOverItsRateGets429WithRetryAfter(t *testing.T) {
	t.Parallel()
	// One request a day, in bursts of 1: the bucket cannot refill between
	// two requests however slowly a loaded machine under -race runs them,
	// so the test does not depend on a window of wall-clock time. (The
	// refill itself is checked on a fake clock in TestEachTokenHasItsOwnBucket.)
	s := newStackWith(t, stackOptions{rateLimit: 1.0 / (24 * 60 * 60)})
	busy := s.token(auth.RoleAdmin, "")
	calm := s.token(auth.RoleAdmin, "")
	s.do("GET", "/v1/stations", busy, nil).must(t, http.StatusOK)
	r := s.do("GET", "/v1/stations", busy, nil).must(t, http.StatusTooManyRequests)
	if p := r.problem(t); p.Type != ProblemRateLimited {
		t.Fatalf("problem %+v", p)
	}
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	s.do("GET", "/v1/stations", calm, nil).must(t, http.StatusOK)
	// Without a token the request never reaches the limiter: 401.
	s.do("GET", "/v1/stations", "", nil).must(t, http.StatusUnauthorized)
}
