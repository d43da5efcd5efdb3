package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store"
)

// The authorization matrix: every route the router serves, called by every
// kind of caller, with the exact status each must get. The routes come from
// the router itself (routerRoutes, as in the OpenAPI coverage test), so a
// new route without an entry here fails the test.
//
// The rules being held (api/access.go): an object outside the caller's
// scope is 404, the same answer as for an object that does not exist; a
// role that may never do the action is 403; no token is 401. Write routes
// are called, where the handler allows it, with a body that passes
// authorization and then fails validation or a state check (422 or 409):
// that status proves the caller got past every authorization check, and
// the fixture is left as it was. The few calls that must succeed and change
// state (claiming, closing a task, cancelling a cycle) are ordered so
// that no later case depends on what they changed.
//
// Every 404 is also compared with the 404 the same caller gets for an ID
// that does not exist: type, title, detail and fields must be the same, or
// the answer tells the caller that the object exists.
//
// The stack runs with one-hour working days (not the demo's 100 ms): the
// cycles' due dates, 600 working days away, and every task's deadline then
// lie far beyond the run, so no task escalates and no status changes under
// the test (an escalated self-assessment would let the county office work
// it, turning its 403 into 422).

// authzRole is one kind of caller.
type authzRole string

const (
	roleAdmin       authzRole = "admin"
	roleOfficeIn    authzRole = "office inside scope"     // office 510108, the county of the township station
	roleOfficeOut   authzRole = "office outside scope"    // office 510104, a neighbouring county
	roleOrgOwner    authzRole = "org owning the object"   // the organisation operating the township station
	roleOrgOther    authzRole = "org not owning it"       // another registered organisation
	roleSupAssigned authzRole = "supervisor assigned"     // assigned to the township station; the item's verifier
	roleSupOther    authzRole = "supervisor not assigned" // a supervisor of the same county, not assigned
	roleNone        authzRole = "no token"
	roleDisabled    authzRole = "disabled account's token" // a personal token of a disabled county approver
	roleExpired     authzRole = "expired token"            // an admin service token past its expiry
)

// rolePerson is a person: the personal token of an active county approver.
// It is called, last, only on the entries that give its status (person).
const rolePerson authzRole = "person (county approver's personal token)"

// authzDeadRoles are callers whose token no longer counts: each gets what
// a caller without a token gets, on every route. They are called first.
var authzDeadRoles = []authzRole{roleDisabled, roleExpired}

// authzRoles is the default order the roles are called in: refusals first,
// then the callers that get through.
var authzRoles = []authzRole{roleNone, roleSupOther, roleSupAssigned, roleOrgOther, roleOfficeOut, roleOrgOwner, roleOfficeIn, roleAdmin}

// authzWant is the status each role must get; every field must be set.
type authzWant struct {
	admin, officeIn, officeOut, orgOwner, orgOther, supAssigned, supOther, none int
}

func (w authzWant) of(r authzRole) int {
	return map[authzRole]int{roleAdmin: w.admin, roleOfficeIn: w.officeIn, roleOfficeOut: w.officeOut, roleOrgOwner: w.orgOwner,
		roleOrgOther: w.orgOther, roleSupAssigned: w.supAssigned, roleSupOther: w.supOther, roleNone: w.none,
		roleDisabled: w.none, roleExpired: w.none}[r]
}

// authzEntry is one route called on one object.
type authzEntry struct {
	route   string // "METHOD /template", as routerRoutes names it
	variant string // which object, when a route has more than one entry
	path    string
	body    any // a JSON body; nil sends none
	// contentType and raw send a body of another type instead.
	contentType string
	raw         []byte
	want        authzWant
	// paths sends some roles to another object of the same route, where a
	// successful change would otherwise spoil the case of another role.
	paths map[authzRole]string
	order []authzRole // the call order when it matters; authzRoles otherwise
	last  bool        // changes state for good: runs after every other entry
	// person is rolePerson's status; 0 leaves the person out of the entry.
	person int
	note   string // why the statuses are what they are
}

// wantOf is the status role must get on the entry.
func (e authzEntry) wantOf(r authzRole) int {
	if r == rolePerson {
		return e.person
	}
	return e.want.of(r)
}

// authzFixture is the world the matrix is called on.
type authzFixture struct {
	tokens map[authzRole]string
	// orgA operates the township station; orgB does not.
	orgA, orgB store.Organisation
	// township (510108001) is operating under orgA; county (510108) awaits
	// an operator, so every organisation may see it and apply for it.
	township, county store.Station
	app              store.Application // orgA's approved application for the township
	review           string            // the application's (completed) review task
	cycleA, cycleB   store.Cycle       // county cycles of this year and next, both holding the township
	selfA, selfB     string            // the township's open self-assessment tasks, one per cycle
	card, item       string            // a scorecard of the township and a rectification item under it
	failure          string            // a projection failure of the township, its workflow gone
	notification     string            // an in-app notification of the unassigned supervisor's account
	rosterEntry      string            // a member of the township's staff, joined today
	file             string            // an evidence photo orgA filed for the township
	clerk            store.Account     // a county clerk's account, with one grant
	revokedToken     string            // a personal token of rolePerson's, revoked
}

// newAuthzFixture builds the fixture over HTTP as far as the API allows;
// the supervisor's assignment, the scorecard and the rectification item
// are written straight to the store, as their workflows would.
func newAuthzFixture(s *stack) *authzFixture {
	t := s.t
	t.Helper()
	ctx := context.Background()
	f := &authzFixture{}
	admin := s.token(auth.RoleAdmin, "")
	countyOffice := s.token(auth.RoleOffice, "510108")
	var orgAToken string
	f.orgA, orgAToken = s.organisation(admin, "成华区阳光社工服务中心", "52510108MJ0000091")
	f.orgB, _ = s.organisation(admin, "成华区晨曦社工服务中心", "52510108MJ0000092")
	_, f.county, f.township = s.province(admin)
	assigned := s.person(admin, map[string]any{"name": "钱进", "role": "supervisor", "region_code": "510108"})
	other := s.person(admin, map[string]any{"name": "孙丽", "role": "supervisor", "region_code": "510108"})
	if err := s.store.AssignSupervisor(ctx, "test", uuid.MustParse(assigned), f.township.ID); err != nil {
		t.Fatal(err)
	}
	f.tokens = map[authzRole]string{
		roleAdmin: admin, roleOfficeIn: countyOffice, roleOfficeOut: s.token(auth.RoleOffice, "510104"),
		roleOrgOwner: orgAToken, roleOrgOther: s.token(auth.RoleOrg, f.orgB.ID.String()),
		roleSupAssigned: s.token(auth.RoleSupervisor, assigned), roleSupOther: f.personalToken(s, other), roleNone: "",
	}

	// orgA applies for the township station and the county approves it (as
	// operatorFor does, keeping the application).
	s.do("POST", "/v1/stations/"+f.township.ID.String()+"/applications", orgAToken, applicationBody()).must(t, 201).json(t, &f.app)
	f.review = f.app.ReviewTaskID.String()
	s.inboxTask(countyOffice, f.review, func(store.Task) bool { return true })
	start := chinaToday()
	s.do("POST", "/v1/tasks/"+f.review+"/complete", countyOffice, map[string]any{"decision": "approve",
		"term": map[string]string{"start": start.Format(time.DateOnly), "end": start.AddDate(1, 0, -1).Format(time.DateOnly)}}).must(t, 200)
	f.app = s.application(orgAToken, f.app.ID.String(), "approved")
	waitFor(t, func() bool {
		st, err := s.store.GetStation(ctx, f.township.ID)
		return err == nil && st.Phase == store.PhaseOperating
	})
	var entry store.RosterEntry
	s.do("POST", "/v1/stations/"+f.township.ID.String()+"/roster", orgAToken, map[string]any{"name": "张伟", "post": "full_time",
		"qualification": "assistant", "certificate_no": "A51012021001", "joined_on": start.Format(time.DateOnly)}).must(t, 201).json(t, &entry)
	f.rosterEntry = entry.ID.String()

	// Two cycles hold the township: this year's and next year's (the term
	// runs a year from today, so it reaches into next year unless today is
	// 1 January). Each opens a closable self-assessment for orgA; two are
	// needed so that two callers can each close one. The due dates lie far
	// beyond the test's run, so nothing escalates while it runs.
	cycleBody := func(year int) map[string]any {
		return map[string]any{"region_code": "510108", "year": year, "rubric_version": "annual-2026.1",
			"self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0}
	}
	s.do("POST", "/v1/cycles", countyOffice, cycleBody(start.Year())).must(t, 201).json(t, &f.cycleA)
	s.do("POST", "/v1/cycles", countyOffice, cycleBody(start.Year()+1)).must(t, 201).json(t, &f.cycleB)
	if f.cycleA.Stations != 1 || f.cycleB.Stations != 1 {
		t.Fatalf("cycles hold %d and %d stations, want the township in each", f.cycleA.Stations, f.cycleB.Stations)
	}
	selfAssessment := func(c store.Cycle) string {
		var id string
		waitFor(t, func() bool {
			tasks, err := s.store.OpenCycleTasks(ctx, c.ID, flow.KindSelfAssessment)
			if err != nil || len(tasks) != 1 {
				return false
			}
			id = tasks[0].ID.String()
			return true
		})
		return id
	}
	f.selfA, f.selfB = selfAssessment(f.cycleA), selfAssessment(f.cycleB)

	// A scorecard of the township and an open rectification item it
	// raised, verified by the assigned supervisor. The item has no task
	// yet, so responding to or verifying it is 409 once authorized.
	quarter := period.Of(chinaToday()).String()
	doc := `{"sections":[],"failed_indicators":[],"failed_critical":[],"scores":[],"summary":"authorization matrix"}`
	sum := sha256.Sum256([]byte(doc))
	card, err := s.store.IssueScorecard(ctx, store.Scorecard{ID: store.NewID(), StationID: f.township.ID, OrganisationID: &f.orgA.ID,
		RegionCode: f.township.RegionCode, Kind: flow.KindSupervision, Period: quarter, TaskID: store.NewID(),
		RubricVersion: "supervision-2026.1", Total: 55, Document: []byte(doc), ContentHash: hex.EncodeToString(sum[:]), FiledBy: "test"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.card = card.ID.String()
	item := store.Rectification{ID: store.NewID(), StationID: f.township.ID, OrganisationID: &f.orgA.ID, RegionCode: f.township.RegionCode,
		ScorecardID: card.ID, Period: quarter, Indicator: "S1", IndicatorName: "持证社工配备", Critical: true, Points: 0, MaxPoints: 10,
		VerifierKind: flow.AssignPerson, VerifierID: assigned, State: store.RectificationOpen, Round: 1, Version: 1}
	if err := s.store.ProjectRectification(ctx, item, "opened", "test", ""); err != nil {
		t.Fatal(err)
	}
	f.item = item.ID.String()
	failure := store.ProjectionFailure{ID: store.NewID(), WorkflowID: "task/gone/" + f.township.ID.String(), RunID: "",
		Activity: flow.ProjectTaskActivity, ErrorClass: "DataError", StationID: &f.township.ID, RegionCode: f.township.RegionCode}
	if err := s.store.RecordProjectionFailure(ctx, failure); err != nil {
		t.Fatal(err)
	}
	f.failure = failure.ID.String()
	var photo store.EvidenceFile
	fileType, fileBody := multipartFile(t, "photo", "活动照片.png", pngBytes(11))
	s.send("POST", "/v1/stations/"+f.township.ID.String()+"/files", orgAToken, fileType, fileBody).must(t, 201).json(t, &photo)
	f.file = photo.ID.String()

	// A county clerk's account to administer; a county approver's token
	// whose account is then disabled; an admin token already expired.
	clerk, _, err := s.store.CreateAccount(ctx, "test", store.NewAccount{Login: "matrix.clerk", Name: "矩阵经办",
		Grant: auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyClerk}})
	if err != nil {
		t.Fatal(err)
	}
	f.clerk = clerk
	disabled, disabledToken := s.personWithToken("matrix.gone", "矩阵停用", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyApprover})
	if err := s.store.SetAccountState(ctx, "test", disabled.ID, store.AccountDisabled); err != nil {
		t.Fatal(err)
	}
	expired, _, err := s.store.CreateServiceToken(ctx, "test", auth.RoleAdmin, "", "", new(time.Now().Add(-time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[roleDisabled], f.tokens[roleExpired] = disabledToken, expired
	person, personToken := s.personWithToken("matrix.person", "矩阵审批", auth.Grant{Role: auth.RoleOffice, Scope: "510108", Duty: auth.DutyApprover})
	f.tokens[rolePerson] = personToken
	_, spare, err := s.store.CreateAccountToken(ctx, "test", person.ID, "revoked", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.RevokeToken(ctx, "test", spare.ID); err != nil {
		t.Fatal(err)
	}
	f.revokedToken = spare.ID.String()
	return f
}

// personalToken makes the unassigned supervisor a person who signs in: an
// account linked to their record, acting through a personal token (every
// other role calls through a service token), with one in-app notification
// of their own, so the notification routes have a caller who gets through.
func (f *authzFixture) personalToken(s *stack, person string) string {
	t := s.t
	ctx := context.Background()
	acc, tok := s.account("matrix.supervisor", "", auth.Grant{Role: auth.RoleSupervisor, Scope: person})
	if err := s.store.EnqueueNotification(ctx, store.Notification{Key: "matrix/reminded", Event: "task.reminded",
		Recipient: "person:" + person, Payload: json.RawMessage(`{"kind":"quarterly_supervision"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.FanOutNotifications(ctx, 10, func(store.OutboxEvent) store.Rendered {
		return store.Rendered{Title: "提醒 / Reminder", Body: "提醒 / Reminder"}
	}); err != nil {
		t.Fatal(err)
	}
	list, err := s.store.ListInbox(ctx, store.InboxFilter{Account: acc.ID}, store.Page{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("the supervisor's notifications: %+v, %v", list.Items, err)
	}
	f.notification = list.Items[0].ID.String()
	return tok
}

// authzMatrix lists every route with what each role gets.
func authzMatrix(t *testing.T, f *authzFixture) []authzEntry {
	township := "/v1/stations/" + f.township.ID.String()
	county := "/v1/stations/" + f.county.ID.String()
	selfA, selfB := "/v1/tasks/"+f.selfA, "/v1/tasks/"+f.selfB
	cycleA, cycleB := "/v1/cycles/"+f.cycleA.ID.String(), "/v1/cycles/"+f.cycleB.ID.String()
	item := "/v1/rectifications/" + f.item
	contract := "/v1/contracts/"
	if f.app.ContractID != nil {
		contract += f.app.ContractID.String()
	}
	year := chinaToday().Year()
	all := func(status int) authzWant {
		return authzWant{status, status, status, status, status, status, status, status}
	}
	personal := func(status int) authzWant {
		return authzWant{admin: 403, officeIn: 403, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: status, none: 401}
	}
	badCSV := []byte(strings.Replace(string(recordsCSV(2)), ",needs_assessment,", ",knitting,", 1))
	fileType, fileBody := multipartFile(t, "not-a-kind", "签到表.png", pngBytes(7))

	// Reading a township station's evidence: its region's offices, its
	// operator, its assigned supervisors and admins.
	evidence := authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 200, supOther: 404, none: 401}
	// Recording evidence: only the operator (and admins, acting for it).
	// Those who see the station but may never record are 403; the rest 404.
	recording := authzWant{admin: 422, officeIn: 403, officeOut: 404, orgOwner: 422, orgOther: 404, supAssigned: 403, supOther: 404, none: 401}
	// Every cycle route: offices whose region holds the cycle, and admins;
	// organisations and supervisors may never, whatever the cycle.
	cycleRead := authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401}
	// Managing the open self-assessment (assigned to orgA): the county
	// office and admins; orgA sees it but may not manage it (403 from the
	// task's workflow). The body is valid for the API and refused by the
	// workflow's validator after its permission check: 422.
	manageTask := authzWant{admin: 422, officeIn: 422, officeOut: 404, orgOwner: 403, orgOther: 404, supAssigned: 404, supOther: 404, none: 401}
	account := "/v1/accounts/" + f.clerk.ID.String()
	clerkGrant := uuid.Nil.String()
	if len(f.clerk.Grants) > 0 {
		clerkGrant = f.clerk.Grants[0].ID.String()
	}
	manageAccount := authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401}

	return []authzEntry{
		// Outside /v1: no token needed, none looked at.
		{route: "GET /healthz", path: "/healthz", want: all(200)},
		{route: "GET /readyz", path: "/readyz", want: all(200)},
		// /metrics asks for the metrics token, which no API token is.
		{route: "GET /metrics", path: "/metrics", want: all(401)},

		// Organisations: a register every office and admin keeps; an
		// organisation sees only itself; supervisors none.
		{route: "POST /v1/organisations", path: "/v1/organisations",
			body: map[string]any{"name": "矩阵", "credit_code": "91110000100017643A"},
			want: authzWant{admin: 422, officeIn: 422, officeOut: 422, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "a bad check character: 422 once the role is allowed (the register has no region, so every office may add to it)"},
		{route: "GET /v1/organisations", path: "/v1/organisations",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 200, orgOther: 200, supAssigned: 403, supOther: 403, none: 401},
			note: "an organisation's list holds only itself"},
		{route: "GET /v1/organisations/{id}", path: "/v1/organisations/" + f.orgA.ID.String(),
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 200, orgOther: 404, supAssigned: 403, supOther: 403, none: 401}},
		{route: "GET /v1/organisations/{id}/status", path: "/v1/organisations/" + f.orgA.ID.String() + "/status",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 200, orgOther: 404, supAssigned: 403, supOther: 403, none: 401},
			note: "an office sees the organisation's stations in its region only"},

		// People.
		{route: "POST /v1/people", path: "/v1/people",
			body: map[string]any{"name": "李娜", "role": "social_worker", "region_code": "510108001", "organisation_id": f.orgA.ID, "qualification": "assistant"},
			want: authzWant{admin: 201, officeIn: 201, officeOut: 403, orgOwner: 201, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "registers a social worker of orgA in the township (harmless to the fixture); another organisation may not register orgA's staff"},
		{route: "GET /v1/people", path: "/v1/people",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 200, orgOther: 200, supAssigned: 403, supOther: 403, none: 401}},

		// Stations.
		{route: "POST /v1/stations", path: "/v1/stations",
			body: map[string]any{"name": "猛追湾街道社工站", "level": "township_station", "region_code": "510108001", "parent_id": f.county.ID},
			want: authzWant{admin: 422, officeIn: 422, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "510108001 is not in the administrative divisions data: 422 naming region_code once the role and the region pass; a region outside the office is 403 naming region_code"},
		{route: "GET /v1/regions", path: "/v1/regions?parent=5101", want: authzWant{200, 200, 200, 200, 200, 200, 200, 401},
			note: "the administrative divisions are public reference data"},
		{route: "GET /v1/stations", path: "/v1/stations", want: authzWant{200, 200, 200, 200, 200, 200, 200, 401},
			note: "every role lists, cut to its scope"},
		{route: "GET /v1/stations/{id}", variant: "operating township", path: township,
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 200, supOther: 404, none: 401}},
		{route: "GET /v1/stations/{id}", variant: "county station open for tender", path: county,
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 200, supAssigned: 404, supOther: 404, none: 401},
			note: "every organisation sees a station it may apply for"},
		{route: "POST /v1/stations/{id}/applications", variant: "operating township", path: township + "/applications", body: applicationBody(),
			want: authzWant{admin: 403, officeIn: 403, officeOut: 404, orgOwner: 409, orgOther: 404, supAssigned: 403, supOther: 404, none: 401},
			note: "only organisations apply; the operator is told the station is not open (409), before its body is read"},
		{route: "POST /v1/stations/{id}/applications", variant: "county station open for tender", path: county + "/applications", body: map[string]any{},
			want: authzWant{admin: 403, officeIn: 403, officeOut: 404, orgOwner: 422, orgOther: 422, supAssigned: 404, supOther: 404, none: 401},
			note: "an empty application: 422 for any organisation, which proves it may apply; nothing is stored"},

		// Applications.
		{route: "GET /v1/applications/{id}", path: "/v1/applications/" + f.app.ID.String(),
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 403, supOther: 403, none: 401},
			note: "supervisors may never read applications: 403 whatever the ID"},

		// Tasks.
		{route: "GET /v1/tasks", path: "/v1/tasks", want: authzWant{200, 200, 200, 200, 200, 200, 200, 401},
			note: "every role has an inbox"},
		{route: "GET /v1/tasks/{id}", variant: "open self-assessment", path: selfA,
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			note: "assigned to orgA; a supervisor sees only the tasks assigned to them"},
		{route: "GET /v1/tasks/{id}", variant: "completed application review", path: "/v1/tasks/" + f.review,
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			note: "the applying organisation sees the review of its application"},
		{route: "POST /v1/tasks/{id}/complete", path: selfA + "/complete", body: map[string]any{},
			want: authzWant{admin: 422, officeIn: 403, officeOut: 404, orgOwner: 422, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			note: "an empty form: 422 from the workflow after it let the caller work the task; the county office sees it but may not work orgA's task"},
		{route: "POST /v1/tasks/{id}/claim", path: selfA + "/claim",
			want: authzWant{admin: 200, officeIn: 403, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			// A claim succeeds and a second claim is 409 whoever sends it,
			// so the office is refused before orgA claims selfA, and the
			// admin claims selfB. A claimed task stays workable by its
			// claimer and manageable by the office, so no later case changes.
			paths: map[authzRole]string{roleAdmin: selfB + "/claim"},
			order: []authzRole{roleNone, roleSupOther, roleSupAssigned, roleOrgOther, roleOfficeOut, roleOfficeIn, roleOrgOwner, roleAdmin},
			note:  "orgA claims its own task; the admin claims the other cycle's"},
		{route: "POST /v1/tasks/{id}/reassign", path: selfA + "/reassign",
			body: map[string]any{"assignee": map[string]any{"kind": "office", "id": "nowhere"}, "reason": "授权矩阵测试"},
			want: manageTask, note: "assignee.id is no region: refused after the permission check"},
		{route: "POST /v1/tasks/{id}/reassign", variant: "to another organisation", path: selfA + "/reassign",
			body: map[string]any{"assignee": map[string]any{"kind": "org", "id": f.orgB.ID}, "reason": "授权矩阵测试"},
			want: manageTask, note: "a self-assessment goes to the operator only: refused after the permission check"},
		{route: "POST /v1/tasks/{id}/reassign", variant: "to a person that does not exist", path: selfA + "/reassign",
			body: map[string]any{"assignee": map[string]any{"kind": "person", "id": uuid.NewString()}, "reason": "授权矩阵测试"},
			want: manageTask, note: "no such person, nor a kind of assignee a self-assessment takes: refused after the permission check"},
		{route: "POST /v1/tasks/{id}/reassign", variant: "to an office off the region chain", path: selfA + "/reassign",
			body: map[string]any{"assignee": map[string]any{"kind": "office", "id": "510104"}, "reason": "授权矩阵测试"},
			want: manageTask, note: "the neighbouring county's office may not hold the township's task: refused after the permission check"},
		{route: "POST /v1/tasks/{id}/extend", path: selfA + "/extend",
			body: map[string]any{"workdays": 0, "pause": true, "resume": true, "reason": "授权矩阵测试"},
			want: manageTask, note: "pause and resume at once: refused after the permission check"},
		{route: "POST /v1/tasks/{id}/close", path: selfA + "/close", body: map[string]any{"reason": "授权矩阵测试：本年度自评不再进行"},
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 403, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			// Closing succeeds and ends the task: orgA is refused first,
			// the office closes selfA and the admin selfB, after every
			// other case on them.
			paths: map[authzRole]string{roleAdmin: selfB + "/close"},
			last:  true, note: "closes this year's self-assessment (office) and next year's (admin)"},

		// Evidence.
		{route: "POST /v1/stations/{id}/service-records", path: township + "/service-records", body: map[string]any{"records": []any{}},
			want: recording, note: "an empty batch: 422 after authorization"},
		{route: "POST /v1/stations/{id}/service-records/import", path: township + "/service-records/import", contentType: "text/csv", raw: badCSV,
			want: recording, note: "a row with an unknown service line: 422 after authorization, nothing imported"},
		{route: "POST /v1/stations/{id}/files", path: township + "/files", contentType: fileType, raw: fileBody,
			want: recording, note: "an unknown kind of file: 422 after authorization, nothing stored"},
		{route: "GET /v1/stations/{id}/evidence", variant: "operating township", path: township + "/evidence", want: evidence},
		{route: "POST /v1/stations/{id}/projects", path: township + "/projects",
			body: map[string]any{"name": "授权矩阵测试项目", "service_lines": []string{"elderly_child_care"}, "funder_kind": "foundation",
				"funder_name": "某基金会", "amount_fen": 100, "start_date": "2026-06-30", "end_date": "2026-01-01", "beneficiaries": 0},
			want: recording, note: "a project ending before it starts: 422 after authorization, nothing recorded"},
		{route: "GET /v1/stations/{id}/projects", path: township + "/projects", want: evidence},
		{route: "POST /v1/stations/{id}/supervision-sessions", path: township + "/supervision-sessions",
			body: map[string]any{"date": "2026-01-05", "minutes": 60, "supervisor_id": f.rosterEntry, "staff_ids": []string{f.rosterEntry},
				"topic": "授权矩阵测试督导"},
			want: recording, note: "a full-time social worker named as supervisor: 422 after authorization, nothing recorded"},
		{route: "GET /v1/stations/{id}/supervision-sessions", path: township + "/supervision-sessions", want: evidence},
		{route: "GET /v1/stations/{id}/evidence", variant: "county station open for tender", path: county + "/evidence",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 404, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			note: "an organisation that may merely apply for a station sees none of its evidence"},
		{route: "GET /v1/stations/{id}/roster", path: township + "/roster", want: evidence},
		{route: "POST /v1/stations/{id}/roster", path: township + "/roster",
			body: map[string]any{"name": "李娜", "post": "part_time", "qualification": "assistant", "certificate_no": "A51012021002", "joined_on": "2999-01-01"},
			want: recording, note: "a joining day in the future: 422 after authorization, nothing stored"},
		{route: "POST /v1/stations/{id}/roster/{entry}/leave", path: township + "/roster/" + f.rosterEntry + "/leave",
			body: map[string]any{"left_on": "2000-01-01"},
			want: recording, note: "a left day before the joining day: 422 after authorization, the entry unchanged"},
		{route: "GET /v1/staffing-rules/{region}", path: "/v1/staffing-rules/51",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "both county offices lie under the province, on its chain"},
		{route: "PUT /v1/staffing-rules/{region}", path: "/v1/staffing-rules/51",
			body: map[string]any{"level": "township_station", "min_full_time": -1, "min_with_part_time": 0},
			want: authzWant{admin: 422, officeIn: 403, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "only a province office (or an admin) sets a rule; a negative minimum is 422 after authorization"},
		{route: "GET /v1/stations/{id}/scorecards", path: township + "/scorecards", want: evidence},
		{route: "GET /v1/files/{id}", path: "/v1/files/" + f.file, want: evidence,
			note: "a file is for those who see its station's evidence"},

		// Contracts: the office over the station and the organisation
		// holding the contract; supervisors never.
		{route: "GET /v1/stations/{id}/contracts", path: township + "/contracts",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 404, supOther: 404, none: 401},
			note: "orgB neither sees the township nor holds a contract there"},
		{route: "GET /v1/stations/{id}/contracts", variant: "county station open for tender", path: county + "/contracts",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 200, supAssigned: 404, supOther: 404, none: 401},
			note: "an organisation that may apply for a station sees its own contracts there: none"},
		{route: "GET /v1/contracts/{id}", path: contract,
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 404, supOther: 404, none: 401}},
		{route: "GET /v1/scorecards/{id}", path: "/v1/scorecards/" + f.card, want: evidence},

		// Rectifications.
		{route: "GET /v1/rectifications", path: "/v1/rectifications", want: authzWant{200, 200, 200, 200, 200, 200, 200, 401},
			note: "every role lists, cut to its scope"},
		{route: "GET /v1/rectifications/{id}", path: item, want: evidence,
			note: "the assigned supervisor is the item's verifier"},
		{route: "POST /v1/rectifications/{id}/respond", path: item + "/respond",
			body: map[string]any{"response": "已新聘两名持证社工，证书附后", "evidence_ids": []string{}},
			want: authzWant{admin: 409, officeIn: 409, officeOut: 404, orgOwner: 409, orgOther: 404, supAssigned: 403, supOther: 404, none: 401},
			note: "a valid answer to an item without a task yet: 409 after authorization; the verifier may not answer"},
		{route: "POST /v1/rectifications/{id}/verify", path: item + "/verify", body: map[string]any{"accepted": true, "comment": "证书已核对"},
			want: authzWant{admin: 409, officeIn: 409, officeOut: 404, orgOwner: 403, orgOther: 404, supAssigned: 409, supOther: 404, none: 401},
			note: "a valid verification of an item not yet answered: 409 after authorization; the organisation may not verify"},

		// Overdue.
		{route: "GET /v1/overdue", variant: "own region", path: "/v1/overdue",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401}},
		{route: "GET /v1/overdue", variant: "the county's region", path: "/v1/overdue?region_code=510108",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "a region outside the office is 403 naming region_code, as for every region an office names"},

		// Projection failures.
		{route: "GET /v1/projection-failures", variant: "own region", path: "/v1/projection-failures",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401}},
		{route: "GET /v1/projection-failures", variant: "the county's region", path: "/v1/projection-failures?region_code=510108",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "a region outside the office is 403 naming region_code"},
		{route: "POST /v1/projection-failures/{id}/retry", path: "/v1/projection-failures/" + f.failure + "/retry",
			want: authzWant{admin: 409, officeIn: 409, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "the failure's workflow does not run: 409 after authorization, and the failure stays open"},

		// Cycles.
		{route: "POST /v1/cycles/preview", path: "/v1/cycles/preview", body: map[string]any{"region_code": "510108", "year": year,
			"rubric_version": "annual-2026.1", "self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0},
			want: authzWant{admin: 200, officeIn: 200, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "a preview changes nothing"},
		{route: "POST /v1/cycles", path: "/v1/cycles", body: map[string]any{"region_code": "510108", "year": year,
			"rubric_version": "supervision-2026.1", "self_assessment_due_workdays": 600, "evaluation_due_workdays": 600, "min_term_days": 0},
			want: authzWant{admin: 422, officeIn: 422, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "a supervision rubric: 422 after the role and the region pass; nothing is created"},
		{route: "GET /v1/cycles", path: "/v1/cycles",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "an office lists the cycles of its region"},
		{route: "GET /v1/cycles/{id}", path: cycleA, want: cycleRead},
		{route: "GET /v1/cycles/{id}/stations", path: cycleA + "/stations", want: cycleRead},
		{route: "GET /v1/cycles/{id}/evaluators", path: cycleA + "/evaluators", want: cycleRead},
		{route: "GET /v1/cycles/{id}/report", path: cycleA + "/report", want: cycleRead},
		{route: "POST /v1/cycles/{id}/extend", path: cycleA + "/extend?dry_run=true",
			body: map[string]any{"kind": "self_assessment", "workdays": 5, "reason": "授权矩阵测试顺延"}, want: cycleRead,
			note: "a dry run changes nothing"},
		{route: "POST /v1/cycles/{id}/cancel", path: cycleA + "/cancel",
			want: authzWant{admin: 202, officeIn: 202, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			// Cancelling succeeds once per cycle: the office cancels this
			// year's cycle and the admin next year's, last of all.
			paths: map[authzRole]string{roleAdmin: cycleB + "/cancel"},
			last:  true, note: "cancels this year's cycle (office) and next year's (admin)"},
		{route: "POST /v1/stations/{id}/appeals", path: township + "/appeals", body: map[string]any{"reason": "授权矩阵测试：申诉理由充分"},
			want: authzWant{admin: 403, officeIn: 403, officeOut: 404, orgOwner: 409, orgOther: 404, supAssigned: 403, supOther: 404, none: 401},
			note: "only the organisation evaluated appeals; there is no decision yet, so it gets 409"},
		{route: "GET /v1/stations/{id}/evaluation", path: township + "/evaluation",
			want: authzWant{admin: 200, officeIn: 200, officeOut: 404, orgOwner: 200, orgOther: 404, supAssigned: 403, supOther: 404, none: 401},
			note: "a station's evaluation is for its office, its organisation and admins; its supervisor sees the station but not this"},

		// People: every caller reads itself; an object's audit trail follows
		// the object's own scope rule (here the township's evidence rule);
		// a sign-in link needs no token, and an unknown one is 400 for all.
		{route: "GET /v1/me", path: "/v1/me",
			want:   authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 200, orgOther: 200, supAssigned: 200, supOther: 200, none: 401},
			person: 200},
		{route: "GET /v1/audit", path: "/v1/audit?subject=" + f.township.ID.String(), want: evidence,
			note: "a station's trail is for those who see its evidence; outside scope it is 404, as for an ID never audited"},
		// Notifications belong to a person: only the supervisor acting
		// through a personal token has a list and preferences; every
		// service token is 403.
		{route: "GET /v1/notifications", path: "/v1/notifications?unread=true", want: personal(200)},
		{route: "POST /v1/notifications/{id}/read", path: "/v1/notifications/" + f.notification + "/read", want: personal(200),
			note: "the supervisor reads their own; another account's is 404 (TestNotificationsReach…)"},
		{route: "GET /v1/me/notification-preferences", path: "/v1/me/notification-preferences", want: personal(200)},
		{route: "PUT /v1/me/notification-preferences", path: "/v1/me/notification-preferences",
			body: map[string]bool{"email": true, "wecom": false, "dingtalk": false}, want: personal(422),
			note: "e-mail for an account without an address: 422 naming email"},
		{route: "PUT /v1/notification-channels/{region}", path: "/v1/notification-channels/510108",
			body: map[string]string{"wecom_url": "http://insecure.example/hook"},
			want: authzWant{admin: 422, officeIn: 422, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "an http webhook is 422 once allowed; a region outside the office's is 404"},
		// Accounts: admins and offices administer the accounts they could
		// have made; organisations' service tokens are no administrators
		// and supervisors administer nobody (403). The county clerk is in
		// the county office's reach, not the neighbour's (404).
		{route: "POST /v1/accounts", path: "/v1/accounts", body: map[string]any{"login": "matrix.new", "display_name": "矩阵",
			"grants": []any{map[string]any{"role": "office", "scope": "510108"}}},
			want:   authzWant{admin: 422, officeIn: 422, officeOut: 422, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			person: 422, note: "an office grant without a duty: 422 once the caller may administer accounts; nothing is created"},
		{route: "GET /v1/accounts", path: "/v1/accounts?state=active&role=office&q=ch",
			want:   authzWant{admin: 200, officeIn: 200, officeOut: 200, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			person: 200, note: "each administrator lists only what it administers (the neighbour office an empty page: TestAccountListShows…)"},
		{route: "GET /v1/accounts/{id}", path: account, want: manageAccount, person: 200,
			note: "the county approver's personal token administers its county's clerk as the county office does"},
		{route: "POST /v1/accounts/{id}/disable", path: account + "/disable", want: manageAccount,
			note: "disables the clerk, whose token nobody uses; enable follows"},
		{route: "POST /v1/accounts/{id}/enable", path: account + "/enable", want: manageAccount},
		{route: "POST /v1/accounts/{id}/reset-link", path: account + "/reset-link",
			want: authzWant{admin: 201, officeIn: 201, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401}},
		{route: "POST /v1/accounts/{id}/grants", path: account + "/grants", body: map[string]any{"role": "office", "scope": "510108"},
			want: authzWant{admin: 422, officeIn: 422, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "an office grant without a duty: 422 after authorization"},
		{route: "DELETE /v1/accounts/{id}/grants/{grant}", path: account + "/grants/" + clerkGrant,
			want: authzWant{admin: 409, officeIn: 409, officeOut: 404, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "the account's last grant: 409 after authorization"},

		// A person's own tokens: service tokens are no person (403).
		// A person makes a token for itself (harmless to the fixture), and
		// revoking a token not its own is 404 like an unknown one.
		// The unassigned supervisor acts through a personal token too.
		{route: "POST /v1/me/tokens", path: "/v1/me/tokens", body: map[string]any{"name": "matrix"},
			want: personal(201), person: 201},
		{route: "GET /v1/me/tokens", path: "/v1/me/tokens", want: personal(200), person: 200},
		{route: "DELETE /v1/me/tokens/{id}", path: "/v1/me/tokens/" + f.revokedToken,
			want: personal(404), person: 409,
			note: "the person's own token, revoked already: 409; another person's is 404 like an unknown one"},

		{route: "POST /auth/password", path: "/auth/password", body: map[string]string{"link": "sfl_unknown", "password": "Str0ng-enough-pw"},
			want: all(400), note: "outside /v1: the link is the credential; an unknown link is 400 naming link"},
		{route: "POST /auth/sign-in", path: "/auth/sign-in", body: map[string]string{"login": "", "password": "Str0ng-enough-pw"},
			want: all(422), note: "outside /v1: the password is the credential; an empty login is 422 naming login for everyone"},
		{route: "POST /auth/sign-out", path: "/auth/sign-out",
			want: all(204), note: "ends the cookie's session if there is one; with none it is no error"},
		{route: "POST /auth/sign-out-everywhere", path: "/auth/sign-out-everywhere",
			want: authzWant{admin: 403, officeIn: 403, officeOut: 403, orgOwner: 403, orgOther: 403, supAssigned: 403, supOther: 403, none: 401},
			note: "takes a session cookie; every bearer token is refused"},
	}
}

// checkAuthzCoverage fails for every routed operation without an entry,
// every entry whose route the router does not serve, and every entry that
// leaves a role out.
func checkAuthzCoverage(t *testing.T, routes map[string]bool, matrix []authzEntry) {
	t.Helper()
	covered := map[string]bool{}
	for _, e := range matrix {
		covered[e.route] = true
		if !routes[e.route] {
			t.Errorf("the matrix lists %s, which the router does not serve", e.route)
		}
		for _, r := range authzRoles {
			if e.want.of(r) == 0 {
				t.Errorf("%s %s: no status for %s", e.route, e.variant, r)
			}
		}
		if e.order != nil && !slices.Equal(slices.Sorted(slices.Values(e.order)), slices.Sorted(slices.Values(authzRoles))) {
			t.Errorf("%s %s: the order names each role once", e.route, e.variant)
		}
	}
	var missing []string
	for k := range routes {
		if !covered[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("route %s has no entry in the authorization matrix: add one", k)
	}
}

// forSubtest is the stack reporting to a subtest.
func (s *stack) forSubtest(t *testing.T) *stack {
	c := *s
	c.t = t
	return &c
}

func (e authzEntry) method() string {
	m, _, _ := strings.Cut(e.route, " ")
	return m
}

func (e authzEntry) request(s *stack, path, token string) response {
	if e.contentType != "" {
		return s.send(e.method(), path, token, e.contentType, e.raw)
	}
	return s.do(e.method(), path, token, e.body)
}

// withUnknownID puts a new random ID where the route template has {id}.
func withUnknownID(route, path string) (string, bool) {
	_, tpl, _ := strings.Cut(route, " ")
	p, query, _ := strings.Cut(path, "?")
	tplParts, parts := strings.Split(tpl, "/"), strings.Split(p, "/")
	i := slices.Index(tplParts, "{id}")
	if i < 0 || len(tplParts) != len(parts) {
		return "", false
	}
	parts[i] = uuid.NewString()
	out := strings.Join(parts, "/")
	if query != "" {
		out += "?" + query
	}
	return out, true
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	started := time.Now()
	routes := routerRoutes(t)
	checkAuthzCoverage(t, routes, authzMatrix(t, &authzFixture{}))

	s := newStackWith(t, stackOptions{workday: time.Hour, quarterWorkdays: 100000})
	f := newAuthzFixture(s)
	t.Logf("fixture built in %s", time.Since(started).Round(time.Millisecond))
	matrix := authzMatrix(t, f)
	ordered := slices.Concat(
		slices.DeleteFunc(slices.Clone(matrix), func(e authzEntry) bool { return e.last }),
		slices.DeleteFunc(slices.Clone(matrix), func(e authzEntry) bool { return !e.last }))

	cases := 0
	for _, e := range ordered {
		name := e.route
		if e.variant != "" {
			name += " (" + e.variant + ")"
		}
		t.Run(name, func(t *testing.T) {
			order := e.order
			if order == nil {
				order = authzRoles
			}
			order = slices.Concat(authzDeadRoles, order)
			if e.person != 0 {
				order = append(order, rolePerson)
			}
			for _, role := range order {
				want := e.wantOf(role)
				path := e.path
				if p, ok := e.paths[role]; ok {
					path = p
				}
				cases++
				t.Run(fmt.Sprintf("%s gets %d", role, want), func(t *testing.T) {
					sub := s.forSubtest(t)
					res := e.request(sub, path, f.tokens[role])
					t.Logf("%s %s: %d %s", e.method(), path, res.Status, answerSummary(res))
					if res.Status != want {
						t.Fatalf("%s %s as %s: status %d, want %d (%s); body %s", e.method(), path, role, res.Status, want, e.note, res.Body)
					}
					unknown, ok := withUnknownID(e.route, path)
					if want != 404 || !ok {
						return
					}
					// Scope leaks nothing: an object outside the scope is
					// answered exactly as an ID that does not exist.
					outside := res.problem(t)
					t.Run("same 404 as an unknown ID", func(t *testing.T) {
						res := e.request(s.forSubtest(t), unknown, f.tokens[role])
						if res.Status != 404 {
							t.Fatalf("an unknown ID: status %d, want 404; body %s", res.Status, res.Body)
						}
						none := res.problem(t)
						if outside.Type != none.Type || outside.Title != none.Title || outside.Detail != none.Detail ||
							!reflect.DeepEqual(outside.Errors, none.Errors) {
							t.Errorf("the 404 for an object outside the scope differs from the 404 for an unknown ID, "+
								"so it tells that the object exists:\n  outside scope: %q %q\n  unknown ID:    %q %q",
								outside.Title, outside.Detail, none.Title, none.Detail)
						}
					})
				})
			}
		})
	}
	t.Logf("%d routes, %d entries, %d cases in %s", len(routes), len(matrix), cases, time.Since(started).Round(time.Millisecond))
}

// answerSummary is what a -v run shows of an answer: a problem's detail and
// fields, or the content type of anything else.
func answerSummary(res response) string {
	if res.Header.Get("Content-Type") != "application/problem+json" {
		return res.Header.Get("Content-Type")
	}
	var p Problem
	if json.Unmarshal(res.Body, &p) != nil {
		return string(res.Body)
	}
	out := p.Detail
	for _, e := range p.Errors {
		out += "; " + e.Field + ": " + e.Message
	}
	return out
}
