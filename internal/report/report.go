// Package report writes an annual evaluation cycle's report — each station's
// scores, grade, decision and appeal, and the grade distribution by county —
// as CSV or XLSX with Chinese column headers.
package report

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// StationRow is one station's line in a cycle report.
type StationRow struct {
	StationCode    string    // 站点编码
	StationName    string    // 站点名称
	CountyCode     string    // 区县代码 (6 digits)
	CountyName     string    // 区县
	Organisation   string    // 运营机构 (may be empty)
	State          string    // the station's state in the cycle, a code such as "done", "failed", "cancelled", "self_assessment", "evaluation", "arbitration", "decision", "appeal", "conditions", "pending"
	SelfAssessment *float64  // 自评得分, nil when not filed
	Evaluations    []float64 // each evaluator's total, in evaluator order (may be 0..5 long)
	Arbitrated     bool      // the total was set by the office's arbitration
	Total          *float64  // 最终得分, nil until graded
	Grade          string    // grade code: "excellent", "good", "pass", "fail", or "" when ungraded
	Proposal       string    // proposed outcome code: "renew", "conditional_renew", "exit" or ""
	Decision       string    // decided outcome code, same codes, or ""
	DecisionReason string    // 决定理由
	Appeal         string    // appeal code: "" (none), "open" (under review), "upheld", "changed"
	FinalDecision  string    // the decision after any appeal, same codes as Decision, or ""
}

// Band names a grade in the report's distribution table, in order from best to worst.
type Band struct {
	Code  string // "excellent"
	Label string // "优秀"
}

// CountyGrades counts the graded stations of one county by grade code.
type CountyGrades struct {
	CountyCode string
	CountyName string
	Counts     map[string]int // by Band.Code
	Ungraded   int            // stations in the cycle without a grade yet
}

// Rows is a stream of report rows; the iteration stops at the first error.
type Rows = iter.Seq2[StationRow, error]

// Sheet names of the workbook WriteXLSX writes, in order.
const (
	stationSheet      = "评估结果"
	distributionSheet = "等级分布"
)

// totalLabel heads the distribution table's total column and names its
// total line.
const totalLabel = "合计"

// noAppealLabel is written in the 申诉 column when a station has no appeal.
const noAppealLabel = "无"

// labels maps every code the report writes to its Chinese label. The code
// sets (states, grades, outcomes, appeals) share no code, so one map serves.
var labels = map[string]string{
	// states
	"done":            "已完成",
	"failed":          "失败",
	"cancelled":       "已取消",
	"pending":         "待开始",
	"self_assessment": "自评中",
	"evaluation":      "评估中",
	"arbitration":     "仲裁中",
	"decision":        "待决定",
	"appeal":          "申诉期",
	"conditions":      "整改条件跟踪",
	// grades
	"excellent": "优秀",
	"good":      "良好",
	"pass":      "合格",
	"fail":      "不合格",
	// outcomes
	"renew":             "续约",
	"conditional_renew": "有条件续约",
	"exit":              "退出",
	// appeals
	"open":    "复核中",
	"upheld":  "维持原决定",
	"changed": "改变决定",
}

// Label returns the Chinese label of a state, grade, outcome or appeal code;
// an unknown code is returned as it is, and "" stays "".
func Label(code string) string {
	if label, ok := labels[code]; ok {
		return label
	}
	return code
}

// appealLabel is Label for the 申诉 column, where no appeal reads 无.
func appealLabel(code string) string {
	if code == "" {
		return noAppealLabel
	}
	return Label(code)
}

// Columns are the Chinese headers of the station table, in order.
func Columns(evaluators int) []string {
	evaluators = max(evaluators, 0)
	columns := make([]string, 0, 15+evaluators)
	columns = append(columns, "站点编码", "站点名称", "区县代码", "区县", "运营机构", "状态", "自评得分")
	for i := 1; i <= evaluators; i++ {
		columns = append(columns, "评估员"+strconv.Itoa(i)+"得分")
	}
	return append(columns, "是否仲裁", "最终得分", "等级", "建议结论", "决定", "决定理由", "申诉", "最终决定")
}

// byteOrderMark starts every CSV file so spreadsheet programs read it as UTF-8.
const byteOrderMark = "\uFEFF"

// WriteCSV writes the station table as CSV (UTF-8 with a byte-order mark so
// spreadsheet programs read the Chinese headers) to w.
//
// One score column is written per evaluator up to evaluators (the caller
// passes the largest number of evaluations any row has); a row with fewer
// evaluations leaves the rest empty, and values beyond evaluators are
// dropped. Scores are rounded to 2 decimals and written as bare numbers;
// every text field is quoted, and one that a spreadsheet would run as a
// formula is neutralised (see Neutralise). If rows yields an error, WriteCSV
// stops and returns it; the lines written before it have reached w.
func WriteCSV(w io.Writer, evaluators int, rows Rows) error {
	evaluators = max(evaluators, 0)
	if _, err := io.WriteString(w, byteOrderMark); err != nil {
		return err
	}
	out := newCSVWriter(w)
	if err := out.Write(textFields(Columns(evaluators))); err != nil {
		return err
	}
	cells := make([]cell, 0, len(Columns(evaluators)))
	record := make([]csvField, 0, cap(cells))
	for row, err := range rows {
		if err != nil {
			return err
		}
		cells, err = appendStationCells(cells[:0], row, evaluators)
		if err != nil {
			return err
		}
		record = record[:0]
		for _, cell := range cells {
			record = append(record, cell.csv())
		}
		if err := out.Write(record); err != nil {
			return err
		}
	}
	return out.Flush()
}

// WriteDistributionCSV writes the grade distribution by county as CSV (BOM as above).
//
// The columns are 区县代码, 区县, each band's label in the given order, 未评级
// and 合计 (the county's stations, graded or not); a last line 合计 sums every
// column. A county counting stations under a grade code that is not among
// bands is an error, so no station goes missing from the table.
func WriteDistributionCSV(w io.Writer, bands []Band, counties []CountyGrades) error {
	table, err := distribution(bands, counties)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, byteOrderMark); err != nil {
		return err
	}
	out := newCSVWriter(w)
	if err := out.Write(textFields(table.header)); err != nil {
		return err
	}
	for _, line := range append(table.counties, table.total) {
		record := []csvField{textField(line.countyCode), textField(line.countyName)}
		for _, count := range line.counts {
			record = append(record, numberField(strconv.Itoa(count)))
		}
		if err := out.Write(record); err != nil {
			return err
		}
	}
	return out.Flush()
}

// WriteXLSX writes a workbook with two sheets — "评估结果" (the station table)
// and "等级分布" (the grade distribution by county, with a total line
// 合计 at the bottom) — using excelize's StreamWriter so 40,000 rows stay
// within modest memory.
//
// The sheets hold the same columns as WriteCSV and WriteDistributionCSV, with
// scores and counts as numeric cells and every text as a string cell, never a
// formula, whatever it starts with. Nothing is written to w until the whole
// workbook is built, so an error from rows, or a distribution error as in
// WriteDistributionCSV, leaves w untouched.
func WriteXLSX(w io.Writer, evaluators int, rows Rows, bands []Band, counties []CountyGrades) (err error) {
	evaluators = max(evaluators, 0)
	table, err := distribution(bands, counties)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer func() {
		if closeErr := f.Close(); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	if err := f.SetSheetName(f.GetSheetName(0), stationSheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(distributionSheet); err != nil {
		return err
	}
	headerStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := writeStationSheet(f, headerStyle, evaluators, rows); err != nil {
		return err
	}
	if err := writeDistributionSheet(f, headerStyle, table); err != nil {
		return err
	}
	return f.Write(w)
}

// writeStationSheet streams the station table into stationSheet.
func writeStationSheet(f *excelize.File, headerStyle, evaluators int, rows Rows) error {
	sheet, err := f.NewStreamWriter(stationSheet)
	if err != nil {
		return err
	}
	widths := []float64{16, 30, 10, 14, 30, 14, 10}
	for range evaluators {
		widths = append(widths, 12)
	}
	widths = append(widths, 10, 10, 8, 12, 12, 40, 12, 12)
	if err := startSheet(sheet, widths); err != nil {
		return err
	}
	if err := writeHeader(sheet, headerStyle, Columns(evaluators)); err != nil {
		return err
	}
	cells := make([]cell, 0, len(widths))
	values := make([]any, 0, len(widths))
	line := 1
	for row, err := range rows {
		if err != nil {
			return err
		}
		cells, err = appendStationCells(cells[:0], row, evaluators)
		if err != nil {
			return err
		}
		values = values[:0]
		for _, cell := range cells {
			values = append(values, cell.xlsx())
		}
		line++
		if err := setRow(sheet, line, values); err != nil {
			return err
		}
	}
	return sheet.Flush()
}

// writeDistributionSheet streams the distribution table into
// distributionSheet, its total line in bold.
func writeDistributionSheet(f *excelize.File, headerStyle int, table distributionTable) error {
	sheet, err := f.NewStreamWriter(distributionSheet)
	if err != nil {
		return err
	}
	widths := []float64{10, 16}
	for range len(table.header) - 2 {
		widths = append(widths, 10)
	}
	if err := startSheet(sheet, widths); err != nil {
		return err
	}
	if err := writeHeader(sheet, headerStyle, table.header); err != nil {
		return err
	}
	line := 1
	for _, county := range table.counties {
		line++
		if err := setRow(sheet, line, county.values(0)); err != nil {
			return err
		}
	}
	line++
	if err := setRow(sheet, line, table.total.values(headerStyle)); err != nil {
		return err
	}
	return sheet.Flush()
}

// startSheet sets a streamed sheet's column widths and freezes its header
// row; both must come before the first row.
func startSheet(sheet *excelize.StreamWriter, widths []float64) error {
	for i, width := range widths {
		if err := sheet.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	return sheet.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      1,
		TopLeftCell: "A2",
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

// writeHeader writes the headers in bold as a streamed sheet's first row.
func writeHeader(sheet *excelize.StreamWriter, headerStyle int, headers []string) error {
	values := make([]any, len(headers))
	for i, header := range headers {
		values[i] = excelize.Cell{StyleID: headerStyle, Value: header}
	}
	return setRow(sheet, 1, values)
}

// setRow writes values as row line (counted from 1) of a streamed sheet.
func setRow(sheet *excelize.StreamWriter, line int, values []any) error {
	start, err := excelize.CoordinatesToCellName(1, line)
	if err != nil {
		return err
	}
	return sheet.SetRow(start, values)
}

// cell is one value of the station table: text, a number, or empty.
type cell struct {
	text     string
	number   float64
	isNumber bool
}

// textCell holds text; "" is an empty cell.
func textCell(text string) cell { return cell{text: text} }

// csv is the cell as a CSV field: a number stays a number, text is
// neutralised by the writer.
func (c cell) csv() csvField {
	if c.isNumber {
		return numberField(strconv.FormatFloat(c.number, 'f', -1, 64))
	}
	return textField(c.text)
}

// xlsx is the cell as a StreamWriter value: a float64 for a number, nil
// (which the StreamWriter skips) for an empty cell.
func (c cell) xlsx() any {
	switch {
	case c.isNumber:
		return c.number
	case c.text == "":
		return nil
	default:
		return c.text
	}
}

// appendStationCells appends one station's line, in Columns(evaluators)
// order, to cells. A score that is not a finite number is an error naming
// the station and the column.
func appendStationCells(cells []cell, row StationRow, evaluators int) ([]cell, error) {
	cells = append(cells,
		textCell(row.StationCode),
		textCell(row.StationName),
		textCell(row.CountyCode),
		textCell(row.CountyName),
		textCell(row.Organisation),
		textCell(Label(row.State)),
		scoreCell(row.SelfAssessment),
	)
	for i := range evaluators {
		if i < len(row.Evaluations) {
			cells = append(cells, scoreCell(&row.Evaluations[i]))
		} else {
			cells = append(cells, cell{})
		}
	}
	arbitrated := "否"
	if row.Arbitrated {
		arbitrated = "是"
	}
	cells = append(cells,
		textCell(arbitrated),
		scoreCell(row.Total),
		textCell(Label(row.Grade)),
		textCell(Label(row.Proposal)),
		textCell(Label(row.Decision)),
		textCell(row.DecisionReason),
		textCell(appealLabel(row.Appeal)),
		textCell(Label(row.FinalDecision)),
	)
	for i, c := range cells {
		if c.isNumber && (math.IsNaN(c.number) || math.IsInf(c.number, 0)) {
			return cells, fmt.Errorf("report: station %s: %s is %v, not a number", row.StationCode, Columns(evaluators)[i], c.number)
		}
	}
	return cells, nil
}

// scoreCell is a score rounded to 2 decimals, or an empty cell for nil.
func scoreCell(score *float64) cell {
	if score == nil {
		return cell{}
	}
	rounded := math.Round(*score*100) / 100
	if rounded == 0 {
		rounded = 0 // no "-0"
	}
	return cell{number: rounded, isNumber: true}
}

// distributionTable is the grade distribution laid out for writing.
type distributionTable struct {
	header   []string
	counties []distributionLine
	total    distributionLine
}

// distributionLine is one line of the distribution table: a county or the
// total line. counts holds each band's count, then the ungraded count, then
// the line's total.
type distributionLine struct {
	countyCode string
	countyName string
	counts     []int
}

// values is the line as StreamWriter values, its text cells in style (0 for
// none).
func (line distributionLine) values(style int) []any {
	values := []any{
		excelize.Cell{StyleID: style, Value: line.countyCode},
		excelize.Cell{StyleID: style, Value: line.countyName},
	}
	if line.countyCode == "" {
		values[0] = nil
	}
	for _, count := range line.counts {
		values = append(values, excelize.Cell{StyleID: style, Value: count})
	}
	return values
}

// distribution lays out the grade distribution by county, with a total line.
// It refuses counts under a grade code that is not among bands, which would
// otherwise drop out of the table unseen.
func distribution(bands []Band, counties []CountyGrades) (distributionTable, error) {
	table := distributionTable{
		header: make([]string, 0, len(bands)+4),
		total:  distributionLine{countyName: totalLabel, counts: make([]int, len(bands)+2)},
	}
	table.header = append(table.header, "区县代码", "区县")
	known := make(map[string]bool, len(bands))
	for _, band := range bands {
		table.header = append(table.header, band.Label)
		known[band.Code] = true
	}
	table.header = append(table.header, "未评级", totalLabel)

	var errs []error
	for _, county := range counties {
		line := distributionLine{countyCode: county.CountyCode, countyName: county.CountyName, counts: make([]int, 0, len(bands)+2)}
		for _, code := range slices.Sorted(maps.Keys(county.Counts)) {
			if count := county.Counts[code]; count != 0 && !known[code] {
				errs = append(errs, fmt.Errorf("report: county %s %s counts %d stations graded %q, which is not among the bands", county.CountyCode, county.CountyName, count, code))
			}
		}
		countyTotal := 0
		for _, band := range bands {
			line.counts = append(line.counts, county.Counts[band.Code])
			countyTotal += county.Counts[band.Code]
		}
		countyTotal += county.Ungraded
		line.counts = append(line.counts, county.Ungraded, countyTotal)
		for i, count := range line.counts {
			table.total.counts[i] += count
		}
		table.counties = append(table.counties, line)
	}
	if len(errs) > 0 {
		return distributionTable{}, errors.Join(errs...)
	}
	return table, nil
}
