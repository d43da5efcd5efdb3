package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/period"
)

// AnnualEvidence is what the year-end evaluation of a station rests on.
type AnnualEvidence struct {
	StationID uuid.UUID `json:"station_id"`
	Year      int       `json:"year"`
	// Scorecards are the year's quarterly supervision scorecards.
	Scorecards []Scorecard `json:"scorecards"`
	// Quarters lists each quarter's state: filed, missed, open, or
	// not_opened.
	Quarters map[string]string `json:"quarters"`
	// Lines are the year's service totals per line against the contract
	// targets, summed over the four quarters.
	Lines  []LineEvidence `json:"service_lines"`
	Totals LineTotals     `json:"totals"`
	// Rectifications are the items opened in the year, open and closed.
	Rectifications     []Rectification `json:"rectifications"`
	OpenRectifications int             `json:"open_rectifications"`
	// Funding is the contracts' funding for the days of the year under
	// contract, and what the organisation declared it used in its
	// self-assessment (nil until it files one).
	FundingYuan     float64  `json:"funding_yuan"`
	FundingUsedYuan *float64 `json:"funding_used_yuan"`
	Flags           []string `json:"flags"`
}

// AnnualEvidence collects a station's year: the four quarterly scorecards,
// service totals against targets, rectification items and funding.
func (s *Store) AnnualEvidence(ctx context.Context, stationID uuid.UUID, year int) (AnnualEvidence, error) {
	ev := AnnualEvidence{StationID: stationID, Year: year, Scorecards: []Scorecard{}, Quarters: map[string]string{},
		Rectifications: []Rectification{}, Flags: []string{}}
	lines := map[string]*LineEvidence{}
	var order []string
	for n := 1; n <= 4; n++ {
		q := period.Quarter{Year: year, N: n}
		pack, err := s.EvidencePack(ctx, stationID, q)
		if err != nil {
			return ev, err
		}
		for _, le := range pack.Lines {
			sum := lines[le.ServiceLine]
			if sum == nil {
				sum = &LineEvidence{ServiceLine: le.ServiceLine, Measure: le.Measure}
				lines[le.ServiceLine] = sum
				order = append(order, le.ServiceLine)
			}
			sum.LineTotals.add(le.LineTotals)
			sum.Achieved = roundDecimals(sum.Achieved+le.Achieved, 2)
			if le.Target != nil {
				t := le.Target
				if sum.Target != nil {
					v := roundDecimals(*sum.Target+*t, 2)
					t = &v
				}
				sum.Target = t
			}
		}
		ev.Quarters[q.String()] = "not_opened"
	}
	for _, line := range order {
		le := *lines[line]
		if le.Target != nil && *le.Target > 0 {
			c := roundDecimals(le.Achieved/(*le.Target), 4)
			le.Coverage = &c
		}
		le.NoRecords = le.Records == 0
		if le.NoRecords {
			ev.Flags = append(ev.Flags, "no records for "+line+" all year")
		}
		ev.Totals.add(le.LineTotals)
		ev.Lines = append(ev.Lines, le)
	}

	rows, err := s.pool.Query(ctx, `SELECT period, state FROM supervision_quarters WHERE station_id = $1 AND period LIKE $2 || 'Q%'`,
		stationID, fmt.Sprint(year))
	if err != nil {
		return ev, err
	}
	for rows.Next() {
		var p, state string
		if err := rows.Scan(&p, &state); err != nil {
			rows.Close()
			return ev, err
		}
		ev.Quarters[p] = state
	}
	if err := rows.Err(); err != nil {
		return ev, err
	}
	rows, _ = s.pool.Query(ctx, `SELECT `+scorecardColumns+` FROM scorecards WHERE station_id = $1 AND kind = 'quarterly_supervision'
		AND period LIKE $2 || 'Q%' ORDER BY period`, stationID, fmt.Sprint(year))
	cards, err := pgx.CollectRows(rows, scanScorecard)
	if err != nil {
		return ev, err
	}
	ev.Scorecards = append(ev.Scorecards, cards...)
	rows, _ = s.pool.Query(ctx, `SELECT `+rectificationColumns+rectificationFrom+` WHERE r.station_id = $1 AND r.period LIKE $2 || 'Q%'
		ORDER BY r.period, r.indicator`, stationID, fmt.Sprint(year))
	items, err := pgx.CollectRows(rows, scanRectification)
	if err != nil {
		return ev, err
	}
	ev.Rectifications = append(ev.Rectifications, items...)
	for _, it := range items {
		if it.State != RectificationVerified {
			ev.OpenRectifications++
		}
	}
	for n := 1; n <= 4; n++ {
		p := period.Quarter{Year: year, N: n}.String()
		if ev.Quarters[p] == "missed" {
			ev.Flags = append(ev.Flags, "the supervision of "+p+" was missed")
		}
	}

	err = s.pool.QueryRow(ctx, `SELECT coalesce(sum(funding_yuan * (LEAST(term_end, make_date($2, 12, 31)) - GREATEST(term_start, make_date($2, 1, 1)) + 1)
			/ (term_end - term_start + 1)), 0)::float8
		FROM contracts WHERE station_id = $1 AND term_start <= make_date($2, 12, 31) AND term_end >= make_date($2, 1, 1)`,
		stationID, year).Scan(&ev.FundingYuan)
	if err != nil {
		return ev, err
	}
	ev.FundingYuan = roundDecimals(ev.FundingYuan, 2)
	err = s.pool.QueryRow(ctx, `SELECT funding_used_yuan::float8 FROM cycle_stations WHERE station_id = $1 AND year = $2 AND state <> 'cancelled'`,
		stationID, year).Scan(&ev.FundingUsedYuan)
	if err != nil && err != pgx.ErrNoRows {
		return ev, err
	}
	if ev.FundingUsedYuan != nil && *ev.FundingUsedYuan > ev.FundingYuan {
		ev.Flags = append(ev.Flags, fmt.Sprintf("declared spending %.2f exceeds the year's funding %.2f", *ev.FundingUsedYuan, ev.FundingYuan))
	}
	return ev, nil
}
