package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/stationflow/stationflow/internal/forms"
	"github.com/stationflow/stationflow/internal/period"
)

// LineTotals adds up service records.
type LineTotals struct {
	Records               int64   `json:"records"`
	BeneficiariesElderly  int64   `json:"beneficiaries_elderly"`
	BeneficiariesChildren int64   `json:"beneficiaries_children"`
	BeneficiariesDisabled int64   `json:"beneficiaries_disabled"`
	BeneficiariesHardship int64   `json:"beneficiaries_hardship"`
	Beneficiaries         int64   `json:"beneficiaries"` // the four groups together
	Volunteers            int64   `json:"volunteers"`
	VolunteerHours        float64 `json:"volunteer_hours"`
	ResourcesYuan         float64 `json:"resources_yuan"`
	Cases                 int64   `json:"cases"`
}

func (t *LineTotals) add(o LineTotals) {
	t.Records += o.Records
	t.BeneficiariesElderly += o.BeneficiariesElderly
	t.BeneficiariesChildren += o.BeneficiariesChildren
	t.BeneficiariesDisabled += o.BeneficiariesDisabled
	t.BeneficiariesHardship += o.BeneficiariesHardship
	t.Beneficiaries += o.Beneficiaries
	t.Volunteers += o.Volunteers
	t.VolunteerHours = roundDecimals(t.VolunteerHours+o.VolunteerHours, 2)
	t.ResourcesYuan = roundDecimals(t.ResourcesYuan+o.ResourcesYuan, 2)
	t.Cases += o.Cases
}

// LineEvidence is one service line's quarter against its target.
type LineEvidence struct {
	ServiceLine string `json:"service_line"`
	LineTotals
	Measure   string   `json:"measure"`  // "yuan" for resource_linking (achieved = resources_yuan), otherwise "people" (achieved = beneficiaries)
	Achieved  float64  `json:"achieved"` // in Measure
	Target    *float64 `json:"target"`   // the year target pro-rated to the quarter's days inside the term; nil without a contract
	Coverage  *float64 `json:"coverage"` // achieved / target; nil without a target above zero
	NoRecords bool     `json:"no_records"`
}

// FileUse is another place the same bytes were filed.
type FileUse struct {
	StationID uuid.UUID `json:"station_id"`
	Period    string    `json:"period"` // empty for an application document
	FileID    uuid.UUID `json:"file_id"`
}

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
	from, to := q.First(), q.Last()

	var contractID uuid.UUID
	var termStart, termEnd time.Time
	var targetsJSON string
	err := s.pool.QueryRow(ctx, `SELECT id, term_start, term_end, targets::text FROM contracts
		WHERE station_id = $1 AND term_start <= $3 AND term_end >= $2 ORDER BY term_start DESC, id LIMIT 1`,
		stationID, from, to).Scan(&contractID, &termStart, &termEnd, &targetsJSON)
	var targets map[string]*float64
	var quarterDays, termDays int
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		pack.Flags = append(pack.Flags, "no contract covers "+q.String()+"; there are no targets to measure against")
	case err != nil:
		return pack, fmt.Errorf("finding the contract: %w", err)
	default:
		pack.ContractID = &contractID
		if termStart.After(from) {
			from = termStart
		}
		if termEnd.Before(to) {
			to = termEnd
		}
		quarterDays = q.Days(termStart, termEnd)
		termDays = int(termEnd.Sub(termStart).Hours()/24) + 1
		if err := json.Unmarshal([]byte(targetsJSON), &targets); err != nil {
			targets = nil
			pack.Flags = append(pack.Flags, "the contract's targets cannot be read")
		}
	}
	pack.From, pack.To = from.Format(time.DateOnly), to.Format(time.DateOnly)

	totals, err := s.lineTotals(ctx, stationID, from, to)
	if err != nil {
		return pack, err
	}
	for _, line := range forms.ServiceLines {
		le := LineEvidence{ServiceLine: line, LineTotals: totals[line], Measure: "people"}
		le.Achieved = float64(le.Beneficiaries)
		if line == "resource_linking" {
			le.Measure, le.Achieved = "yuan", le.ResourcesYuan
		}
		if year := targets[line]; year != nil && termDays > 0 {
			t := roundDecimals(*year*float64(quarterDays)/float64(termDays), 2)
			le.Target = &t
			if t > 0 {
				c := roundDecimals(le.Achieved/t, 4)
				le.Coverage = &c
			}
		}
		if le.Records == 0 {
			le.NoRecords = true
			pack.Flags = append(pack.Flags, "no records for "+line)
		}
		pack.Totals.add(le.LineTotals)
		pack.Lines = append(pack.Lines, le)
	}

	files, err := s.packFiles(ctx, stationID, q)
	if err != nil {
		return pack, err
	}
	for _, f := range files {
		for _, use := range f.AlsoUsedIn {
			switch {
			case use.StationID == stationID:
				pack.Flags = append(pack.Flags, fmt.Sprintf("file %s was also used in %s", f.ID, use.Period))
			case use.Period == "":
				pack.Flags = append(pack.Flags, fmt.Sprintf("file %s was also used at station %s (file %s)", f.ID, use.StationID, use.FileID))
			default:
				pack.Flags = append(pack.Flags, fmt.Sprintf("file %s was also used at station %s in %s", f.ID, use.StationID, use.Period))
			}
		}
	}
	pack.Files = append(pack.Files, files...)
	return pack, nil
}

// lineTotals adds up a station's records dated from..to per service line,
// in one aggregate over the (station_id, date) index.
func (s *Store) lineTotals(ctx context.Context, stationID uuid.UUID, from, to time.Time) (map[string]LineTotals, error) {
	rows, err := s.pool.Query(ctx, `SELECT service_line, count(*), sum(beneficiaries_elderly), sum(beneficiaries_children),
			sum(beneficiaries_disabled), sum(beneficiaries_hardship), coalesce(sum(volunteers), 0),
			coalesce(sum(volunteer_hours), 0)::float8, coalesce(sum(resources_yuan), 0)::float8, coalesce(sum(cases), 0)
		FROM service_records WHERE station_id = $1 AND date BETWEEN $2 AND $3 GROUP BY service_line`, stationID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]LineTotals{}
	for rows.Next() {
		var line string
		var t LineTotals
		if err := rows.Scan(&line, &t.Records, &t.BeneficiariesElderly, &t.BeneficiariesChildren, &t.BeneficiariesDisabled,
			&t.BeneficiariesHardship, &t.Volunteers, &t.VolunteerHours, &t.ResourcesYuan, &t.Cases); err != nil {
			return nil, err
		}
		t.Beneficiaries = t.BeneficiariesElderly + t.BeneficiariesChildren + t.BeneficiariesDisabled + t.BeneficiariesHardship
		out[line] = t
	}
	return out, rows.Err()
}

// packFiles lists the files filed under the quarter with the other places
// their bytes were filed: another quarter (at any station) or another
// station. An application document at the same station does not count.
func (s *Store) packFiles(ctx context.Context, stationID uuid.UUID, q period.Quarter) ([]PackFile, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+evidenceFileColumns+` FROM files WHERE station_id = $1 AND period = $2
		ORDER BY evidence_date, created_at, id`, stationID, q.String())
	if err != nil {
		return nil, err
	}
	files, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PackFile, error) {
		f, err := scanEvidenceFile(r)
		return PackFile{EvidenceFile: f, AlsoUsedIn: []FileUse{}}, err
	})
	if err != nil || len(files) == 0 {
		return files, err
	}
	byID := make(map[uuid.UUID]*PackFile, len(files))
	for i := range files {
		byID[files[i].ID] = &files[i]
	}
	rows, err = s.pool.Query(ctx, `SELECT f.id, o.station_id, coalesce(o.period, ''), o.id
		FROM files f JOIN files o ON o.sha256 = f.sha256 AND o.id <> f.id
		WHERE f.station_id = $1 AND f.period = $2
			AND (o.station_id IS DISTINCT FROM f.station_id OR (o.period IS NOT NULL AND o.period <> f.period))
		ORDER BY f.id, o.period, o.station_id, o.id`, stationID, q.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var fileID uuid.UUID
		var other *uuid.UUID
		var use FileUse
		if err := rows.Scan(&fileID, &other, &use.Period, &use.FileID); err != nil {
			return nil, err
		}
		if other != nil {
			use.StationID = *other
		}
		f := byID[fileID]
		f.Duplicate = true
		f.AlsoUsedIn = append(f.AlsoUsedIn, use)
	}
	return files, rows.Err()
}

// roundDecimals rounds x to the given number of decimals.
func roundDecimals(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}
