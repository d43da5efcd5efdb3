package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The production build (the default one, which the worker and API images
// build) links neither the Temporal server, its Web UI, the embedded
// server nor the benches: they are what made the binary heavy and slow to
// build, and only the development build (-tags dev) needs them.
func TestTheProductionBuildLinksNoTemporalServer(t *testing.T) {
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gotool, "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=") // the default build, whatever tags this test runs with
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "go.temporal.io/sdk/client") {
		t.Fatalf("go list gave no Temporal client among %d packages: not the list of this binary", len(deps))
	}
	for _, heavy := range []string{"go.temporal.io/server/", "github.com/temporalio/ui-server/",
		"github.com/stationflow/stationflow/internal/devserver", "github.com/stationflow/stationflow/internal/devstack",
		"github.com/stationflow/stationflow/internal/bench"} {
		for _, d := range deps {
			if strings.HasPrefix(d, heavy) {
				t.Errorf("the production build links %s", d)
				break
			}
		}
	}
}
