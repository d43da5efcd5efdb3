package forms

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestAmountsInYuanAreWholeFen(t *testing.T) {
	for _, yuan := range []float64{0, 0.01, 0.07, 0.29, 0.57, 1.1, 1.15, 350000, 350000.29, 99999999.99, 1e10, 123456789012.34} {
		if !WholeFen(yuan) {
			t.Errorf("%v yuan is a whole number of fen but was refused", yuan)
		}
	}
	for _, yuan := range []float64{0.001, 0.005, 1.234, 350000.291, 1e-9, 1e-7, 180000.0001, 350000.29000001, math.NaN(), math.Inf(1)} {
		if WholeFen(yuan) {
			t.Errorf("%v yuan is not a whole number of fen but passed", yuan)
		}
	}
	// Every amount of whole fen, written with two decimals as a client
	// would and parsed as JSON parses it, passes.
	for _, start := range []int64{0, 35000000, 9999990000, 1 << 50} {
		for fen := start; fen < start+100000; fen++ {
			written := strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
			if yuan, _ := strconv.ParseFloat(written, 64); !WholeFen(yuan) {
				t.Fatalf("%s yuan is a whole number of fen but was refused", written)
			}
		}
	}
}

func TestABudgetBelowOneFenIsRefusedNotStoredAsZero(t *testing.T) {
	tiny := strings.Replace(goodPlan, `"budget_yuan":120000`, `"budget_yuan":0.001`, 1)
	errs := CheckApplication(plan(t, tiny), codes.TownshipStation)
	if fields(errs) != "budget_yuan" || errs[0].Message != FenMessage {
		t.Fatalf("a budget of 0.001 yuan: %v", errs)
	}
	cents := strings.Replace(goodPlan, `"budget_yuan":120000`, `"budget_yuan":120000.29`, 1)
	if errs := CheckApplication(plan(t, cents), codes.TownshipStation); len(errs) != 0 {
		t.Fatalf("a budget in whole fen was refused: %v", errs)
	}
}

func TestACSVAmountWithAFractionOfAFenIsRefusedNamingItsColumn(t *testing.T) {
	h, errs := ReadCSVHeader(CSVColumns)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	row := []string{"2026-11-20", "elderly_child_care", "home_visit", "3", "1", "0", "0", "2", "4.5", "300.005", "1"}
	_, _, errs = ParseCSVRow(h, row, time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC))
	if len(errs) != 1 || errs[0].Column != "resources_yuan" || errs[0].Message != FenMessage {
		t.Fatalf("300.005 yuan in a CSV cell: %v", errs)
	}
}
