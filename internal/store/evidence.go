package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/evidence"
	"github.com/stationflow/stationflow/internal/period"
	"github.com/stationflow/stationflow/internal/store/db"
)

// LineTotals adds up service records; LineEvidence is one service line
// against its target; FileUse is another place the same bytes were filed.
// The evidence package computes them.
type (
	LineTotals   = evidence.LineTotals
	LineEvidence = evidence.LineEvidence
	FileUse      = evidence.FileUse
	Resources    = evidence.Resources
)

// PackFile is an evidence file of the quarter, with where else its bytes
// were filed.
type PackFile struct {
	EvidenceFile
	Duplicate  bool      `json:"duplicate"`
	AlsoUsedIn []FileUse `json:"also_used_in"`
}

// EvidencePack is what a supervisor reviews for one station's quarter.
type EvidencePack struct {
	StationID  uuid.UUID      `json:"station_id"`
	Quarter    string         `json:"quarter"`
	From       string         `json:"from"` // the quarter's first day within the contract term (the quarter's when no contract)
	To         string         `json:"to"`
	ContractID *uuid.UUID     `json:"contract_id"`
	Lines      []LineEvidence `json:"service_lines"` // all six, in forms.ServiceLines order
	Totals     LineTotals     `json:"totals"`
	Files      []PackFile     `json:"files"`
	Flags      []string       `json:"flags"` // what a supervisor should look at, in words
	// Roster is the station's staff over the quarter (see rosterQuarter).
	Roster *evidence.RosterQuarter `json:"roster"`
	// Resources are the station's projects meeting the quarter, by funder
	// kind and in total (资源整合); see packResources.
	Resources Resources `json:"resources"`
	// InternalSupervision is the quarter's internal supervision sessions,
	// never counted in the six service lines (see internalSupervision).
	InternalSupervision InternalSupervision `json:"internal_supervision"`
}

// EvidencePack collects a station's quarter: the totals of its records
// dated inside the quarter (and inside the term of the contract covering
// it: the station's contract whose term meets the quarter, the latest
// starting first) per service line against the contract's targets
// pro-rated to the quarter, and the files filed under the quarter, each
// marked duplicate when its bytes were filed in another quarter or at
// another station.
func (s *Store) EvidencePack(ctx context.Context, stationID uuid.UUID, q period.Quarter) (EvidencePack, error) {
	pack := EvidencePack{StationID: stationID, Quarter: q.String(), Files: []PackFile{}, Flags: []string{}}
	term, err := s.quarterTerm(ctx, stationID, q, &pack)
	if err != nil {
		return pack, err
	}
	from, to := q.First(), q.Last()
	if term != nil {
		from, to, _, _ = term.Window(q)
	}
	pack.From, pack.To = from.Format(time.DateOnly), to.Format(time.DateOnly)

	totals, err := s.lineTotals(ctx, stationID, from, to)
	if err != nil {
		return pack, err
	}
	lines, sum, flags := evidence.QuarterLines(totals, term, q)
	pack.Lines, pack.Totals, pack.Flags = lines, sum, append(pack.Flags, flags...)

	files, err := s.packFiles(ctx, stationID, q)
	if err != nil {
		return pack, err
	}
	for _, f := range files {
		pack.Flags = append(pack.Flags, evidence.ReuseFlags(stationID, f.ID, f.AlsoUsedIn)...)
	}
	pack.Files = append(pack.Files, files...)
	if pack.Roster, err = s.rosterQuarter(ctx, stationID, from, to); err != nil {
		return pack, fmt.Errorf("the quarter's roster: %w", err)
	}
	if pack.InternalSupervision, err = s.internalSupervision(ctx, stationID, from, to); err != nil {
		return pack, fmt.Errorf("the quarter's internal supervision: %w", err)
	}
	return pack, s.packResources(ctx, stationID, q, term, &pack)
}

// packResources adds the resources the station's projects bring into the
// quarter: every project whose period meets the quarter, with its whole
// amount (not pro-rated), against the covering contract's year target for
// resource linking.
func (s *Store) packResources(ctx context.Context, stationID uuid.UUID, q period.Quarter, term *evidence.Term, pack *EvidencePack) error {
	res, err := s.projectResources(ctx, stationID, q.First(), q.Last(), evidence.ResourceTarget(term))
	if err != nil {
		return fmt.Errorf("summing the projects' resources: %w", err)
	}
	pack.Resources = res
	pack.Flags = append(pack.Flags, evidence.ResourceFlags(res)...)
	return nil
}

// quarterTerm finds the contract covering the quarter: the station's
// contract whose term meets it, the latest starting first. Without one, or
// with targets that cannot be read, it says so in the pack's flags.
func (s *Store) quarterTerm(ctx context.Context, stationID uuid.UUID, q period.Quarter, pack *EvidencePack) (*evidence.Term, error) {
	c, err := s.q.QuarterContract(ctx, db.QuarterContractParams{StationID: stationID, FirstDay: q.First(), LastDay: q.Last()})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		pack.Flags = append(pack.Flags, "no contract covers "+q.String()+"; there are no targets to measure against")
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("finding the contract: %w", err)
	}
	pack.ContractID = &c.ID
	term := evidence.Term{Start: c.TermStart, End: c.TermEnd}
	if err := json.Unmarshal([]byte(c.Targets), &term.Targets); err != nil {
		term.Targets = nil
		pack.Flags = append(pack.Flags, "the contract's targets cannot be read")
	}
	return &term, nil
}

// lineTotals adds up a station's records dated from..to per service line,
// in one aggregate over the (station_id, date) index.
func (s *Store) lineTotals(ctx context.Context, stationID uuid.UUID, from, to time.Time) (map[string]LineTotals, error) {
	rows, err := s.q.LineTotals(ctx, db.LineTotalsParams{StationID: stationID, FromDay: from, ToDay: to})
	if err != nil {
		return nil, err
	}
	out := map[string]LineTotals{}
	for _, r := range rows {
		out[r.ServiceLine] = LineTotals{Records: r.Records, BeneficiariesElderly: r.Elderly, BeneficiariesChildren: r.Children,
			BeneficiariesDisabled: r.Disabled, BeneficiariesHardship: r.Hardship,
			Beneficiaries: r.Elderly + r.Children + r.Disabled + r.Hardship, Volunteers: r.Volunteers,
			VolunteerHours: r.VolunteerHours, ResourcesYuan: r.ResourcesYuan, Cases: r.Cases}
	}
	return out, nil
}

// packFiles lists the files filed under the quarter with the other places
// their bytes were filed: another quarter (at any station) or another
// station. An application document at the same station does not count.
func (s *Store) packFiles(ctx context.Context, stationID uuid.UUID, q period.Quarter) ([]PackFile, error) {
	quarter := q.String()
	rows, err := s.q.QuarterFiles(ctx, db.QuarterFilesParams{StationID: &stationID, Period: &quarter})
	if err != nil {
		return nil, err
	}
	files := mapRows(rows, func(r db.QuarterFilesRow) PackFile {
		return PackFile{EvidenceFile: evidenceFileFromDB(db.InsertStationFileRow(r)), AlsoUsedIn: []FileUse{}}
	})
	if len(files) == 0 {
		return files, nil
	}
	byID := make(map[uuid.UUID]*PackFile, len(files))
	for i := range files {
		byID[files[i].ID] = &files[i]
	}
	uses, err := s.q.QuarterFileUses(ctx, db.QuarterFileUsesParams{StationID: &stationID, Period: &quarter})
	if err != nil {
		return nil, err
	}
	for _, u := range uses {
		use := FileUse{Period: u.OtherPeriod, FileID: u.OtherFileID}
		if u.OtherStationID != nil {
			use.StationID = *u.OtherStationID
		}
		f := byID[u.FileID]
		f.Duplicate = true
		f.AlsoUsedIn = append(f.AlsoUsedIn, use)
	}
	return files, nil
}
