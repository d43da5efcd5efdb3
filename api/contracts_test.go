package api

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

func TestAContractIsReadByItsOfficeAndItsOrganisationAndIsAbsentToAnyoneElse(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	county := s.token(auth.RoleOffice, "510108")
	city := s.token(auth.RoleOffice, "5101")
	otherCounty := s.token(auth.RoleOffice, "510104")
	orgA, orgAToken := s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	_, orgBToken := s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000092")
	_, _, township := s.province(admin)
	s.operatorFor(township, orgAToken, county)

	var list struct{ Items []store.ContractView }
	s.do("GET", "/v1/stations/"+township.ID.String()+"/contracts", county, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("the township has %d contracts, want the one its approval started", len(list.Items))
	}
	k := list.Items[0]
	start := chinaToday()
	if k.OrganisationID != orgA.ID || k.StationID != township.ID || k.FundingFen != 35_000_000 || k.State != "active" ||
		k.TermStart != start.Format(time.DateOnly) || k.TermEnd != start.AddDate(1, 0, -1).Format(time.DateOnly) ||
		k.ApplicationID == nil || k.PreviousContractID != nil {
		t.Fatalf("contract %+v", k)
	}
	var app store.Application
	s.do("GET", "/v1/applications/"+k.ApplicationID.String(), orgAToken, nil).must(t, 200).json(t, &app)
	if app.ContractID == nil || *app.ContractID != k.ID {
		t.Fatalf("the contract names application %s, whose contract is %v", k.ApplicationID, app.ContractID)
	}

	contract := "/v1/contracts/" + k.ID.String()
	for _, tok := range []string{county, city, orgAToken, admin} {
		var got store.ContractView
		s.do("GET", contract, tok, nil).must(t, 200).json(t, &got)
		if got.ID != k.ID || got.FundingFen != k.FundingFen {
			t.Fatalf("read %+v, want %+v", got, k)
		}
	}
	s.do("GET", "/v1/stations/"+township.ID.String()+"/contracts", orgAToken, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != k.ID {
		t.Fatalf("the organisation lists %+v", list.Items)
	}
	unknown := s.do("GET", "/v1/contracts/"+uuid.NewString(), orgBToken, nil).must(t, 404).problem(t)
	for _, tok := range []string{otherCounty, orgBToken} {
		p := s.do("GET", contract, tok, nil).must(t, 404).problem(t)
		if p.Title != unknown.Title || p.Detail != unknown.Detail {
			t.Errorf("outside scope %q %q, an unknown contract %q %q", p.Title, p.Detail, unknown.Title, unknown.Detail)
		}
		s.do("GET", "/v1/stations/"+township.ID.String()+"/contracts", tok, nil).must(t, 404)
	}

	// A renewal names the contract it follows, which then reads as ended,
	// newest first; it came from no application of its own.
	renewed := store.NewID()
	end, _ := time.Parse(time.DateOnly, k.TermEnd)
	if err := s.store.RenewContract(ctx, k.ID, renewed, end.AddDate(0, 0, 1), end.AddDate(1, 0, 0), "test"); err != nil {
		t.Fatal(err)
	}
	s.do("GET", "/v1/stations/"+township.ID.String()+"/contracts", orgAToken, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 2 || list.Items[0].ID != renewed || list.Items[0].PreviousContractID == nil ||
		*list.Items[0].PreviousContractID != k.ID || list.Items[0].ApplicationID != nil || list.Items[0].FundingFen != k.FundingFen ||
		list.Items[1].ID != k.ID || list.Items[1].State != "ended" {
		t.Fatalf("after renewal: %+v", list.Items)
	}
}
