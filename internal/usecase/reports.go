package usecase

import (
	"context"
	"fmt"

	"github.com/stationflow/stationflow/internal/grading"
	"github.com/stationflow/stationflow/internal/report"
	"github.com/stationflow/stationflow/internal/store"
)

// A cycle's results: its report and how each evaluator's scores compare
// with their peers'.

// DeviationQuery says how far, in points, an evaluator may stray from
// their peers, over at least how many stations, before being flagged.
type DeviationQuery struct {
	Threshold   float64
	MinStations int
}

// EvaluatorDeviations measures each evaluator of a cycle the caller may
// see against their peers, and flags those who stray.
func (c *Cases) EvaluatorDeviations(ctx context.Context, who Caller, cycleID string, in Input[DeviationQuery]) (DeviationQuery, []grading.Deviation, error) {
	cy, err := c.Cycle(ctx, who, cycleID)
	if err != nil {
		return DeviationQuery{}, nil, err
	}
	q, err := in()
	if err != nil {
		return q, nil, err
	}
	scores, err := c.Store.EvaluatorScores(ctx, cy.ID)
	if err != nil {
		return q, nil, err
	}
	return q, grading.Deviations(scores, q.Threshold, q.MinStations), nil
}

// CycleReport is what a cycle's report holds: a row per station (read as
// it is written out), the grade distribution by county, and what the
// columns depend on.
type CycleReport struct {
	// Name names the report's files, without an extension.
	Name string
	// Evaluators is the most evaluations a station may have.
	Evaluators int
	Bands      []report.Band
	Counties   []report.CountyGrades
	Rows       report.Rows
}

// ReportOf gathers the report of a cycle the caller may see (one Cycle
// answered).
func (c *Cases) ReportOf(ctx context.Context, cy store.Cycle) (CycleReport, error) {
	out := CycleReport{Name: fmt.Sprintf("cycle-%s-%d-%s", cy.RegionCode, cy.Year, cy.ID.String()[:8]),
		Evaluators: cy.EvaluatorsPerStation}
	if cy.OnDisagreement == "third_evaluator" {
		out.Evaluators++
	}
	out.Bands = make([]report.Band, 0, len(cy.Bands))
	for _, b := range cy.Bands {
		out.Bands = append(out.Bands, report.Band{Code: b.Grade, Label: b.Label})
	}
	dist, err := c.Store.GradeDistribution(ctx, cy.ID)
	if err != nil {
		return out, err
	}
	out.Counties = make([]report.CountyGrades, 0, len(dist))
	for _, d := range dist {
		out.Counties = append(out.Counties, report.CountyGrades{CountyCode: d.CountyCode, CountyName: d.CountyName, Counts: d.Counts, Ungraded: d.Ungraded})
	}
	out.Rows = reportRows(c.Store.CycleReport(ctx, cy.ID))
	return out, nil
}

// reportRows turns the store's report rows into the report's. A station
// still awaiting its decision has none final; otherwise, unappealed, the
// decision is final.
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
