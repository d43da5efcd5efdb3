package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/stationflow/stationflow"

// rule forbids a package to depend, directly or through others, on any
// package whose import path matches forbidden.
type rule struct {
	pkg       string
	why       string
	forbidden func(dep string) bool
}

func is(paths ...string) func(string) bool {
	return func(dep string) bool { return slices.Contains(paths, dep) }
}

var rules = []rule{
	{
		pkg: module + "/internal/flow",
		why: "the contract imports nothing else from stationflow, so every layer may depend on it",
		forbidden: func(dep string) bool {
			return dep != module+"/internal/flow" && (dep == module || strings.HasPrefix(dep, module+"/"))
		},
	},
	{
		pkg:       module + "/workflows",
		why:       "store rows never travel as Temporal payloads; workflows reach the database only through activities",
		forbidden: is(module + "/internal/store"),
	},
	{
		pkg:       module + "/api",
		why:       "the API reaches workflows through flow, never through the worker's or the activities' internals",
		forbidden: is(module+"/worker", module+"/activities"),
	},
	{
		pkg:       module + "/activities",
		why:       "activities are called by workflows, never the other way round",
		forbidden: is(module + "/workflows"),
	},
	{
		pkg: module + "/cmd/stationflow",
		why: "the production build, which the worker and API images hold, links neither the Temporal server, its Web UI, " +
			"the embedded server nor the benches; only the development build (-tags dev) needs them",
		forbidden: func(dep string) bool {
			for _, heavy := range []string{"go.temporal.io/server/", "github.com/temporalio/ui-server/",
				module + "/internal/devserver", module + "/internal/devstack", module + "/internal/bench"} {
				if strings.HasPrefix(dep, heavy) {
					return true
				}
			}
			return false
		},
	},
}

// listed is what `go list -json -deps` says of one package.
type listed struct {
	ImportPath string
	Deps       []string
	Error      *struct{ Err string }
}

// deps runs `go list -json -deps` over the packages and returns each
// one's transitive dependencies, by import path.
func deps(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list", "-json", "-deps"}, pkgs...)...)
	cmd.Dir = filepath.Join("..", "..")
	// The default build, whatever tags the test itself was built with.
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	all := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's answer: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		all[p.ImportPath] = p.Deps
	}
	return all
}

func goTool(t *testing.T) string {
	if path, err := exec.LookPath("go"); err == nil {
		return path
	}
	path := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(path); err != nil {
		t.Fatalf("no go command found: %v", err)
	}
	return path
}

// violations lists, for each rule, the forbidden dependencies it finds.
func violations(all map[string][]string) []string {
	var out []string
	for _, r := range rules {
		for _, dep := range all[r.pkg] {
			if r.forbidden(dep) {
				out = append(out, r.pkg+" depends on "+dep+": "+r.why)
			}
		}
	}
	return out
}

func TestThePackagesDependOnlyAsTheLayersAllow(t *testing.T) {
	var pkgs []string
	for _, r := range rules {
		pkgs = append(pkgs, r.pkg)
	}
	all := deps(t, pkgs...)
	for _, r := range rules {
		if _, ok := all[r.pkg]; !ok {
			t.Fatalf("go list did not list %s", r.pkg)
		}
	}
	for _, v := range violations(all) {
		t.Error(v)
	}
}

// The rules themselves catch what they claim to: a contract that imports
// the store, workflows that import it, an API that imports the worker.
func TestTheRulesCatchAForbiddenImport(t *testing.T) {
	for name, all := range map[string]map[string][]string{
		"flow imports the store":                         {module + "/internal/flow": {"github.com/google/uuid", module + "/internal/store"}},
		"flow imports forms":                             {module + "/internal/flow": {module + "/internal/forms"}},
		"workflows import the store":                     {module + "/workflows": {module + "/internal/flow", module + "/internal/store"}},
		"the api imports the worker":                     {module + "/api": {module + "/worker"}},
		"the api imports activities":                     {module + "/api": {module + "/activities"}},
		"activities import workflows":                    {module + "/activities": {module + "/workflows"}},
		"the production build links the Temporal server": {module + "/cmd/stationflow": {"go.temporal.io/server/temporal"}},
	} {
		if len(violations(all)) != 1 {
			t.Errorf("%s: want one violation, got %v", name, violations(all))
		}
	}
	if v := violations(map[string][]string{module + "/internal/flow": {"github.com/google/uuid", "go.temporal.io/sdk/temporal"}}); len(v) > 0 {
		t.Errorf("flow's own dependencies outside stationflow are allowed, got %v", v)
	}
}
