package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// cliLast runs stationflow with args and returns its output's last line.
func cliLast(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("stationflow %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// stationflow user create prints a first sign-in link that sets a password
// once; token create --user prints a token acting as that person; token
// revoke stops it; service tokens expire unless --no-expiry.
func TestUserCreateHandsOverALinkAndTokenCreateActsAsThePerson(t *testing.T) {
	t.Parallel()
	st, url := testdb.New(t)
	ctx := context.Background()
	link := cliLast(t, "user", "create", "--database-url", url, "--login", "chen.jing", "--name", "陈静", "--role", "office",
		"--scope", "510108", "--duty", "approver", "--base-url", "https://sf.example.cn/")
	token, ok := strings.CutPrefix(link, "https://sf.example.cn/auth/password#link=")
	if !ok || !strings.HasPrefix(token, "sfl_") {
		t.Fatalf("user create printed %q last", link)
	}
	acc, err := st.AccountByLogin(ctx, "chen.jing")
	if err != nil || acc.DisplayName != "陈静" || len(acc.Grants) != 1 || acc.Grants[0].Duty != auth.DutyApprover {
		t.Fatalf("account %+v (%v)", acc, err)
	}
	if _, err := st.SetPasswordWithLink(ctx, token, "Str0ng-enough-pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetPasswordWithLink(ctx, token, "Str0ng-enough-pw"); err != store.ErrLinkRefused {
		t.Fatalf("a second use of the link: %v", err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "create", "--database-url", url, "--login", "x.y", "--name", "某人", "--role", "office",
		"--scope", "510108"}, &out); err == nil || !strings.Contains(err.Error(), "duty") {
		t.Fatalf("an office grant without a duty: %v", err)
	}

	personal := cliLast(t, "token", "create", "--database-url", url, "--user", "chen.jing", "--expires", "30d")
	who, err := st.Authenticate(ctx, personal)
	if err != nil || who.AccountID != acc.ID || who.Name != "陈静" || who.Via != auth.ViaToken || !who.MayDecide() {
		t.Fatalf("the personal token acts as %+v (%v)", who, err)
	}
	if err := run(ctx, []string{"token", "create", "--database-url", url, "--user", "chen.jing", "--expires", "400d"}, &out); err == nil {
		t.Fatal("a personal token beyond a year was made")
	}
	cliLast(t, "token", "revoke", who.TokenID.String(), "--database-url", url)
	if _, err := st.Authenticate(ctx, personal); err != store.ErrNotFound {
		t.Fatalf("a revoked token authenticates: %v", err)
	}

	service := cliLast(t, "token", "create", "--database-url", url, "--role", "office", "--scope", "5101")
	forever := cliLast(t, "token", "create", "--database-url", url, "--role", "admin", "--no-expiry")
	for tok, expires := range map[string]bool{service: true, forever: false} {
		p, err := st.Authenticate(ctx, tok)
		if err != nil || p.AccountID != uuid.Nil {
			t.Fatalf("service token: %+v (%v)", p, err)
		}
		info, err := st.TokenExpiry(ctx, p.TokenID)
		if err != nil || (info != nil) != expires {
			t.Errorf("service token expiry %v (%v), want set %v", info, err, expires)
		}
	}
}
