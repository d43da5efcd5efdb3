package demo

import (
	"context"
	"testing"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/regions"
	"github.com/stationflow/stationflow/internal/testdb"
)

func TestTheDemoProvinceHasTheReportsCountsAndValidCodes(t *testing.T) {
	p, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	count := map[codes.StationLevel]int{}
	byID := map[string]Station{}
	for _, s := range p.Stations {
		count[s.Level]++
		byID[s.ID.String()] = s
		if err := codes.CheckStationRegion(s.Level, s.RegionCode); err != nil {
			t.Fatalf("station %s: %v", s.Name, err)
		}
	}
	want := map[codes.StationLevel]int{codes.CityCentre: 5, codes.CountyStation: 96, codes.TownshipStation: 843, codes.CommunityRoom: 3507}
	for level, n := range want {
		if count[level] != n {
			t.Errorf("%d %s, want %d", count[level], level, n)
		}
	}
	for _, s := range p.Stations {
		if s.ParentID == nil {
			continue
		}
		parent := byID[s.ParentID.String()]
		wantRegion, _ := codes.ParentStationRegion(s.Level, s.RegionCode)
		if want, _ := s.Level.Parent(); parent.Level != want || parent.RegionCode != wantRegion {
			t.Fatalf("%s (%s) has parent %s (%s)", s.Level, s.RegionCode, parent.Level, parent.RegionCode)
		}
	}
	seen := map[string]bool{}
	for _, o := range p.Organisations {
		if err := codes.ValidateCreditCode(o.CreditCode); err != nil || seen[o.CreditCode] {
			t.Fatalf("organisation %s: %v (duplicate %v)", o.CreditCode, err, seen[o.CreditCode])
		}
		seen[o.CreditCode] = true
	}
	for _, r := range p.Regions {
		if _, err := codes.ParseRegion(r.Code); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	again, _ := Build()
	if again.Stations[4000].ID != p.Stations[4000].ID {
		t.Fatal("the demo province is not the same on every build")
	}
}

func TestLoadingTheDemoTwiceAddsNothing(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	p, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := Load(ctx, st, p, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Stations != Stations || first.Organisations != int64(len(p.Organisations)) || first.Assignments != int64(len(p.Assignments)) {
		t.Fatalf("first load %+v", first)
	}
	second, err := Load(ctx, st, p, "test", nil)
	if err != nil || second != (LoadResult{}) {
		t.Fatalf("second load %+v (%v), want nothing new", second, err)
	}
	v, err := st.VerifyAudit(ctx)
	if err != nil || v.Damage != nil {
		t.Fatalf("audit after loading: %+v %v", v, err)
	}
}

func TestTheDemoProvinceUsesSichuansRealNamesAndACountyWithoutACityCentre(t *testing.T) {
	p, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	all, err := regions.All()
	if err != nil {
		t.Fatal(err)
	}
	official := map[string]string{}
	for _, r := range all {
		official[r.Code] = r.Name
	}
	for _, r := range p.Regions {
		if r.Level == "village" {
			continue
		}
		if name, ok := official[r.Code]; !ok || name != r.Name {
			t.Fatalf("demo region %s %q, data set %q (%v)", r.Code, r.Name, name, ok)
		}
	}
	names := map[string]string{}
	orphans := 0
	for _, s := range p.Stations {
		names[s.RegionCode] = s.Name
		if s.Level == codes.CountyStation && s.ParentID == nil {
			orphans++
		}
	}
	if names["5101"] != "成都市社工支持中心" || names["510104"] != "锦江区社工总站" {
		t.Errorf("Chengdu's centre %q, 锦江区's station %q", names["5101"], names["510104"])
	}
	if orphans == 0 {
		t.Error("every demo county has a city centre; Sichuan's counties beyond the 5 centres' cities have none")
	}
}

func TestASmallerProvinceIsAPrefixOfTheWholeOne(t *testing.T) {
	whole, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	part, err := BuildCounties(3)
	if err != nil {
		t.Fatal(err)
	}
	counties := 0
	for i, s := range part.Stations {
		w := whole.Stations[i]
		if s.ID != w.ID || s.Name != w.Name || s.RegionCode != w.RegionCode || (s.ParentID == nil) != (w.ParentID == nil) ||
			(s.ParentID != nil && *s.ParentID != *w.ParentID) {
			t.Fatalf("station %d differs: %+v, whole province has %+v", i, s, whole.Stations[i])
		}
		if s.Level == codes.CountyStation {
			counties++
		}
	}
	if counties != 3 || len(part.Stations) >= len(whole.Stations) {
		t.Fatalf("%d counties and %d stations in the smaller province", counties, len(part.Stations))
	}
	for _, n := range []int{0, Counties + 1} {
		if _, err := BuildCounties(n); err == nil {
			t.Fatalf("BuildCounties(%d) was accepted", n)
		}
	}
}
