package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store/db"
)

// CreateToken mints a token, stores its hash and returns the token, which
// is never shown again.
func (s *Store) CreateToken(ctx context.Context, actor string, role auth.Role, scope, label string) (string, auth.Principal, error) {
	if err := auth.CheckScope(role, scope); err != nil {
		return "", auth.Principal{}, err
	}
	token, hash := auth.NewToken()
	p := auth.Principal{TokenID: NewID(), Role: role, Scope: scope}
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.InsertToken(ctx, db.InsertTokenParams{ID: p.TokenID, TokenHash: hash, Role: string(role), Scope: scope, Label: label}); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "token.created", ObjectType: "token",
			ObjectID: p.TokenID.String(), Detail: mustJSON(map[string]string{"role": string(role), "scope": scope, "label": label})})
	})
	return token, p, err
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

// Authenticate finds the live token with this value, or ErrNotFound.
func (s *Store) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	r, err := s.q.LiveToken(ctx, auth.HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Principal{}, ErrNotFound
	}
	return auth.Principal{TokenID: r.ID, Role: auth.Role(r.Role), Scope: r.Scope}, err
}
