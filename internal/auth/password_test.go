package auth

import (
	"strings"
	"testing"
)

func TestPasswordsHashWithTheirOwnSaltAndVerify(t *testing.T) {
	a, b := HashPassword("Str0ng-enough-pw"), HashPassword("Str0ng-enough-pw")
	if a == b {
		t.Fatal("two hashes of one password are equal: no per-hash salt")
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", a)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"Str0ng-enough-pw", true}, {"Str0ng-enough-pW", false}, {"", false}} {
		if ok, err := VerifyPassword(c.pw, a); err != nil || ok != c.want {
			t.Errorf("verify %q: %v (%v), want %v", c.pw, ok, err, c.want)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if _, err := VerifyPassword("x", bad); err != ErrBadHash {
			t.Errorf("hash %q: %v, want ErrBadHash", bad, err)
		}
	}
}

func TestThePasswordStrengthRule(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Str0ng-enough-pw":         true,
		"社工站Station2026":           true, // 汉字 count as other characters
		"short1A!":                 false,
		"alllowercaseonly":         false,
		"lowercase1234567":         false, // two kinds only
		"Has-li.na-Inside1":        false, // holds the login
		strings.Repeat("Aa1!", 33): false,
	} {
		msg := CheckPasswordStrength(pw, "li.na")
		if (msg == "") != ok {
			t.Errorf("%q: %q, want accepted %v", pw, msg, ok)
		}
	}
}

func TestActorsNamePeopleByIDOnly(t *testing.T) {
	p := Principal{Role: RoleOffice, Scope: "510108", Duty: DutyClerk}
	if p.MayDecide() || !(Principal{Role: RoleOffice, Scope: "5101", Duty: DutyApprover}).MayDecide() ||
		!(Principal{Role: RoleOffice, Scope: "5101"}).MayDecide() || (Principal{Role: RoleOrg}).MayDecide() {
		t.Error("the decision duty is wrong")
	}
	if !strings.HasPrefix(p.Actor(), "token:") {
		t.Errorf("a service actor %q", p.Actor())
	}
}
