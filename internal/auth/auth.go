// Package auth holds stationflow's bearer tokens and the rules that decide
// what a caller may see and do. A token is random, shown once and stored
// only as its SHA-256 hash; it carries a role and a scope. Decisions are made
// against the object itself (its region, its organisation, its assignment),
// never on the role alone.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/flow"
)

// Role is what a token may act as. It is flow's role, so the role the API
// authenticates is the one the workflows authorise updates by.
type Role = flow.Role

// The roles.
const (
	RoleAdmin      = flow.RoleAdmin      // operators of the installation: everything
	RoleOffice     = flow.RoleOffice     // a civil-affairs office: scope is a region code prefix
	RoleSupervisor = flow.RoleSupervisor // scope is the supervisor's person ID
	RoleOrg        = flow.RoleOrg        // an operating organisation: scope is its ID
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleOffice, RoleSupervisor, RoleOrg}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: use admin, office, supervisor or org", s)
}

// Principal is the caller a request acts for: a person (an account,
// through a personal access token, later a session) or a service token.
// Role, Scope and Duty are the grant the request acts under.
type Principal struct {
	TokenID uuid.UUID
	Role    Role
	Scope   string
	Duty    Duty
	// AccountID is the person; uuid.Nil for a service token.
	AccountID uuid.UUID
	// Name is the person's display name when the request was authenticated.
	Name string
	Via  Via
	// Grants are every grant the credential carries; the first is the one
	// the request acts under.
	Grants []Grant
}

// Actor is how the principal is named in the audit log: by opaque IDs
// only, "account:<account>:<via>:<credential>" for a person and
// "token:<token>" for a service token. The audit log resolves an account
// to the person's name as it writes the row.
func (p Principal) Actor() string {
	if p.AccountID == uuid.Nil {
		return "token:" + p.TokenID.String()
	}
	return AccountActor(p.AccountID, p.Via, p.TokenID)
}

// AccountActor names a person acting through a credential in the audit log.
func AccountActor(account uuid.UUID, via Via, credential uuid.UUID) string {
	return "account:" + account.String() + ":" + string(via) + ":" + credential.String()
}

// MayDecide reports whether the principal may take decisions: renewal
// decisions, appeal reviews and cycle starts. An office's clerk (经办)
// prepares them; only an approver (审批), an admin, or an office service
// token (which has no duty) decides.
func (p Principal) MayDecide() bool {
	return p.Role == RoleAdmin || (p.Role == RoleOffice && p.Duty != DutyClerk)
}

// ScopeID returns the organisation or person ID a token is scoped to.
func (p Principal) ScopeID() uuid.UUID {
	id, _ := uuid.Parse(p.Scope)
	return id
}

// CheckScope validates a scope for a role: an office's is a region code, an
// organisation's and a supervisor's a UUID, an admin's empty.
func CheckScope(role Role, scope string) error {
	switch role {
	case RoleAdmin:
		if scope != "" {
			return errors.New("an admin token has no scope")
		}
	case RoleOffice:
		if _, err := codes.ParseRegion(scope); err != nil {
			return fmt.Errorf("an office scope is a region code: %w", err)
		}
	case RoleOrg, RoleSupervisor:
		if _, err := uuid.Parse(scope); err != nil {
			return fmt.Errorf("a %s scope is an ID: %w", role, err)
		}
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	return nil
}

// tokenPrefix marks stationflow tokens so they are recognisable in a leak scan.
const tokenPrefix = "sf_"

// linkPrefix marks single-use sign-in link tokens.
const linkPrefix = "sfl_"

// NewToken returns a new random token and the hash to store.
func NewToken() (token string, hash []byte) { return newSecret(tokenPrefix) }

// NewLinkToken returns a new random sign-in link token and the hash to store.
func NewLinkToken() (token string, hash []byte) { return newSecret(linkPrefix) }

func newSecret(prefix string) (string, []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token := prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is the stored form of a token. Tokens carry 256 random bits,
// so a plain SHA-256 is enough; no slow password hash is needed.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return sum[:]
}

// InRegion reports whether an office scope covers a region code.
func InRegion(scope, regionCode string) bool {
	return codes.Within(regionCode, scope)
}

// sessionPrefix marks session cookie values.
const sessionPrefix = "sfs_"

// NewSessionToken returns a new random session cookie value and the hash
// to store.
func NewSessionToken() (token string, hash []byte) { return newSecret(sessionPrefix) }
