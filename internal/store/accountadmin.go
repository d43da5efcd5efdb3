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

// AccountFilter narrows a list of accounts: by state, by a role some grant
// holds, and by a prefix of the login or display name.
type AccountFilter struct {
	State  string
	Role   string
	Prefix string
}

// accountColumns is the select list of ListAccounts.
const accountColumns = `id, login, display_name, mobile, email, state, person_id, created_at`

// ListAccounts lists, in login order after the page's cursor (an account's
// ID), the accounts that pass the filter and keep, with their grants. keep
// judges each account with its grants (a caller's visibility); rows are
// read in batches until the page is full or none are left.
func (s *Store) ListAccounts(ctx context.Context, f AccountFilter, p Page, keep func(Account) (bool, error)) (List[Account], error) {
	limit := p.limit()
	var kept []Account
	after := p.After
	for len(kept) <= limit {
		batch, err := s.accountBatch(ctx, f, after, limit+1)
		if err != nil {
			return List[Account]{}, err
		}
		for _, a := range batch {
			ok, err := keep(a)
			if err != nil {
				return List[Account]{}, err
			}
			if ok && len(kept) <= limit {
				kept = append(kept, a)
			}
		}
		if len(batch) < limit+1 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	return pageOf(kept, limit, func(a Account) uuid.UUID { return a.ID }), nil
}

// accountBatch reads up to n accounts in login order after the account
// after (uuid.Nil: from the first), with their grants.
func (s *Store) accountBatch(ctx context.Context, f AccountFilter, after uuid.UUID, n int) ([]Account, error) {
	q := newQuery(`SELECT ` + accountColumns + ` FROM accounts`)
	q.whereIf(f.State != "", "state = ?", f.State)
	q.whereIf(f.Role != "", "EXISTS (SELECT 1 FROM account_grants g WHERE g.account_id = accounts.id AND g.role = ?)", f.Role)
	q.whereIf(f.Prefix != "", "(starts_with(login, ?) OR starts_with(display_name, ?))", f.Prefix, f.Prefix)
	q.whereIf(after != uuid.Nil, "login > (SELECT login FROM accounts a WHERE a.id = ?)", after)
	q.args = append(q.args, n)
	rows, err := s.pool.Query(ctx, q.sql(fmt.Sprintf("ORDER BY login LIMIT $%d", len(q.args))), q.args...)
	if err != nil {
		return nil, err
	}
	accounts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) {
		var a Account
		err := r.Scan(&a.ID, &a.Login, &a.DisplayName, &a.Mobile, &a.Email, &a.State, &a.PersonID, &a.CreatedAt)
		return a, err
	})
	if err != nil {
		return nil, err
	}
	return accounts, s.batchGrants(ctx, accounts)
}

// batchGrants fills in the grants of accounts with one query.
func (s *Store) batchGrants(ctx context.Context, accounts []Account) error {
	ids := make([]uuid.UUID, len(accounts))
	at := make(map[uuid.UUID]int, len(accounts))
	for i, a := range accounts {
		ids[i], at[a.ID] = a.ID, i
		accounts[i].Grants = []auth.Grant{}
	}
	rows, err := s.pool.Query(ctx, `SELECT account_id, id, role, scope, duty, org_admin FROM account_grants
		WHERE account_id = ANY($1) ORDER BY created_at, id`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var account uuid.UUID
		var g auth.Grant
		if err := rows.Scan(&account, &g.ID, &g.Role, &g.Scope, &g.Duty, &g.OrgAdmin); err != nil {
			return err
		}
		accounts[at[account]].Grants = append(accounts[at[account]].Grants, g)
	}
	return rows.Err()
}
