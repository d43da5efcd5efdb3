//go:build dev

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/api/enums/v1"

	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/demo"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
	"github.com/stationflow/stationflow/worker"
)

// The tests of the development build's commands: dev, with demo seed on it.

// devEnv is the configuration of one dev stack under test.
type devEnv struct {
	dataDir, httpAddr, databaseURL string
	temporalPort, uiPort           int
}

func newDevEnv(t *testing.T) devEnv {
	_, url := testdb.New(t)
	return devEnv{dataDir: t.TempDir(), httpAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), databaseURL: url,
		temporalPort: freePort(t), uiPort: freePort(t)}
}

func (e devEnv) environ() []string {
	return append(os.Environ(), "STATIONFLOW_AS_BINARY=1",
		"DATABASE_URL="+e.databaseURL, "STATIONFLOW_DATA_DIR="+e.dataDir, "STATIONFLOW_HTTP_ADDR="+e.httpAddr,
		"STATIONFLOW_TEMPORAL_PORT="+strconv.Itoa(e.temporalPort), "STATIONFLOW_UI_PORT="+strconv.Itoa(e.uiPort),
		"STATIONFLOW_LOG_LEVEL=warn", "TEMPORAL_ADDRESS=")
}

// cli runs one stationflow command to its end and returns its stdout.
func (e devEnv) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = e.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("stationflow %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// startDev starts `stationflow dev` and waits until /readyz answers 200.
func (e devEnv) startDev(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd, _ := e.startDevLogged(t)
	return cmd
}

// startDevLogged is startDev that also tells where dev's output goes.
func (e devEnv) startDevLogged(t *testing.T) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "dev")
	cmd.Env = e.environ()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "dev.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	ready := func() bool {
		res, err := http.Get("http://" + e.httpAddr + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}
	if !assert.Eventually(t, ready, 90*time.Second, 200*time.Millisecond) {
		log, _ := os.ReadFile(logFile.Name())
		t.Fatalf("stationflow dev not ready in 90s; its log:\n%s", log)
	}
	return cmd, logFile.Name()
}

// adminLink waits for dev's start-up to end with the first admin's
// sign-in link, and returns the link's token.
func adminLink(t *testing.T, log, httpAddr string) string {
	t.Helper()
	prefix := "http://" + httpAddr + "/auth/password#link="
	var token string
	printed := func() bool {
		raw, _ := os.ReadFile(log)
		last := lastLine(string(raw))
		token, _ = strings.CutPrefix(last, prefix)
		return strings.HasPrefix(last, prefix) && strings.HasPrefix(token, "sfl_")
	}
	if !assert.Eventually(t, printed, 30*time.Second, 50*time.Millisecond) {
		raw, _ := os.ReadFile(log)
		t.Fatalf("dev's start-up does not end with the admin's sign-in link:\n%s", raw)
	}
	return token
}

func (e devEnv) call(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+e.httpAddr+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func TestDevStackKeepsStationsAndWorkflowsAcrossAKill(t *testing.T) {
	e := newDevEnv(t)
	dev, log := e.startDevLogged(t)

	// A fresh installation hands over its first admin: the link, printed
	// last, sets the admin's password once.
	link := adminLink(t, log, e.httpAddr)
	if status, raw := e.call(t, "POST", "/auth/password", "", map[string]string{"link": link, "password": "Str0ng-enough-pw"}); status != 204 {
		t.Fatalf("the admin's link: %d %s", status, raw)
	}

	// The Web UI is served by dev itself.
	res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", e.uiPort))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("Temporal Web UI: %v %v", res, err)
	}
	res.Body.Close()

	admin := lastLine(e.cli(t, "token", "create", "--role", "admin"))
	if !strings.HasPrefix(admin, "sf_") {
		t.Fatalf("token create printed %q last", admin)
	}
	create := func(body map[string]any) store.Station {
		status, raw := e.call(t, "POST", "/v1/stations", admin, body)
		if status != 201 {
			t.Fatalf("create station: %d %s", status, raw)
		}
		var st store.Station
		_ = json.Unmarshal(raw, &st)
		return st
	}
	city := create(map[string]any{"name": "绵阳市社工支持中心", "level": "city_centre", "region_code": "5107"})
	county := create(map[string]any{"name": "涪城区社工总站", "level": "county_station", "region_code": "510703", "parent_id": city.ID})

	key, err := codec.LoadKey("", filepath.Join(e.dataDir, "codec.key"))
	if err != nil {
		t.Fatal(err)
	}
	describe := func() enums.WorkflowExecutionStatus {
		c, err := worker.Dial(context.Background(), worker.ClientOptions{HostPort: fmt.Sprintf("127.0.0.1:%d", e.temporalPort),
			Namespace: flow.Namespace, Keys: []codec.Key{key}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		d, err := c.DescribeWorkflowExecution(context.Background(), flow.StationWorkflowID(county.ID.String()), "")
		if err != nil {
			t.Fatal(err)
		}
		return d.WorkflowExecutionInfo.Status
	}
	if s := describe(); s != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow before the kill: %v", s)
	}

	if err := dev.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = dev.Process.Wait()
	_, log = e.startDevLogged(t)
	// The admin has its password: no new link was made before the API
	// listened, so none is printed.
	st, err := store.Open(context.Background(), e.databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var links int
	if err := st.DBForTests().QueryRow(context.Background(),
		`SELECT count(*) FROM sign_in_links l JOIN accounts a ON a.id = l.account_id WHERE a.login = 'admin'`).Scan(&links); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(log); links != 1 || bytes.Contains(raw, []byte("/auth/password#link=")) {
		t.Errorf("a restart made %d links in all, though the admin has a password; its output:\n%s", links, raw)
	}

	status, raw := e.call(t, "GET", "/v1/stations/"+county.ID.String(), admin, nil)
	if status != 200 || !bytes.Contains(raw, []byte(`"phase":"awaiting_operator"`)) {
		t.Fatalf("station after restart: %d %s", status, raw)
	}
	if s := describe(); s != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow after the restart: %v", s)
	}
}

// The demo seed is proven on the province's first three counties (about 170
// stations): the same code path as the whole province, whose 4,451 stations
// internal/demo's tests count and whose workflow starts `bench cycle` times.
func TestDemoSeedLoadsTheProvinceOnceWithAWorkflowPerStation(t *testing.T) {
	e := newDevEnv(t)
	e.startDev(t)
	const counties = "3"
	want, err := demo.BuildCounties(3)
	if err != nil {
		t.Fatal(err)
	}
	stations := len(want.Stations)

	start := time.Now()
	out := e.cli(t, "demo", "seed", "--counties", counties)
	t.Logf("demo seed took %s:\n%s", time.Since(start).Round(time.Millisecond), firstLines(out, 12))
	if !strings.Contains(out, fmt.Sprintf("new: %d stations", stations)) {
		t.Fatalf("first seed did not load %d stations:\n%s", stations, out)
	}
	links := demoLinks(t, out)
	out = e.cli(t, "demo", "seed", "--counties", counties)
	if !strings.Contains(out, "new: 0 stations, 0 organisations, 0 people") {
		t.Fatalf("second seed added rows:\n%s", out)
	}
	// Each demo account is made once; a second seed replaces its link.
	for login, link := range demoLinks(t, out) {
		if link == links[login] {
			t.Errorf("the second seed printed %s's link again", login)
		}
	}
	st, err := store.Open(context.Background(), e.databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var accounts int
	if err := st.DBForTests().QueryRow(context.Background(), `SELECT count(*) FROM accounts WHERE login LIKE 'demo-%'`).Scan(&accounts); err != nil || accounts != 7 {
		t.Errorf("after two seeds, %d demo accounts (%v), want 7", accounts, err)
	}
	var total, started int
	if err := st.DBForTests().QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE workflow_started) FROM stations`).Scan(&total, &started); err != nil {
		t.Fatal(err)
	}
	if total != stations || started != stations {
		t.Fatalf("%d stations, %d with workflows; want %d of each", total, started, stations)
	}
	// The printed tokens work: the county office sees its own stations.
	var countyToken string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 && strings.HasPrefix(sc.Text(), "  county office") {
			countyToken = f[len(f)-1]
		}
	}
	status, raw := e.call(t, "GET", "/v1/stations?limit=500", countyToken, nil)
	if status != 200 {
		t.Fatalf("county office token: %d %s", status, raw)
	}
	var list store.List[store.Station]
	_ = json.Unmarshal(raw, &list)
	if len(list.Items) == 0 {
		t.Fatal("the county office sees no stations")
	}
	for _, s := range list.Items {
		if !strings.HasPrefix(s.RegionCode, list.Items[0].RegionCode[:6]) {
			t.Fatalf("county office sees station in %s", s.RegionCode)
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// demoLinks reads the demo accounts' sign-in links from demo seed's output,
// failing unless there is one for each kind of person.
func demoLinks(t *testing.T, out string) map[string]string {
	t.Helper()
	links := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.HasPrefix(f[0], "demo-") && strings.Contains(f[1], "/auth/password#link=sfl_") {
			links[f[0]] = f[1]
		}
	}
	for _, login := range []string{"demo-admin", "demo-province-office", "demo-city-office", "demo-county-office",
		"demo-county-clerk", "demo-organisation", "demo-supervisor"} {
		if links[login] == "" {
			t.Errorf("demo seed printed no sign-in link for %s:\n%s", login, out)
		}
	}
	return links
}
