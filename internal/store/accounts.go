package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store/db"
)

// Account is a person who signs in. Its grants say what it may do.
type Account struct {
	ID          uuid.UUID    `json:"id"`
	Login       string       `json:"login"`
	DisplayName string       `json:"display_name"`
	Mobile      string       `json:"mobile,omitempty"`
	Email       string       `json:"email,omitempty"`
	State       string       `json:"state"`
	PersonID    *uuid.UUID   `json:"person_id,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	Grants      []auth.Grant `json:"grants"`
}

// Account states.
const (
	AccountActive   = "active"
	AccountDisabled = "disabled"
)

// NewAccount is an account to create with its first grant, or with
// Grants when it holds more than one.
type NewAccount struct {
	Login  string
	Name   string
	Mobile string
	Email  string
	Grant  auth.Grant
	Grants []auth.Grant
}

// grants are the grants the account is created with.
func (a NewAccount) grants() []auth.Grant {
	if len(a.Grants) > 0 {
		return a.Grants
	}
	return []auth.Grant{a.Grant}
}

// SignInLinkTTL is how long a first sign-in or reset link stays usable.
const SignInLinkTTL = 72 * time.Hour

// Purposes of a sign-in link.
const (
	LinkFirstSignIn = "first_sign_in"
	LinkReset       = "reset"
)

var (
	loginPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
	mobilePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	emailPattern  = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}$`)
)

// Check validates an account's fields and grants, naming the first field
// that breaks a rule.
func (a NewAccount) Check() error {
	if err := a.CheckFields(); err != nil {
		return err
	}
	for i, g := range a.grants() {
		if err := g.Check(); err != nil {
			field := "grant"
			if len(a.Grants) > 0 {
				field = fmt.Sprintf("grants[%d]", i)
			}
			return fieldError(forms.FieldError{Field: field, Message: err.Error()})
		}
	}
	return nil
}

// CheckFields validates an account's own fields, its grants aside.
func (a NewAccount) CheckFields() error {
	switch {
	case !loginPattern.MatchString(a.Login):
		return fieldError(forms.FieldError{Field: "login", Message: "登录名为 2–64 个小写字母、数字或 . _ - / must be 2-64 of a-z, 0-9, . _ -"})
	case a.Name == "" || len([]rune(a.Name)) > 100:
		return fieldError(forms.FieldError{Field: "name", Message: "姓名须为 1–100 个字符 / must be 1-100 characters"})
	case a.Mobile != "" && !mobilePattern.MatchString(a.Mobile):
		return fieldError(forms.FieldError{Field: "mobile", Message: "须为 11 位手机号 / must be an 11-digit mobile number"})
	case a.Email != "" && (len(a.Email) > 254 || !emailPattern.MatchString(a.Email)):
		return fieldError(forms.FieldError{Field: "email", Message: "电子邮件地址无效 / is not an e-mail address"})
	}
	if msg := forms.CheckText(a.Name); msg != "" {
		return fieldError(forms.FieldError{Field: "name", Message: msg})
	}
	return nil
}

// CreateAccount creates an active account with its grants and a first
// sign-in link, and returns the link's token, which is never shown again.
// A supervisor grant links the account to that person's record; an org
// grant needs the organisation to exist.
func (s *Store) CreateAccount(ctx context.Context, actor string, a NewAccount) (Account, string, error) {
	if err := a.Check(); err != nil {
		return Account{}, "", err
	}
	grants := slices.Clone(a.grants())
	acc := Account{ID: NewID(), Login: a.Login, DisplayName: a.Name, Mobile: a.Mobile, Email: a.Email, State: AccountActive}
	for i := range grants {
		if err := s.checkGrantSubject(ctx, grants[i]); err != nil {
			return Account{}, "", err
		}
		grants[i].ID = NewID()
		if grants[i].Role == auth.RoleSupervisor && acc.PersonID == nil {
			acc.PersonID = new(grants[i].ScopeID())
		}
	}
	var link string
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		err := q.InsertAccount(ctx, db.InsertAccountParams{ID: acc.ID, Login: acc.Login, DisplayName: acc.DisplayName,
			Mobile: acc.Mobile, Email: acc.Email, PersonID: acc.PersonID})
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: the login or the person has an account already", ErrConflict)
		}
		if err != nil {
			return err
		}
		for _, g := range grants {
			if err := insertGrant(ctx, q, acc.ID, g); err != nil {
				return err
			}
		}
		if link, err = newSignInLink(ctx, q, acc.ID, LinkFirstSignIn); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.created", ObjectType: "account", ObjectID: acc.ID.String(),
			Detail: mustJSON(map[string]any{"grants": grants})})
	})
	acc.Grants = grants
	return acc, link, err
}

func insertGrant(ctx context.Context, q *db.Queries, account uuid.UUID, g auth.Grant) error {
	err := q.InsertGrant(ctx, db.InsertGrantParams{ID: g.ID, AccountID: account, Role: string(g.Role),
		Scope: g.Scope, Duty: string(g.Duty), OrgAdmin: g.OrgAdmin})
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: the account holds this role over this scope already", ErrConflict)
	}
	return err
}

// fieldError is a refusal naming one field.
func fieldError(fe forms.FieldError) error { return forms.Errors{fe} }

func fieldErrorOf(field, message string) forms.FieldError {
	return forms.FieldError{Field: field, Message: message}
}

// checkGrantSubject refuses a grant whose person or organisation does not
// exist.
func (s *Store) checkGrantSubject(ctx context.Context, g auth.Grant) error {
	var err error
	switch g.Role {
	case auth.RoleSupervisor:
		_, err = s.GetPerson(ctx, g.ScopeID())
	case auth.RoleOrg:
		_, err = s.GetOrganisation(ctx, g.ScopeID())
	}
	if errors.Is(err, ErrNotFound) {
		return fieldError(forms.FieldError{Field: "scope", Message: "没有这个" + scopeNoun(g.Role) + " / names no such " + string(g.Role)})
	}
	return err
}

func scopeNoun(r auth.Role) string {
	if r == auth.RoleOrg {
		return "机构"
	}
	return "人员"
}

// newSignInLink stores the hash of a new link token for the account.
func newSignInLink(ctx context.Context, q *db.Queries, account uuid.UUID, purpose string) (string, error) {
	token, hash := auth.NewLinkToken()
	err := q.InsertSignInLink(ctx, db.InsertSignInLinkParams{ID: NewID(), AccountID: account, TokenHash: hash, Purpose: purpose,
		ExpiresAt: time.Now().Add(SignInLinkTTL)})
	return token, err
}

// ResetLink issues a password reset link for an account; it returns the
// link's token, never shown again.
func (s *Store) ResetLink(ctx context.Context, actor string, account uuid.UUID) (string, error) {
	var link string
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		if link, err = newSignInLink(ctx, q, account, LinkReset); err != nil {
			return err
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.reset_link", ObjectType: "account", ObjectID: account.String()})
	})
	return link, err
}

// ErrLinkRefused is a sign-in link that is unknown, used, expired or whose
// account is disabled: one answer, so a refusal reveals nothing more.
var ErrLinkRefused = errors.New("链接无效、已使用或已过期 / the link is unknown, used or expired")

// SetPasswordWithLink uses a single-use link to set its account's
// password and ends the account's sessions. A password that breaks the
// strength rule leaves the link unused.
func (s *Store) SetPasswordWithLink(ctx context.Context, linkToken, password string) (uuid.UUID, error) {
	var account uuid.UUID
	err := s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		var err error
		account, err = setPasswordWithLink(ctx, tx, q, linkToken, password)
		return err
	})
	return account, err
}

// SetPasswordWithLinkThrottled is SetPasswordWithLink under the sign-in
// throttle of the client's address: a refused link counts as a failure
// (with an audit row), and an address locked out is a *LockedError.
func (s *Store) SetPasswordWithLinkThrottled(ctx context.Context, linkToken, password, address string, lim SignInLimits) error {
	refused, err := s.throttled(ctx, lim, address, "", func(tx pgx.Tx, q *db.Queries) (*AuditEntry, error) {
		_, err := setPasswordWithLink(ctx, tx, q, linkToken, password)
		if errors.Is(err, ErrLinkRefused) {
			return &AuditEntry{Actor: "anonymous", Action: "account.link_refused", ObjectType: "sign_in_link",
				ObjectID: hashHex(linkToken)}, nil
		}
		return nil, err
	})
	if refused {
		return ErrLinkRefused
	}
	return err
}

func setPasswordWithLink(ctx context.Context, tx pgx.Tx, q *db.Queries, linkToken, password string) (uuid.UUID, error) {
	link, err := q.UseSignInLink(ctx, auth.HashToken(linkToken))
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, ErrLinkRefused
	}
	if err != nil {
		return uuid.Nil, err
	}
	acc, err := q.AccountByID(ctx, link.AccountID)
	if err != nil {
		return uuid.Nil, err
	}
	if acc.State != AccountActive {
		return uuid.Nil, ErrLinkRefused
	}
	if msg := auth.CheckPasswordStrength(password, acc.Login); msg != "" {
		return uuid.Nil, fieldError(forms.FieldError{Field: "password", Message: msg})
	}
	if err := q.SetPassword(ctx, db.SetPasswordParams{ID: acc.ID, PasswordHash: new(auth.HashPassword(password))}); err != nil {
		return uuid.Nil, err
	}
	actor := auth.AccountActor(acc.ID, auth.ViaSession, link.ID)
	if _, err := endSessions(ctx, tx, q, actor, acc.ID, uuid.Nil, "password_set"); err != nil {
		return uuid.Nil, err
	}
	return acc.ID, AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "account.password_set",
		ObjectType: "account", ObjectID: acc.ID.String(), Detail: mustJSON(map[string]string{"link": link.Purpose})})
}

// CheckPassword reports whether password is the active account's
// password; an account without a password, or a disabled one, never
// matches.
func (s *Store) CheckPassword(ctx context.Context, account uuid.UUID, password string) (bool, error) {
	hash, err := s.q.PasswordHash(ctx, account)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && hash == "") {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return auth.VerifyPassword(password, hash)
}

// GetAccount returns an account with its grants, or ErrNotFound.
func (s *Store) GetAccount(ctx context.Context, id uuid.UUID) (Account, error) {
	r, err := s.q.AccountByID(ctx, id)
	if err != nil {
		return Account{}, notFound(err)
	}
	return s.withGrants(ctx, Account{ID: r.ID, Login: r.Login, DisplayName: r.DisplayName, Mobile: r.Mobile, Email: r.Email,
		State: r.State, PersonID: r.PersonID, CreatedAt: r.CreatedAt})
}

// AccountByLogin returns the account with this login, or ErrNotFound.
func (s *Store) AccountByLogin(ctx context.Context, login string) (Account, error) {
	r, err := s.q.AccountByLogin(ctx, login)
	if err != nil {
		return Account{}, notFound(err)
	}
	return s.GetAccount(ctx, r.ID)
}

func (s *Store) withGrants(ctx context.Context, a Account) (Account, error) {
	rows, err := s.q.AccountGrants(ctx, a.ID)
	a.Grants = mapRows(rows, func(g db.AccountGrantsRow) auth.Grant {
		return auth.Grant{ID: g.ID, Role: auth.Role(g.Role), Scope: g.Scope, Duty: auth.Duty(g.Duty), OrgAdmin: g.OrgAdmin}
	})
	return a, err
}

// SetAccountState enables or disables an account. A disabled account's
// tokens stop at once (authentication checks the account on every
// request) and its sessions are ended.
func (s *Store) SetAccountState(ctx context.Context, actor string, id uuid.UUID, state string) error {
	if state != AccountActive && state != AccountDisabled {
		return fmt.Errorf("unknown account state %q", state)
	}
	return s.inTx(ctx, func(tx pgx.Tx, q *db.Queries) error {
		n, err := q.SetAccountState(ctx, db.SetAccountStateParams{ID: id, State: state})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		action := "account.enabled"
		if state == AccountDisabled {
			action = "account.disabled"
			if _, err := endSessions(ctx, tx, q, actor, id, uuid.Nil, "disabled"); err != nil {
				return err
			}
		}
		return AppendAudit(ctx, tx, AuditEntry{Actor: actor, Action: action, ObjectType: "account", ObjectID: id.String()})
	})
}
