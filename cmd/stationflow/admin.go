package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/stationflow/stationflow/internal/auth"
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

// runToken mints a token. The token is printed alone on the last line of
// standard output so scripts can take it with `tail -n 1`.
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: stationflow token create --role admin|office|supervisor|org [--scope …] [--label …]")
	}
	var role, scope, label string
	p, err := start(ctx, "token create", "mint an API token; it is shown once", args[1:], needs{createDB: true}, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "admin, office, supervisor or org")
		fs.StringVar(&scope, "scope", "", "office: region code prefix (e.g. 510108); org: organisation ID; supervisor: person ID; admin: none")
		fs.StringVar(&label, "label", "", "a note to find the token by later")
	})
	if err != nil {
		return err
	}
	defer p.close()
	r, err := auth.ParseRole(role)
	if err != nil {
		return err
	}
	if err := auth.CheckScope(r, scope); err != nil {
		return fmt.Errorf("--scope: %w", err)
	}
	token, who, err := p.store.CreateToken(ctx, "cli", r, scope, label)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %s: role %s, scope %q\n", who.TokenID, who.Role, who.Scope)
	fmt.Fprintln(stdout, token)
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
