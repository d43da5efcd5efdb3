package auth

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Duty is what an office grant lets its holder do.
type Duty string

// The duties of an office grant.
const (
	DutyClerk    Duty = "clerk"    // 经办: prepares, reviews and completes tasks
	DutyApprover Duty = "approver" // 审批: also takes decisions
)

// ParseDuty checks a duty's name.
func ParseDuty(s string) (Duty, error) {
	switch Duty(s) {
	case DutyClerk, DutyApprover:
		return Duty(s), nil
	}
	return "", fmt.Errorf("unknown duty %q: use clerk (经办) or approver (审批)", s)
}

// Via is how a person acted.
type Via string

// The ways of acting.
const (
	ViaSession Via = "session"
	ViaToken   Via = "token"
	ViaService Via = "service"
)

// Grant is a role with its scope, held by an account: admin (no scope);
// office (a region code prefix and a duty); supervisor, which covers
// evaluators too (the person's ID); org (the organisation's ID, and
// whether the holder administers the organisation's accounts).
type Grant struct {
	ID       uuid.UUID `json:"id"`
	Role     Role      `json:"role"`
	Scope    string    `json:"scope"`
	Duty     Duty      `json:"duty,omitempty"`
	OrgAdmin bool      `json:"org_admin,omitempty"`
}

// Check validates a grant's scope and duty for its role.
func (g Grant) Check() error {
	if err := CheckScope(g.Role, g.Scope); err != nil {
		return err
	}
	switch {
	case g.Role == RoleOffice && g.Duty == "":
		return errors.New("an office grant needs a duty: clerk or approver")
	case g.Role != RoleOffice && g.Duty != "":
		return errors.New("only an office grant has a duty")
	case g.OrgAdmin && g.Role != RoleOrg:
		return errors.New("only an org grant administers an organisation")
	}
	if g.Duty != "" {
		if _, err := ParseDuty(string(g.Duty)); err != nil {
			return err
		}
	}
	return nil
}

// ScopeID returns the organisation or person ID a grant is scoped to.
func (g Grant) ScopeID() uuid.UUID {
	id, _ := uuid.Parse(g.Scope)
	return id
}

// SignInPath is where a person uses a single-use sign-in link: the page
// at /auth/password, with the link's token in the fragment, which
// browsers never send to a server or a log. The page posts the token and
// the new password to POST /auth/password.
func SignInPath(linkToken string) string { return "/auth/password#link=" + linkToken }
