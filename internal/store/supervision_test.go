package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

func TestSupervisorsAreBalancedWithinTheCountyAndNeverWorkForTheOperator(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)
	code, err := codes.MakeCreditCode("52510108MJ0000001")
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganisation(ctx, "test", store.Organisation{Name: "阳光", CreditCode: code})
	if err != nil {
		t.Fatal(err)
	}
	employed, err := st.CreatePerson(ctx, "test", store.Person{Name: "赵敏", Role: store.PersonSupervisor, RegionCode: "510108", OrganisationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.CreatePerson(ctx, "test", store.Person{Name: "钱进", Role: store.PersonSupervisor, RegionCode: "510108001"})
	b, _ := st.CreatePerson(ctx, "test", store.Person{Name: "孙丽", Role: store.PersonSupervisor, RegionCode: "510108"})
	elsewhere, _ := st.CreatePerson(ctx, "test", store.Person{Name: "李雷", Role: store.PersonSupervisor, RegionCode: "510104"})

	counts := map[uuid.UUID]int{}
	periods := []string{"2026Q1", "2026Q2", "2026Q3", "2026Q4"}
	for _, p := range periods {
		q, err := st.OpenSupervisionQuarter(ctx, store.SupervisionQuarter{StationID: township.ID, Period: p, OrganisationID: &org.ID,
			TaskID: store.NewID(), RubricVersion: "supervision-2026.1"}, "510108", "test")
		if err != nil {
			t.Fatal(err)
		}
		if q.SupervisorID == nil {
			t.Fatalf("%s: no supervisor assigned", p)
		}
		counts[*q.SupervisorID]++
		// Opening the same quarter again is the first answer, not a second assignment.
		again, err := st.OpenSupervisionQuarter(ctx, store.SupervisionQuarter{StationID: township.ID, Period: p, OrganisationID: &org.ID,
			TaskID: store.NewID(), RubricVersion: "supervision-2026.1"}, "510108", "test")
		if err != nil || *again.SupervisorID != *q.SupervisorID || again.TaskID != q.TaskID {
			t.Fatalf("%s reopened as %+v (%v), want the first row", p, again, err)
		}
	}
	if counts[employed.ID] != 0 || counts[elsewhere.ID] != 0 {
		t.Fatalf("assignments %v: the operator's employee or a supervisor of another county was assigned", counts)
	}
	if counts[a.ID] != 2 || counts[b.ID] != 2 {
		t.Fatalf("assignments %v, want two quarters each for the two eligible supervisors", counts)
	}
	if ok, err := st.IsAssignedSupervisor(ctx, a.ID, township.ID); err != nil || !ok {
		t.Errorf("the assigned supervisor does not follow the station (%v)", err)
	}

	// Other open work counts too: with two verifications owed, a is passed over.
	for i := range 2 {
		if _, err := st.ProjectTask(ctx, store.Task{ID: store.NewID(), WorkflowID: fmt.Sprintf("task/verify/%d", i), Kind: "rectification_verification",
			StationID: township.ID, RegionCode: township.RegionCode, AssigneeKind: "person", AssigneeID: a.ID.String(), State: "open",
			DueAt: time.Now().Add(time.Hour), Version: 1}, store.TaskEvent{Action: "task.created", Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	q5, err := st.OpenSupervisionQuarter(ctx, store.SupervisionQuarter{StationID: township.ID, Period: "2027Q1", OrganisationID: &org.ID,
		TaskID: store.NewID(), RubricVersion: "supervision-2026.1"}, "510108", "test")
	if err != nil || q5.SupervisorID == nil || *q5.SupervisorID != b.ID {
		t.Fatalf("2027Q1 went to %v (%v), want the supervisor with less open work", q5.SupervisorID, err)
	}

	// Filing closes the quarter; a closed quarter no longer counts as workload.
	if err := st.CloseSupervisionQuarter(ctx, township.ID, "2026Q1", store.QuarterMissed, nil, "the station was shut", "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSupervisionQuarter(ctx, township.ID, "2026Q1", store.QuarterFiled, nil, "", "test"); err != nil {
		t.Fatal(err)
	}
	q, err := st.GetSupervisionQuarter(ctx, township.ID, "2026Q1")
	if err != nil || q.State != store.QuarterMissed || q.Reason != "the station was shut" {
		t.Fatalf("quarter %+v (%v): a closed quarter must not change again", q, err)
	}
}

func TestAScorecardIsIssuedOnceAndNeverChanges(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)
	doc := []byte(`{"total":72.5,"passed":true}`)
	sum := sha256.Sum256(doc)
	card := store.Scorecard{ID: store.NewID(), StationID: township.ID, RegionCode: township.RegionCode, Kind: "quarterly_supervision",
		Period: "2026Q4", TaskID: store.NewID(), RubricVersion: "supervision-2026.1", Total: 72.5, Passed: true,
		Document: doc, ContentHash: hex.EncodeToString(sum[:]), FiledBy: "token:x"}
	first, err := st.IssueScorecard(ctx, card, "test")
	if err != nil {
		t.Fatal(err)
	}
	changed := card
	changed.Total, changed.Document = 10, []byte(`{"total":10}`)
	second, err := st.IssueScorecard(ctx, changed, "test")
	if err != nil || second.Total != 72.5 || string(second.Document) != string(doc) || !second.IssuedAt.Equal(first.IssuedAt) {
		t.Fatalf("re-issuing gave %+v (%v), want the first card unchanged", second, err)
	}
	if _, err := st.DBForTests().Exec(ctx, `UPDATE scorecards SET passed = false WHERE id = $1`, card.ID); err == nil {
		t.Fatal("UPDATE on an issued scorecard succeeded")
	}
	if _, err := st.DBForTests().Exec(ctx, `DELETE FROM scorecards WHERE id = $1`, card.ID); err == nil {
		t.Fatal("DELETE of an issued scorecard succeeded")
	}
	var issued int
	if err := st.DBForTests().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'scorecard.issued' AND object_id = $1`, card.ID.String()).Scan(&issued); err != nil || issued != 1 {
		t.Fatalf("%d audit rows for one scorecard (%v)", issued, err)
	}
}

func TestRectificationsAreListedByScopeAndOverdueFromTheirTask(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)
	doc := []byte(`{}`)
	sum := sha256.Sum256(doc)
	card, err := st.IssueScorecard(ctx, store.Scorecard{ID: store.NewID(), StationID: township.ID, RegionCode: township.RegionCode,
		Kind: "quarterly_supervision", Period: "2026Q4", TaskID: store.NewID(), RubricVersion: "v", Document: doc,
		ContentHash: hex.EncodeToString(sum[:]), FiledBy: "token:x"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	verifier := store.NewID()
	taskID := store.NewID()
	if _, err := st.ProjectTask(ctx, store.Task{ID: taskID, WorkflowID: "task/x", Kind: "rectification", StationID: township.ID,
		RegionCode: township.RegionCode, AssigneeKind: "org", AssigneeID: "o", State: "open", DueAt: time.Now().Add(-time.Hour), Version: 1},
		store.TaskEvent{Action: "task.created", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	item := store.Rectification{ID: store.NewID(), StationID: township.ID, RegionCode: township.RegionCode, ScorecardID: card.ID,
		Period: "2026Q4", Indicator: "staffing.qualified", Points: 0, MaxPoints: 10, VerifierKind: "person", VerifierID: verifier.String(),
		State: store.RectificationOpen, Round: 1, TaskID: &taskID, Version: 1}
	if err := st.ProjectRectification(ctx, item, "opened", "test", ""); err != nil {
		t.Fatal(err)
	}
	stale := item
	stale.State = store.RectificationVerified
	if err := st.ProjectRectification(ctx, stale, "verified", "test", ""); err != nil { // same version: a repeat
		t.Fatal(err)
	}
	got, err := st.GetRectification(ctx, item.ID)
	if err != nil || got.State != store.RectificationOpen || !got.Overdue || got.DueAt == nil {
		t.Fatalf("item %+v (%v): want open and overdue from its task", got, err)
	}
	for name, f := range map[string]store.RectificationFilter{
		"county": {RegionPrefix: "510108", Overdue: true}, "supervisor": {Verifier: &verifier}, "admin open": {All: true, Open: true},
	} {
		list, err := st.ListRectifications(ctx, f, store.Page{})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != item.ID {
			t.Errorf("%s: %+v (%v), want the item", name, list.Items, err)
		}
	}
	other := store.NewID()
	for name, f := range map[string]store.RectificationFilter{
		"another county": {RegionPrefix: "510104"}, "another supervisor": {Verifier: &other}, "no scope": {}, "verified": {All: true, State: "verified"},
	} {
		if list, err := st.ListRectifications(ctx, f, store.Page{}); err != nil || len(list.Items) != 0 {
			t.Errorf("%s: %+v (%v), want none", name, list.Items, err)
		}
	}
	groups, err := st.OverdueSummary(ctx, "5101")
	if err != nil || len(groups) != 1 || groups[0].Kind != "rectification" || groups[0].StationLevel != "township_station" || groups[0].Count != 1 {
		t.Fatalf("overdue summary %+v (%v)", groups, err)
	}
	if groups, err := st.OverdueSummary(ctx, "5102"); err != nil || len(groups) != 0 {
		t.Fatalf("another city's overdue summary %+v (%v)", groups, err)
	}
}
