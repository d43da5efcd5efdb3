package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
)

// Who creates whom. An admin creates any account. An office creates
// accounts whose every grant lies inside its region: an office of its own
// region or a sub-region (a clerk may not grant an approver), supervisors
// and evaluators whose people record is in its region, and staff of
// organisations registered in its region (the region in characters 3-8
// of the organisation's unified social credit code); never an admin, nor
// an office above or beside itself. An organisation's administrator (an
// org grant with org_admin set) invites its own staff: org grants of its
// own organisation only. Every other caller administers no account.
//
// A caller sees and changes exactly the accounts it could have created:
// an account with any grant outside the caller's reach is not found.

// GrantRequest is one grant as a request gives it. A supervisor's grant
// names the person record (person_id) the account is; any other grant
// names its scope.
type GrantRequest struct {
	Role     string     `json:"role" validate:"required,oneof=admin office supervisor org"`
	Scope    string     `json:"scope" validate:"max=36"`
	Duty     string     `json:"duty" validate:"omitempty,oneof=clerk approver"`
	OrgAdmin bool       `json:"org_admin"`
	PersonID *uuid.UUID `json:"person_id"`
}

// grant turns the request into a grant, refusing with 422 naming the field
// under prefix a grant whose parts do not fit its role.
func (g GrantRequest) grant(prefix string) (auth.Grant, error) {
	out := auth.Grant{Role: auth.Role(g.Role), Scope: g.Scope, Duty: auth.Duty(g.Duty), OrgAdmin: g.OrgAdmin}
	refuse := func(field, zh, en string) (auth.Grant, error) {
		return out, invalid("the grant does not fit its role", forms.FieldError{Field: prefix + field, Message: zh + " / " + en})
	}
	switch {
	case out.Role == auth.RoleSupervisor && g.PersonID == nil:
		return refuse("person_id", "督导授权须指明人员", "a supervisor grant names the person record")
	case out.Role == auth.RoleSupervisor && g.Scope != "":
		return refuse("scope", "督导授权以 person_id 指明范围", "a supervisor grant takes person_id, not scope")
	case out.Role != auth.RoleSupervisor && g.PersonID != nil:
		return refuse("person_id", "只有督导授权指明人员", "only a supervisor grant names a person")
	case out.Role == auth.RoleOffice && out.Duty == "":
		return refuse("duty", "民政部门授权须有职责：clerk（经办）或 approver（审批）", "an office grant needs a duty: clerk or approver")
	case out.Role != auth.RoleOffice && out.Duty != "":
		return refuse("duty", "只有民政部门授权有职责", "only an office grant has a duty")
	case out.OrgAdmin && out.Role != auth.RoleOrg:
		return refuse("org_admin", "只有机构授权可管理机构账户", "only an org grant administers an organisation")
	}
	if g.PersonID != nil {
		out.Scope = g.PersonID.String()
	}
	if err := auth.CheckScope(out.Role, out.Scope); err != nil {
		return refuse("scope", "范围与角色不符", err.Error())
	}
	return out, nil
}

// NewAccountRequest is an account to create with its grants.
type NewAccountRequest struct {
	Login       string         `json:"login" validate:"required,max=64"`
	DisplayName string         `json:"display_name" validate:"required,max=100,name"`
	Mobile      string         `json:"mobile" validate:"omitempty,max=11"`
	Email       string         `json:"email" validate:"omitempty,max=254"`
	Grants      []GrantRequest `json:"grants" validate:"required,min=1,max=8,dive"`
}

// CreatedAccount is a new account with its single-use first sign-in link,
// shown this once.
type CreatedAccount struct {
	Account    store.Account `json:"account"`
	SignInLink string        `json:"sign_in_link"`
}

// SignInLink is a single-use link to set a password, shown this once.
type SignInLink struct {
	SignInLink string `json:"sign_in_link"`
}

// administers refuses a caller that administers no account.
func administers(who Caller) error {
	if who.Role == auth.RoleAdmin || who.Role == auth.RoleOffice || orgAdmin(who) {
		return nil
	}
	return forbidden("只有管理员、民政部门和机构管理员可管理账户 / only admins, offices and organisation administrators administer accounts")
}

// orgAdmin reports whether the caller acts as an organisation's administrator.
func orgAdmin(who Caller) bool {
	return who.Role == auth.RoleOrg && len(who.Grants) > 0 && who.Grants[0].OrgAdmin
}

// CreateAccount creates an account the caller may create, with its first
// sign-in link.
func (c *Cases) CreateAccount(ctx context.Context, who Caller, in Input[NewAccountRequest]) (CreatedAccount, error) {
	if err := administers(who); err != nil {
		return CreatedAccount{}, err
	}
	req, err := in()
	if err != nil {
		return CreatedAccount{}, err
	}
	na := store.NewAccount{Login: req.Login, Name: req.DisplayName, Mobile: req.Mobile, Email: req.Email}
	if err := na.CheckFields(); err != nil {
		return CreatedAccount{}, storeRefusal(err)
	}
	for i, gr := range req.Grants {
		prefix := fmt.Sprintf("grants[%d].", i)
		g, err := gr.grant(prefix)
		if err != nil {
			return CreatedAccount{}, err
		}
		if err := c.mayGrant(ctx, who, prefix, g); err != nil {
			return CreatedAccount{}, err
		}
		na.Grants = append(na.Grants, g)
	}
	acc, link, err := c.Store.CreateAccount(ctx, who.Actor(), na)
	if err != nil {
		return CreatedAccount{}, storeRefusal(err)
	}
	return CreatedAccount{Account: acc, SignInLink: auth.SignInPath(link)}, nil
}

// storeRefusal turns a store's field refusal into the use case's, naming
// the request's fields, and a conflict into a conflict.
func storeRefusal(err error) error {
	var fields forms.Errors
	switch {
	case errors.As(err, &fields):
		for i := range fields {
			if fields[i].Field == "name" {
				fields[i].Field = "display_name"
			}
		}
		return invalidIf(fields)
	case errors.Is(err, store.ErrConflict):
		return conflict(err.Error())
	}
	return err
}

// mayGrant refuses a grant outside the caller's reach, naming the field
// under prefix: 403 for a grant of a kind the caller may never give, 422
// for a person or organisation it does not know.
func (c *Cases) mayGrant(ctx context.Context, who Caller, prefix string, g auth.Grant) error {
	switch {
	case who.Role == auth.RoleAdmin:
		return nil
	case who.Role == auth.RoleOffice:
		return c.officeMayGrant(ctx, who, prefix, g)
	case orgAdmin(who):
		if g.Role != auth.RoleOrg {
			return forbidden("机构管理员只能授予本机构的机构授权 / an organisation administrator grants org grants of its own organisation only",
				forms.FieldError{Field: prefix + "role", Message: "须为 org / must be org"})
		}
		if g.Scope != who.Scope {
			return forbidden("机构管理员只能授予本机构的机构授权 / an organisation administrator grants org grants of its own organisation only",
				forms.FieldError{Field: prefix + "scope", Message: "须为本机构 / must be your own organisation"})
		}
		return nil
	}
	return administers(who)
}

func (c *Cases) officeMayGrant(ctx context.Context, who Caller, prefix string, g auth.Grant) error {
	switch g.Role {
	case auth.RoleAdmin:
		return forbidden("民政部门不能授予管理员 / an office may not grant admin",
			forms.FieldError{Field: prefix + "role", Message: "民政部门不能授予 admin / an office may not grant admin"})
	case auth.RoleOffice:
		if !codes.Within(g.Scope, who.Scope) {
			return forbidden("民政部门只能授予本辖区或下级辖区的部门授权 / an office grants offices of its own region or below only",
				forms.FieldError{Field: prefix + "scope", Message: "须在辖区 " + who.Scope + " 内 / must lie within region " + who.Scope})
		}
		if g.Duty == auth.DutyApprover && !who.MayDecide() {
			return forbidden("经办人员不能授予审批职责 / a clerk may not grant the approver duty",
				forms.FieldError{Field: prefix + "duty", Message: "经办人员只能授予 clerk / a clerk grants clerk only"})
		}
		return nil
	case auth.RoleSupervisor:
		person, err := c.Store.GetPerson(ctx, g.ScopeID())
		if errors.Is(err, store.ErrNotFound) || (err == nil && !auth.InRegion(who.Scope, person.RegionCode)) {
			return invalid("no such person in this office's region",
				forms.FieldError{Field: prefix + "person_id", Message: "辖区内没有这个人员 / names no person in your region"})
		}
		return err
	case auth.RoleOrg:
		org, err := c.Store.GetOrganisation(ctx, g.ScopeID())
		if errors.Is(err, store.ErrNotFound) || (err == nil && !auth.InRegion(who.Scope, orgRegion(org))) {
			return invalid("no such organisation registered in this office's region",
				forms.FieldError{Field: prefix + "scope", Message: "辖区内没有登记这个机构 / names no organisation registered in your region"})
		}
		return err
	}
	return forbidden("unknown role")
}

// orgRegion is the region an organisation is registered in: characters
// 3-8 of its unified social credit code, a GB/T 2260 code written short
// ("510100" is the city 5101, "510000" the province 51).
func orgRegion(org store.Organisation) string {
	if len(org.CreditCode) < 8 {
		return ""
	}
	code := org.CreditCode[2:8]
	for _, short := range []string{code[:2], code[:4]} {
		if code == short+strings.Repeat("0", 6-len(short)) {
			return short
		}
	}
	return code
}

// Account is an account the caller administers.
func (c *Cases) Account(ctx context.Context, who Caller, id string) (store.Account, error) {
	if err := administers(who); err != nil {
		return store.Account{}, err
	}
	return loadID(ctx, "account", id, c.Store.GetAccount, func(ctx context.Context, acc store.Account) (bool, error) {
		return c.seesAccount(ctx, who, acc)
	})
}

// seesAccount: the caller could have given every grant the account holds.
func (c *Cases) seesAccount(ctx context.Context, who Caller, acc store.Account) (bool, error) {
	if who.Role == auth.RoleAdmin {
		return true, nil
	}
	if len(acc.Grants) == 0 {
		return false, nil
	}
	for _, g := range acc.Grants {
		err := c.mayGrant(ctx, who, "", g)
		var refusal *Error
		if errors.As(err, &refusal) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// SetAccountState disables or enables an account the caller administers.
// A disabled account's tokens stop at once.
func (c *Cases) SetAccountState(ctx context.Context, who Caller, id, state string) (store.Account, error) {
	acc, err := c.Account(ctx, who, id)
	if err != nil {
		return acc, err
	}
	if acc.ID == who.AccountID && state == store.AccountDisabled {
		return acc, conflict("不能停用自己的账户 / an account may not disable itself")
	}
	if err := c.Store.SetAccountState(ctx, who.Actor(), acc.ID, state); err != nil {
		return acc, err
	}
	acc.State = state
	return acc, nil
}

// ResetLink issues a password reset link for an account the caller
// administers.
func (c *Cases) ResetLink(ctx context.Context, who Caller, id string) (SignInLink, error) {
	acc, err := c.Account(ctx, who, id)
	if err != nil {
		return SignInLink{}, err
	}
	link, err := c.Store.ResetLink(ctx, who.Actor(), acc.ID)
	return SignInLink{SignInLink: auth.SignInPath(link)}, err
}

// AddGrant gives an account the caller administers a grant within the
// caller's reach.
func (c *Cases) AddGrant(ctx context.Context, who Caller, id string, in Input[GrantRequest]) (auth.Grant, error) {
	acc, err := c.Account(ctx, who, id)
	if err != nil {
		return auth.Grant{}, err
	}
	req, err := in()
	if err != nil {
		return auth.Grant{}, err
	}
	g, err := req.grant("")
	if err != nil {
		return g, err
	}
	if err := c.mayGrant(ctx, who, "", g); err != nil {
		return g, err
	}
	g, err = c.Store.AddGrant(ctx, who.Actor(), acc.ID, g)
	return g, storeRefusal(err)
}

// RemoveGrant takes a grant from an account the caller administers; an
// account keeps at least one grant (disable it instead).
func (c *Cases) RemoveGrant(ctx context.Context, who Caller, id, grant string) error {
	acc, err := c.Account(ctx, who, id)
	if err != nil {
		return err
	}
	gid, err := parseID("grant", grant)
	if err != nil {
		return err
	}
	held := false
	for _, g := range acc.Grants {
		held = held || g.ID == gid
	}
	if !held {
		return NotFound("grant")
	}
	if len(acc.Grants) == 1 {
		return conflict("账户至少保留一项授权，可改为停用 / an account keeps at least one grant: disable it instead")
	}
	return c.Store.RemoveGrant(ctx, who.Actor(), acc.ID, gid)
}

// AccountQuery asks for a page of the accounts the caller administers,
// narrowed by state, role and a login or display-name prefix.
type AccountQuery struct {
	State  string
	Role   string
	Prefix string
	Page   store.Page
}

// Accounts lists, in login order, exactly the accounts the caller sees
// one by one (seesAccount). Mobile numbers and e-mail addresses are
// personal data an organisation's administrator does not need: only
// admins and offices get them.
func (c *Cases) Accounts(ctx context.Context, who Caller, in Input[AccountQuery]) (store.List[store.Account], error) {
	if err := administers(who); err != nil {
		return store.List[store.Account]{}, err
	}
	q, err := in()
	if err != nil {
		return store.List[store.Account]{}, err
	}
	f := store.AccountFilter{State: q.State, Role: q.Role, Prefix: q.Prefix}
	list, err := c.Store.ListAccounts(ctx, f, q.Page, func(acc store.Account) (bool, error) {
		return c.seesAccount(ctx, who, acc)
	})
	if who.Role != auth.RoleAdmin && who.Role != auth.RoleOffice {
		for i := range list.Items {
			list.Items[i].Mobile, list.Items[i].Email = "", ""
		}
	}
	return list, err
}
