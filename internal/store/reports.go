package store

import (
	"context"
	"iter"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/store/db"
)

// ReportRow is one station's line in a cycle's report.
type ReportRow struct {
	CycleStation
	StationName  string
	CountyCode   string
	CountyName   string
	Organisation string
	Evaluations  []float64
}

// CycleReport streams a cycle's stations, by county and station, with
// what the report shows of each.
func (s *Store) CycleReport(ctx context.Context, cycleID uuid.UUID) iter.Seq2[ReportRow, error] {
	return func(yield func(ReportRow, error) bool) {
		rows, err := s.pool.Query(ctx, db.CycleReportSQL, cycleID)
		if err != nil {
			yield(ReportRow{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReportRow(rows)
			if err != nil {
				yield(r, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ReportRow{}, err)
		}
	}
}

// scanReportRow reads one row of db.CycleReportSQL, in the order of its
// select list (the generated db.CycleReportRow's).
func scanReportRow(rows pgx.Rows) (ReportRow, error) {
	var i db.CycleReportRow
	c := &i.CycleStation
	err := rows.Scan(&c.CycleID, &c.StationID, &c.Year, &c.RegionCode, &c.OrganisationID, &c.ContractID, &c.State, &c.Failure,
		&c.SelfAssessment, &c.FundingUsedYuan, &c.Total, &c.Grade, &c.Arbitrated, &c.ScorecardID, &c.Proposal, &c.Decision,
		&c.DecisionReason, &c.Appeal, &c.AppealReason, &c.FinalDecision, &c.AppealUntil, &c.ConditionsDue, &c.Version, &c.UpdatedAt,
		&i.Level, &i.Name, &i.CountyCode, &i.CountyName, &i.Organisation, &i.Evaluations)
	return ReportRow{CycleStation: cycleStationFromDB(db.GetCycleStationRow{CycleStation: i.CycleStation, Level: i.Level}),
		StationName: i.Name, CountyCode: i.CountyCode, CountyName: i.CountyName, Organisation: i.Organisation,
		Evaluations: i.Evaluations}, err
}

// CountyGrades counts a county's stations in a cycle by grade.
type CountyGrades struct {
	CountyCode string         `json:"county_code"`
	CountyName string         `json:"county_name"`
	Counts     map[string]int `json:"counts"`
	Ungraded   int            `json:"ungraded"`
}

// GradeDistribution counts a cycle's stations by county and grade.
func (s *Store) GradeDistribution(ctx context.Context, cycleID uuid.UUID) ([]CountyGrades, error) {
	rows, err := s.q.GradeDistribution(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	out := []CountyGrades{}
	for _, row := range rows {
		county, name, grade, n := row.County, row.CountyName, row.Grade, row.Count
		if len(out) == 0 || out[len(out)-1].CountyCode != county {
			out = append(out, CountyGrades{CountyCode: county, CountyName: name, Counts: map[string]int{}})
		}
		if grade == "" {
			out[len(out)-1].Ungraded += n
		} else {
			out[len(out)-1].Counts[grade] += n
		}
	}
	return out, nil
}
