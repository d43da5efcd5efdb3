package api

import (
	"fmt"
	"net/http"

	"github.com/stationflow/stationflow/internal/report"
	"github.com/stationflow/stationflow/internal/store"
)

// cycleReport streams the report as CSV (the station table, or with
// table=distribution the grade distribution by county) or as an XLSX
// workbook holding both.
func (s *Server) cycleReport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cases().Cycle(r.Context(), principal(r), pathID(r))
	if err != nil {
		return err
	}
	format, err := enumParam(r, "format", "unknown format", "must be csv or xlsx", "csv", "xlsx")
	if err != nil {
		return err
	}
	if format == "" {
		format = "csv"
	}
	table, err := enumParam(r, "table", "unknown table", "must be stations or distribution", "stations", "distribution")
	if err != nil {
		return err
	}
	evaluators := c.EvaluatorsPerStation
	if c.OnDisagreement == "third_evaluator" {
		evaluators++
	}
	bands := make([]report.Band, 0, len(c.Bands))
	for _, b := range c.Bands {
		bands = append(bands, report.Band{Code: b.Grade, Label: b.Label})
	}
	dist, err := s.Store.GradeDistribution(r.Context(), c.ID)
	if err != nil {
		return err
	}
	counties := make([]report.CountyGrades, 0, len(dist))
	for _, d := range dist {
		counties = append(counties, report.CountyGrades{CountyCode: d.CountyCode, CountyName: d.CountyName, Counts: d.Counts, Ungraded: d.Ungraded})
	}
	name := fmt.Sprintf("cycle-%s-%d-%s", c.RegionCode, c.Year, c.ID.String()[:8])
	rows := reportRows(s.Store.CycleReport(r.Context(), c.ID))
	switch {
	case format == "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return report.WriteXLSX(w, evaluators, rows, bands, counties)
	case table == "distribution":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-distribution.csv"`)
		return report.WriteDistributionCSV(w, bands, counties)
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return report.WriteCSV(w, evaluators, rows)
	}
}

// reportRows turns the store's report rows into the report's.
func reportRows(in func(func(store.ReportRow, error) bool)) report.Rows {
	return func(yield func(report.StationRow, error) bool) {
		for row, err := range in {
			if err != nil {
				yield(report.StationRow{}, err)
				return
			}
			out := report.StationRow{StationCode: row.RegionCode, StationName: row.StationName, CountyCode: row.CountyCode,
				CountyName: row.CountyName, Organisation: row.Organisation, State: row.State, SelfAssessment: row.SelfAssessment,
				Evaluations: row.Evaluations, Arbitrated: row.Arbitrated, Total: row.Total, Grade: deref(row.Grade),
				Proposal: deref(row.Proposal), Decision: deref(row.Decision), DecisionReason: row.DecisionReason,
				Appeal: row.Appeal, FinalDecision: deref(row.FinalDecision)}
			if out.FinalDecision == "" && out.Appeal == "" && row.State != store.EvalDecision {
				out.FinalDecision = out.Decision
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
