package api

import (
	"net/http"

	"github.com/stationflow/stationflow/internal/report"
)

// cycleReport streams the report as CSV (the station table, or with
// table=distribution the grade distribution by county) or as an XLSX
// workbook holding both.
func (s *Server) cycleReport(w http.ResponseWriter, r *http.Request) error {
	format, err := optional(r, "format", "csv", oneOf("csv", "xlsx"))
	if err != nil {
		return err
	}
	table, err := optional(r, "table", "stations", oneOf("stations", "distribution"))
	if err != nil {
		return err
	}
	c, err := s.cases().Cycle(r.Context(), principal(r), pathID(r))
	if err != nil {
		return err
	}
	rep, err := s.cases().ReportOf(r.Context(), c)
	if err != nil {
		return err
	}
	switch {
	case format == "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Name+`.xlsx"`)
		return report.WriteXLSX(w, rep.Evaluators, rep.Rows, rep.Bands, rep.Counties)
	case table == "distribution":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Name+`-distribution.csv"`)
		return report.WriteDistributionCSV(w, rep.Bands, rep.Counties)
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Name+`.csv"`)
		return report.WriteCSV(w, rep.Evaluators, rep.Rows)
	}
}
