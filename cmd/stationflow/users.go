package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

const userUsage = "usage: stationflow user create --login L --name N --role R [--scope S] [--duty clerk|approver] [--org-admin] " +
	"[--mobile M] [--email E] | user reset --login L | user disable --login L | user enable --login L"

// runUser manages accounts: create one with its first grant, issue a
// password reset link, disable or enable one. A sign-in link is printed
// alone on the last line of standard output.
func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	switch args[0] {
	case "create":
		return runUserCreate(ctx, args[1:], stdout)
	case "reset", "disable", "enable":
		return runUserChange(ctx, args[0], args[1:], stdout)
	}
	return errors.New(userUsage)
}

type userFlags struct {
	login, name, mobile, email, role, scope, duty, baseURL string
	orgAdmin                                               bool
}

func runUserCreate(ctx context.Context, args []string, stdout io.Writer) error {
	var f userFlags
	p, err := start(ctx, "user create", "create an account with one grant and print its first sign-in link", args, needs{createDB: true},
		func(fs *flag.FlagSet) {
			fs.StringVar(&f.login, "login", "", "login name: 2-64 of a-z, 0-9, . _ -")
			fs.StringVar(&f.name, "name", "", "display name, as the audit trail names the person")
			fs.StringVar(&f.mobile, "mobile", "", "mobile number (optional)")
			fs.StringVar(&f.email, "email", "", "e-mail address (optional)")
			fs.StringVar(&f.role, "role", "", "admin, office, supervisor (also evaluators) or org")
			fs.StringVar(&f.scope, "scope", "", "office: region code prefix; org: organisation ID; supervisor: the person's ID; admin: none")
			fs.StringVar(&f.duty, "duty", "", "an office grant's duty: clerk (经办) or approver (审批)")
			fs.BoolVar(&f.orgAdmin, "org-admin", false, "an org grant that administers the organisation's accounts")
			fs.StringVar(&f.baseURL, "base-url", "", "where people reach stationflow (default http://<http-addr>)")
		})
	if err != nil {
		return err
	}
	defer p.close()
	role, err := auth.ParseRole(f.role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	acc, link, err := p.store.CreateAccount(ctx, "cli", store.NewAccount{Login: f.login, Name: f.name, Mobile: f.mobile, Email: f.email,
		Grant: auth.Grant{Role: role, Scope: f.scope, Duty: auth.Duty(f.duty), OrgAdmin: f.orgAdmin}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "account %s (%s): %s %q; first sign-in link, single use, valid %s:\n", acc.ID, acc.Login, role, f.scope,
		store.SignInLinkTTL)
	fmt.Fprintln(stdout, signInLink(f.baseURL, p.cfg.HTTPAddr, link))
	return nil
}

// signInLink is where a person sets their password (auth.SignInPath).
// The link's token is in the fragment, which browsers never send to a
// server or a log.
func signInLink(baseURL, httpAddr, token string) string {
	if baseURL == "" {
		baseURL = "http://" + httpAddr
	}
	return strings.TrimRight(baseURL, "/") + auth.SignInPath(token)
}

func runUserChange(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	var login, baseURL string
	p, err := start(ctx, "user "+verb, verb+" an account", args, needs{}, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "the account's login name")
		fs.StringVar(&baseURL, "base-url", "", "where people reach stationflow (default http://<http-addr>)")
	})
	if err != nil {
		return err
	}
	defer p.close()
	acc, err := p.store.AccountByLogin(ctx, login)
	if err != nil {
		return fmt.Errorf("--login %q: %w", login, err)
	}
	switch verb {
	case "reset":
		link, err := p.store.ResetLink(ctx, "cli", acc.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password reset link for %s, single use, valid %s:\n", acc.Login, store.SignInLinkTTL)
		fmt.Fprintln(stdout, signInLink(baseURL, p.cfg.HTTPAddr, link))
		return nil
	case "disable":
		err = p.store.SetAccountState(ctx, "cli", acc.ID, store.AccountDisabled)
	default:
		err = p.store.SetAccountState(ctx, "cli", acc.ID, store.AccountActive)
	}
	if err == nil {
		fmt.Fprintf(stdout, "account %s %sd\n", acc.Login, verb)
	}
	return err
}
