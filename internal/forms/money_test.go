package forms

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stationflow/stationflow/internal/codes"
)

func TestAmountsInYuanAreWholeFen(t *testing.T) {
	for _, yuan := range []float64{0, 0.01, 0.29, 1.1, 350000, 350000.29, 99999999.99, 1e10} {
		if !WholeFen(yuan) {
			t.Errorf("%v yuan is a whole number of fen but was refused", yuan)
		}
	}
	for _, yuan := range []float64{0.001, 0.005, 1.234, 350000.291, math.NaN(), math.Inf(1)} {
		if WholeFen(yuan) {
			t.Errorf("%v yuan is not a whole number of fen but passed", yuan)
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
