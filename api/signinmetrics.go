package api

import "github.com/prometheus/client_golang/prometheus"

// signInMetrics count refused sign-ins and password links, and attempts
// refused because their login or address was locked out.
type signInMetrics struct {
	failures *prometheus.CounterVec
	lockouts *prometheus.CounterVec
}

func newSignInMetrics(reg prometheus.Registerer) *signInMetrics {
	m := &signInMetrics{
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stationflow_sign_in_failures_total", Help: "Refused sign-ins and password links, by kind (sign_in, link).",
		}, []string{"kind"}),
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stationflow_sign_in_lockouts_total", Help: "Attempts refused because the login (423) or the address (429) is locked out.",
		}, []string{"scope"}),
	}
	reg.MustRegister(m.failures, m.lockouts)
	return m
}
