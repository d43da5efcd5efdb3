package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func score(x float64) *float64 { return &x }

// fullRow has every field set, with a third evaluation beyond the two
// evaluator columns the tests ask for.
func fullRow() StationRow {
	return StationRow{
		StationCode:    "SW-310101-001",
		StationName:    "南京东路街道社工站",
		CountyCode:     "310101",
		CountyName:     "黄浦区",
		Organisation:   "上海益友社工服务中心",
		State:          "done",
		SelfAssessment: score(91.234),
		Evaluations:    []float64{87.5, 88.256, 99},
		Arbitrated:     true,
		Total:          score(87.5),
		Grade:          "good",
		Proposal:       "renew",
		Decision:       "conditional_renew",
		DecisionReason: "台账不全，限期整改",
		Appeal:         "changed",
		FinalDecision:  "renew",
	}
}

// fullRowCells is fullRow as the station table's cells with two evaluators.
var fullRowCells = []string{
	"SW-310101-001", "南京东路街道社工站", "310101", "黄浦区", "上海益友社工服务中心", "已完成",
	"91.23", "87.5", "88.26",
	"是", "87.5", "良好", "续约", "有条件续约", "台账不全，限期整改", "改变决定", "续约",
}

// emptyRow is a station that has not started its cycle.
func emptyRow() StationRow {
	return StationRow{
		StationCode: "SW-310104-007",
		StationName: "田林街道社工站",
		CountyCode:  "310104",
		CountyName:  "徐汇区",
		State:       "pending",
	}
}

// emptyRowCells is emptyRow as the station table's cells with two evaluators.
var emptyRowCells = []string{
	"SW-310104-007", "田林街道社工站", "310104", "徐汇区", "", "待开始",
	"", "", "",
	"否", "", "", "", "", "", "无", "",
}

func rowsOf(rows ...StationRow) Rows {
	return func(yield func(StationRow, error) bool) {
		for _, row := range rows {
			if !yield(row, nil) {
				return
			}
		}
	}
}

// generatedRows yields n distinct stations, every third one ungraded.
func generatedRows(n int) Rows {
	return func(yield func(StationRow, error) bool) {
		for i := range n {
			row := StationRow{
				StationCode:    fmt.Sprintf("SW-%06d", i),
				StationName:    fmt.Sprintf("第%d社工站", i),
				CountyCode:     fmt.Sprintf("3101%02d", i%16),
				CountyName:     "某区",
				Organisation:   "某社工服务中心",
				State:          "done",
				SelfAssessment: score(float64(60 + i%40)),
				Evaluations:    []float64{float64(i%100) + 0.25, 75.5},
				Total:          score(float64(i%100) + 0.5),
				Grade:          "pass",
				Proposal:       "renew",
				Decision:       "renew",
				FinalDecision:  "renew",
			}
			if i%3 == 0 {
				row.State, row.Total, row.Grade, row.Proposal, row.Decision, row.FinalDecision = "evaluation", nil, "", "", "", ""
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

var errSourceFailed = errors.New("source failed")

// failingRows yields one good row and then errSourceFailed, and fails the
// test if the writer asks for more.
func failingRows(t *testing.T) Rows {
	return func(yield func(StationRow, error) bool) {
		if !yield(fullRow(), nil) {
			return
		}
		if yield(StationRow{}, errSourceFailed) {
			t.Error("the writer went on after the iterator's error")
		}
	}
}

func defaultBands() []Band {
	return []Band{{"excellent", "优秀"}, {"good", "良好"}, {"pass", "合格"}, {"fail", "不合格"}}
}

func twoCounties() []CountyGrades {
	return []CountyGrades{
		{CountyCode: "310101", CountyName: "黄浦区", Counts: map[string]int{"excellent": 2, "good": 5, "pass": 1}, Ungraded: 1},
		{CountyCode: "310104", CountyName: "徐汇区", Counts: map[string]int{"good": 3, "fail": 2}},
	}
}

// twoCountiesTable is twoCounties' distribution table, header and total line included.
var twoCountiesTable = [][]string{
	{"区县代码", "区县", "优秀", "良好", "合格", "不合格", "未评级", "合计"},
	{"310101", "黄浦区", "2", "5", "1", "0", "1", "9"},
	{"310104", "徐汇区", "0", "3", "0", "2", "0", "5"},
	{"", "合计", "2", "8", "1", "2", "1", "14"},
}

// readCSV checks the byte-order mark and parses the rest.
func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("CSV does not start with the UTF-8 byte-order mark: % x", data[:min(len(data), 8)])
	}
	records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v", err)
	}
	return records
}

// trimTrailingEmpty drops the empty cells at a row's end, which excelize's
// GetRows leaves out.
func trimTrailingEmpty(cells []string) []string {
	end := len(cells)
	for end > 0 && cells[end-1] == "" {
		end--
	}
	return cells[:end]
}

func writeWorkbook(t testing.TB, evaluators int, rows Rows, bands []Band, counties []CountyGrades) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, evaluators, rows, bands, counties); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("opening the workbook again: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("closing the workbook: %v", err)
		}
	})
	return f
}

func TestColumnsHasOneColumnPerEvaluator(t *testing.T) {
	want := []string{
		"站点编码", "站点名称", "区县代码", "区县", "运营机构", "状态", "自评得分",
		"评估员1得分", "评估员2得分", "评估员3得分",
		"是否仲裁", "最终得分", "等级", "建议结论", "决定", "决定理由", "申诉", "最终决定",
	}
	if got := Columns(3); !slices.Equal(got, want) {
		t.Errorf("Columns(3) = %q, want %q", got, want)
	}
	if got, want := len(Columns(0)), 15; got != want {
		t.Errorf("Columns(0) has %d columns, want %d", got, want)
	}
	if got := Columns(-1); !slices.Equal(got, Columns(0)) {
		t.Errorf("Columns(-1) = %q, want no evaluator columns", got)
	}
}

func TestLabelNamesEveryCodeAndPassesUnknownOnes(t *testing.T) {
	for code, want := range map[string]string{
		"done": "已完成", "failed": "失败", "cancelled": "已取消", "pending": "待开始",
		"self_assessment": "自评中", "evaluation": "评估中", "arbitration": "仲裁中",
		"decision": "待决定", "appeal": "申诉期", "conditions": "整改条件跟踪",
		"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格",
		"renew": "续约", "conditional_renew": "有条件续约", "exit": "退出",
		"open": "复核中", "upheld": "维持原决定", "changed": "改变决定",
		"": "", "paused": "paused",
	} {
		if got := Label(code); got != want {
			t.Errorf("Label(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestWriteCSVRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, 2, rowsOf(fullRow(), emptyRow())); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	records := readCSV(t, buf.Bytes())
	if len(records) != 3 {
		t.Fatalf("got %d records, want header and 2 rows: %q", len(records), records)
	}
	if !slices.Equal(records[0], Columns(2)) {
		t.Errorf("header = %q, want %q", records[0], Columns(2))
	}
	if !slices.Equal(records[1], fullRowCells) {
		t.Errorf("full row = %q, want %q", records[1], fullRowCells)
	}
	if !slices.Equal(records[2], emptyRowCells) {
		t.Errorf("empty row = %q, want %q", records[2], emptyRowCells)
	}
}

func TestWriteCSVQuotesTextThatNeedsIt(t *testing.T) {
	row := emptyRow()
	row.StationName = `"阳光",社工站`
	row.DecisionReason = "第一行\n第二行"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, 0, rowsOf(row)); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	records := readCSV(t, buf.Bytes())
	if got := records[1][1]; got != row.StationName {
		t.Errorf("站点名称 = %q, want %q", got, row.StationName)
	}
	if got := records[1][slices.Index(Columns(0), "决定理由")]; got != row.DecisionReason {
		t.Errorf("决定理由 = %q, want %q", got, row.DecisionReason)
	}
}

func TestScoresAreRoundedToTwoDecimals(t *testing.T) {
	for value, want := range map[float64]string{
		87.5: "87.5", 90: "90", 79.999: "80", 66.666: "66.67", 0.004: "0", -0.001: "0", 100: "100",
	} {
		row := emptyRow()
		row.Total = score(value)
		var buf bytes.Buffer
		if err := WriteCSV(&buf, 0, rowsOf(row)); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		if got := readCSV(t, buf.Bytes())[1][slices.Index(Columns(0), "最终得分")]; got != want {
			t.Errorf("total %v written as %q, want %q", value, got, want)
		}
	}
}

func TestScoreThatIsNotANumberIsAnError(t *testing.T) {
	row := emptyRow()
	row.Evaluations = []float64{80, nanScore()}
	err := WriteCSV(io.Discard, 2, rowsOf(row))
	if err == nil || !strings.Contains(err.Error(), "SW-310104-007") || !strings.Contains(err.Error(), "评估员2得分") {
		t.Errorf("WriteCSV with a NaN score: %v, want an error naming the station and column", err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, 2, rowsOf(row), defaultBands(), nil); err == nil {
		t.Error("WriteXLSX with a NaN score succeeded")
	}
}

func nanScore() float64 {
	zero := 0.0
	return zero / zero
}

func TestWriteDistributionCSVCountsAndTotals(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDistributionCSV(&buf, defaultBands(), twoCounties()); err != nil {
		t.Fatalf("WriteDistributionCSV: %v", err)
	}
	records := readCSV(t, buf.Bytes())
	if !slices.EqualFunc(records, twoCountiesTable, slices.Equal) {
		t.Errorf("distribution = %q, want %q", records, twoCountiesTable)
	}
}

func TestDistributionRefusesGradesOutsideTheBands(t *testing.T) {
	counties := twoCounties()
	counties[1].Counts["gold"] = 4
	counties[1].Counts["silver"] = 0 // nothing counted, nothing lost
	err := WriteDistributionCSV(io.Discard, defaultBands(), counties)
	if err == nil || !strings.Contains(err.Error(), `"gold"`) || strings.Contains(err.Error(), "silver") {
		t.Errorf("WriteDistributionCSV: %v, want an error naming grade gold only", err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, 2, rowsOf(fullRow()), defaultBands(), counties); err == nil {
		t.Error("WriteXLSX with a grade outside the bands succeeded")
	}
	if buf.Len() != 0 {
		t.Errorf("WriteXLSX wrote %d bytes before failing", buf.Len())
	}
}

func TestWriteXLSXStationSheet(t *testing.T) {
	f := writeWorkbook(t, 2, rowsOf(fullRow(), emptyRow()), defaultBands(), twoCounties())

	if got, want := f.GetSheetList(), []string{"评估结果", "等级分布"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	rows, err := f.GetRows("评估结果")
	if err != nil {
		t.Fatalf("GetRows: %v", err)
	}
	want := [][]string{Columns(2), fullRowCells, trimTrailingEmpty(emptyRowCells)}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("station sheet =\n%q\nwant\n%q", rows, want)
	}

	total, err := excelize.CoordinatesToCellName(slices.Index(Columns(2), "最终得分")+1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"G2", "H2", total} {
		cellType, err := f.GetCellType("评估结果", ref)
		if err != nil {
			t.Fatalf("GetCellType(%s): %v", ref, err)
		}
		if cellType != excelize.CellTypeNumber && cellType != excelize.CellTypeUnset {
			t.Errorf("cell %s has type %v, want a number", ref, cellType)
		}
	}
	if value, err := f.GetCellValue("评估结果", total); err != nil || value != "87.5" {
		t.Errorf("最终得分 cell %s = %q, %v; want 87.5", total, value, err)
	}
	if cellType, err := f.GetCellType("评估结果", "B2"); err != nil || cellType != excelize.CellTypeInlineString {
		t.Errorf("站点名称 cell has type %v, %v; want an inline string", cellType, err)
	}

	headerStyle, err := f.GetCellStyle("评估结果", "A1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(headerStyle)
	if err != nil {
		t.Fatal(err)
	}
	if style.Font == nil || !style.Font.Bold {
		t.Errorf("header style %+v is not bold", style)
	}
	for _, sheet := range f.GetSheetList() {
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("sheet %s panes = %+v, want the header row frozen", sheet, panes)
		}
	}
	if width, err := f.GetColWidth("评估结果", "B"); err != nil || width != 30 {
		t.Errorf("站点名称 column width = %v, %v; want 30", width, err)
	}
}

func TestWriteXLSXDistributionSheet(t *testing.T) {
	f := writeWorkbook(t, 2, rowsOf(fullRow()), defaultBands(), twoCounties())

	rows, err := f.GetRows("等级分布")
	if err != nil {
		t.Fatalf("GetRows: %v", err)
	}
	if !slices.EqualFunc(rows, twoCountiesTable, slices.Equal) {
		t.Errorf("distribution sheet =\n%q\nwant\n%q", rows, twoCountiesTable)
	}
	if cellType, err := f.GetCellType("等级分布", "H4"); err != nil || (cellType != excelize.CellTypeNumber && cellType != excelize.CellTypeUnset) {
		t.Errorf("total count cell has type %v, %v; want a number", cellType, err)
	}
	if cell, err := f.GetCellValue("等级分布", "A4"); err != nil || cell != "" {
		t.Errorf("total line's 区县代码 = %q, %v; want empty", cell, err)
	}
}

func TestWriteXLSXWithoutCounties(t *testing.T) {
	f := writeWorkbook(t, 0, rowsOf(), defaultBands(), nil)
	stations, err := f.GetRows("评估结果")
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{Columns(0)}; !slices.EqualFunc(stations, want, slices.Equal) {
		t.Errorf("station sheet = %q, want only the header", stations)
	}
	distribution, err := f.GetRows("等级分布")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{twoCountiesTable[0], {"", "合计", "0", "0", "0", "0", "0", "0"}}
	if !slices.EqualFunc(distribution, want, slices.Equal) {
		t.Errorf("distribution sheet = %q, want %q", distribution, want)
	}
}

func TestWritersReturnTheIteratorsError(t *testing.T) {
	var csvOut bytes.Buffer
	if err := WriteCSV(&csvOut, 2, failingRows(t)); !errors.Is(err, errSourceFailed) {
		t.Errorf("WriteCSV returned %v, want %v", err, errSourceFailed)
	}
	var xlsxOut bytes.Buffer
	if err := WriteXLSX(&xlsxOut, 2, failingRows(t), defaultBands(), twoCounties()); !errors.Is(err, errSourceFailed) {
		t.Errorf("WriteXLSX returned %v, want %v", err, errSourceFailed)
	}
	if xlsxOut.Len() != 0 {
		t.Errorf("WriteXLSX wrote %d bytes of a workbook it could not finish", xlsxOut.Len())
	}
}

func TestWriteXLSXKeeps40000Rows(t *testing.T) {
	const stations = 40_000
	f := writeWorkbook(t, 2, generatedRows(stations), defaultBands(), twoCounties())

	rows, err := f.Rows("评估结果")
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	count := 0
	var last []string
	for rows.Next() {
		count++
		if count == stations+1 {
			if last, err = rows.Columns(); err != nil {
				t.Fatalf("reading the last row: %v", err)
			}
		}
	}
	if err := rows.Error(); err != nil {
		t.Fatalf("reading rows: %v", err)
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("closing rows: %v", err)
	}
	if count != stations+1 {
		t.Fatalf("station sheet has %d rows, want %d", count, stations+1)
	}
	// Station 39999 is still in evaluation (39999%3 = 0): evaluated 99.25
	// and 75.5, no total yet.
	if len(last) < 11 || last[0] != "SW-039999" || last[5] != "评估中" || last[7] != "99.25" || last[8] != "75.5" || last[10] != "" {
		t.Errorf("last row = %q", last)
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	const stations = 10_000
	bands, counties := defaultBands(), twoCounties()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteXLSX(&buf, 2, generatedRows(stations), bands, counties); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/workbook")
}
