package usecase

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
)

// A clerk (经办) completes ordinary tasks but is refused decisions; an
// approver (审批), an office service token and an admin take them.
func TestAClerkMayNotDecide(t *testing.T) {
	clerk := Caller{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk, AccountID: uuid.New(), Via: auth.ViaToken, TokenID: uuid.New()}
	approver := Caller{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyApprover, AccountID: uuid.New()}
	service := Caller{Role: auth.RoleOffice, Scope: "510108"}
	admin := Caller{Role: auth.RoleAdmin}
	for _, kind := range []string{flow.KindRenewalDecision, flow.KindAppealReview} {
		var refusal *Error
		if err := mayDecideTask(clerk, kind); !errors.As(err, &refusal) || refusal.Kind != KindForbidden {
			t.Errorf("a clerk on a %s: %v", kind, err)
		}
		for _, who := range []Caller{approver, service, admin} {
			if err := mayDecideTask(who, kind); err != nil {
				t.Errorf("%+v on a %s: %v", who, kind, err)
			}
		}
	}
	for _, kind := range []string{flow.KindApplicationReview, flow.KindSupervision, flow.KindRectificationCheck} {
		if err := mayDecideTask(clerk, kind); err != nil {
			t.Errorf("a clerk on a %s: %v", kind, err)
		}
	}
	// The workflow learns the person's account ID, never a name; a claim
	// belongs to the person, whichever token they use.
	c := flowCaller(clerk)
	if c.AccountID != clerk.AccountID.String() || c.Via != "token" || c.Claimant() != c.AccountID ||
		c.Actor() != clerk.Actor() || c.Actor() != "account:"+c.AccountID+":token:"+clerk.TokenID.String() {
		t.Errorf("flow caller %+v, actor %q", c, c.Actor())
	}
	if s := flowCaller(service); s.AccountID != "" || s.Claimant() != s.TokenID || s.Actor() != "token:"+s.TokenID {
		t.Errorf("a service token's flow caller %+v", s)
	}
}
