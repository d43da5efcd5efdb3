package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Token lifetimes: a token expires after DefaultTokenTTL unless asked
// otherwise, and a personal token after at most MaxTokenTTL.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// TokenInfo describes a token without its secret.
type TokenInfo struct {
	ID        uuid.UUID    `json:"id"`
	AccountID *uuid.UUID   `json:"account_id,omitempty"`
	Name      string       `json:"name"`
	ExpiresAt *time.Time   `json:"expires_at"`
	Grants    []auth.Grant `json:"grants"`
}

// CreateToken mints a service token that never expires (for tests, the
// demo seed and the benches); see CreateServiceToken.
func (s *Store) CreateToken(ctx context.Context, actor string, role auth.Role, scope, label string) (string, auth.Principal, error) {
	return s.CreateServiceToken(ctx, actor, role, scope, label, nil)
}

// CreateServiceToken mints a service token, stores its hash and returns
// the token, which is never shown again. expiresAt nil makes a token that
// never expires.
func (s *Store) CreateServiceToken(ctx context.Context, actor string, role auth.Role, scope, label string,
	expiresAt *time.Time) (string, auth.Principal, error) {
	if err := auth.CheckScope(role, scope); err != nil {
		return "", auth.Principal{}, err
	}
	token, hash := auth.NewToken()
	p := auth.Principal{TokenID: NewID(), Role: role, Scope: scope, Via: auth.ViaService}
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.InsertToken(ctx, db.InsertTokenParams{ID: p.TokenID, TokenHash: hash, Role: new(string(role)), Scope: scope,
			Label: label, ExpiresAt: expiresAt}); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "token.created", ObjectType: "token",
			ObjectID: p.TokenID.String(), Detail: mustJSON(map[string]any{"role": string(role), "scope": scope, "label": label,
				"expires_at": expiresAt})})
	})
	return token, p, err
}

// CreateAccountToken mints a personal access token that acts as the
// account through the grants given (all of the account's grants when
// none are given), expiring after ttl (DefaultTokenTTL when zero, at most
// MaxTokenTTL). The account must be active.
func (s *Store) CreateAccountToken(ctx context.Context, actor string, account uuid.UUID, name string, ttl time.Duration,
	grants []uuid.UUID) (string, TokenInfo, error) {
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return "", TokenInfo{}, fieldError(tokenTTLError)
	}
	acc, err := s.GetAccount(ctx, account)
	if err != nil {
		return "", TokenInfo{}, err
	}
	if acc.State != AccountActive {
		return "", TokenInfo{}, fmt.Errorf("%w: the account is disabled", ErrConflict)
	}
	chosen, err := grantSubset(acc.Grants, grants)
	if err != nil {
		return "", TokenInfo{}, err
	}
	token, hash := auth.NewToken()
	info := TokenInfo{ID: NewID(), AccountID: &acc.ID, Name: name, ExpiresAt: new(time.Now().Add(ttl).UTC()), Grants: chosen}
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.InsertAccountToken(ctx, db.InsertAccountTokenParams{ID: info.ID, TokenHash: hash, AccountID: &acc.ID,
			Label: name, ExpiresAt: info.ExpiresAt}); err != nil {
			return err
		}
		for _, g := range chosen {
			if err := q.InsertTokenGrant(ctx, db.InsertTokenGrantParams{TokenID: info.ID, GrantID: g.ID}); err != nil {
				return err
			}
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "token.created", ObjectType: "account", ObjectID: acc.ID.String(),
			Detail: mustJSON(map[string]any{"token": info.ID, "expires_at": info.ExpiresAt, "grants": len(chosen)})})
	})
	return token, info, err
}

var tokenTTLError = fieldErrorOf("expires", fmt.Sprintf("有效期须在 1 天到 %d 天之间 / must be from 1 day to %d days",
	int(MaxTokenTTL.Hours()/24), int(MaxTokenTTL.Hours()/24)))

// grantSubset picks the wanted grants out of an account's, refusing any
// the account does not hold; none wanted means all.
func grantSubset(held []auth.Grant, want []uuid.UUID) ([]auth.Grant, error) {
	if len(want) == 0 {
		if len(held) == 0 {
			return nil, fmt.Errorf("%w: the account holds no grant", ErrConflict)
		}
		return held, nil
	}
	var out []auth.Grant
	for _, g := range held {
		if slices.Contains(want, g.ID) {
			out = append(out, g)
		}
	}
	if len(out) != len(want) {
		return nil, fieldError(fieldErrorOf("grants", "只能包含该账户持有的授权 / may hold only grants the account holds"))
	}
	return out, nil
}

// RevokeToken revokes a live token; ErrNotFound when none is live with
// that ID.
func (s *Store) RevokeToken(ctx context.Context, actor string, id uuid.UUID) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.RevokeToken(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "token.revoked", ObjectType: "token", ObjectID: id.String()})
	})
}

// RevokeTokensByLabel revokes every live token with the label and reports
// how many it revoked.
func (s *Store) RevokeTokensByLabel(ctx context.Context, actor, label string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		ids, err := q.RevokeTokensByLabel(ctx, label)
		if err != nil {
			return err
		}
		n = int64(len(ids))
		entries := make([]AuditEntry, 0, len(ids))
		for _, id := range ids {
			entries = append(entries, AuditEntry{Actor: actor, Action: "token.revoked", ObjectType: "token", ObjectID: id.String()})
		}
		return AppendAudit(ctx, tx, entries...)
	})
	return n, err
}

// Authenticate finds the live token with this value, or ErrNotFound: a
// token that is unknown, revoked or expired, a personal token whose
// account is disabled, or one left with no grant. A personal token acts
// under its first grant.
func (s *Store) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	r, err := s.q.LiveToken(ctx, auth.HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Principal{}, ErrNotFound
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if r.AccountID == nil {
		g := auth.Grant{Role: auth.Role(r.Role), Scope: r.Scope}
		return auth.Principal{TokenID: r.ID, Role: g.Role, Scope: g.Scope, Via: auth.ViaService, Grants: []auth.Grant{g}}, nil
	}
	rows, err := s.q.TokenGrants(ctx, r.ID)
	if err != nil {
		return auth.Principal{}, err
	}
	if len(rows) == 0 {
		return auth.Principal{}, ErrNotFound
	}
	grants := mapRows(rows, func(g db.TokenGrantsRow) auth.Grant {
		return auth.Grant{ID: g.ID, Role: auth.Role(g.Role), Scope: g.Scope, Duty: auth.Duty(g.Duty), OrgAdmin: g.OrgAdmin}
	})
	if err := s.q.TouchToken(ctx, r.ID); err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{TokenID: r.ID, Role: grants[0].Role, Scope: grants[0].Scope, Duty: grants[0].Duty,
		AccountID: *r.AccountID, Name: r.DisplayName, Via: auth.ViaToken, Grants: grants}, nil
}

// TokenExpiry is when a token expires; nil when it never does.
func (s *Store) TokenExpiry(ctx context.Context, id uuid.UUID) (*time.Time, error) {
	r, err := s.q.TokenInfo(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	return r.ExpiresAt, nil
}
