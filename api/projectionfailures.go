package api

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stationflow/stationflow/internal/codes"
)

// listProjectionFailures is an office's list of the open projection
// failures in its region: workflows that wait for a retry.
func (s *Server) listProjectionFailures(w http.ResponseWriter, r *http.Request) error {
	region := r.URL.Query().Get("region_code")
	if region != "" {
		if _, err := codes.ParseRegion(region); err != nil {
			return problem(http.StatusBadRequest, ProblemInvalid, "the region code is not valid",
				FieldError{Field: "region_code", Message: err.Error()})
		}
	}
	items, err := s.cases().ProjectionFailures(r.Context(), principal(r), region)
	return answer(w, http.StatusOK, map[string]any{"items": items}, err)
}

// retryProjection asks a failed projection's workflow to try it again.
// The answer is 202: the workflow retries on its own time, and a failure
// recorded again shows in the list.
func (s *Server) retryProjection(w http.ResponseWriter, r *http.Request) error {
	f, err := s.cases().RetryProjection(r.Context(), principal(r), pathID(r))
	if err == nil {
		w.Header().Set("Location", "/v1/projection-failures")
	}
	return answer(w, http.StatusAccepted, f, err)
}

// projectionFailureCollector exports the open projection failures, read
// from the record at each scrape, as the alert's gauges: the total, and
// the count by activity and error class. The record is shared by every
// worker, so any API process reports them all.
func (s *Server) projectionFailureCollector() prometheus.Collector {
	return &failureCollector{s: s,
		total: prometheus.NewDesc("stationflow_projection_failures_open",
			"Projections that failed for good and wait for a retry; above zero is an alert.", nil, nil),
		byClass: prometheus.NewDesc("stationflow_projection_failures_open_by_class",
			"Open projection failures by activity and error class.", []string{"activity", "error_class"}, nil),
		errors: prometheus.NewDesc("stationflow_projection_failures_scrape_error",
			"1 when the open projection failures could not be read at this scrape.", nil, nil)}
}

type failureCollector struct {
	s                      *Server
	total, byClass, errors *prometheus.Desc
}

func (c *failureCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.byClass
	ch <- c.errors
}

func (c *failureCollector) Collect(ch chan<- prometheus.Metric) {
	if c.s.Store == nil { // a server built for its handlers alone
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.s.Store.CountOpenProjectionFailures(ctx)
	if err != nil {
		c.s.Logger.Warn("reading open projection failures for /metrics", "error", err)
		ch <- prometheus.MustNewConstMetric(c.errors, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.GaugeValue, 0)
	total := 0
	for _, n := range counts {
		total += n.Failures
		ch <- prometheus.MustNewConstMetric(c.byClass, prometheus.GaugeValue, float64(n.Failures), n.Activity, n.ErrorClass)
	}
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(total))
}
