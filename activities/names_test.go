package activities

import (
	"reflect"
	"testing"

	"github.com/stationflow/stationflow/internal/flow"
)

// Workflows schedule activities by flow's names and the worker registers
// the methods of Activities under their own names: every name must be a
// method, and every exported method a name, or a workflow would schedule
// an activity no worker runs.
func TestEveryActivityNameIsAMethodOfActivities(t *testing.T) {
	typ := reflect.TypeFor[*Activities]()
	for _, name := range flow.ActivityNames {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("flow names activity %q, which Activities has no method for", name)
		}
	}
	named := map[string]bool{}
	for _, name := range flow.ActivityNames {
		named[name] = true
	}
	for i := range typ.NumMethod() {
		if m := typ.Method(i); !named[m.Name] {
			t.Errorf("Activities.%s is registered as an activity but flow does not name it", m.Name)
		}
	}
}
