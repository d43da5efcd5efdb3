package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// injections are names that try to make a spreadsheet run a formula, one
// per trigger OWASP lists, plus a full-width one.
var injections = []string{
	`=HYPERLINK("http://x","y")`,
	"+1+1",
	"-2+3",
	"@SUM(A1)",
	"\t=1",
	"\r=1",
	"＝1+1",
}

// injectedRows is one station per injection, the injection in every text
// column a caller can name, with a negative self-assessment score that must
// stay a number.
func injectedRows() []StationRow {
	rows := make([]StationRow, 0, len(injections))
	for _, name := range injections {
		row := fullRow()
		row.StationName, row.CountyName, row.Organisation, row.DecisionReason = name, name, name, name
		row.SelfAssessment = score(-2)
		rows = append(rows, row)
	}
	return rows
}

// textColumns are the columns injectedRows fills with an injection.
var textColumns = []string{"站点名称", "区县", "运营机构", "决定理由"}

func TestNeutralise(t *testing.T) {
	for text, want := range map[string]string{
		"":                   "",
		"南京东路街道社工站":          "南京东路街道社工站",
		"a=1":                "a=1",
		"SW-310101-001":      "SW-310101-001",
		"=1+1":               "'=1+1",
		"+1":                 "'+1",
		"-1":                 "'-1",
		"@A1":                "'@A1",
		"\t=1":               "'\t=1",
		"\r=1":               "'\r=1",
		"＠A1":                "'＠A1",
		"'=1 already quoted": "'=1 already quoted",
	} {
		if got := Neutralise(text); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestCSVReportNeutralisesFormulaInjection(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, 2, rowsOf(injectedRows()...)); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	records := readCSV(t, buf.Bytes())
	header := records[0]
	for i, record := range records[1:] {
		for _, column := range textColumns {
			got := record[indexOf(t, header, column)]
			if want := "'" + injections[i]; got != want {
				t.Errorf("%s of row %d = %q, want %q", column, i+1, got, want)
			}
		}
		if got := record[indexOf(t, header, "自评得分")]; got != "-2" {
			t.Errorf("自评得分 of row %d = %q, want the number -2 as it is", i+1, got)
		}
	}
	for _, name := range injections {
		quoted := `"'` + strings.ReplaceAll(name, `"`, `""`) + `"`
		if !strings.Contains(buf.String(), quoted) {
			t.Errorf("the CSV does not hold %q quoted as %s", name, quoted)
		}
	}
	if !strings.Contains(buf.String(), ",-2,") {
		t.Error("the negative score is not written as a bare number")
	}
}

func TestDistributionCSVNeutralisesCountyNames(t *testing.T) {
	counties := twoCounties()
	counties[0].CountyName = "=HYPERLINK(\"http://x\",\"y\")"
	var buf bytes.Buffer
	if err := WriteDistributionCSV(&buf, defaultBands(), counties); err != nil {
		t.Fatalf("WriteDistributionCSV: %v", err)
	}
	records := readCSV(t, buf.Bytes())
	if got, want := records[1][1], "'"+counties[0].CountyName; got != want {
		t.Errorf("county name = %q, want %q", got, want)
	}
	if got := records[1][2]; got != "2" {
		t.Errorf("count = %q, want 2", got)
	}
}

func TestXLSXReportKeepsFormulaInjectionAsText(t *testing.T) {
	f := writeWorkbook(t, 2, rowsOf(injectedRows()...), defaultBands(), twoCounties())
	columns := Columns(2)
	for i, name := range injections {
		line := i + 2
		for _, column := range textColumns {
			ref, err := excelize.CoordinatesToCellName(indexOf(t, columns, column)+1, line)
			if err != nil {
				t.Fatal(err)
			}
			assertTextCell(t, f, ref, name)
		}
		ref, err := excelize.CoordinatesToCellName(indexOf(t, columns, "自评得分")+1, line)
		if err != nil {
			t.Fatal(err)
		}
		if cellType, err := f.GetCellType(stationSheet, ref); err != nil || (cellType != excelize.CellTypeNumber && cellType != excelize.CellTypeUnset) {
			t.Errorf("自评得分 cell %s has type %v, %v; want a number", ref, cellType, err)
		}
		if value, err := f.GetCellValue(stationSheet, ref); err != nil || value != "-2" {
			t.Errorf("自评得分 cell %s = %q, %v; want -2", ref, value, err)
		}
	}
}

// assertTextCell checks that the station sheet's cell ref is a string cell
// holding want as it is, with no formula.
func assertTextCell(t *testing.T, f *excelize.File, ref, want string) {
	t.Helper()
	if cellType, err := f.GetCellType(stationSheet, ref); err != nil || cellType != excelize.CellTypeInlineString {
		t.Errorf("cell %s has type %v, %v; want an inline string", ref, cellType, err)
	}
	if formula, err := f.GetCellFormula(stationSheet, ref); err != nil || formula != "" {
		t.Errorf("cell %s has formula %q, %v; want none", ref, formula, err)
	}
	if value, err := f.GetCellValue(stationSheet, ref); err != nil || value != want {
		t.Errorf("cell %s = %q, %v; want %q", ref, value, err, want)
	}
}

func indexOf(t *testing.T, columns []string, column string) int {
	t.Helper()
	for i, c := range columns {
		if c == column {
			return i
		}
	}
	t.Fatalf("no column %s in %q", column, columns)
	return -1
}
