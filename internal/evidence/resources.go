package evidence

import (
	"fmt"
	"math"

	"github.com/stationflow/stationflow/internal/forms"
)

// FunderResources is what one kind of funder brought a station in a
// period: its projects and their amount in fen.
type FunderResources struct {
	FunderKind string `json:"funder_kind"`
	Projects   int64  `json:"projects"`
	AmountFen  int64  `json:"amount_fen"`
}

// Resources are the resources a station integrated (资源整合) in a period:
// its projects whose period meets it, by funder kind and in total. A
// project counts with its whole amount in every period it meets: amounts
// are not pro-rated, so the quarters of a year do not add up to the year.
type Resources struct {
	ByFunder    []FunderResources `json:"by_funder"`    // every funder kind, in forms.FunderKinds order
	Projects    int64             `json:"projects"`     // projects meeting the period
	FunderKinds int               `json:"funder_kinds"` // kinds of funder that brought money
	TotalFen    int64             `json:"total_fen"`
	// TargetFen is the covering contract's year target for resource
	// linking (资源链接, set in yuan), in fen and not pro-rated, as the
	// amounts are not; nil without a contract or that target.
	TargetFen *int64   `json:"target_fen"`
	Coverage  *float64 `json:"coverage"` // total over target; nil without a target above zero
}

// ResourceTarget is a term's year target for resource linking in fen; nil
// without a term or that target.
func ResourceTarget(term *Term) *int64 {
	if term == nil || term.Targets["resource_linking"] == nil {
		return nil
	}
	t := int64(math.Round(*term.Targets["resource_linking"] * 100))
	return &t
}

// SumResources lays out the sums per funder kind in forms.FunderKinds order,
// every kind present, and measures the total against the year target in
// fen (nil: none).
func SumResources(byKind map[string]FunderResources, targetFen *int64) Resources {
	res := Resources{ByFunder: make([]FunderResources, 0, len(forms.FunderKinds))}
	for _, kind := range forms.FunderKinds {
		f := byKind[kind]
		f.FunderKind = kind
		res.ByFunder = append(res.ByFunder, f)
		res.Projects += f.Projects
		res.TotalFen += f.AmountFen
		if f.AmountFen > 0 {
			res.FunderKinds++
		}
	}
	res.TargetFen = targetFen
	if targetFen != nil && *targetFen > 0 {
		c := Round(float64(res.TotalFen)/float64(*targetFen), 4)
		res.Coverage = &c
	}
	return res
}

// ResourceFlags tell a reviewer when the projects of a period all come
// from a single kind of funder. A period without projects is not flagged:
// its resources show zero projects.
func ResourceFlags(r Resources) []string {
	if r.FunderKinds == 1 {
		return []string{fmt.Sprintf("all %d projects of this period come from one kind of funder (资源整合)", r.Projects)}
	}
	return nil
}
