// Package usecase holds stationflow's operations, one function per use
// case: apply for a station; complete, claim, reassign, extend or close a
// task; import service records and upload evidence files; respond to and
// verify a rectification; preview, start, cancel and extend a cycle;
// appeal; register stations, organisations and people; and the scoped
// reads behind them. Each takes the caller (the principal a token or a
// session resolves to) and plain inputs, checks the caller's scope and the
// domain's rules, then asks the workflow that owns the state or writes the
// record.
//
// The HTTP API and the console are two faces of these functions: neither
// holds rules of its own, and nothing here knows HTTP. A refusal is an
// *Error naming its Kind and the refused fields, which each face maps to
// its own answer; any other error is a failure of the machinery.
package usecase

import (
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/rubric"
	"github.com/stationflow/stationflow/internal/store"
)

// Cases holds what the use cases need: the record, the workflows and the
// settings that shape their rules.
type Cases struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	Logger    *slog.Logger
	// Rubrics are the scoring sheets a cycle may be started with.
	Rubrics rubric.Set
	// Workday, when set, is the demo time scale: cycle due dates may then
	// be given as counts of scaled working days.
	Workday time.Duration
	// WaitTimeout bounds every wait on a workflow (see deadline.go);
	// DefaultWaitTimeout when zero.
	WaitTimeout time.Duration
}

// Caller is who acts: the role, scope, token and audit name a token or a
// session resolves to.
type Caller = auth.Principal

// Input delivers a use case's input when the use case asks for it: after
// the object is loaded and the caller's scope, role and the object's state
// are checked. A caller outside scope therefore learns nothing from how its
// input would have been refused, and no input is read for an object the
// caller may not touch. A face that has the input at hand passes Given(v).
type Input[T any] func() (T, error)

// Given is an input already at hand.
func Given[T any](v T) Input[T] { return func() (T, error) { return v, nil } }
