package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// errStop ends a use case at its input, before it would reach Temporal.
var errStop = errors.New("the input was read")

// spy is an input that records whether the use case asked for it.
func spy[T any](read *bool) Input[T] {
	return func() (T, error) {
		*read = true
		var zero T
		return zero, errStop
	}
}

// A caller outside scope, or in a role that may never act, is refused
// before its input is read: it learns nothing from how the input would
// have been refused, and no body is read for an object it may not touch.
func TestInputIsReadOnlyOnceTheCallerMayAct(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	c := &Cases{Store: st}
	station, err := st.CreateStation(ctx, "test", store.Station{Name: "成都市社工支持中心", Level: "city_centre", RegionCode: "5101"})
	if err != nil {
		t.Fatal(err)
	}
	id := station.ID.String()
	office := func(scope string) Caller { return Caller{TokenID: uuid.New(), Role: auth.RoleOffice, Scope: scope} }
	org := Caller{TokenID: uuid.New(), Role: auth.RoleOrg, Scope: uuid.NewString()}

	for _, tc := range []struct {
		name     string
		act      func(read *bool) error
		want     Kind // 0: the input is read
		readable bool
	}{
		{"an office outside the region applies", func(read *bool) error {
			_, _, err := c.Apply(ctx, office("5103"), id, spy[forms.Application](read))
			return err
		}, KindNotFound, false},
		{"an office inside the region applies", func(read *bool) error {
			_, _, err := c.Apply(ctx, office("5101"), id, spy[forms.Application](read))
			return err
		}, KindForbidden, false},
		{"an organisation applies for a station open for tender", func(read *bool) error {
			_, _, err := c.Apply(ctx, org, id, spy[forms.Application](read))
			return err
		}, 0, true},
		{"an organisation uploads to a station it does not operate", func(read *bool) error {
			_, err := c.UploadFile(ctx, org, id, spy[Upload](read))
			return err
		}, KindNotFound, false},
		{"an admin records evidence where nobody operates", func(read *bool) error {
			_, err := c.AddServiceRecords(ctx, Caller{Role: auth.RoleAdmin}, id, spy[RecordBatch](read))
			return err
		}, KindConflict, false},
		{"a task that does not exist is completed", func(read *bool) error {
			_, err := c.CompleteTask(ctx, office("5101"), uuid.NewString(), spy[json.RawMessage](read))
			return err
		}, KindNotFound, false},
		{"an ID that does not parse names no station", func(read *bool) error {
			_, err := c.ImportServiceRecords(ctx, office("5101"), "not-an-id", nil)
			return err
		}, KindNotFound, false},
		{"a supervisor starts a cycle", func(read *bool) error {
			_, err := c.StartCycle(ctx, Caller{Role: auth.RoleSupervisor, Scope: uuid.NewString()}, spy[CycleRequest](read))
			return err
		}, KindForbidden, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := false
			err := tc.act(&read)
			if read != tc.readable {
				t.Fatalf("input read: %v, want %v (%v)", read, tc.readable, err)
			}
			if tc.want == 0 {
				if !errors.Is(err, errStop) {
					t.Fatalf("got %v, want the input's own error", err)
				}
				return
			}
			if got := kindOf(t, err); got != tc.want {
				t.Fatalf("refused as %s, want %s: %v", got, tc.want, err)
			}
		})
	}
}
