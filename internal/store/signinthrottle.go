package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// SignInLimits throttle password guessing: within Window, PerLogin
// refused attempts on one login name lock that login, and PerAddress
// refused attempts from one client address lock that address, until the
// oldest of them leaves the window. The counts live in PostgreSQL, so
// every API process applies the same ones.
type SignInLimits struct {
	Window     time.Duration
	PerLogin   int
	PerAddress int
}

// DefaultSignInLimits: 5 failures per login and 20 per address in 15 minutes.
var DefaultSignInLimits = SignInLimits{Window: 15 * time.Minute, PerLogin: 5, PerAddress: 20}

func (l SignInLimits) orDefault() SignInLimits {
	d := DefaultSignInLimits
	if l.Window > 0 {
		d.Window = l.Window
	}
	if l.PerLogin > 0 {
		d.PerLogin = l.PerLogin
	}
	if l.PerAddress > 0 {
		d.PerAddress = l.PerAddress
	}
	return d
}

// LockedError is an attempt refused, before it was checked, because its
// login (Address false) or its client address is locked out for Retry.
type LockedError struct {
	Address bool
	Retry   time.Duration
}

func (e *LockedError) Error() string {
	if e.Address {
		return "此地址登录失败次数过多，请稍后再试 / too many refused sign-ins from this address; try again later"
	}
	return "该账户登录失败次数过多，已暂时锁定 / too many refused sign-ins for this login; it is locked for a while"
}

// throttled runs attempt under the throttle of the address and, when
// login is not empty, of the login: it serialises attempts on both,
// refuses with a *LockedError while either is locked out, and when
// attempt answers a refusal (its audit row) records a failure against
// both and reports refused. The refusal's row and the counts commit; a
// failing attempt's changes do not.
func (s *Store) throttled(ctx context.Context, lim SignInLimits, address, login string,
	attempt func(tx pgx.Tx, q *db.Queries) (*AuditEntry, error)) (refused bool, err error) {
	lim = lim.orDefault()
	type subject struct {
		key   string
		limit int
	}
	subjects := []subject{{addressSubject(address), lim.PerAddress}}
	if login != "" {
		subjects = append(subjects, subject{loginSubject(login), lim.PerLogin})
	}
	window := lim.Window.Seconds()
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		for _, sub := range subjects {
			if err := q.LockSignInSubject(ctx, sub.key); err != nil {
				return err
			}
		}
		for i, sub := range subjects {
			r, err := q.SignInFailures(ctx, db.SignInFailuresParams{Subject: sub.key, WindowSeconds: window})
			if err != nil {
				return err
			}
			if r.Failures >= sub.limit {
				return &LockedError{Address: i == 0, Retry: time.Duration(math.Ceil(max(r.RetrySeconds, 1))) * time.Second}
			}
		}
		row, err := attempt(tx, q)
		if err != nil || row == nil {
			return err
		}
		refused = true
		for _, sub := range subjects {
			if err := q.InsertSignInFailure(ctx, sub.key); err != nil {
				return err
			}
		}
		if err := q.PruneSignInFailures(ctx, window); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, *row)
	})
	return refused && err == nil, err
}

// loginSubject and addressSubject are the throttle's opaque keys: the
// hash of the login name (as lower case, so every spelling counts) and of
// the client address.
func loginSubject(login string) string {
	return "login:" + hashHex(strings.ToLower(strings.TrimSpace(login)))
}

func addressSubject(address string) string { return "addr:" + hashHex(address) }

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
