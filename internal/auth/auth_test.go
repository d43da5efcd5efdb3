package auth

import (
	"strings"
	"testing"
)

func TestScopesFitTheirRoles(t *testing.T) {
	for _, c := range []struct {
		role  Role
		scope string
		ok    bool
	}{
		{RoleAdmin, "", true},
		{RoleAdmin, "51", false},
		{RoleOffice, "510108", true},
		{RoleOffice, "5100", false},
		{RoleOffice, "", false},
		{RoleOrg, "0190a5d2-9c4c-7f3e-8a55-2d7a5c1e0b11", true},
		{RoleOrg, "510108", false},
		{RoleSupervisor, "not-an-id", false},
	} {
		if err := CheckScope(c.role, c.scope); (err == nil) != c.ok {
			t.Errorf("%s %q: %v", c.role, c.scope, err)
		}
	}
}

func TestTokensAreRandomAndStoredOnlyAsAHash(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || !strings.HasPrefix(a, "sf_") || len(a) < 40 {
		t.Fatalf("tokens %q and %q", a, b)
	}
	if string(HashToken(a)) != string(ha) || strings.Contains(string(ha), a) {
		t.Fatal("the hash does not match its token")
	}
}

func TestAnOfficeScopeCoversItsRegionOnly(t *testing.T) {
	if !InRegion("5101", "510108001") || InRegion("5101", "510201") || InRegion("510108", "5101") {
		t.Fatal("office scope misjudged")
	}
}
