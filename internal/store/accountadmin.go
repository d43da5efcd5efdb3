package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Administering accounts after they exist: their grants, and the personal
// tokens a person keeps for themselves.

// AddGrant gives an account one more grant. A supervisor grant links the
// account to that person when it is linked to nobody yet.
func (s *Store) AddGrant(ctx context.Context, actor string, account uuid.UUID, g auth.Grant) (auth.Grant, error) {
	if err := g.Check(); err != nil {
		return g, fieldError(fieldErrorOf("role", err.Error()))
	}
	if err := s.checkGrantSubject(ctx, g); err != nil {
		return g, err
	}
	g.ID = NewID()
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := insertGrant(ctx, q, account, g); err != nil {
			return err
		}
		if g.Role == auth.RoleSupervisor {
			person := g.ScopeID()
			if err := q.LinkPerson(ctx, db.LinkPersonParams{ID: account, PersonID: &person}); isUniqueViolation(err) {
				return ErrConflict
			} else if err != nil {
				return err
			}
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.grant_added", ObjectType: "account",
			ObjectID: account.String(), Detail: mustJSON(map[string]any{"grant": g})})
	})
	return g, err
}

// RemoveGrant takes a grant from an account; the personal tokens that
// carried it lose it at once. ErrNotFound when the account holds no such
// grant.
func (s *Store) RemoveGrant(ctx context.Context, actor string, account, grant uuid.UUID) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.DeleteGrant(ctx, db.DeleteGrantParams{ID: grant, AccountID: account})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.grant_removed", ObjectType: "account",
			ObjectID: account.String(), Detail: mustJSON(map[string]any{"grant": grant})})
	})
}

// PersonalToken is one of a person's live tokens, without its secret.
type PersonalToken struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// AccountTokens lists an account's live personal tokens, newest first.
func (s *Store) AccountTokens(ctx context.Context, account uuid.UUID) ([]PersonalToken, error) {
	rows, err := s.q.AccountTokens(ctx, &account)
	return mapRows(rows, func(r db.AccountTokensRow) PersonalToken {
		return PersonalToken{ID: r.ID, Name: r.Label, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt}
	}), err
}

// RevokeAccountToken revokes one of the account's own live tokens:
// ErrConflict for its own token revoked already, ErrNotFound for a token
// of anyone else or none.
func (s *Store) RevokeAccountToken(ctx context.Context, actor string, account, token uuid.UUID) error {
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.RevokeAccountToken(ctx, db.RevokeAccountTokenParams{ID: token, AccountID: &account})
		if err != nil {
			return err
		}
		if n == 0 {
			info, err := q.TokenInfo(ctx, token)
			if err == nil && info.AccountID != nil && *info.AccountID == account {
				return fmt.Errorf("%w: the token is revoked already", ErrConflict)
			}
			return ErrNotFound
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "token.revoked", ObjectType: "account", ObjectID: account.String(),
			Detail: mustJSON(map[string]any{"token": token})})
	})
}

// EnsureAccount creates the account with its grant when no account has
// the login, and returns a first sign-in link for it while it has no
// password yet, ending any earlier unused link. An account that has set
// its password gets none (""), unless always asks for a reset link. It is
// how a fresh installation hands over its first admin, and how the demo
// hands out its accounts.
func (s *Store) EnsureAccount(ctx context.Context, actor string, a NewAccount, always bool) (string, error) {
	acc, err := s.AccountByLogin(ctx, a.Login)
	if errors.Is(err, ErrNotFound) {
		_, link, err := s.CreateAccount(ctx, actor, a)
		return link, err
	}
	if err != nil {
		return "", err
	}
	hash, err := s.q.PasswordHash(ctx, acc.ID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	purpose := LinkFirstSignIn
	switch {
	case acc.State != AccountActive || (hash != "" && !always):
		return "", nil
	case hash != "":
		purpose = LinkReset
	}
	var link string
	err = s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		if err := q.EndSignInLinks(ctx, acc.ID); err != nil {
			return err
		}
		if link, err = newSignInLink(ctx, q, acc.ID, purpose); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.sign_in_link", ObjectType: "account", ObjectID: acc.ID.String()})
	})
	return link, err
}
