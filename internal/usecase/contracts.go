package usecase

import (
	"context"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
)

// Contracts (服务合同): the terms under which an organisation runs a
// station, read by the offices over the station's region and by the
// organisation holding the contract, which sees its own contracts only,
// even on a station it no longer runs. Everyone else is told there is no
// such contract (or station).

// StationContracts lists a station's contracts, newest first: all of them
// for an office over its region (and admins), an organisation's own for
// an organisation that holds one there or may see the station.
func (c *Cases) StationContracts(ctx context.Context, who Caller, stationID string) ([]store.ContractView, error) {
	id, err := parseID("station", stationID)
	if err != nil {
		return nil, err
	}
	st, err := load(ctx, "station", id, c.Store.GetStation, func(_ context.Context, st store.Station) (bool, error) {
		switch who.Role {
		case auth.RoleAdmin, auth.RoleOrg: // an organisation's own contracts are cut below
			return true, nil
		case auth.RoleOffice:
			return auth.InRegion(who.Scope, st.RegionCode), nil
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	f := store.ContractFilter{StationID: &st.ID, Today: Today()}
	if who.Role != auth.RoleOrg {
		return c.Store.ContractViews(ctx, f)
	}
	org := who.ScopeID()
	f.OrganisationID = &org
	list, err := c.Store.ContractViews(ctx, f)
	if err != nil || len(list) > 0 {
		return list, err
	}
	if _, err := c.Station(ctx, who, stationID); err != nil {
		return nil, err
	}
	return list, nil
}

// Contract is one contract, for the office over its station's region, the
// organisation holding it, and admins.
func (c *Cases) Contract(ctx context.Context, who Caller, id string) (store.ContractView, error) {
	return loadID(ctx, "contract", id, c.contractView, func(ctx context.Context, k store.ContractView) (bool, error) {
		switch who.Role {
		case auth.RoleAdmin:
			return true, nil
		case auth.RoleOrg:
			return k.OrganisationID == who.ScopeID(), nil
		case auth.RoleOffice:
			st, err := c.Store.GetStation(ctx, k.StationID)
			return err == nil && auth.InRegion(who.Scope, st.RegionCode), err
		}
		return false, nil
	})
}

func (c *Cases) contractView(ctx context.Context, id uuid.UUID) (store.ContractView, error) {
	list, err := c.Store.ContractViews(ctx, store.ContractFilter{ID: &id, Today: Today()})
	if err != nil {
		return store.ContractView{}, err
	}
	if len(list) == 0 {
		return store.ContractView{}, store.ErrNotFound
	}
	return list[0], nil
}
