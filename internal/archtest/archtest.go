// Package archtest holds the rules of how stationflow's packages may
// depend on each other, as a test over `go list`. The rules keep the
// layers apart: internal/flow is the contract between them and depends on
// nothing of stationflow's; workflows never reach the store; the API
// reaches workflows only through flow and the workflows' starters, never
// through the worker or the activities.
package archtest
