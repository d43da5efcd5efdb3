package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// person creates an account with one grant, sets its password through its
// first sign-in link and mints a personal token for it.
func (s *stack) personWithToken(login, name string, g auth.Grant) (store.Account, string) {
	s.t.Helper()
	ctx := context.Background()
	acc, link, err := s.store.CreateAccount(ctx, "test", store.NewAccount{Login: login, Name: name, Grant: g})
	if err != nil {
		s.t.Fatal(err)
	}
	s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "Str0ng-enough-pw"}).must(s.t, http.StatusNoContent)
	tok, _, err := s.store.CreateAccountToken(ctx, "test", acc.ID, "script", 0, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return acc, tok
}

func (s *stack) trail(token, subject string) store.List[store.AuditItem] {
	s.t.Helper()
	var list store.List[store.AuditItem]
	s.do("GET", "/v1/audit?subject="+subject, token, nil).must(s.t, 200).json(s.t, &list)
	return list
}

func TestASignInLinkSetsAPasswordOnceAndRefusesWeakOnes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	acc, link, err := s.store.CreateAccount(ctx, "test", store.NewAccount{Login: "zhang.wei", Name: "张伟",
		Grant: auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk}})
	if err != nil {
		t.Fatal(err)
	}
	p := s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "short"}).must(t, 422).problem(t)
	if !fieldNamed(p, "password") {
		t.Errorf("a weak password: %+v", p)
	}
	p = s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "zhang.wei-Pass1"}).must(t, 422).problem(t)
	if !fieldNamed(p, "password") {
		t.Errorf("a password holding the login: %+v", p)
	}
	// The refusals left the link unused: it still sets the password, once.
	s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "Str0ng-enough-pw"}).must(t, 204)
	p = s.do("POST", "/auth/password", "", map[string]string{"link": link, "password": "An0ther-strong-pw"}).must(t, 400).problem(t)
	if !fieldNamed(p, "link") {
		t.Errorf("a used link: %+v", p)
	}
	s.do("POST", "/auth/password", "", map[string]string{"link": "sfl_unknown", "password": "Str0ng-enough-pw"}).must(t, 400)
	for pw, want := range map[string]bool{"Str0ng-enough-pw": true, "An0ther-strong-pw": false} {
		if ok, err := s.store.CheckPassword(ctx, acc.ID, pw); err != nil || ok != want {
			t.Errorf("password %q matches %v (%v), want %v", pw, ok, err, want)
		}
	}
}

func TestTokensActAsTheirPersonAndStopWhenExpiredRevokedOrDisabled(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	org, orgToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000041")
	clerk, clerkToken := s.personWithToken("li.na", "李娜", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk})
	_, approverToken := s.personWithToken("wang.fang", "王芳", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyApprover})

	var me usecase.Me
	s.do("GET", "/v1/me", clerkToken, nil).must(t, 200).json(t, &me)
	if me.Account == nil || me.Account.ID != clerk.ID || me.Via != auth.ViaToken || len(me.Grants) != 1 ||
		me.Acting.Duty != auth.DutyClerk || me.Acting.Scope != "510108" {
		t.Fatalf("me %+v", me)
	}
	s.do("GET", "/v1/me", admin, nil).must(t, 200).json(t, &me)
	if me.Account != nil || me.Via != auth.ViaService || me.Acting.Role != auth.RoleAdmin {
		t.Fatalf("a service token's me %+v", me)
	}

	// The clerk completes the application review: the trail names her.
	var app store.Application
	s.do("POST", "/v1/stations/"+township.ID.String()+"/applications", orgToken, applicationBody()).must(t, 201).json(t, &app)
	review := s.inboxTask(clerkToken, app.ReviewTaskID.String(), func(store.Task) bool { return true })
	start := chinaToday()
	s.do("POST", "/v1/tasks/"+review.ID.String()+"/complete", clerkToken, map[string]any{"decision": "approve",
		"term": map[string]string{"start": start.Format(time.DateOnly), "end": start.AddDate(1, 0, -1).Format(time.DateOnly)}}).must(t, 200)
	s.application(orgToken, app.ID.String(), "approved")
	trail := s.trail(clerkToken, review.ID.String())
	completed := findAction(trail.Items, "task.completed")
	if completed == nil || completed.Actor.AccountID == nil || *completed.Actor.AccountID != clerk.ID ||
		completed.Actor.Name != "李娜" || completed.Actor.Via != "token" {
		t.Fatalf("the trail of the completed review: %+v", trail.Items)
	}
	if created := findAction(trail.Items, "task.open"); created != nil && created.Actor.Via != "service" {
		t.Errorf("the workflow's row is not a service's: %+v", created)
	}
	// The organisation reads its own application's task trail; another does not.
	s.trail(orgToken, review.ID.String())
	_, otherOrg := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000042")
	s.do("GET", "/v1/audit?subject="+review.ID.String(), otherOrg, nil).must(t, 404)
	s.do("GET", "/v1/audit?subject="+org.ID.String(), otherOrg, nil).must(t, 404)
	s.do("GET", "/v1/audit?subject="+review.ID.String(), s.token(auth.RoleOffice, "510104"), nil).must(t, 404)
	s.do("GET", "/v1/audit", clerkToken, nil).must(t, 400)

	// A cycle start is a decision: the clerk is refused, the approver starts it.
	body := map[string]any{"region_code": "510108", "year": chinaToday().Year(), "rubric_version": "annual-2026.1",
		"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0}
	s.do("POST", "/v1/cycles", clerkToken, body).must(t, 403)
	s.do("POST", "/v1/cycles", approverToken, body).must(t, 201)

	// Disabling the account stops its token at once.
	if err := s.store.SetAccountState(ctx, "test", clerk.ID, store.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/me", clerkToken, nil).must(t, 401)

	// A revoked token and an expired one are refused.
	spare, info, err := s.store.CreateAccountToken(ctx, "test", mustAccount(t, s, "wang.fang"), "spare", 24*time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/me", spare, nil).must(t, 200)
	if err := s.store.RevokeToken(ctx, "test", info.ID); err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/me", spare, nil).must(t, 401)
	service, _, err := s.store.CreateServiceToken(ctx, "test", auth.RoleAdmin, "", "", new(time.Now().Add(-time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/me", service, nil).must(t, 401)
	if _, _, err := s.store.CreateAccountToken(ctx, "test", clerk.ID, "after", 0, nil); err == nil {
		t.Error("a disabled account got a new token")
	}
	if _, _, err := s.store.CreateAccountToken(ctx, "test", mustAccount(t, s, "wang.fang"), "long", 400*24*time.Hour, nil); err == nil {
		t.Error("a token beyond a year was made")
	}
	if v, err := s.store.VerifyAudit(ctx); err != nil || v.Damage != nil {
		t.Fatalf("the audit chain with people's rows: %+v (%v)", v.Damage, err)
	}
}

func mustAccount(t *testing.T, s *stack, login string) uuid.UUID {
	t.Helper()
	acc, err := s.store.AccountByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return acc.ID
}

func findAction(items []store.AuditItem, action string) *store.AuditItem {
	for i := range items {
		if items[i].Action == action {
			return &items[i]
		}
	}
	return nil
}
