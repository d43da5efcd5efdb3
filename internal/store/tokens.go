package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
)

// CreateToken mints a token, stores its hash and returns the token, which
// is never shown again.
func (s *Store) CreateToken(ctx context.Context, actor string, role auth.Role, scope, label string) (string, auth.Principal, error) {
	if err := auth.CheckScope(role, scope); err != nil {
		return "", auth.Principal{}, err
	}
	token, hash := auth.NewToken()
	p := auth.Principal{TokenID: NewID(), Role: role, Scope: scope}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, token_hash, role, scope, label) VALUES ($1, $2, $3, $4, $5)`,
			p.TokenID, hash, string(role), scope, label); err != nil {
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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE label = $1 AND revoked_at IS NULL RETURNING id`, label)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
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
	var p auth.Principal
	var role string
	err := s.pool.QueryRow(ctx, `SELECT id, role, scope FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
		auth.HashToken(token)).Scan(&p.TokenID, &role, &p.Scope)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	p.Role = auth.Role(role)
	return p, err
}
