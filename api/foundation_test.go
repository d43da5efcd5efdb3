package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
)

// A credit code whose check character is right (GB 32100-2015).
const validCreditCode = "91110000100017643K"

// province builds a city centre, county station and township station over
// HTTP as an admin and returns them.
func (s *stack) province(admin string) (city, county, township store.Station) {
	s.t.Helper()
	s.do("POST", "/v1/stations", admin, map[string]any{"name": "成都市社工支持中心", "level": "city_centre", "region_code": "5101"}).
		must(s.t, http.StatusCreated).json(s.t, &city)
	s.do("POST", "/v1/stations", admin, map[string]any{"name": "成华区社工总站", "level": "county_station", "region_code": "510108", "parent_id": city.ID}).
		must(s.t, http.StatusCreated).json(s.t, &county)
	// 510108001 is not in the administrative divisions data (猛追湾街道 is
	// 510108002 there): the fixture keeps its code as an admin may.
	s.do("POST", "/v1/stations", admin, map[string]any{"name": "猛追湾街道社工站", "level": "township_station", "region_code": "510108001",
		"parent_id": county.ID, "allow_unknown_region": true}).must(s.t, http.StatusCreated).json(s.t, &township)
	return city, county, township
}

func TestCreatingAStationStartsItsLifecycleAwaitingAnOperator(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	var org store.Organisation
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "成华区阳光社工服务中心", "credit_code": validCreditCode}).
		must(t, http.StatusCreated).json(t, &org)
	_, _, township := s.province(admin)

	var got store.Station
	s.do("GET", "/v1/stations/"+township.ID.String(), admin, nil).must(t, http.StatusOK).json(t, &got)
	if got.Phase != "awaiting_operator" || got.Level != "township_station" || got.RegionCode != "510108001" || got.ParentID == nil {
		t.Fatalf("station = %+v", got)
	}

	// The workflow runs under the station's ID, with typed search attributes,
	// and answers the status query.
	ctx := context.Background()
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, flow.StationWorkflowID(township.ID.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	if desc.WorkflowExecutionInfo.Status != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow status %v", desc.WorkflowExecutionInfo.Status)
	}
	fields := desc.WorkflowExecutionInfo.SearchAttributes.GetIndexedFields()
	for name, want := range map[string]string{"StationID": township.ID.String(), "RegionCode": "510108001",
		"StationLevel": "township_station", "Phase": "awaiting_operator"} {
		p, ok := fields[name]
		if !ok || string(p.Data) != `"`+want+`"` {
			t.Errorf("search attribute %s = %v, want %q", name, p, want)
		}
	}
	var status flow.StationStatus
	require.Eventually(t, func() bool {
		v, err := s.temporal.QueryWorkflow(ctx, flow.StationWorkflowID(township.ID.String()), "", flow.StatusQuery)
		return err == nil && v.Get(&status) == nil && status.Version >= 1
	}, 10*time.Second, 50*time.Millisecond, "status query never reached version 1")
	if status.Phase != "awaiting_operator" || status.Version != 1 {
		t.Fatalf("status query = %+v", status)
	}
	// The row holds the first phase at version 1 and knows its workflow runs.
	waitFor(t, func() bool {
		var version int64
		var started bool
		err := s.store.DBForTests().QueryRow(ctx, `SELECT phase_version, workflow_started FROM stations WHERE id = $1`, township.ID).Scan(&version, &started)
		return err == nil && version == 1 && started
	})
	s.recordHistory(flow.StationWorkflowID(township.ID.String()), "station-awaiting-operator")
}

func TestCallersSeeOnlyWhatTheirScopeHolds(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ctx := context.Background()
	admin := s.token(auth.RoleAdmin, "")
	_, _, township := s.province(admin)
	var orgA, orgB store.Organisation
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "A", "credit_code": validCreditCode}).must(t, 201).json(t, &orgA)
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "B", "credit_code": "91350100M000100Y43"}).must(t, 201).json(t, &orgB)
	// Organisation B operates the township station.
	if _, err := s.store.ProjectStation(ctx, store.StationProjection{StationID: township.ID, Phase: "operating", OperatorID: &orgB.ID, Version: 100}); err != nil {
		t.Fatal(err)
	}
	tokenA := s.token(auth.RoleOrg, orgA.ID.String())
	tokenB := s.token(auth.RoleOrg, orgB.ID.String())
	countyOffice := s.token(auth.RoleOffice, "510108")
	otherCounty := s.token(auth.RoleOffice, "510104")
	stationPath := "/v1/stations/" + township.ID.String()

	if p := s.do("GET", stationPath, "", nil).must(t, 401).problem(t); p.Status != 401 {
		t.Errorf("no token: %+v", p)
	}
	s.do("GET", stationPath, "sf_not-a-real-token", nil).must(t, 401)
	s.do("GET", stationPath, tokenA, nil).must(t, 404).problem(t)
	s.do("GET", stationPath, tokenB, nil).must(t, 200)
	s.do("GET", stationPath, countyOffice, nil).must(t, 200)
	s.do("GET", stationPath, otherCounty, nil).must(t, 404)
	s.do("GET", "/v1/organisations/"+orgB.ID.String(), tokenA, nil).must(t, 404)
	s.do("GET", "/v1/organisations/"+orgA.ID.String(), tokenA, nil).must(t, 200)

	// A role that may not act is 403, whatever the object.
	s.do("POST", "/v1/stations", tokenA, map[string]any{"name": "x", "level": "city_centre", "region_code": "5103"}).must(t, 403).problem(t)
	// An office acts only inside its region.
	p := s.do("POST", "/v1/stations", otherCounty, map[string]any{"name": "x", "level": "township_station", "region_code": "510108002",
		"parent_id": township.ParentID}).must(t, 403).problem(t)
	if !fieldNamed(p, "region_code") {
		t.Errorf("out-of-scope create names no field: %+v", p)
	}

	// Lists are cut to the scope.
	var list store.List[store.Station]
	s.do("GET", "/v1/stations?region=51", otherCounty, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("office 510104 lists %d stations of 510108", len(list.Items))
	}
	s.do("GET", "/v1/stations?level=township_station", countyOffice, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != township.ID {
		t.Errorf("county office lists %+v", list.Items)
	}
	s.do("GET", "/v1/stations", tokenA, nil).must(t, 200).json(t, &list)
	for _, st := range list.Items {
		if st.ID == township.ID {
			t.Error("organisation A lists organisation B's station")
		}
	}
}

func TestBadRequestsAreProblemsNamingTheField(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")

	p := s.do("POST", "/v1/organisations", admin, `{"name": "x", "credit_code": `).must(t, 400).problem(t)
	if !fieldNamed(p, "body") {
		t.Errorf("truncated JSON: %+v", p)
	}
	p = s.do("POST", "/v1/organisations", admin, `{"name": "x", "credit_code": "91110000100017643K", "state": "approved"}`).must(t, 400).problem(t)
	if !fieldNamed(p, "state") {
		t.Errorf("unknown field: %+v", p)
	}
	p = s.do("POST", "/v1/organisations", admin, `{"name": 7, "credit_code": "91110000100017643K"}`).must(t, 400).problem(t)
	if !fieldNamed(p, "name") {
		t.Errorf("wrong type: %+v", p)
	}
	p = s.do("POST", "/v1/organisations", admin, map[string]any{"name": "x", "credit_code": "91110000100017643A"}).must(t, 422).problem(t)
	if !fieldNamed(p, "credit_code") || p.Type != ProblemInvalid {
		t.Errorf("bad check character: %+v", p)
	}
	p = s.do("POST", "/v1/stations", admin, map[string]any{"name": "", "level": "township_station", "region_code": "5101"}).must(t, 422).problem(t)
	if !fieldNamed(p, "name") {
		t.Errorf("empty name: %+v", p)
	}
	p = s.do("POST", "/v1/stations", admin, map[string]any{"name": "x", "level": "township_station", "region_code": "5101"}).must(t, 422).problem(t)
	if !fieldNamed(p, "region_code") {
		t.Errorf("level/region mismatch: %+v", p)
	}
	// The parent is required where the station one level up exists.
	s.do("POST", "/v1/stations", admin, map[string]any{"name": "成都市社工支持中心", "level": "city_centre", "region_code": "5101"}).must(t, 201)
	p = s.do("POST", "/v1/stations", admin, map[string]any{"name": "x", "level": "county_station", "region_code": "510108"}).must(t, 422).problem(t)
	if !fieldNamed(p, "parent_id") {
		t.Errorf("missing parent: %+v", p)
	}
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "x", "credit_code": validCreditCode}).must(t, 201)
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "y", "credit_code": validCreditCode}).must(t, 409).problem(t)
	p = s.do("GET", "/v1/stations?limit=100000", admin, nil).must(t, 400).problem(t)
	if !fieldNamed(p, "limit") {
		t.Errorf("limit out of range: %+v", p)
	}
	s.do("GET", "/v1/stations/not-an-id", admin, nil).must(t, 404).problem(t)
	big := `{"name": "` + strings.Repeat("a", MaxBodyBytes) + `"}`
	s.do("POST", "/v1/organisations", admin, big).must(t, 413).problem(t)
}

func TestPeopleAreRegisteredWithinScope(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.token(auth.RoleAdmin, "")
	var org store.Organisation
	s.do("POST", "/v1/organisations", admin, map[string]any{"name": "A", "credit_code": validCreditCode}).must(t, 201).json(t, &org)
	orgToken := s.token(auth.RoleOrg, org.ID.String())
	office := s.token(auth.RoleOffice, "510108")

	var worker store.Person
	s.do("POST", "/v1/people", orgToken, map[string]any{"name": "李娜", "role": "social_worker", "region_code": "510108001",
		"organisation_id": org.ID, "qualification": "intermediate"}).must(t, 201).json(t, &worker)
	s.do("POST", "/v1/people", office, map[string]any{"name": "王伟", "role": "office_staff", "region_code": "510108"}).must(t, 201)
	s.do("POST", "/v1/people", office, map[string]any{"name": "王伟", "role": "office_staff", "region_code": "510104"}).must(t, 403)
	p := s.do("POST", "/v1/people", orgToken, map[string]any{"name": "x", "role": "social_worker", "region_code": "510108"}).must(t, 422).problem(t)
	if !fieldNamed(p, "organisation_id") {
		t.Errorf("social worker without employer: %+v", p)
	}
	p = s.do("POST", "/v1/people", admin, map[string]any{"name": "x", "role": "social_worker", "region_code": "510108",
		"organisation_id": org.ID, "qualification": "expert"}).must(t, 422).problem(t)
	if !fieldNamed(p, "qualification") {
		t.Errorf("unknown qualification: %+v", p)
	}
	var list store.List[store.Person]
	s.do("GET", "/v1/people", orgToken, nil).must(t, 200).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != worker.ID {
		t.Errorf("organisation lists %+v, want its own social worker only", list.Items)
	}
	s.do("GET", "/v1/people", s.token(auth.RoleSupervisor, worker.ID.String()), nil).must(t, 403)
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.do("GET", "/healthz", "", nil).must(t, 200)
	s.do("GET", "/readyz", "", nil).must(t, 200)
	res := s.do("GET", "/metrics", "", nil).must(t, 200)
	if !bytes.Contains(res.Body, []byte("stationflow_http_requests_total")) {
		t.Error("metrics lack the request counter")
	}
}

// waitFor checks cond every 50 ms until it holds, for up to thirty
// seconds. It checks on the test's own goroutine, not with
// require.Eventually, which calls cond on a goroutine of its own: the
// conditions call t.Fatal (through must), which only the test's goroutine
// may call.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	// Generous: a loaded CI machine runs every package's tests at once.
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatal("condition not reached in 30s")
		case <-tick.C:
		}
	}
}
