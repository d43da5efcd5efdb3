package workflows

import (
	"testing"

	"github.com/stationflow/stationflow/internal/flow"
)

// Each capability registers the form checks of the task kinds it owns; a
// kind nobody registered could never be completed.
func TestEveryTaskKindHasItsFormCheckRegistered(t *testing.T) {
	for _, kind := range flow.TaskKinds {
		if _, ok := formChecks[kind]; !ok {
			t.Errorf("no form check is registered for task kind %s", kind)
		}
	}
	if len(formChecks) != len(flow.TaskKinds) {
		t.Errorf("%d form checks registered for %d task kinds", len(formChecks), len(flow.TaskKinds))
	}
	if errs := CheckForm(flow.TaskInput{Kind: "no_such_kind"}, []byte(`{}`)); len(errs) != 1 || errs[0].Field != "kind" {
		t.Errorf("a kind without a form: got %v, want one error on kind", errs)
	}
}
