package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// An error retrying cannot mend must stop the activity at once: a workflow
// whose projection retries for ever never moves on.
func TestStoreErrorsThatRetryingCannotMendAreNonRetryable(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("projecting: %w", &pgconn.PgError{Code: code, Message: "refused"})
	}
	for _, c := range []struct {
		name      string
		err       error
		retryable bool
		errType   string
	}{
		{"NUL in text (22021)", pg("22021"), false, ErrTypeData},
		{"NUL escape in jsonb (22P05)", pg("22P05"), false, ErrTypeData},
		{"number out of range (22003)", pg("22003"), false, ErrTypeData},
		{"not null violation (23502)", pg("23502"), false, ErrTypeData},
		{"foreign key violation (23503)", pg("23503"), false, ErrTypeData},
		{"check violation (23514)", pg("23514"), false, ErrTypeData},
		{"not found", fmt.Errorf("task: %w", store.ErrNotFound), false, ErrTypeNotFound},
		{"unique violation: a concurrent writer (23505)", pg("23505"), true, ""},
		{"exclusion violation (23P01)", pg("23P01"), true, ""},
		{"serialization failure (40001)", pg("40001"), true, ""},
		{"connection failure (08006)", pg("08006"), true, ""},
		{"query cancelled (57014)", pg("57014"), true, ""},
		{"not PostgreSQL", errors.New("connection reset"), true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := classify(c.err)
			var app *temporal.ApplicationError
			if !errors.As(got, &app) {
				if !c.retryable {
					t.Fatalf("classify(%v) = %v, not an application error", c.err, got)
				}
				return
			}
			if app.NonRetryable() == c.retryable || app.Type() != c.errType {
				t.Fatalf("classify(%v): non-retryable %v, type %q; want retryable %v, type %q", c.err, app.NonRetryable(), app.Type(), c.retryable, c.errType)
			}
		})
	}
}

// The same against PostgreSQL: a rectification projected with U+0000 in its
// response is refused by the database as a data exception (class 22), and
// the activity fails non-retryably instead of retrying for ever.
func TestAProjectionPostgreSQLRefusesAsDataFailsNonRetryably(t *testing.T) {
	st, _ := testdb.New(t)
	a := &Activities{Store: st}
	err := a.ProjectRectification(context.Background(), flow.RectificationProjection{WorkflowID: "rectification:test", Event: "responded",
		Item: flow.RectificationItem{ID: store.NewID(), StationID: store.NewID(), ScorecardID: store.NewID(), RegionCode: "510108",
			Period: "2026Q3", Indicator: "staffing", State: store.RectificationResponded, Round: 1, Version: 1,
			Response: "hired\x00two"}})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != ErrTypeData {
		t.Fatalf("projecting U+0000: %v, want a non-retryable %s", err, ErrTypeData)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || !strings.HasPrefix(pgErr.Code, "22") {
		t.Fatalf("the cause %v is not a class 22 data exception", err)
	}
}
