package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// createAccount posts an account and answers what came back.
func (s *stack) createAccount(token, login string, grants ...map[string]any) response {
	s.t.Helper()
	return s.do("POST", "/v1/accounts", token, map[string]any{"login": login, "display_name": "测试 " + login, "grants": grants})
}

// activate sets the password of a created account through the link it was
// answered with and mints a personal token for it.
func (s *stack) activate(res response) (store.Account, string) {
	s.t.Helper()
	var created usecase.CreatedAccount
	res.must(s.t, http.StatusCreated).json(s.t, &created)
	_, token, ok := strings.Cut(created.SignInLink, "#link=")
	if !ok || !strings.HasPrefix(created.SignInLink, "/auth/password#") {
		s.t.Fatalf("sign-in link %q", created.SignInLink)
	}
	s.do("POST", "/auth/password", "", map[string]string{"link": token, "password": "Str0ng-enough-pw"}).must(s.t, http.StatusNoContent)
	tok, _, err := s.store.CreateAccountToken(context.Background(), "test", created.Account.ID, "test", 0, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return created.Account, tok
}

func office(scope, duty string) map[string]any {
	return map[string]any{"role": "office", "scope": scope, "duty": duty}
}

func refusedNaming(t *testing.T, res response, status int, field string) {
	t.Helper()
	if p := res.must(t, status).problem(t); !fieldNamed(p, field) {
		t.Errorf("status %d does not name %s: %+v", status, field, p)
	}
}

func TestWhoCreatesWhomOverTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	orgA, _ := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000051")
	orgFar, _ := s.organisation(admin, "锦江区晨曦社工服务中心", "52510104MJ0000052")
	inRegion := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	farPerson := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510104"})

	// An admin creates province, city and county offices.
	s.createAccount(admin, "sc.office", office("51", "approver")).must(t, 201)
	cityAcc, _ := s.activate(s.createAccount(admin, "cd.office", office("5101", "approver")))
	_, county := s.activate(s.createAccount(admin, "ch.approver", office("510108", "approver")))

	// The county office creates inside its region, never above, beside or an admin.
	clerk, clerkToken := s.activate(s.createAccount(county, "ch.clerk", office("510108", "clerk")))
	s.createAccount(county, "ch.township", office("510108001", "approver")).must(t, 201)
	refusedNaming(t, s.createAccount(county, "up", office("5101", "clerk")), 403, "grants[0].scope")
	refusedNaming(t, s.createAccount(county, "beside", office("510104", "clerk")), 403, "grants[0].scope")
	refusedNaming(t, s.createAccount(county, "root", map[string]any{"role": "admin"}), 403, "grants[0].role")
	s.createAccount(county, "sup.in", map[string]any{"role": "supervisor", "person_id": inRegion}).must(t, 201)
	refusedNaming(t, s.createAccount(county, "sup.far", map[string]any{"role": "supervisor", "person_id": farPerson}), 422, "grants[0].person_id")
	refusedNaming(t, s.createAccount(county, "sup.none", map[string]any{"role": "supervisor", "person_id": uuid.NewString()}), 422, "grants[0].person_id")
	s.createAccount(county, "org.in", map[string]any{"role": "org", "scope": orgA.ID}).must(t, 201)
	refusedNaming(t, s.createAccount(county, "org.far", map[string]any{"role": "org", "scope": orgFar.ID}), 422, "grants[0].scope")
	// A clerk may not make an approver, even of its own office.
	refusedNaming(t, s.createAccount(clerkToken, "ch.boss", office("510108", "approver")), 403, "grants[0].duty")
	refusedNaming(t, s.createAccount(county, "Bad Login", office("510108", "clerk")), 422, "login")
	refusedNaming(t, s.do("POST", "/v1/accounts", county, map[string]any{"login": "m.x", "display_name": "手机", "mobile": "12345678901",
		"grants": []any{office("510108", "clerk")}}), 422, "mobile")
	s.createAccount(county, "ch.clerk", office("510108", "clerk")).must(t, 409)

	// An organisation's administrator invites its own staff only, and may
	// grant nobody, itself included, an office role.
	orgAdmin, orgAdminToken := s.activate(s.createAccount(admin, "yg.admin", map[string]any{"role": "org", "scope": orgA.ID, "org_admin": true}))
	staff, _ := s.activate(s.createAccount(orgAdminToken, "yg.staff", map[string]any{"role": "org", "scope": orgA.ID}))
	refusedNaming(t, s.createAccount(orgAdminToken, "yg.other", map[string]any{"role": "org", "scope": orgFar.ID}), 403, "grants[0].scope")
	refusedNaming(t, s.createAccount(orgAdminToken, "yg.office", office("510108", "clerk")), 403, "grants[0].role")
	refusedNaming(t, s.do("POST", "/v1/accounts/"+orgAdmin.ID.String()+"/grants", orgAdminToken, office("510108", "clerk")), 403, "role")
	// Its staff, not an administrator, administers nobody.
	_, staffToken := s.personWithToken("yg.staff2", "员工", auth.Grant{Role: auth.RoleOrg, Scope: orgA.ID.String()})
	s.createAccount(staffToken, "yg.more", map[string]any{"role": "org", "scope": orgA.ID}).must(t, 403)
	s.createAccount(s.token(auth.RoleSupervisor, inRegion), "x.y", office("510108", "clerk")).must(t, 403)

	// Each sees the accounts it could have made; the rest are 404 like an unknown ID.
	s.do("GET", "/v1/accounts/"+clerk.ID.String(), county, nil).must(t, 200)
	s.do("GET", "/v1/accounts/"+cityAcc.ID.String(), county, nil).must(t, 404)
	s.do("GET", "/v1/accounts/"+staff.ID.String(), orgAdminToken, nil).must(t, 200)
	s.do("GET", "/v1/accounts/"+clerk.ID.String(), orgAdminToken, nil).must(t, 404)
	s.do("GET", "/v1/accounts/"+uuid.NewString(), county, nil).must(t, 404)
	s.do("POST", "/v1/accounts/"+cityAcc.ID.String()+"/disable", county, nil).must(t, 404)

	// Disabling stops the account's token at once; enabling restores it.
	s.do("GET", "/v1/me", clerkToken, nil).must(t, 200)
	var acc store.Account
	s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/disable", county, nil).must(t, 200).json(t, &acc)
	if acc.State != store.AccountDisabled {
		t.Errorf("disabled account answered %+v", acc)
	}
	s.do("GET", "/v1/me", clerkToken, nil).must(t, 401)
	s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/enable", county, nil).must(t, 200)
	s.do("GET", "/v1/me", clerkToken, nil).must(t, 200)

	// A reset link sets a new password once.
	var link usecase.SignInLink
	s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/reset-link", county, nil).must(t, 201).json(t, &link)
	_, reset, _ := strings.Cut(link.SignInLink, "#link=")
	s.do("POST", "/auth/password", "", map[string]string{"link": reset, "password": "An0ther-strong-pw"}).must(t, 204)
	if ok, err := s.store.CheckPassword(context.Background(), clerk.ID, "An0ther-strong-pw"); err != nil || !ok {
		t.Errorf("the reset link did not set the password: %v %v", ok, err)
	}

	// Grants: added within reach, taken away, never the last.
	var g auth.Grant
	s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/grants", county, office("510108001", "clerk")).must(t, 201).json(t, &g)
	s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/grants", county, office("510108001", "clerk")).must(t, 409)
	refusedNaming(t, s.do("POST", "/v1/accounts/"+clerk.ID.String()+"/grants", county, office("510104", "clerk")), 403, "scope")
	s.do("DELETE", "/v1/accounts/"+clerk.ID.String()+"/grants/"+g.ID.String(), county, nil).must(t, 204)
	s.do("DELETE", "/v1/accounts/"+clerk.ID.String()+"/grants/"+g.ID.String(), county, nil).must(t, 404)
	s.do("DELETE", "/v1/accounts/"+clerk.ID.String()+"/grants/"+clerk.Grants[0].ID.String(), county, nil).must(t, 409)
}

func TestPersonalTokensAreMadeListedExpiredAndRevokedByTheirPerson(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	acc, session := s.personWithToken("li.na", "李娜", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	_, other := s.personWithToken("wang.fang", "王芳", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyApprover})

	var made usecase.CreatedToken
	s.do("POST", "/v1/me/tokens", session, map[string]any{"name": "nightly report"}).must(t, 201).json(t, &made)
	if !strings.HasPrefix(made.Token, "sf_") || made.Info.ExpiresAt == nil || len(made.Info.Grants) != 1 {
		t.Fatalf("made %+v", made)
	}
	if days := time.Until(*made.Info.ExpiresAt).Hours() / 24; days < 89.9 || days > 90.1 {
		t.Errorf("default lifetime %.1f days, want 90", days)
	}
	var me usecase.Me
	s.do("GET", "/v1/me", made.Token, nil).must(t, 200).json(t, &me)
	if me.Account == nil || me.Account.ID != acc.ID {
		t.Fatalf("the new token acts as %+v", me.Account)
	}
	refusedNaming(t, s.do("POST", "/v1/me/tokens", session, map[string]any{"name": "long", "expires_days": 400}), 422, "expires_days")
	refusedNaming(t, s.do("POST", "/v1/me/tokens", session, map[string]any{"name": "x", "grants": []string{uuid.NewString()}}), 422, "grants")
	s.do("POST", "/v1/me/tokens", s.token(auth.RoleAdmin, ""), map[string]any{"name": "x"}).must(t, 403)

	var list struct{ Items []store.PersonalToken }
	s.do("GET", "/v1/me/tokens", session, nil).must(t, 200).json(t, &list)
	var listed *store.PersonalToken
	for i := range list.Items {
		if list.Items[i].ID == made.Info.ID {
			listed = &list.Items[i]
		}
	}
	if len(list.Items) != 2 || listed == nil || listed.Name != "nightly report" || listed.LastUsedAt == nil {
		t.Fatalf("listed %+v", list.Items)
	}

	// Only its person revokes it; then it stops.
	s.do("DELETE", "/v1/me/tokens/"+made.Info.ID.String(), other, nil).must(t, 404)
	s.do("GET", "/v1/me", made.Token, nil).must(t, 200)
	s.do("DELETE", "/v1/me/tokens/"+made.Info.ID.String(), session, nil).must(t, 204)
	s.do("GET", "/v1/me", made.Token, nil).must(t, 401)
	s.do("DELETE", "/v1/me/tokens/"+made.Info.ID.String(), session, nil).must(t, 409)

	// A token expires on its own: one made to live a second is refused once it is past.
	short, _, err := s.store.CreateAccountToken(ctx, "test", acc.ID, "short", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/me", short, nil).must(t, 200)
	waitFor(t, func() bool { return s.do("GET", "/v1/me", short, nil).Status == http.StatusUnauthorized })
	s.do("GET", "/v1/me/tokens", session, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("after revoking one and another expiring, listed %+v", list.Items)
	}
}

// accountPage gets one page of GET /v1/accounts as token sees it.
func (s *stack) accountPage(token, query string) store.List[store.Account] {
	s.t.Helper()
	var page store.List[store.Account]
	s.do("GET", "/v1/accounts"+query, token, nil).must(s.t, http.StatusOK).json(s.t, &page)
	return page
}

func logins(accounts []store.Account) []string {
	out := make([]string, len(accounts))
	for i, a := range accounts {
		out[i] = a.Login
	}
	return out
}

func TestAccountListShowsWhatTheCallerAdministersPagedByLogin(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	orgA, _ := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000051")
	_, county := s.activate(s.createAccount(admin, "ch.approver", office("510108", "approver")))
	for _, login := range []string{"ch.clerk3", "ch.clerk1", "ch.clerk2"} {
		s.do("POST", "/v1/accounts", admin, map[string]any{"login": login, "display_name": "经办 " + login, "mobile": "13800000000",
			"grants": []any{office("510108", "clerk")}}).must(t, 201)
	}
	s.createAccount(admin, "jj.clerk", office("510104", "clerk")).must(t, 201)
	s.createAccount(admin, "cd.office", office("5101", "approver")).must(t, 201)

	// The county office pages through its own accounts, two at a time, in
	// login order; the neighbour county's and the city's never appear.
	var seen []store.Account
	page := s.accountPage(county, "?limit=2")
	for pages := 1; ; pages++ {
		if len(page.Items) > 2 {
			t.Fatalf("page %d holds %d items, limit 2", pages, len(page.Items))
		}
		seen = append(seen, page.Items...)
		if page.NextCursor == nil {
			if pages < 2 {
				t.Errorf("only %d page(s)", pages)
			}
			break
		}
		page = s.accountPage(county, "?limit=2&cursor="+*page.NextCursor)
	}
	want := []string{"ch.approver", "ch.clerk1", "ch.clerk2", "ch.clerk3"}
	if got := logins(seen); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the county office listed %v, want %v", got, want)
	}
	for _, a := range seen {
		if a.Login == "ch.clerk1" && (a.Mobile != "13800000000" || len(a.Grants) != 1 || a.Grants[0].Duty != auth.DutyClerk) {
			t.Errorf("an office sees its clerk whole: %+v", a)
		}
	}
	if got := logins(s.accountPage(county, "?q=ch.clerk2").Items); strings.Join(got, " ") != "ch.clerk2" {
		t.Errorf("q=ch.clerk2 listed %v", got)
	}
	if got := logins(s.accountPage(s.token(auth.RoleOffice, "510104"), "").Items); strings.Join(got, " ") != "jj.clerk" {
		t.Errorf("the neighbour county listed %v, want only its own clerk", got)
	}

	// A forged cursor, or one sealed for other filters, is 400 naming cursor;
	// so are bad filters, each naming itself.
	first := s.accountPage(county, "?limit=1")
	refusedNaming(t, s.do("GET", "/v1/accounts?cursor=AQ"+strings.Repeat("A", 42), county, nil), 400, "cursor")
	refusedNaming(t, s.do("GET", "/v1/accounts?state=active&cursor="+*first.NextCursor, county, nil), 400, "cursor")
	refusedNaming(t, s.do("GET", "/v1/accounts?state=gone", county, nil), 400, "state")
	refusedNaming(t, s.do("GET", "/v1/accounts?role=root", county, nil), 400, "role")
	refusedNaming(t, s.do("GET", "/v1/accounts?q="+strings.Repeat("a", 65), county, nil), 400, "q")

	// state=disabled lists the disabled accounts only.
	clerk2, err := s.store.AccountByLogin(context.Background(), "ch.clerk2")
	if err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/v1/accounts/"+clerk2.ID.String()+"/disable", county, nil).must(t, 200)
	disabled := s.accountPage(county, "?state=disabled")
	if got := logins(disabled.Items); strings.Join(got, " ") != "ch.clerk2" || disabled.Items[0].State != store.AccountDisabled {
		t.Errorf("state=disabled listed %+v", disabled.Items)
	}
	if got := logins(s.accountPage(county, "?state=active").Items); strings.Join(got, " ") != "ch.approver ch.clerk1 ch.clerk3" {
		t.Errorf("state=active listed %v", got)
	}

	// An organisation's administrator lists its own staff, without their
	// mobile numbers; other callers administer nobody.
	_, orgAdmin := s.activate(s.createAccount(admin, "yg.admin", map[string]any{"role": "org", "scope": orgA.ID, "org_admin": true}))
	s.do("POST", "/v1/accounts", orgAdmin, map[string]any{"login": "yg.staff", "display_name": "员工", "mobile": "13900000000",
		"grants": []any{map[string]any{"role": "org", "scope": orgA.ID}}}).must(t, 201)
	staff := s.accountPage(orgAdmin, "?role=org")
	if got := logins(staff.Items); strings.Join(got, " ") != "yg.admin yg.staff" || staff.Items[1].Mobile != "" {
		t.Errorf("the organisation's administrator listed %+v", staff.Items)
	}
	s.do("GET", "/v1/accounts", s.token(auth.RoleOrg, orgA.ID.String()), nil).must(t, 403)
}
