package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

func TestRegionsListChengdusDistrictsWithNamesAndRefuseJunk(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	org := s.token(auth.RoleOrg, "7e1a0000-0000-4000-8000-000000000001")
	var list store.List[store.Region]
	s.do("GET", "/v1/regions?parent=5101", org, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) != 20 || list.Items[0].Code != "510104" || list.Items[0].Name != "锦江区" ||
		list.Items[4].Code != "510108" || list.Items[4].Name != "成华区" || list.Items[19].Name != "简阳市" {
		t.Fatalf("Chengdu's districts %+v", list.Items)
	}
	for i := 1; i < len(list.Items); i++ {
		if list.Items[i-1].Code >= list.Items[i].Code || *list.Items[i].ParentCode != "5101" || list.Items[i].Level != "county" {
			t.Fatalf("not Chengdu's counties in code order: %+v", list.Items)
		}
	}
	s.do("GET", "/v1/regions?parent=510108", org, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) == 0 || list.Items[0].Code != "510108002" || list.Items[0].Name != "猛追湾街道" {
		t.Fatalf("成华区's streets %+v", list.Items)
	}
	s.do("GET", "/v1/regions", org, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) != 31 || list.Items[0].Name != "北京市" {
		t.Fatalf("provinces %+v", list.Items)
	}
	for _, junk := range []string{"abc", "5100", "51010", "99"} {
		if p := s.do("GET", "/v1/regions?parent="+junk, org, nil).must(t, http.StatusBadRequest).problem(t); !fieldNamed(p, "parent") {
			t.Errorf("parent=%s: %+v", junk, p)
		}
	}
	s.do("GET", "/v1/regions?parent=510199", org, nil).must(t, http.StatusNotFound)
	s.do("GET", "/v1/regions?parent=5101", "", nil).must(t, http.StatusUnauthorized)
}

func TestAStationOutsideTheDivisionsIsRefusedUnlessAnAdminAllowsIt(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin, office := s.token(auth.RoleAdmin, ""), s.token(auth.RoleOffice, "510108")
	var county store.Station
	s.do("POST", "/v1/stations", admin, map[string]any{"name": "成华区社工总站", "level": "county_station", "region_code": "510108"}).
		must(t, http.StatusCreated).json(t, &county)
	if county.RegionName != "成华区" || county.ParentID != nil {
		t.Fatalf("county station %+v", county)
	}
	// 510108001 is a well-formed township code the data set does not hold.
	unknown := map[string]any{"name": "x街道社工站", "level": "township_station", "region_code": "510108001", "parent_id": county.ID}
	for _, token := range []string{admin, office} {
		if p := s.do("POST", "/v1/stations", token, unknown).must(t, http.StatusUnprocessableEntity).problem(t); !fieldNamed(p, "region_code") {
			t.Errorf("unknown region: %+v", p)
		}
	}
	room := map[string]any{"name": "x社区社工服务室", "level": "community_room", "region_code": "510108001001", "parent_id": county.ID}
	if p := s.do("POST", "/v1/stations", admin, room).must(t, http.StatusUnprocessableEntity).problem(t); !fieldNamed(p, "region_code") {
		t.Errorf("a village in an unknown township: %+v", p)
	}
	unknown["allow_unknown_region"] = true
	if p := s.do("POST", "/v1/stations", office, unknown).must(t, http.StatusForbidden).problem(t); !fieldNamed(p, "allow_unknown_region") {
		t.Errorf("an office allowing an unknown region: %+v", p)
	}
	var newer store.Station
	s.do("POST", "/v1/stations", admin, unknown).must(t, http.StatusCreated).json(t, &newer)
	if newer.RegionName != "" {
		t.Fatalf("a region outside the data set has a name: %+v", newer)
	}
	var township store.Station
	s.do("POST", "/v1/stations", office, map[string]any{"name": "猛追湾街道社工站", "level": "township_station", "region_code": "510108002",
		"parent_id": county.ID}).must(t, http.StatusCreated).json(t, &township)
	var list store.List[store.Station]
	s.do("GET", "/v1/stations?region=510108002", office, nil).must(t, http.StatusOK).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].RegionName != "猛追湾街道" {
		t.Fatalf("listed %+v", list.Items)
	}
	var got store.Station
	s.do("GET", "/v1/stations/"+township.ID.String(), office, nil).must(t, http.StatusOK).json(t, &got)
	if got.RegionName != "猛追湾街道" {
		t.Fatalf("station %+v", got)
	}
}

func TestACountyStationWithoutACityCentreEscalatesToTheCityOfficeAndProvince(t *testing.T) {
	t.Parallel()
	s := newStackWith(t, stackOptions{workday: 300 * time.Millisecond, policies: map[string]flow.TaskPolicy{
		"application_review": {DueWorkdays: 3, RemindWorkdaysBefore: 1, EscalateEveryWorkdays: 2},
	}})
	admin := s.token(auth.RoleAdmin, "")
	// 绵阳 (5107) has no city support centre: 涪城区's general station has
	// no parent station.
	var county store.Station
	s.do("POST", "/v1/stations", s.token(auth.RoleOffice, "510703"), map[string]any{"name": "涪城区社工总站", "level": "county_station",
		"region_code": "510703"}).must(t, http.StatusCreated).json(t, &county)
	if county.ParentID != nil || county.RegionName != "涪城区" {
		t.Fatalf("county station %+v", county)
	}
	_, token := s.organisation(admin, "涪城区阳光社工服务中心", "52510703MJ0000007")
	var app store.Application
	s.do("POST", "/v1/stations/"+county.ID.String()+"/applications", token, applicationBody()).must(t, 201).json(t, &app)

	task := s.inboxTask(s.token(auth.RoleOffice, "510703"), app.ReviewTaskID.String(), func(store.Task) bool { return true })
	if task.Assignee.ID != "510703" || task.RegionName != "涪城区" {
		t.Fatalf("review task %+v", task)
	}
	city := s.token(auth.RoleOffice, "5107")
	task = s.inboxTask(city, app.ReviewTaskID.String(), func(t store.Task) bool { return t.EscalationLevel >= 1 })
	if task.EscalatedTo != "5107" || task.State != "escalated" {
		t.Fatalf("escalated to the city office: %+v", task)
	}
	task = s.inboxTask(s.token(auth.RoleOffice, "51"), app.ReviewTaskID.String(), func(t store.Task) bool { return t.EscalationLevel == 2 })
	if task.EscalatedTo != "51" || task.RegionName != "涪城区" {
		t.Fatalf("escalated to the province: %+v", task)
	}
	s.do("POST", "/v1/tasks/"+task.ID.String()+"/complete", city, map[string]any{"decision": "approve"}).must(t, 200)
}
