package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

// A supervisor on the operator's roster, as its own 督导, is employed by
// it: never assigned the government's supervision or annual evaluation of
// its station, though the person record names no organisation. Once they
// have left, they may be.
func TestAnOperatorsOwnSupervisorOnItsRosterIsNeverAssignedItsStation(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)
	org, err := st.CreateOrganisation(ctx, "test", store.Organisation{Name: "阳光", CreditCode: "52510108MJ00000319"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DBForTests().Exec(ctx, `UPDATE stations SET operator_id = $1 WHERE id = $2`, org.ID, township.ID); err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePerson(ctx, "test", store.Person{Name: "某督导", Role: "supervisor", RegionCode: "510108"})
	if err != nil {
		t.Fatal(err)
	}
	to := flow.Assignee{Kind: flow.AssignPerson, ID: p.ID.String()}
	cycle := store.NewID()
	tasks := []store.AssigneeTask{
		{ID: store.NewID(), Kind: flow.KindSupervision, StationID: township.ID},
		{ID: store.NewID(), Kind: flow.KindAnnualEvaluation, StationID: township.ID, SubjectID: &cycle},
	}
	for _, task := range tasks {
		if why, err := st.AssigneeRefusal(ctx, task, to); err != nil || why != "" {
			t.Fatalf("%s before joining the roster: refusal %q, %v", task.Kind, why, err)
		}
	}
	entry, err := st.AddRosterEntry(ctx, "test", store.RosterEntry{StationID: township.ID, OrganisationID: org.ID, PersonID: &p.ID,
		Name: p.Name, Post: "internal_supervisor", Qualification: "senior", CertificateNo: "51012021004",
		JoinedOn: time.Now().UTC().AddDate(0, -6, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if why, err := st.AssigneeRefusal(ctx, task, to); err != nil || !strings.Contains(why, "may not be employed by the station's operator") {
			t.Fatalf("%s to the operator's own supervisor: refusal %q, %v", task.Kind, why, err)
		}
	}
	if _, err := st.RecordLeaving(ctx, "test", entry, time.Now().UTC().AddDate(0, 0, -2)); err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if why, err := st.AssigneeRefusal(ctx, task, to); err != nil || why != "" {
			t.Fatalf("%s after leaving the roster: refusal %q, %v", task.Kind, why, err)
		}
	}
}
