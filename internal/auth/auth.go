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

// Principal is the caller a request acts for.
type Principal struct {
	TokenID uuid.UUID
	Role    Role
	Scope   string
}

// Actor is how the principal is named in the audit log: an opaque token ID.
func (p Principal) Actor() string { return "token:" + p.TokenID.String() }

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

// NewToken returns a new random token and the hash to store.
func NewToken() (token string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
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
