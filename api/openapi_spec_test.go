package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
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
