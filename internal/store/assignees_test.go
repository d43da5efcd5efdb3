package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/testdb"
)

func TestEachTaskKindAcceptsOnlyItsOwnKindOfAssignee(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, county, township := chain(t, st)
	orgA, err := st.CreateOrganisation(ctx, "test", store.Organisation{Name: "阳光", CreditCode: "52510108MJ00000319"})
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := st.CreateOrganisation(ctx, "test", store.Organisation{Name: "晨曦", CreditCode: "52510108MJ00000327"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DBForTests().Exec(ctx, `UPDATE stations SET operator_id = $1 WHERE id = $2`, orgA.ID, township.ID); err != nil {
		t.Fatal(err)
	}
	person := func(role, region string, org *uuid.UUID) string {
		p, err := st.CreatePerson(ctx, "test", store.Person{Name: "某人", Role: role, RegionCode: region, OrganisationID: org})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID.String()
	}
	free, city := person("supervisor", "510108001", nil), person("supervisor", "510104", nil)
	employed, rival := person("supervisor", "510108", &orgA.ID), person("supervisor", "510108", &orgB.ID)
	clerk, faraway := person("office_staff", "510108", nil), person("supervisor", "440106", nil)
	app := store.NewID()
	if _, err := st.DBForTests().Exec(ctx, `INSERT INTO applications (id, station_id, organisation_id, state, staffing, targets, budget_yuan, document_ids)
		VALUES ($1, $2, $3, 'submitted', '[]', '{}', 1, '{}')`, app, county.ID, orgB.ID); err != nil {
		t.Fatal(err)
	}
	cycle := store.NewID()
	at := func(kind string, station store.Station, subject *uuid.UUID) store.AssigneeTask {
		return store.AssigneeTask{ID: store.NewID(), Kind: kind, StationID: station.ID, SubjectID: subject}
	}
	a := func(kind, id string) flow.Assignee { return flow.Assignee{Kind: kind, ID: id} }
	cases := []struct {
		name   string
		task   store.AssigneeTask
		to     flow.Assignee
		refuse string // "" when accepted
	}{
		{"supervision to a free supervisor", at(flow.KindSupervision, township, nil), a("person", free), ""},
		{"supervision to a supervisor of a rival", at(flow.KindSupervision, township, nil), a("person", rival), ""},
		{"supervision to the county office", at(flow.KindSupervision, township, nil), a("office", "510108"), ""},
		{"supervision to the province office", at(flow.KindSupervision, township, nil), a("office", "51"), ""},
		{"supervision to the operator", at(flow.KindSupervision, township, nil), a("org", orgA.ID.String()), "may be assigned only to a supervisor"},
		{"supervision to the operator's supervisor", at(flow.KindSupervision, township, nil), a("person", employed), "may not be employed by the station's operator"},
		{"supervision to nobody", at(flow.KindSupervision, township, nil), a("person", uuid.NewString()), "no such person"},
		{"supervision to a clerk", at(flow.KindSupervision, township, nil), a("person", clerk), "not a supervisor"},
		{"supervision to another county's supervisor", at(flow.KindSupervision, township, nil), a("person", city), "does not belong to the station's region"},
		{"supervision to a neighbouring office", at(flow.KindSupervision, township, nil), a("office", "510104"), "not on the station's region chain"},
		{"supervision to the township's own region", at(flow.KindSupervision, township, nil), a("office", "510108001"), "not on the station's region chain"},
		{"verification to the operator's supervisor", at(flow.KindRectificationCheck, township, nil), a("person", employed), "may not be employed"},
		{"evaluation to another county of the province", at(flow.KindAnnualEvaluation, township, &cycle), a("person", city), ""},
		{"evaluation to another province", at(flow.KindAnnualEvaluation, township, &cycle), a("person", faraway), "does not belong"},
		{"evaluation to the operator's supervisor", at(flow.KindAnnualEvaluation, township, &cycle), a("person", employed), "may not be employed"},
		{"self-assessment to the operator", at(flow.KindSelfAssessment, township, &cycle), a("org", orgA.ID.String()), ""},
		{"self-assessment to another organisation", at(flow.KindSelfAssessment, township, &cycle), a("org", orgB.ID.String()), "not the one this task belongs to"},
		{"self-assessment to the office", at(flow.KindSelfAssessment, township, &cycle), a("office", "510108"), "only to the station's operator"},
		{"rectification to another organisation", at(flow.KindRectification, township, nil), a("org", orgB.ID.String()), "not the one"},
		{"self-assessment with no operator", at(flow.KindSelfAssessment, county, &cycle), a("org", orgA.ID.String()), "not the one"},
		{"amendment to the applicant", at(flow.KindApplicationAmendment, county, &app), a("org", orgB.ID.String()), ""},
		{"amendment to another organisation", at(flow.KindApplicationAmendment, county, &app), a("org", orgA.ID.String()), "not the one"},
		{"review to the county office", at(flow.KindApplicationReview, county, &app), a("office", "510108"), ""},
		{"review to the city office", at(flow.KindApplicationReview, county, &app), a("office", "5101"), ""},
		{"review to a supervisor", at(flow.KindApplicationReview, county, &app), a("person", free), "only to an office on the station's region chain"},
		{"review to the applicant", at(flow.KindApplicationReview, county, &app), a("org", orgB.ID.String()), "only to an office"},
		{"decision to another province", at(flow.KindRenewalDecision, township, &cycle), a("office", "44"), "not on the station's region chain"},
		{"decision to no region", at(flow.KindArbitration, township, &cycle), a("office", "nowhere"), "not on the station's region chain"},
		{"appeal review to the province", at(flow.KindAppealReview, township, &cycle), a("office", "51"), ""},
	}
	for _, c := range cases {
		why, err := st.AssigneeRefusal(ctx, c.task, c.to)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if (c.refuse == "") != (why == "") || !strings.Contains(why, c.refuse) {
			t.Errorf("%s: refusal %q, want one saying %q", c.name, why, c.refuse)
		}
	}
	for _, kind := range flow.TaskKinds {
		if _, err := st.AssigneeRefusal(ctx, at(kind, township, &app), a("office", "510108")); err != nil {
			t.Errorf("task kind %s has no rule: %v", kind, err)
		}
	}
}

// An evaluator may hold one evaluation of a station in a cycle: a second
// slot of the same station goes to someone else.
func TestAnEvaluatorEvaluatesAStationOnceInACycle(t *testing.T) {
	t.Parallel()
	st, _ := testdb.New(t)
	ctx := context.Background()
	_, _, township := chain(t, st)
	p, err := st.CreatePerson(ctx, "test", store.Person{Name: "某人", Role: "supervisor", RegionCode: "510108"})
	if err != nil {
		t.Fatal(err)
	}
	cycle := store.NewID()
	first, second := store.NewID(), store.NewID()
	if _, err := st.DBForTests().Exec(ctx, `INSERT INTO tasks (id, workflow_id, kind, station_id, region_code, subject_id, assignee_kind, assignee_id, state, due_at)
		VALUES ($1, 'wf-eval-1', 'annual_evaluation', $2, '510108001', $3, 'person', $4, 'open', now() + interval '1 day')`,
		first, township.ID, cycle, p.ID.String()); err != nil {
		t.Fatal(err)
	}
	to := flow.Assignee{Kind: flow.AssignPerson, ID: p.ID.String()}
	same := store.AssigneeTask{ID: first, Kind: flow.KindAnnualEvaluation, StationID: township.ID, SubjectID: &cycle}
	if why, err := st.AssigneeRefusal(ctx, same, to); err != nil || why != "" {
		t.Fatalf("the evaluator's own task: refusal %q, %v", why, err)
	}
	other := store.AssigneeTask{ID: second, Kind: flow.KindAnnualEvaluation, StationID: township.ID, SubjectID: &cycle}
	if why, err := st.AssigneeRefusal(ctx, other, to); err != nil || !strings.Contains(why, "already evaluates this station") {
		t.Fatalf("a second slot of the same station: refusal %q, %v; want already evaluates", why, err)
	}
}
