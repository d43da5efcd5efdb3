package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// tokenLimiter gives every token a bucket of its own: a steady rate of
// requests per second with bursts of twice that. Buckets of tokens idle for
// longer than limiterIdle are dropped.
type tokenLimiter struct {
	perSecond float64
	mu        sync.Mutex
	buckets   map[uuid.UUID]*bucket
	lastSweep time.Time
}

type bucket struct {
	limiter *rate.Limiter
	used    time.Time
}

const limiterIdle = 10 * time.Minute

func newTokenLimiter(perSecond float64) *tokenLimiter {
	return &tokenLimiter{perSecond: perSecond, buckets: map[uuid.UUID]*bucket{}}
}

// allow takes one request from the token's bucket; when it is empty it
// says how long until the next request would be allowed.
func (l *tokenLimiter) allow(token uuid.UUID, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > limiterIdle {
		for id, b := range l.buckets {
			if now.Sub(b.used) > limiterIdle {
				delete(l.buckets, id)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[token]
	if b == nil {
		burst := max(1, int(math.Ceil(2*l.perSecond)))
		b = &bucket{limiter: rate.NewLimiter(rate.Limit(l.perSecond), burst)}
		l.buckets[token] = b
	}
	b.used = now
	r := b.limiter.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now)
		return false, delay
	}
	return true, 0
}

// limitRate is a middleware that answers 429 with Retry-After to a token
// that sends more than its share. The router applies middleware on every
// request, so the buckets are made here, once. A Server without a rate
// (RateLimit 0) lets everything through.
func (s *Server) limitRate() func(http.Handler) http.Handler {
	if s.RateLimit <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	limiter := newTokenLimiter(s.RateLimit)
	return func(next http.Handler) http.Handler { return s.limited(limiter, next) }
}

func (s *Server) limited(limiter *tokenLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := limiter.allow(principal(r).TokenID, time.Now())
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeProblem(w, r, Problem{Type: ProblemRateLimited, Title: problemTitles[ProblemRateLimited], Status: http.StatusTooManyRequests,
				Detail: "this token sends more than " + strconv.FormatFloat(s.RateLimit, 'g', -1, 64) + " requests a second; slow down"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
