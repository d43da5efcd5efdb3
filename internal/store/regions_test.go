package store_test

import (
	"context"
	"testing"

	"github.com/stationflow/stationflow/internal/regions"
	"github.com/stationflow/stationflow/internal/testdb"
)

func TestMigratingLoadsTheRegionsAndLoadingAgainChangesNothing(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	all, err := regions.All()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DBForTests().QueryRow(ctx, `SELECT count(*) FROM regions WHERE official`).Scan(&n); err != nil || n != len(all) {
		t.Fatalf("%d official regions after migrating (%v), want %d", n, err, len(all))
	}
	again, err := st.LoadRegions(ctx, false)
	if err != nil || !again.Skipped || again.Version != regions.Version() {
		t.Fatalf("second load %+v (%v), want skipped at %s", again, err, regions.Version())
	}
	forced, err := st.LoadRegions(ctx, true)
	if err != nil || forced.Skipped || forced.Changed != 0 {
		t.Fatalf("forced load %+v (%v), want every row unchanged", forced, err)
	}
	// A region created before its name was known is named by the next load.
	if _, err := st.DBForTests().Exec(ctx, `UPDATE regions SET name = '', official = false WHERE code = '510104'`); err != nil {
		t.Fatal(err)
	}
	forced, err = st.LoadRegions(ctx, true)
	if err != nil || forced.Changed != 1 {
		t.Fatalf("load after a name was lost %+v (%v), want 1 change", forced, err)
	}
	chengdu, err := st.RegionChildren(ctx, "5101")
	if err != nil || len(chengdu) != 20 || chengdu[0].Code != "510104" || chengdu[0].Name != "锦江区" || !chengdu[0].Official {
		t.Fatalf("Chengdu's districts: %+v (%v)", chengdu, err)
	}
}
