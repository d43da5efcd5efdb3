package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/stationflow/stationflow/schemas"
)

// The OpenAPI document, loaded once for every test of the package.
var (
	specOnce    sync.Once
	specDoc     *openapi3.T
	specRouter  routers.Router
	specOptions *openapi3filter.Options
	specErr     error
)

// loadSpecDocument reads schemas/openapi.yaml from the embedded files and
// resolves its references. It does not validate the document: that is
// TestOpenAPIDocumentIsValid's job.
func loadSpecDocument() (*openapi3.T, error) {
	raw, err := fs.ReadFile(schemas.FS, "openapi.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading openapi.yaml: %w", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("loading openapi.yaml: %w", err)
	}
	return doc, nil
}

// spec returns the document and a router over its paths, loaded once.
func spec() (*openapi3.T, routers.Router, error) {
	specOnce.Do(func() {
		doc, err := loadSpecDocument()
		if err != nil {
			specErr = err
			return
		}
		// Match on the path alone: the tests' requests go to whatever host
		// httptest picked, whatever servers the document may list.
		doc.Servers = nil
		// Every ID the API writes is a UUID; kin-openapi leaves the format
		// unchecked unless told.
		doc.SetStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			specErr = fmt.Errorf("routing openapi.yaml: %w", err)
			return
		}
		specDoc, specRouter = doc, r
		// Check the status too (a status the operation does not list is an
		// error), and accept any credentials: the server checked them.
		specOptions = &openapi3filter.Options{
			IncludeResponseStatus:   true,
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: doc.GetSchemaValidationOptions(),
		}
	})
	return specDoc, specRouter, specErr
}

// checkResponseAgainstSpec fails the test unless the response that req got
// (status, headers, body) is one openapi.yaml describes for req's operation:
// a listed status, its required headers, and a body of its media type that
// matches its schema. Only req's method and URL are read. A request that
// matches no operation must have been answered with the router's own 404 or
// 405 problem.
func checkResponseAgainstSpec(t *testing.T, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := specResponseError(req, status, header, body); err != nil {
		t.Errorf("%s %s answered %d, which openapi.yaml does not describe: %v\nbody: %s",
			req.Method, req.URL.RequestURI(), status, err, truncate(body, 2000))
	}
}

// specResponseError is checkResponseAgainstSpec's verdict: nil when the
// response matches the document.
func specResponseError(req *http.Request, status int, header http.Header, body []byte) error {
	doc, router, err := spec()
	if err != nil {
		return err
	}
	route, pathParams, err := router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound) && status == http.StatusNotFound:
		return checkAgainstResponse(doc, "NotFound", status, header, body)
	case errors.Is(err, routers.ErrMethodNotAllowed) && status == http.StatusMethodNotAllowed:
		return checkAgainstResponse(doc, "MethodNotAllowed", status, header, body)
	case err != nil:
		return fmt.Errorf("no operation in openapi.yaml matches the request: %w", err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
			Options:    specOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: specOptions,
	}
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// checkAgainstResponse checks an answer that no operation gives (the
// router's own "no route" and "wrong method" problems) against a response
// of components.responses.
func checkAgainstResponse(doc *openapi3.T, name string, status int, header http.Header, body []byte) error {
	ref := doc.Components.Responses[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("openapi.yaml has no components.responses.%s", name)
	}
	// Reuse the response validator by wrapping the component in an
	// operation of its own.
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses(openapi3.WithStatus(status, ref))
	req, _ := http.NewRequest(http.MethodGet, "http://localhost/", nil)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: "/", Method: http.MethodGet, Operation: op},
			Options: specOptions,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: specOptions,
	}
	return openapi3filter.ValidateResponse(context.Background(), input)
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + fmt.Sprintf("… (%d bytes more)", len(b)-n)
}

// TestOpenAPIServersAreNamed: every server the document lists says what
// it is.
func TestOpenAPIServersAreNamed(t *testing.T) {
	doc, err := loadSpecDocument() // spec() clears the servers
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 {
		t.Fatal("openapi.yaml lists no servers")
	}
	for _, s := range doc.Servers {
		if s.URL == "" || s.Description == "" {
			t.Errorf("server %q needs a url and a description naming it", s.URL)
		}
	}
}

// TestOpenAPIRequiredPropertiesAreDefined: every property a schema of the
// document requires is one of its properties (or of a schema it is made
// of with allOf), so that no required name is a typo nothing describes.
func TestOpenAPIRequiredPropertiesAreDefined(t *testing.T) {
	doc, _, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(at string, s *openapi3.SchemaRef)
	walk = func(at string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		for _, name := range s.Required {
			if !schemaDefines(s, name) {
				t.Errorf("%s requires %q, which it does not define in properties", at, name)
			}
		}
		for name, p := range s.Properties {
			walk(at+"."+name, p)
		}
		for i, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(fmt.Sprintf("%s/of[%d]", at, i), sub)
		}
		walk(at+"[]", s.Items)
		if s.AdditionalProperties.Schema != nil {
			walk(at+"{}", s.AdditionalProperties.Schema)
		}
	}
	for name, ref := range doc.Components.Schemas {
		walk("components.schemas."+name, ref)
	}
	for name, ref := range doc.Components.Responses {
		for mt, c := range ref.Value.Content {
			walk("components.responses."+name+" "+mt, c.Schema)
		}
	}
	for k, op := range specOperations(doc) {
		if op.RequestBody != nil && op.RequestBody.Value != nil {
			for mt, c := range op.RequestBody.Value.Content {
				walk(k+" request "+mt, c.Schema)
			}
		}
		for status, r := range op.Responses.Map() {
			if r.Value != nil {
				for mt, c := range r.Value.Content {
					walk(k+" "+status+" "+mt, c.Schema)
				}
			}
		}
	}
}

// schemaDefines says whether s, or a schema of its allOf, has the
// property name.
func schemaDefines(s *openapi3.Schema, name string) bool {
	if _, ok := s.Properties[name]; ok {
		return true
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil && schemaDefines(sub.Value, name) {
			return true
		}
	}
	return false
}

// TestOpenAPIOperationsListTheirClientErrors: every operation lists the
// 4xx answers the server gives it by its shape. A body is read strictly
// (400), as JSON in UTF-8 (415), checked against the rules (422) and
// bounded (413); a query parameter may be malformed (400); a path
// parameter may name nothing the caller may see (404) or be no text at
// all (400); under /v1 a token
// is needed (401) and held to a rate (429). Any path answers a method it
// does not take with 405 and Allow, through components.responses.
func TestOpenAPIOperationsListTheirClientErrors(t *testing.T) {
	doc, _, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	for k, op := range specOperations(doc) {
		_, path, _ := strings.Cut(k, " ")
		want := map[int]string{}
		if strings.HasPrefix(path, "/v1/") {
			want[http.StatusUnauthorized] = "a /v1 operation needs a token"
			want[http.StatusTooManyRequests] = "a /v1 operation is rate-limited"
		}
		if op.RequestBody != nil {
			for _, s := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity} {
				want[s] = "it takes a body"
			}
		}
		for _, p := range slices.Concat(doc.Paths.Value(path).Parameters, op.Parameters) {
			switch p.Value.In {
			case openapi3.ParameterInQuery:
				want[http.StatusBadRequest] = "it takes the query parameter " + p.Value.Name
			case openapi3.ParameterInPath:
				want[http.StatusNotFound] = "it takes the path parameter " + p.Value.Name
				want[http.StatusBadRequest] = "a path parameter holding control bytes or no UTF-8 is malformed: " + p.Value.Name
			}
		}
		for status, why := range want {
			if op.Responses.Status(status) == nil {
				t.Errorf("%s: answers %d (%s); list it", k, status, why)
			}
		}
	}
	allow := doc.Components.Responses["MethodNotAllowed"]
	if allow == nil || allow.Value == nil || allow.Value.Headers["Allow"] == nil || !allow.Value.Headers["Allow"].Value.Required {
		t.Error("components.responses.MethodNotAllowed must require the Allow header")
	}
}
