package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/stationflow/stationflow/internal/store"
	"github.com/stationflow/stationflow/internal/usecase"
)

// routeKey names an operation as "METHOD /path/{template}".
func routeKey(method, path string) string { return method + " " + path }

// routerRoutes lists every route the router registers that has methods.
func routerRoutes(t *testing.T) map[string]bool {
	t.Helper()
	// routes() touches neither Store nor Temporal until a request arrives.
	r := (&Server{Logger: slog.New(slog.DiscardHandler), MetricsToken: "m"}).routes()
	out := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		methods, err := route.GetMethods()
		if err != nil {
			return nil // PathPrefix("/v1") and the like: not an operation
		}
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		for _, m := range methods {
			out[routeKey(m, tpl)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("the router has no routes with methods")
	}
	return out
}

// specOperations lists every (path, method) the document names.
func specOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[routeKey(method, path)] = op
		}
	}
	return out
}

func mustSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, _, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	routes := routerRoutes(t)
	ops := specOperations(mustSpec(t))

	var undocumented, unrouted []string
	for k := range routes {
		if ops[k] == nil {
			undocumented = append(undocumented, k)
		}
	}
	for k := range ops {
		if !routes[k] {
			unrouted = append(unrouted, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unrouted)
	if len(undocumented) > 0 {
		t.Errorf("routes the router serves but schemas/openapi.yaml does not describe:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unrouted) > 0 {
		t.Errorf("operations schemas/openapi.yaml describes but the router does not serve:\n  %s", strings.Join(unrouted, "\n  "))
	}
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	// A fresh load, not the shared one, whose servers spec() clears.
	doc, err := loadSpecDocument()
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: %q, want 3.1.0", doc.OpenAPI)
	}
	// Validate also checks every example against its schema.
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("schemas/openapi.yaml is not a valid OpenAPI document: %v", err)
	}
}

// TestOpenAPIOperationsFollowTheConventions holds every operation, present
// and future, to what the document promises in its introduction: each says
// what it does and who may call it, /v1 needs a bearer token and may answer
// 401, and every error is a problem+json.
func TestOpenAPIOperationsFollowTheConventions(t *testing.T) {
	doc := mustSpec(t)
	if doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Fatal("components.securitySchemes has no bearerAuth")
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range specOperations(doc) {
			if !yield(k) {
				return
			}
		}
	})
	ops := specOperations(doc)
	for _, k := range keys {
		op := ops[k]
		_, path, _ := strings.Cut(k, " ")
		if op.OperationID == "" || op.Summary == "" || op.Description == "" {
			t.Errorf("%s: needs an operationId, a summary and a description", k)
		}
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		needsToken := slices.ContainsFunc(security, func(req openapi3.SecurityRequirement) bool { return req["bearerAuth"] != nil })
		if strings.HasPrefix(path, "/v1/") {
			if !needsToken {
				t.Errorf("%s: a /v1 operation needs bearerAuth", k)
			}
			if op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s: a /v1 operation answers 401 without a token; list it", k)
			}
			if op.Responses.Status(http.StatusTooManyRequests) == nil {
				t.Errorf("%s: a /v1 operation answers 429 to a token over its rate; list it", k)
			}
		} else if needsToken {
			t.Errorf("%s: outside /v1 no token is needed; give it security: []", k)
		}
		for status, ref := range op.Responses.Map() {
			if status < "4" || ref.Value == nil {
				continue
			}
			if ref.Value.Content.Get("application/problem+json") == nil || len(ref.Value.Content) != 1 {
				t.Errorf("%s %s: an error is application/problem+json and nothing else", k, status)
			}
		}
	}
}

// TestOpenAPIListsEveryProblemType: the problem types of problem.go and the
// ProblemType enum of the document are the same set.
func TestOpenAPIListsEveryProblemType(t *testing.T) {
	doc := mustSpec(t)
	ref := doc.Components.Schemas["ProblemType"]
	if ref == nil || ref.Value == nil {
		t.Fatal("components.schemas has no ProblemType")
	}
	inSpec := map[string]bool{}
	for _, v := range ref.Value.Enum {
		inSpec[fmt.Sprint(v)] = true
	}
	for typ := range problemTitles {
		if !inSpec[typ] {
			t.Errorf("problem type %s is missing from ProblemType in openapi.yaml", typ)
		}
		if !strings.Contains(doc.Info.Description, "`"+typ+"`") {
			t.Errorf("problem type %s is not explained in info.description", typ)
		}
		delete(inSpec, typ)
	}
	for typ := range inSpec {
		t.Errorf("ProblemType in openapi.yaml lists %s, which problem.go does not define", typ)
	}
}

// recorded is an answer written by the handlers' own writers.
func recorded(write func(w http.ResponseWriter, r *http.Request), r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	write(rec, r)
	return rec
}

func specRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, "http://localhost"+target, nil)
}

// TestSpecCheckAcceptsWhatTheServerWritesAndRefusesTheRest checks the
// helper itself: answers written by writeProblem and writeJSON, and by the
// real router where it needs no database, pass; broken ones fail.
func TestSpecCheckAcceptsWhatTheServerWritesAndRefusesTheRest(t *testing.T) {
	unauthorized := func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, Problem{Type: ProblemUnauthorized, Title: problemTitles[ProblemUnauthorized],
			Status: http.StatusUnauthorized, Detail: "send Authorization: Bearer <token>"})
	}
	t.Run("a 401 problem passes", func(t *testing.T) {
		req := specRequest("GET", "/v1/stations")
		rec := recorded(unauthorized, req)
		checkResponseAgainstSpec(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
	})

	req := specRequest("GET", "/v1/stations")
	good := recorded(unauthorized, req)
	var p map[string]any
	if err := json.Unmarshal(good.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	without := func(key string) []byte {
		q := map[string]any{}
		for k, v := range p {
			if k != key {
				q[k] = v
			}
		}
		b, _ := json.Marshal(q)
		return b
	}
	withHeader := func(mutate func(http.Header)) http.Header {
		h := good.Header().Clone()
		mutate(h)
		return h
	}
	for _, c := range []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   []byte
	}{
		{"a problem without status", req, 401, good.Header(), without("status")},
		{"a problem without type", req, 401, good.Header(), without("type")},
		{"a problem whose status is not the answer's", req, 401, good.Header(), []byte(strings.Replace(good.Body.String(), `"status":401`, `"status":403`, 1))},
		{"a problem of an unknown type", req, 401, good.Header(), []byte(strings.Replace(good.Body.String(), "unauthenticated", "teapot", 1))},
		{"a 401 without WWW-Authenticate", req, 401, withHeader(func(h http.Header) { h.Del("WWW-Authenticate") }), good.Body.Bytes()},
		{"a problem sent as application/json", req, 401, withHeader(func(h http.Header) { h.Set("Content-Type", "application/json") }), good.Body.Bytes()},
		{"a status the operation does not list", req, http.StatusTeapot, good.Header(), good.Body.Bytes()},
		{"a 422 naming no field", specRequest("POST", "/v1/organisations"), 422, good.Header(),
			[]byte(`{"type":"urn:stationflow:problem:validation-failed","title":"x","status":422,"instance":"/v1/organisations"}`)},
		{"a route the document does not know", specRequest("GET", "/v1/nowhere"), 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`)},
		{"a station list without next_cursor", specRequest("GET", "/v1/stations"), 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"items":[]}`)},
	} {
		t.Run(c.name+" fails", func(t *testing.T) {
			if err := specResponseError(c.req, c.status, c.header, c.body); err == nil {
				t.Errorf("the check passed %d %s", c.status, c.body)
			}
		})
	}

	// The real router, where it answers without a database.
	h := (&Server{Logger: slog.New(slog.DiscardHandler), MetricsToken: "metrics-secret"}).Router()
	for _, c := range []struct {
		method, target, auth string
		status               int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/metrics", "Bearer metrics-secret", 200},
		{"GET", "/metrics", "", 401},
		{"GET", "/metrics", "Bearer sf_an-api-token", 401},
		{"GET", "/v1/stations", "", 401},
		{"POST", "/v1/organisations", "Basic dXNlcjpwdw==", 401},
		{"GET", "/v1/tasks/" + uuid.NewString(), "Bearer", 401},
		{"GET", "/nowhere", "", 404},
		{"DELETE", "/healthz", "", 405},
		{"DELETE", "/v1/stations", "", 405},
		{"PUT", "/v1/tasks/" + uuid.NewString() + "/claim", "Bearer x", 405},
	} {
		t.Run(fmt.Sprintf("the router's %s %s passes", c.method, c.target), func(t *testing.T) {
			req := specRequest(c.method, c.target)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			checkResponseAgainstSpec(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
		})
	}
}

// TestSpecMatchesTheRecordsTheHandlersWrite writes the store's records the
// way the handlers do and checks them against the document, so that a
// field added to a record, or a changed type, shows here without a
// database.
func TestSpecMatchesTheRecordsTheHandlersWrite(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	id := func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	orgID, stationID, taskID, contractID := id(), id(), id(), id()
	cursor := "MDE5MGI3YzItOGYxZS03YzNhLTlkMmItNWU2ZjdhOGI5YzBk"

	org := store.Organisation{ID: orgID, Name: "成华区阳光社工服务中心", CreditCode: "91110000100017643K", CreatedAt: now}
	person := store.Person{ID: id(), Name: "李娜", Role: store.PersonSocialWorker, RegionCode: "510108001",
		OrganisationID: &orgID, Qualification: "intermediate", CreatedAt: now}
	staff := store.Person{ID: id(), Name: "王伟", Role: store.PersonOfficeStaff, RegionCode: "510108", Qualification: "none", CreatedAt: now}
	city := store.Station{ID: id(), Name: "成都市社工支持中心", Level: "city_centre", RegionCode: "5101",
		Phase: store.PhaseAwaitingOperator, CreatedAt: now, UpdatedAt: now}
	township := store.Station{ID: stationID, Name: "猛追湾街道社工站", Level: "township_station", RegionCode: "510108001",
		ParentID: &city.ID, OperatorID: &orgID, Phase: store.PhaseOperating, CreatedAt: now, UpdatedAt: now}
	app := store.Application{ID: id(), StationID: stationID, OrganisationID: orgID, State: store.AppApproved,
		Staffing: json.RawMessage(`[{"name":"张伟","employment":"full_time","qualification":"assistant"}]`),
		Targets: json.RawMessage(`{"needs_assessment":120,"resource_linking":80000,"social_assistance":400,` +
			`"elderly_child_care":1500,"community_governance":60,"industry_development":12}`),
		BudgetYuan: 350000, DocumentIDs: []uuid.UUID{id()}, Round: 2, ReviewTaskID: &taskID, ContractID: &contractID,
		CreatedAt: now, UpdatedAt: now}
	submitted := store.Application{ID: id(), StationID: stationID, OrganisationID: orgID, State: store.AppSubmitted,
		Staffing: app.Staffing, Targets: app.Targets, BudgetYuan: 1, DocumentIDs: []uuid.UUID{}, Round: 1, CreatedAt: now, UpdatedAt: now}
	open := store.Task{ID: taskID, WorkflowID: "task/" + stationID.String() + "/application_review/1", Kind: "application_review",
		StationID: stationID, RegionCode: "510108001", SubjectID: &app.ID, Assignee: store.TaskAssignee{Kind: "office", ID: "510108"},
		State: "open", Priority: 1, DueAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
	done := open
	done.State, done.EscalatedTo, done.EscalationLevel, done.ClaimedBy, done.Overdue, done.CompletedAt =
		"completed", "5101", 1, uuid.NewString(), false, &now
	done.Result = json.RawMessage(`{"decision":"approve"}`)

	type answer struct {
		method, target string
		status         int
		v              any
		location       bool
	}
	for _, c := range []answer{
		{"POST", "/v1/organisations", 201, org, true},
		{"GET", "/v1/organisations", 200, store.List[store.Organisation]{Items: []store.Organisation{org}, NextCursor: &cursor}, false},
		{"GET", "/v1/organisations/" + orgID.String(), 200, org, false},
		{"GET", "/v1/organisations/" + orgID.String() + "/status", 200, map[string]any{"organisation_id": orgID,
			"stations": []store.StationStatus{{Station: township, Due: []store.Task{open}}, {Station: city, Due: []store.Task{}}}}, false},
		{"POST", "/v1/people", 201, person, false},
		{"GET", "/v1/people", 200, store.List[store.Person]{Items: []store.Person{person, staff}}, false},
		{"POST", "/v1/stations", 201, city, true},
		{"GET", "/v1/stations", 200, store.List[store.Station]{Items: []store.Station{}}, false},
		{"GET", "/v1/stations?region=51&level=township_station", 200, store.List[store.Station]{Items: []store.Station{city, township}, NextCursor: &cursor}, false},
		{"GET", "/v1/stations/" + stationID.String(), 200, township, false},
		{"POST", "/v1/stations/" + stationID.String() + "/applications", 201, app, true},
		{"POST", "/v1/stations/" + stationID.String() + "/applications", 202, submitted, true},
		{"GET", "/v1/applications/" + app.ID.String(), 200, app, false},
		{"GET", "/v1/tasks?state=open", 200, store.List[store.Task]{Items: []store.Task{open, done}}, false},
		{"GET", "/v1/tasks/" + taskID.String(), 200, done, false},
		{"POST", "/v1/tasks/" + taskID.String() + "/complete", 200, done, false},
		{"POST", "/v1/tasks/" + taskID.String() + "/claim", 200, open, false},
		{"POST", "/v1/tasks/" + taskID.String() + "/reassign", 200, open, false},
		{"POST", "/v1/tasks/" + taskID.String() + "/extend", 200, open, false},
	} {
		t.Run(fmt.Sprintf("%s %s %d", c.method, c.target, c.status), func(t *testing.T) {
			req := specRequest(c.method, c.target)
			rec := recorded(func(w http.ResponseWriter, r *http.Request) {
				if c.location {
					w.Header().Set("Location", "/v1/x/"+uuid.NewString())
				}
				writeJSON(w, c.status, c.v)
			}, req)
			checkResponseAgainstSpec(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
		})
	}

	// The problems the handlers raise, through the same error writer.
	s := &Server{Logger: slog.New(slog.DiscardHandler)}
	for _, c := range []struct {
		method, target string
		err            error
	}{
		{"POST", "/v1/organisations", problem(http.StatusBadRequest, ProblemMalformed, "the body could not be read as this endpoint's JSON",
			FieldError{Field: "state", Message: "is not a field this form takes"})},
		{"POST", "/v1/organisations", problem(http.StatusUnsupportedMediaType, ProblemMalformed, "send the body as application/json",
			FieldError{Field: "Content-Type", Message: "must be application/json"})},
		{"POST", "/v1/organisations", problem(http.StatusRequestEntityTooLarge, ProblemTooLarge, "too large",
			FieldError{Field: "body", Message: "a request body may hold at most 1048576 bytes"})},
		{"POST", "/v1/organisations", invalidIf([]FieldError{{Field: "credit_code", Message: "the check character does not match"}})},
		{"POST", "/v1/organisations", fmt.Errorf("an organisation with credit code X exists already: %w", store.ErrConflict)},
		{"POST", "/v1/stations", &store.StationRuleError{Field: "parent_id", Message: "a city_centre has no parent station"}},
		{"POST", "/v1/stations", problem(http.StatusForbidden, ProblemForbidden, "a org token may not do this")},
		{"POST", "/v1/people", fmt.Errorf("organisation x: %w", store.ErrNotFound)},
		{"GET", "/v1/stations?cursor=zzz", cursorRefused("cursor")},
		{"GET", "/v1/tasks?limit=0", problem(http.StatusBadRequest, ProblemInvalid, "limit is out of range",
			FieldError{Field: "limit", Message: "must be a whole number from 1 to 500"})},
		{"GET", "/v1/stations/" + stationID.String(), usecase.NotFound("station")},
		{"POST", "/v1/tasks/" + taskID.String() + "/claim", problem(http.StatusConflict, ProblemConflict, "the task is claimed already")},
		{"GET", "/v1/applications/" + app.ID.String(), fmt.Errorf("the database went away")},
	} {
		t.Run(fmt.Sprintf("%s %s: %v", c.method, c.target, c.err), func(t *testing.T) {
			req := specRequest(c.method, c.target)
			rec := recorded(func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, c.err) }, req)
			checkResponseAgainstSpec(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
		})
	}
}
