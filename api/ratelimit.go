package api

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// keyLimiter gives every key (a token, a client address) a bucket of its
// own: a steady rate of requests per second with bursts of twice that.
// Buckets idle for longer than limiterIdle are dropped.
type keyLimiter[K comparable] struct {
	perSecond float64
	mu        sync.Mutex
	buckets   map[K]*bucket
	lastSweep time.Time
}

// tokenLimiter limits each token; addrLimiter each client address.
type (
	tokenLimiter = keyLimiter[uuid.UUID]
	addrLimiter  = keyLimiter[string]
)

type bucket struct {
	limiter *rate.Limiter
	used    time.Time
}

const limiterIdle = 10 * time.Minute

func newKeyLimiter[K comparable](perSecond float64) *keyLimiter[K] {
	return &keyLimiter[K]{perSecond: perSecond, buckets: map[K]*bucket{}}
}

func newTokenLimiter(perSecond float64) *tokenLimiter { return newKeyLimiter[uuid.UUID](perSecond) }

// allow takes one request from the key's bucket; when it is empty it says
// how long until the next request would be allowed.
func (l *keyLimiter[K]) allow(key K, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// wait says, without taking anything, how long until key's bucket holds
// a request again; 0 when it holds one now.
func (l *keyLimiter[K]) wait(key K, now time.Time) time.Duration {
	_, d := l.take(key, now, false)
	return d
}

func (l *keyLimiter[K]) take(key K, now time.Time, consume bool) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > limiterIdle {
		for k, b := range l.buckets {
			if now.Sub(b.used) > limiterIdle {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[key]
	if b == nil {
		burst := max(1, int(math.Ceil(2*l.perSecond)))
		b = &bucket{limiter: rate.NewLimiter(rate.Limit(l.perSecond), burst)}
		l.buckets[key] = b
	}
	b.used = now
	r := b.limiter.ReserveN(now, 1)
	if delay := r.DelayFrom(now); delay > 0 || !consume {
		r.CancelAt(now)
		return delay <= 0, delay
	}
	return true, 0
}

// clock is the rate limiters' time: time.Now unless a test set another.
func (s *Server) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
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
		ok, wait := limiter.allow(principal(r).TokenID, s.clock())
		if !ok {
			s.tooMany(w, r, wait, "this token sends more than %s requests a second; slow down")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tooMany answers 429 with Retry-After; detail says who sends more than
// the rate, which fills its %s.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, detail string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	writeProblem(w, r, Problem{Type: ProblemRateLimited, Title: problemTitles[ProblemRateLimited], Status: http.StatusTooManyRequests,
		Detail: fmt.Sprintf(detail, strconv.FormatFloat(s.RateLimit, 'g', -1, 64))})
}

// clientAddr is the address the request came from, without its port:
// stationflow trusts no forwarding header, so behind a proxy this is the
// proxy's address.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
