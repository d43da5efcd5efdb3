package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store/db"
)

// SessionLimits are a session's lifetimes: it ends after Idle without a
// request and, whatever its use, Absolute after the sign-in.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// The default session lifetimes.
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionAbsolute = 12 * time.Hour
)

// orDefault fills the lifetimes left zero.
func (l SessionLimits) orDefault() SessionLimits {
	if l.Idle <= 0 {
		l.Idle = DefaultSessionIdle
	}
	if l.Absolute <= 0 {
		l.Absolute = DefaultSessionAbsolute
	}
	return l
}

// SignIn is one sign-in attempt: the login and password typed, the
// client's address, and the session cookie the browser already sent
// (ended, never adopted).
type SignIn struct {
	Login    string
	Password string
	Address  string
	Previous string
}

// ErrSignInRefused is every refused sign-in, whatever was wrong: one
// answer, so a refusal reveals nothing about the account.
var ErrSignInRefused = errors.New("登录失败：登录名、密码或验证码不正确，或账户不可用 / sign-in refused: the login, password or code is wrong, or the account cannot sign in")

// SignIn checks a login and password under the throttle and, when they
// match an active account, starts a session and returns its cookie value
// (never stored; only its hash is) and the principal it acts as. Any
// session the browser already had is ended, so a session ID planted
// before sign-in is never adopted. A refusal is ErrSignInRefused, or a
// *LockedError when the login or the address is locked out.
func (s *Store) SignIn(ctx context.Context, in SignIn, lim SignInLimits, life SessionLimits) (string, auth.Principal, error) {
	life = life.orDefault()
	var token string
	var p auth.Principal
	refused, err := s.throttled(ctx, lim, in.Address, in.Login, func(tx pgx.Tx, q *db.Queries) (*AuditEntry, error) {
		acc, reason, err := s.matchPassword(ctx, in.Login, in.Password)
		if err != nil || reason != "" {
			return refusal(acc, in.Login, reason), err
		}
		if in.Previous != "" {
			if _, err := q.EndSession(ctx, auth.HashToken(in.Previous)); err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return nil, err
			}
		}
		var hash []byte
		token, hash = auth.NewSessionToken()
		id := NewID()
		if err := q.InsertSession(ctx, db.InsertSessionParams{ID: id, TokenHash: hash, AccountID: acc.ID,
			ExpiresAt: time.Now().Add(life.Absolute)}); err != nil {
			return nil, err
		}
		if err := q.ClearSignInFailures(ctx, loginSubject(in.Login)); err != nil {
			return nil, err
		}
		p = sessionPrincipal(id, acc)
		return nil, AppendAudit(ctx, tx, AuditEntry{Actor: p.Actor(), Action: "session.started", ObjectType: "account",
			ObjectID: acc.ID.String(), Detail: mustJSON(map[string]any{"expires_at": time.Now().Add(life.Absolute).UTC()})})
	})
	if refused {
		return "", auth.Principal{}, ErrSignInRefused
	}
	return token, p, err
}

// matchPassword finds the account and checks the password; reason names
// what was wrong, for the audit log only. An unknown login is checked
// against a stand-in hash, so it takes as long as a wrong password.
func (s *Store) matchPassword(ctx context.Context, login, password string) (Account, string, error) {
	acc, err := s.AccountByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		auth.VerifyPassword(password, standInHash)
		return Account{}, "unknown_login", nil
	}
	if err != nil {
		return acc, "", err
	}
	hash, err := s.q.PasswordHash(ctx, acc.ID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return acc, "", err
	}
	if hash == "" {
		auth.VerifyPassword(password, standInHash)
		return acc, "no_password", nil
	}
	ok, err := auth.VerifyPassword(password, hash)
	switch {
	case err != nil:
		return acc, "", err
	case !ok:
		return acc, "wrong_password", nil
	case acc.State != AccountActive:
		return acc, "disabled", nil
	case len(acc.Grants) == 0:
		return acc, "no_grant", nil
	}
	return acc, "", nil
}

// standInHash is checked against when there is no hash to check, so
// every refusal costs the same.
var standInHash = auth.HashPassword("stand-in password, never a real one")

// refusal is the audit row of a refused sign-in: the account when the
// login names one, or else the login's opaque subject, never the login
// typed or the password.
func refusal(acc Account, login, reason string) *AuditEntry {
	if reason == "" {
		return nil
	}
	e := &AuditEntry{Actor: "anonymous", Action: "session.refused", ObjectType: "account", ObjectID: acc.ID.String(),
		Detail: mustJSON(map[string]string{"reason": reason})}
	if acc.ID == uuid.Nil {
		e.ObjectType, e.ObjectID = "login", loginSubject(login)
	}
	return e
}

// sessionPrincipal is a session's principal: the account through all of
// its grants, acting under the first, as a personal token does.
func sessionPrincipal(id uuid.UUID, acc Account) auth.Principal {
	p := auth.Principal{TokenID: id, AccountID: acc.ID, Name: acc.DisplayName, Via: auth.ViaSession, Grants: acc.Grants}
	if len(acc.Grants) > 0 {
		p.Role, p.Scope, p.Duty = acc.Grants[0].Role, acc.Grants[0].Scope, acc.Grants[0].Duty
	}
	return p
}

// AuthenticateSession finds the live session with this cookie value and
// marks it seen, or ErrNotFound: unknown, ended, idle longer than
// life.Idle, past its absolute expiry, or its account disabled or left
// with no grant.
func (s *Store) AuthenticateSession(ctx context.Context, cookie string, life SessionLimits) (auth.Principal, error) {
	life = life.orDefault()
	r, err := s.q.UseSession(ctx, db.UseSessionParams{TokenHash: auth.HashToken(cookie), IdleSeconds: life.Idle.Seconds()})
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Principal{}, ErrNotFound
	}
	if err != nil {
		return auth.Principal{}, err
	}
	acc := Account{ID: r.AccountID, DisplayName: r.DisplayName}
	if acc, err = s.withGrants(ctx, acc); err != nil {
		return auth.Principal{}, err
	}
	if len(acc.Grants) == 0 {
		return auth.Principal{}, ErrNotFound
	}
	return sessionPrincipal(r.ID, acc), nil
}

// SignOut ends the session with this cookie value, if it is live.
func (s *Store) SignOut(ctx context.Context, cookie string) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		r, err := q.EndSession(ctx, auth.HashToken(cookie))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: auth.AccountActor(r.AccountID, auth.ViaSession, r.ID), Action: "session.ended",
			ObjectType: "account", ObjectID: r.AccountID.String()})
	})
}

// EndSessions ends every live session of the account but keep (uuid.Nil
// keeps none) and reports how many it ended. Tokens are left alone.
func (s *Store) EndSessions(ctx context.Context, actor string, account, keep uuid.UUID, why string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		n, err = endSessions(ctx, tx, q, actor, account, keep, why)
		return err
	})
	return n, err
}

// endSessions ends the account's sessions inside tx, with one audit row
// when any ended.
func endSessions(ctx context.Context, tx pgx.Tx, q *db.Queries, actor string, account, keep uuid.UUID, why string) (int, error) {
	ids, err := q.EndAccountSessions(ctx, db.EndAccountSessionsParams{AccountID: account, Keep: keep})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return len(ids), AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "session.ended_all", ObjectType: "account",
		ObjectID: account.String(), Detail: mustJSON(map[string]any{"sessions": len(ids), "why": why})})
}
