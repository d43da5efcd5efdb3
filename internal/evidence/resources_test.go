package evidence

import (
	"testing"

	"github.com/stationflow/stationflow/internal/forms"
)

// Resources list every funder kind in order, add up in fen and measure the
// total against the target; a single kind of funder is flagged.
func TestResourcesAddUpByFunderKindInFenAgainstTheTarget(t *testing.T) {
	target := int64(8_000_000)
	r := SumResources(map[string]FunderResources{
		"civil_affairs": {Projects: 2, AmountFen: 5_000_001},
		"foundation":    {Projects: 1, AmountFen: 999_999},
	}, &target)
	if len(r.ByFunder) != len(forms.FunderKinds) || r.ByFunder[0].FunderKind != "civil_affairs" || r.ByFunder[6].AmountFen != 999_999 {
		t.Fatalf("by funder %+v", r.ByFunder)
	}
	if r.TotalFen != 6_000_000 || r.Projects != 3 || r.FunderKinds != 2 || r.Coverage == nil || *r.Coverage != 0.75 {
		t.Errorf("total %d from %d projects of %d kinds, coverage %v", r.TotalFen, r.Projects, r.FunderKinds, r.Coverage)
	}
	if flags := ResourceFlags(r); len(flags) != 0 {
		t.Errorf("two kinds of funder flagged: %v", flags)
	}
	one := SumResources(map[string]FunderResources{"enterprise": {Projects: 3, AmountFen: 10}}, nil)
	if one.TargetFen != nil || one.Coverage != nil || len(ResourceFlags(one)) != 1 {
		t.Errorf("one kind without a target: %+v flags %v", one, ResourceFlags(one))
	}
	if none := SumResources(nil, &target); none.TotalFen != 0 || len(ResourceFlags(none)) != 0 {
		t.Errorf("no projects: %+v flags %v", none, ResourceFlags(none))
	}
}
