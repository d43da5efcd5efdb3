package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/demo"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/worker"
)

// runDemo loads the demo province (or its first --counties counties) into a
// running stack (same DATABASE_URL and TEMPORAL_ADDRESS), starts every
// station's lifecycle workflow and prints tokens to try. Running it again duplicates nothing; it replaces the
// demo tokens it printed before.
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "seed" {
		return errors.New("usage: stationflow demo seed")
	}
	var counties *int
	p, err := start(ctx, "demo seed", "load the 4,451-station demo province into a running stack", args[1:],
		needs{createDB: true, temporal: true}, func(fs *flag.FlagSet) {
			counties = fs.Int("counties", demo.Counties, "load only the province's first N counties (1 to 96) with their townships and rooms, and the 5 city centres; the rest can be loaded later")
		})
	if err != nil {
		return err
	}
	defer p.close()
	cfg, st, c, logger := p.cfg, p.store, p.client, p.logger

	start := time.Now()
	province, err := demo.BuildCounties(*counties)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo province %s: %d stations, %d organisations, %d people\n", province.Code, len(province.Stations), len(province.Organisations), len(province.People))
	res, err := demo.Load(ctx, st, province, "demo-seed", func(line string) { fmt.Fprintln(stdout, "  loaded", line) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rows written in %s (new: %d stations, %d organisations, %d people)\n",
		time.Since(start).Round(time.Millisecond), res.Stations, res.Organisations, res.People)

	wfStart := time.Now()
	rec := &worker.Reconciler{Store: st, Client: c, TaskQueue: cfg.TaskQueue, Logger: logger, Concurrency: 32}
	started, err := rec.Pass(ctx, func(n int) {
		fmt.Fprintf(stdout, "  lifecycle workflows started: %d (%.0f/s)\n", n, float64(n)/time.Since(wfStart).Seconds())
	})
	if err != nil {
		return fmt.Errorf("starting lifecycle workflows (run demo seed again to resume): %w", err)
	}
	fmt.Fprintf(stdout, "%d lifecycle workflows started in %s; every station has one\n", started, time.Since(wfStart).Round(time.Millisecond))

	if _, err := st.RevokeTokensByLabel(ctx, "demo-seed", "demo"); err != nil {
		return err
	}
	county := firstCounty(province)
	orgID := province.Organisations[0].ID.String()
	supervisorID := province.People[0].ID.String()
	tokens := []struct {
		what  string
		role  auth.Role
		scope string
	}{
		{"admin", auth.RoleAdmin, ""},
		{"province office (Sichuan, 51)", auth.RoleOffice, "51"},
		{"city office (Chengdu, 5101)", auth.RoleOffice, "5101"},
		{"county office (" + county + ")", auth.RoleOffice, county},
		{"operating organisation (" + orgID + ")", auth.RoleOrg, orgID},
		{"supervisor (" + supervisorID + ")", auth.RoleSupervisor, supervisorID},
	}
	fmt.Fprintln(stdout, "\ntokens to try (shown once; run demo seed again for new ones):")
	for _, t := range tokens {
		token, _, err := st.CreateToken(ctx, "demo-seed", t.role, t.scope, "demo")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-50s %s\n", t.what, token)
	}
	if err := demoAccounts(ctx, p, county, orgID, supervisorID, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ntry: curl -H 'Authorization: Bearer <token>' 'http://%s/v1/stations?region=%s&limit=5'\n", cfg.HTTPAddr, county)
	return nil
}

// demoAccounts makes one account per kind of person, each plainly named,
// and prints a single-use sign-in link for each. Run again, it adds no
// account and replaces every link it printed before.
func demoAccounts(ctx context.Context, p *process, county, orgID, supervisorID string, stdout io.Writer) error {
	accounts := []struct {
		login, name string
		grant       auth.Grant
	}{
		{"demo-admin", "演示管理员", auth.Grant{Role: auth.RoleAdmin}},
		{"demo-province-office", "演示省厅", auth.Grant{Role: auth.RoleOffice, Scope: "51", Duty: auth.DutyApprover}},
		{"demo-city-office", "演示市局", auth.Grant{Role: auth.RoleOffice, Scope: "5101", Duty: auth.DutyApprover}},
		{"demo-county-office", "演示区县民政局（审批）", auth.Grant{Role: auth.RoleOffice, Scope: county, Duty: auth.DutyApprover}},
		{"demo-county-clerk", "演示区县民政局（经办）", auth.Grant{Role: auth.RoleOffice, Scope: county, Duty: auth.DutyClerk}},
		{"demo-organisation", "演示社工机构", auth.Grant{Role: auth.RoleOrg, Scope: orgID, OrgAdmin: true}},
		{"demo-supervisor", "演示督导", auth.Grant{Role: auth.RoleSupervisor, Scope: supervisorID}},
	}
	fmt.Fprintln(stdout, "\naccounts to sign in as (single-use links, valid", store.SignInLinkTTL.String()+"; run demo seed again for new ones):")
	for _, a := range accounts {
		link, err := p.store.EnsureAccount(ctx, "demo-seed", store.NewAccount{Login: a.login, Name: a.name, Grant: a.grant}, true)
		if err != nil {
			return fmt.Errorf("demo account %s: %w", a.login, err)
		}
		fmt.Fprintf(stdout, "  %-22s %s\n", a.login, signInLink("", p.cfg.HTTPAddr, link))
	}
	return nil
}

// firstCounty is the region of the province's first county station: the
// county office whose token the demo hands over.
func firstCounty(p *demo.Province) string {
	for _, s := range p.Stations {
		if s.Level == codes.CountyStation {
			return s.RegionCode
		}
	}
	return ""
}
