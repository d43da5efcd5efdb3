package store

import (
	"context"
	"iter"

	"github.com/google/uuid"
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
		rows, err := s.pool.Query(ctx, `SELECT `+cycleStationColumns+`, st.name, left(cs.region_code, 6), coalesce(r.name, ''),
				coalesce(o.name, ''),
				coalesce((SELECT array_agg(e.total::float8 ORDER BY e.slot) FROM cycle_evaluations e
					WHERE e.cycle_id = cs.cycle_id AND e.station_id = cs.station_id AND e.total IS NOT NULL), '{}')
			`+cycleStationFrom+`
			LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
			LEFT JOIN organisations o ON o.id = cs.organisation_id
			WHERE cs.cycle_id = $1 ORDER BY cs.region_code, st.level, cs.station_id`, cycleID)
		if err != nil {
			yield(ReportRow{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r ReportRow
			if err := rows.Scan(append(r.targets(), &r.StationName, &r.CountyCode, &r.CountyName, &r.Organisation, &r.Evaluations)...); err != nil {
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

// CountyGrades counts a county's stations in a cycle by grade.
type CountyGrades struct {
	CountyCode string         `json:"county_code"`
	CountyName string         `json:"county_name"`
	Counts     map[string]int `json:"counts"`
	Ungraded   int            `json:"ungraded"`
}

// GradeDistribution counts a cycle's stations by county and grade.
func (s *Store) GradeDistribution(ctx context.Context, cycleID uuid.UUID) ([]CountyGrades, error) {
	rows, err := s.pool.Query(ctx, `SELECT left(cs.region_code, 6) AS county, coalesce(r.name, ''), coalesce(cs.grade, ''), count(*)
		FROM cycle_stations cs LEFT JOIN regions r ON r.code = left(cs.region_code, 6)
		WHERE cs.cycle_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 3`, cycleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CountyGrades{}
	for rows.Next() {
		var county, name, grade string
		var n int
		if err := rows.Scan(&county, &name, &grade, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].CountyCode != county {
			out = append(out, CountyGrades{CountyCode: county, CountyName: name, Counts: map[string]int{}})
		}
		if grade == "" {
			out[len(out)-1].Ungraded += n
		} else {
			out[len(out)-1].Counts[grade] += n
		}
	}
	return out, rows.Err()
}
