package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// chain creates a city centre, a county station and a township station.
func chain(t *testing.T, st *store.Store) (city, county, township store.Station) {
	t.Helper()
	ctx := context.Background()
	var err error
	city, err = st.CreateStation(ctx, "test", store.Station{Name: "成都市社工支持中心", Level: "city_centre", RegionCode: "5101"})
	if err != nil {
		t.Fatal(err)
	}
	county, err = st.CreateStation(ctx, "test", store.Station{Name: "成华区社工总站", Level: "county_station", RegionCode: "510108", ParentID: &city.ID})
	if err != nil {
		t.Fatal(err)
	}
	township, err = st.CreateStation(ctx, "test", store.Station{Name: "猛追湾街道社工站", Level: "township_station", RegionCode: "510108001", ParentID: &county.ID})
	if err != nil {
		t.Fatal(err)
	}
	return city, county, township
}

func TestStationParentMustBeTheStationOneLevelUpInItsRegion(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	city, county, _ := chain(t, st)

	cases := []struct {
		name   string
		in     store.Station
		reason string
	}{
		{"township under a city centre", store.Station{Name: "x", Level: "township_station", RegionCode: "510108002", ParentID: &city.ID}, "parent_id"},
		{"township without parent", store.Station{Name: "x", Level: "township_station", RegionCode: "510108002"}, "parent_id"},
		{"township in another county", store.Station{Name: "x", Level: "township_station", RegionCode: "510109001", ParentID: &county.ID}, "parent_id"},
		{"city centre with a parent", store.Station{Name: "x", Level: "city_centre", RegionCode: "5103", ParentID: &city.ID}, "parent_id"},
	}
	for _, c := range cases {
		_, err := st.CreateStation(ctx, "test", c.in)
		var rule *store.StationRuleError
		if !errors.As(err, &rule) || rule.Field != c.reason {
			t.Errorf("%s: got %v, want a rule error on %s", c.name, err, c.reason)
		}
	}
	if _, err := st.CreateStation(ctx, "test", store.Station{Name: "again", Level: "county_station", RegionCode: "510108", ParentID: &city.ID}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second county station in 510108: got %v, want ErrConflict", err)
	}
	var regions int
	if err := st.DBForTests().QueryRow(ctx, `SELECT count(*) FROM regions WHERE code IN ('51','5101','510108','510108001')`).Scan(&regions); err != nil || regions != 4 {
		t.Errorf("region chain: %d rows (%v), want province, city, county and township", regions, err)
	}
}

func TestProjectionIsIdempotentAndNeverMovesBack(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)

	p := store.StationProjection{StationID: township.ID, Phase: "operating", Version: 2, Actor: "workflow:x"}
	if changed, err := st.ProjectStation(ctx, p); err != nil || !changed {
		t.Fatalf("first projection: changed=%v err=%v", changed, err)
	}
	if changed, err := st.ProjectStation(ctx, p); err != nil || changed {
		t.Fatalf("repeated projection: changed=%v err=%v, want no change", changed, err)
	}
	late := store.StationProjection{StationID: township.ID, Phase: "awaiting_operator", Version: 1, Actor: "workflow:x"}
	if changed, err := st.ProjectStation(ctx, late); err != nil || changed {
		t.Fatalf("late projection: changed=%v err=%v, want no change", changed, err)
	}
	got, err := st.GetStation(ctx, township.ID)
	if err != nil || got.Phase != "operating" {
		t.Fatalf("phase = %q (%v), want operating", got.Phase, err)
	}
	entries, err := store.ListAudit(ctx, st.DBForTests(), "station", township.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	var phaseChanges int
	for _, e := range entries {
		if e.Action == "station.phase_changed" {
			phaseChanges++
		}
	}
	if phaseChanges != 1 {
		t.Errorf("phase change audited %d times, want once", phaseChanges)
	}
	if _, err := st.ProjectStation(ctx, store.StationProjection{StationID: uuid.New(), Phase: "operating", Version: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("projecting an unknown station: %v, want ErrNotFound", err)
	}
}

func TestListStationsPagesByCursorWithinRegion(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, county, _ := chain(t, st)
	for i := 2; i <= 6; i++ {
		if _, err := st.CreateStation(ctx, "test", store.Station{Name: "t", Level: "township_station",
			RegionCode: "510108" + []string{"", "", "002", "003", "004", "005", "006"}[i], ParentID: &county.ID}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[uuid.UUID]bool{}
	page := store.Page{Limit: 2}
	pages := 0
	for {
		list, err := st.ListStations(ctx, store.StationFilter{RegionPrefix: "510108", Level: "township_station"}, page)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, s := range list.Items {
			if seen[s.ID] {
				t.Fatalf("station %s listed twice", s.ID)
			}
			seen[s.ID] = true
		}
		if list.Next == nil {
			break
		}
		if list.NextCursor != nil {
			t.Fatal("the store set a cursor; sealing it is the API's")
		}
		page.After = *list.Next
	}
	if len(seen) != 6 || pages != 3 {
		t.Errorf("listed %d township stations over %d pages, want 6 over 3", len(seen), pages)
	}
}

// auditedStore is a store whose audit log holds six rows: three stations
// and three tokens.
func auditedStore(t *testing.T) *store.Store {
	t.Helper()
	st, _ := testdb.New(t)
	chain(t, st)
	for range 3 {
		if _, _, err := st.CreateToken(context.Background(), "test", auth.RoleAdmin, "", "t"); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// tamperAudit runs sql on the audit log as a superuser would, with the
// append-only trigger off.
func tamperAudit(t *testing.T, st *store.Store, sql string) {
	t.Helper()
	if _, err := st.DBForTests().Exec(context.Background(), `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; `+sql+
		`; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
}

func TestAuditChainVerifiesAndLocatesDamage(t *testing.T) {
	t.Parallel()
	st := auditedStore(t)
	ctx := context.Background()
	v, err := st.VerifyAudit(ctx)
	if err != nil || v.Damage != nil || v.Rows < 6 {
		t.Fatalf("intact chain: %+v %v", v, err)
	}
	if _, err := st.DBForTests().Exec(ctx, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 4`); err == nil {
		t.Fatal("the audit log accepted an UPDATE; it must be append-only")
	}
	tamperAudit(t, st, `UPDATE audit_log SET actor = 'someone else' WHERE seq = 4`)
	v, err = st.VerifyAudit(ctx)
	if err != nil || v.Damage == nil || v.Damage.Seq != 4 {
		t.Fatalf("edited row 4: %+v %v", v.Damage, err)
	}
}

func TestAuditChainLocatesADeletedAndAReorderedRow(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		sql    string
		seq    int64
		reason string
	}{
		"deleted": {`DELETE FROM audit_log WHERE seq = 4`, 4, "missing"},
		// Rows 3 and 5 change places: row 3 now links to a row that is not its predecessor.
		"reordered": {`UPDATE audit_log SET seq = 1000 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 5;
			UPDATE audit_log SET seq = 5 WHERE seq = 1000`, 3, "link"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := auditedStore(t)
			tamperAudit(t, st, c.sql)
			v, err := st.VerifyAudit(context.Background())
			if err != nil || v.Damage == nil || v.Damage.Seq != c.seq || !strings.Contains(v.Damage.Reason, c.reason) {
				t.Fatalf("%s: damage %+v (%v), want row %d (%s)", name, v.Damage, err, c.seq, c.reason)
			}
		})
	}
}

func TestTokensAuthenticateUntilRevoked(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	token, p, err := st.CreateToken(ctx, "test", auth.RoleOffice, "510108", "demo")
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Authenticate(ctx, token)
	if err != nil || got.TokenID != p.TokenID || got.Role != p.Role || got.Scope != p.Scope || got.Via != auth.ViaService {
		t.Fatalf("authenticate: %+v %v, want %+v", got, err, p)
	}
	var stored []byte
	if err := st.DBForTests().QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, p.TokenID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == token {
		t.Fatal("token stored in plain text")
	}
	if n, err := st.RevokeTokensByLabel(ctx, "test", "demo"); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	if _, err := st.Authenticate(ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token still authenticates: %v", err)
	}
	if _, _, err := st.CreateToken(ctx, "test", auth.RoleOffice, "5x", ""); err == nil {
		t.Fatal("an office token with a malformed region scope was minted")
	}
}
