package grading

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/testkit"
)

// fuzzBandField is how Check names a field of one band.
var fuzzBandField = regexp.MustCompile(`^bands\[([0-9]+)\]\.(grade|label|min)$`)

// FuzzBands: bands decoded from arbitrary JSON, as a cycle request brings
// them, and checked. Every error names the list or a field of one of its
// bands. Bands that pass give every total from 0 to 100 a band whose
// minimum it reaches and the next better band's it does not; a higher
// total never gets a worse band; the pass mark is the pass band's minimum,
// the lowest total that does not fail; and the bands, written back as
// JSON, decode to the same bands and pass again.
func FuzzBands(f *testing.F) {
	def, err := json.Marshal(DefaultBands())
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{def,
		[]byte(`[{"grade":"excellent","label":"优","min":100},{"grade":"good","label":"良","min":99.99},{"grade":"pass","label":"合","min":5e-324},{"grade":"fail","label":"不","min":-0}]`),
		[]byte(`[{"grade":"good","label":"","min":90},{"grade":"excellent","label":"一二三四五六七八九十一二三四五六七八九十一","min":95},{"grade":"pass","label":"x","min":101},{"grade":"fail","label":"x","min":1}]`),
		[]byte(`[{"grade":"excellent","label":"优秀","min":90}]`),
		[]byte(`[]`),
	}
	check := func(t testing.TB, raw []byte) {
		var b Bands
		if !testkit.DecodeStrict(t, raw, &b) {
			return
		}
		errs := b.Check("bands")
		for _, e := range errs {
			if e.Message == "" {
				t.Fatalf("an error says nothing: %+v", e)
			}
			if e.Field == "bands" {
				continue
			}
			m := fuzzBandField.FindStringSubmatch(e.Field)
			if m == nil {
				t.Fatalf("an error names %q, not the bands or a field of one", e.Field)
			}
			if i, _ := strconv.Atoi(m[1]); i >= len(b) {
				t.Fatalf("an error names %q; there are %d bands", e.Field, len(b))
			}
		}
		if len(errs) > 0 {
			return
		}

		rank := func(total float64) int {
			band := b.Of(total)
			i := slices.Index(b, band)
			if i < 0 {
				t.Fatalf("%v got the band %+v, which is not one of %+v", total, band, b)
			}
			if total < band.Min || (i > 0 && total >= b[i-1].Min) {
				t.Fatalf("%v got the band %+v of %+v", total, band, b)
			}
			return i
		}
		var totals []float64
		for c := 0; c <= 10000; c++ {
			totals = append(totals, float64(c)/100)
		}
		for _, band := range b {
			totals = append(totals, band.Min, math.Nextafter(band.Min, math.Inf(1)))
			if below := math.Nextafter(band.Min, math.Inf(-1)); below >= 0 {
				totals = append(totals, below)
			}
		}
		slices.Sort(totals)
		prev := len(b)
		for _, total := range totals {
			if total > 100 {
				continue
			}
			i := rank(total)
			if i > prev {
				t.Fatalf("%v got %s, worse than a lower total", total, b[i].Grade)
			}
			prev = i
		}
		pm := b.PassMark()
		if pm != b[2].Min || b.Of(pm).Grade == Fail || (pm > 0 && b.Of(math.Nextafter(pm, math.Inf(-1))).Grade != Fail) {
			t.Fatalf("pass mark %v of %+v", pm, b)
		}
		for _, band := range b {
			if b.Label(band.Grade) != band.Label {
				t.Fatalf("the label of %s is %q, not %q", band.Grade, b.Label(band.Grade), band.Label)
			}
		}

		again, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("bands that pass cannot be written: %v", err)
		}
		var b2 Bands
		if derr := forms.DecodeStrictBytes(again, &b2); derr != nil {
			t.Fatalf("bands that pass, written back, are refused: %v\n%s", derr, again)
		}
		if errs := b2.Check("bands"); len(errs) > 0 || !reflect.DeepEqual(b, b2) {
			t.Fatalf("bands that pass, written back, became %+v (%v)", b2, errs)
		}
	}
	// Each seed is also checked before fuzzing, in each worker process: the
	// first decode and encode of Bands fill encoding/json's caches, whose
	// code then never runs again; coverage first seen there cannot be
	// reproduced, and the fuzzer would spend up to -fuzzminimizetime trying
	// to minimise such an input.
	for _, seed := range seeds {
		f.Add(seed)
		check(f, seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { check(t, raw) })
}

// fuzzTotals reads evaluators' totals from data: with grid, two bytes each,
// a total of two decimals from 0 to 100 as Score gives; without, eight
// bytes each, any finite float64 folded into 0..100. At most 16.
func fuzzTotals(data []byte, grid bool) []float64 {
	var out []float64
	for len(out) < 16 {
		if grid {
			if len(data) < 2 {
				break
			}
			out = append(out, float64(binary.LittleEndian.Uint16(data)%10001)/100)
			data = data[2:]
			continue
		}
		if len(data) < 8 {
			break
		}
		x := math.Abs(math.Float64frombits(binary.LittleEndian.Uint64(data)))
		data = data[8:]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if x > 100 {
			x = min(math.Mod(x, 101), 100)
		}
		out = append(out, x)
	}
	return out
}

// FuzzAgree: evaluators' totals from 0 to 100 and a threshold. The spread
// is the rounded distance between the lowest and the highest total. When
// they agree, the used totals are valid, distinct indexes: all of them
// when the spread is within the threshold, else the first of the closest
// pairs, which lies within it; the total is their mean, within their range
// (to the rounding, and exactly for totals of two decimals). When they do
// not, no two totals lie within the threshold and nothing is used.
func FuzzAgree(f *testing.F) {
	grid := func(totals ...uint16) []byte {
		var b []byte
		for _, t := range totals {
			b = binary.LittleEndian.AppendUint16(b, t)
		}
		return b
	}
	floats := func(totals ...float64) []byte {
		var b []byte
		for _, t := range totals {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(t))
		}
		return b
	}
	f.Add(grid(8200, 8800), 10.0, true)
	f.Add(grid(6200, 8800, 8400), 10.0, true)
	f.Add(grid(4000, 8800, 6400), 10.0, true)
	f.Add(grid(7000, 8000), 10.0, true)
	f.Add(grid(7150), 0.0, true)
	f.Add(grid(), 10.0, true)
	f.Add(floats(85.123, 85.123, 85.127), 0.0, false)
	f.Add(floats(0, 100, 50, 50.000000001), 1e-9, false)
	f.Add(floats(math.NaN(), math.Inf(1), 1e308, -5e-324), math.Inf(1), false)
	f.Fuzz(func(t *testing.T, data []byte, threshold float64, onGrid bool) {
		totals := fuzzTotals(data, onGrid)
		if math.IsNaN(threshold) || math.IsInf(threshold, 0) {
			threshold = 10 // the cycle default
		}
		threshold = min(math.Abs(threshold), 100)
		a := Agree(totals, threshold)
		if len(totals) == 0 {
			if !reflect.DeepEqual(a, Agreement{}) {
				t.Fatalf("no totals gave %+v", a)
			}
			return
		}
		lo, hi := slices.Min(totals), slices.Max(totals)
		if a.Spread != math.Round((hi-lo)*100)/100 || a.Spread < 0 {
			t.Fatalf("spread %v of %v", a.Spread, totals)
		}
		closest := math.Inf(1)
		for i := range totals {
			for j := i + 1; j < len(totals); j++ {
				closest = min(closest, math.Abs(totals[i]-totals[j]))
			}
		}
		if !a.Agreed {
			if a.Used != nil || a.Total != 0 || hi-lo <= threshold || closest <= threshold {
				t.Fatalf("%v with threshold %v: disagreement %+v", totals, threshold, a)
			}
			return
		}
		if len(a.Used) == 0 || !slices.IsSorted(a.Used) || len(slices.Compact(slices.Clone(a.Used))) != len(a.Used) {
			t.Fatalf("used %v of %d totals", a.Used, len(totals))
		}
		var used []float64
		for _, i := range a.Used {
			if i < 0 || i >= len(totals) {
				t.Fatalf("used %v of %d totals", a.Used, len(totals))
			}
			used = append(used, totals[i])
		}
		if hi-lo <= threshold {
			if len(a.Used) != len(totals) {
				t.Fatalf("%v lie within %v, but only %v are used", totals, threshold, a.Used)
			}
		} else {
			if len(a.Used) != 2 {
				t.Fatalf("%v spread beyond %v, but %v are used", totals, threshold, a.Used)
			}
			i, j := a.Used[0], a.Used[1]
			d := math.Abs(totals[i] - totals[j])
			if d > threshold || d != closest {
				t.Fatalf("%v: the pair %v lies %v apart; the closest lie %v apart, threshold %v", totals, a.Used, d, closest, threshold)
			}
			for k := range totals {
				for l := k + 1; l < len(totals); l++ {
					if (k < i || (k == i && l < j)) && math.Abs(totals[k]-totals[l]) == closest {
						t.Fatalf("%v: the pair %v is used, but [%d %d] comes first and is as close", totals, a.Used, k, l)
					}
				}
			}
		}
		ulo, uhi := slices.Min(used), slices.Max(used)
		slack := 0.005 + 1e-9
		if onGrid {
			slack = 0
		}
		if a.Total < ulo-slack || a.Total > uhi+slack || a.Total < 0 || a.Total > 100 {
			t.Fatalf("total %v of the used totals %v", a.Total, used)
		}
	})
}
