package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	p, err := start(ctx, "migrate", "create the database if missing and apply its migrations", args, needs{createDB: true}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

const tokenUsage = "usage: stationflow token create --user LOGIN [--name …] [--expires 30d] | " +
	"token create --role admin|office|supervisor|org [--scope …] [--label …] [--expires 90d | --no-expiry] | token revoke ID"

// runToken mints or revokes a token. A new token is printed alone on the
// last line of standard output so scripts can take it with `tail -n 1`.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout)
	}
	return errors.New(tokenUsage)
}

type tokenFlags struct {
	role, scope, label, user, expires string
	noExpiry                          bool
}

func runTokenCreate(ctx context.Context, args []string, stdout io.Writer) error {
	var f tokenFlags
	p, err := start(ctx, "token create", "mint an API token; it is shown once", args, needs{createDB: true}, func(fs *flag.FlagSet) {
		fs.StringVar(&f.user, "user", "", "a personal access token acting as the account with this login")
		fs.StringVar(&f.role, "role", "", "a service token: admin, office, supervisor or org")
		fs.StringVar(&f.scope, "scope", "", "office: region code prefix (e.g. 510108); org: organisation ID; supervisor: person ID; admin: none")
		fs.StringVar(&f.label, "label", "", "a note to find the token by later (a personal token's name)")
		fs.StringVar(&f.label, "name", "", "same as --label")
		fs.StringVar(&f.expires, "expires", "", "lifetime, e.g. 30d or 720h (default 90d; a personal token at most 366d)")
		fs.BoolVar(&f.noExpiry, "no-expiry", false, "a service token that never expires")
	})
	if err != nil {
		return err
	}
	defer p.close()
	ttl, err := parseLifetime(f.expires)
	if err != nil {
		return fmt.Errorf("--expires: %w", err)
	}
	if f.user != "" {
		return createUserToken(ctx, p.store, f, ttl, stdout)
	}
	return createServiceToken(ctx, p.store, f, ttl, stdout)
}

func createUserToken(ctx context.Context, st *store.Store, f tokenFlags, ttl time.Duration, stdout io.Writer) error {
	if f.role != "" || f.scope != "" || f.noExpiry {
		return errors.New("--user takes no --role, --scope or --no-expiry: a personal token acts through its account's grants and expires")
	}
	acc, err := st.AccountByLogin(ctx, f.user)
	if err != nil {
		return fmt.Errorf("--user %q: %w", f.user, err)
	}
	token, info, err := st.CreateAccountToken(ctx, "cli", acc.ID, f.label, ttl, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %s for %s, %d grant(s), expires %s\n", info.ID, acc.Login, len(info.Grants), info.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(stdout, token)
	return nil
}

func createServiceToken(ctx context.Context, st *store.Store, f tokenFlags, ttl time.Duration, stdout io.Writer) error {
	r, err := auth.ParseRole(f.role)
	if err != nil {
		return err
	}
	if err := auth.CheckScope(r, f.scope); err != nil {
		return fmt.Errorf("--scope: %w", err)
	}
	var expires *time.Time
	switch {
	case f.noExpiry && f.expires != "":
		return errors.New("give --expires or --no-expiry, not both")
	case !f.noExpiry:
		if ttl == 0 {
			ttl = store.DefaultTokenTTL
		}
		expires = new(time.Now().Add(ttl).UTC())
	}
	token, who, err := st.CreateServiceToken(ctx, "cli", r, f.scope, f.label, expires)
	if err != nil {
		return err
	}
	until := "never expires"
	if expires != nil {
		until = "expires " + expires.Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "token %s: role %s, scope %q, %s\n", who.TokenID, who.Role, who.Scope, until)
	fmt.Fprintln(stdout, token)
	return nil
}

// parseLifetime reads 30d (days) or a Go duration such as 720h; empty is 0.
func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%q is not a whole number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is neither days (30d) nor a duration (720h)", s)
	}
	return d, nil
}

func runTokenRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: stationflow token revoke ID [flags]")
	}
	id, err := uuid.Parse(args[0])
	if err != nil {
		return fmt.Errorf("token ID: %w", err)
	}
	p, err := start(ctx, "token revoke", "revoke a token by its ID", args[1:], needs{}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	if err := p.store.RevokeToken(ctx, "cli", id); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no live token %s", id)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %s revoked\n", id)
	return nil
}

// runAudit verifies the audit log's hash chain and exits non-zero, naming
// the first damaged row, when it does not verify.
func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: stationflow audit verify")
	}
	p, err := start(ctx, "audit verify", "recompute the audit log's hash chain", args[1:], needs{}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	v, err := p.store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if v.Damage != nil {
		fmt.Fprintf(stdout, "audit log damaged at row %d of %d: %s\n", v.Damage.Seq, v.Rows, v.Damage.Reason)
		return fmt.Errorf("audit chain does not verify")
	}
	fmt.Fprintf(stdout, "audit log verifies: %d rows\n", v.Rows)
	return nil
}

// runRegions loads the embedded administrative divisions into the regions
// table. Migrating loads them already when the database lacks this version;
// `regions load` loads them again whatever the recorded version.
func runRegions(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "load" {
		return errors.New("usage: stationflow regions load")
	}
	p, err := start(ctx, "regions load", "load the embedded administrative divisions (province to township) with their names", args[1:], needs{createDB: true}, nil)
	if err != nil {
		return err
	}
	defer p.close()
	res, err := p.store.LoadRegions(ctx, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "regions loaded from %s: %d inserted or renamed\n", res.Version, res.Changed)
	return nil
}
