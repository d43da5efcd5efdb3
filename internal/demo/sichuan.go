package demo

import (
	"github.com/stationflow/stationflow/internal/codes"
	"github.com/stationflow/stationflow/internal/regions"
)

// divisions are Sichuan's regions from the embedded data set: each code's
// name and level, and each region's children in code order.
type divisions struct {
	names, levels map[string]string
	children      map[string][]string
}

// sichuanRegions picks Sichuan (51) out of the embedded divisions.
func sichuanRegions() (*divisions, error) {
	all, err := regions.All()
	if err != nil {
		return nil, err
	}
	d := &divisions{names: map[string]string{}, levels: map[string]string{}, children: map[string][]string{}}
	for _, r := range all {
		if !codes.Within(r.Code, "51") {
			continue
		}
		d.names[r.Code], d.levels[r.Code] = r.Name, r.Level
		if r.Parent != "" {
			d.children[r.Parent] = append(d.children[r.Parent], r.Code)
		}
	}
	return d, nil
}

// region is one of Sichuan's regions as the demo seeds it.
func (d *divisions) region(code string) Region {
	parent, _ := codes.Parent(code)
	return Region{Code: code, Level: d.levels[code], Parent: parent, Name: d.names[code]}
}

// counties lists Sichuan's counties in code order.
func (d *divisions) counties() []string {
	var out []string
	for _, city := range d.children["51"] {
		out = append(out, d.children[city]...)
	}
	return out
}

// townshipQuota spreads the report's township stations over the counties:
// each its share, at most its real townships, and what a small county
// cannot take goes to the first counties with townships to spare.
func (d *divisions) townshipQuota(counties []string) map[string]int {
	quota := map[string]int{}
	left := Townships
	for i, c := range counties {
		quota[c] = min(share(Townships, len(counties), i), len(d.children[c]))
		left -= quota[c]
	}
	for _, c := range counties {
		extra := min(left, len(d.children[c])-quota[c])
		quota[c] += extra
		left -= extra
	}
	return quota
}
