package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/api"
)

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// TestMetricsAddrServesMetricsAloneAndTheAPIDoesNot: with --metrics-addr
// the metrics of the API's requests are served on that address, which
// serves nothing else, and the API's address has no /metrics, whatever
// token is sent.
func TestMetricsAddrServesMetricsAloneAndTheAPIDoesNot(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	a := &api.Server{Logger: logger, MetricsOwnAddr: true, MetricsToken: "m"}
	h := a.Router()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/healthz: %d", rec.Code)
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer m")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the API's address: %d, want 404", rec.Code)
	}

	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	errc := make(chan error, 1)
	stop, err := listen(logger, "metrics", metricsServer(addr, a.MetricsHandler()), "--metrics-addr", errc)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	status, body := get(t, "http://"+addr+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, `stationflow_http_requests_total{code="200",method="GET",route="/healthz"} 1`) {
		t.Errorf("/metrics on --metrics-addr: %d\n%s", status, body)
	}
	if status, _ := get(t, "http://"+addr+"/v1/stations"); status != http.StatusNotFound {
		t.Errorf("/v1/stations on --metrics-addr: %d, want 404", status)
	}
	select {
	case err := <-errc:
		t.Fatalf("the metrics server stopped: %v", err)
	default:
	}
}
