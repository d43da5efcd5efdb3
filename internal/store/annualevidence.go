package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/evidence"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store/db"
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
	// Resources are the station's projects meeting the year, by funder
	// kind and in total (资源整合), the evidence of the annual rubric's
	// resource-integration indicator; see yearResources.
	Resources Resources `json:"resources"`
}

// AnnualEvidence collects a station's year: the four quarterly scorecards,
// service totals against targets, rectification items and funding. The
// evidence package sums and flags what the store reads here.
func (s *Store) AnnualEvidence(ctx context.Context, stationID uuid.UUID, year int) (AnnualEvidence, error) {
	ev := AnnualEvidence{StationID: stationID, Year: year, Scorecards: []Scorecard{}, Quarters: map[string]string{},
		Rectifications: []Rectification{}, Flags: []string{}}
	var quarters [][]LineEvidence
	var resourceTarget *int64
	for n := 1; n <= 4; n++ {
		q := period.Quarter{Year: year, N: n}
		pack, err := s.EvidencePack(ctx, stationID, q)
		if err != nil {
			return ev, err
		}
		quarters = append(quarters, pack.Lines)
		if pack.Resources.TargetFen != nil {
			resourceTarget = pack.Resources.TargetFen
		}
		ev.Quarters[q.String()] = "not_opened"
	}
	lines, totals, flags := evidence.SumYear(quarters)
	ev.Lines, ev.Totals, ev.Flags = lines, totals, append(ev.Flags, flags...)

	if err := s.yearQuarterStates(ctx, stationID, year, ev.Quarters); err != nil {
		return ev, err
	}
	if err := s.yearScorecardsAndItems(ctx, stationID, year, &ev); err != nil {
		return ev, err
	}
	ev.Flags = append(ev.Flags, evidence.MissedQuarters(year, ev.Quarters)...)
	if err := s.yearFunding(ctx, stationID, year, &ev); err != nil {
		return ev, err
	}
	ev.Flags = append(ev.Flags, evidence.OverspentFlag(ev.FundingUsedYuan, ev.FundingYuan)...)
	return ev, s.yearResources(ctx, stationID, year, resourceTarget, &ev)
}

// yearResources adds the resources the station's projects bring into the
// year: every project whose period meets it, with its whole amount,
// against the year target for resource linking of the last contract that
// covers one of its quarters.
func (s *Store) yearResources(ctx context.Context, stationID uuid.UUID, year int, targetFen *int64, ev *AnnualEvidence) error {
	first := period.Quarter{Year: year, N: 1}.First()
	last := period.Quarter{Year: year, N: 4}.Last()
	res, err := s.projectResources(ctx, stationID, first, last, targetFen)
	if err != nil {
		return fmt.Errorf("summing the projects' resources: %w", err)
	}
	ev.Resources = res
	ev.Flags = append(ev.Flags, evidence.ResourceFlags(res)...)
	return nil
}

// yearQuarterStates writes the state of each of the year's supervision
// quarters that has been opened into states.
func (s *Store) yearQuarterStates(ctx context.Context, stationID uuid.UUID, year int, states map[string]string) error {
	rows, err := s.q.YearQuarterStates(ctx, db.YearQuarterStatesParams{StationID: stationID, Year: fmt.Sprint(year)})
	for _, r := range rows {
		states[r.Period] = r.State
	}
	return err
}

// yearScorecardsAndItems reads the year's quarterly scorecards and the
// rectification items opened in it, counting those still open.
func (s *Store) yearScorecardsAndItems(ctx context.Context, stationID uuid.UUID, year int, ev *AnnualEvidence) error {
	cards, err := s.q.YearScorecards(ctx, db.YearScorecardsParams{StationID: stationID, Year: fmt.Sprint(year)})
	if err != nil {
		return err
	}
	for _, c := range cards {
		ev.Scorecards = append(ev.Scorecards, scorecardFromDB(db.GetScorecardRow(c)))
	}
	rows, err := s.q.YearRectifications(ctx, db.YearRectificationsParams{StationID: stationID, Year: fmt.Sprint(year)})
	if err != nil {
		return err
	}
	items := mapRows(rows, func(r db.YearRectificationsRow) Rectification { return rectificationFromDB(db.GetRectificationRow(r)) })
	ev.Rectifications = append(ev.Rectifications, items...)
	for _, it := range items {
		if it.State != RectificationVerified {
			ev.OpenRectifications++
		}
	}
	return nil
}

// yearFunding reads the contracts that meet the year, for the funding the
// year is owed, and the spending the organisation declared.
func (s *Store) yearFunding(ctx context.Context, stationID uuid.UUID, year int, ev *AnnualEvidence) error {
	rows, err := s.q.YearContracts(ctx, db.YearContractsParams{StationID: stationID, Year: year})
	if err != nil {
		return err
	}
	ev.FundingYuan = evidence.YearFunding(mapRows(rows, func(r db.YearContractsRow) evidence.Funding {
		return evidence.Funding{TermStart: r.TermStart, TermEnd: r.TermEnd, Yuan: r.FundingYuan}
	}), year)
	ev.FundingUsedYuan, err = s.q.YearFundingUsed(ctx, db.YearFundingUsedParams{StationID: stationID, Year: year})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	return err
}
