package usecase

import (
	"context"
	"errors"

	"github.com/stationflow/stationflow/internal/store"
)

// RegionQuery asks for the regions directly below Parent; an empty Parent
// asks for the provinces.
type RegionQuery struct {
	Parent string
}

// Regions lists a region's children with their names, in code order. The
// divisions are public reference data: every caller may read them. An
// unknown parent is not found.
func (c *Cases) Regions(ctx context.Context, who Caller, in Input[RegionQuery]) (store.List[store.Region], error) {
	q, err := in()
	if err != nil {
		return store.List[store.Region]{}, err
	}
	if q.Parent != "" {
		if _, err := c.Store.GetRegion(ctx, q.Parent); errors.Is(err, store.ErrNotFound) {
			return store.List[store.Region]{}, NotFound("region " + q.Parent)
		} else if err != nil {
			return store.List[store.Region]{}, err
		}
	}
	items, err := c.Store.RegionChildren(ctx, q.Parent)
	return store.List[store.Region]{Items: items}, err
}
