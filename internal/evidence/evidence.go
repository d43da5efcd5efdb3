// Package evidence is the arithmetic of what a supervisor and an evaluator
// look at: a station's service totals per line against its contract's
// targets pro-rated to the days under contract, a year summed from its
// quarters, the funding a year is owed, and the flags that tell a reviewer
// where to look. It reads nothing: the store gathers the rows and this
// package computes from them.
package evidence

import (
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

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

// Add adds o to t; money and hours stay rounded to the cent.
func (t *LineTotals) Add(o LineTotals) {
	t.Records += o.Records
	t.BeneficiariesElderly += o.BeneficiariesElderly
	t.BeneficiariesChildren += o.BeneficiariesChildren
	t.BeneficiariesDisabled += o.BeneficiariesDisabled
	t.BeneficiariesHardship += o.BeneficiariesHardship
	t.Beneficiaries += o.Beneficiaries
	t.Volunteers += o.Volunteers
	t.VolunteerHours = Round(t.VolunteerHours+o.VolunteerHours, 2)
	t.ResourcesYuan = Round(t.ResourcesYuan+o.ResourcesYuan, 2)
	t.Cases += o.Cases
}

// LineEvidence is one service line's quarter (or year) against its target.
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

// Round rounds x to the given number of decimals.
func Round(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}

// Days is the number of calendar days from..to, both included.
func Days(from, to time.Time) int { return int(to.Sub(from).Hours()/24) + 1 }

// ProRate is a year target's share for days of a term of termDays days.
func ProRate(yearTarget float64, days, termDays int) float64 {
	return Round(yearTarget*float64(days)/float64(termDays), 2)
}

// Term is the contract a quarter is measured against.
type Term struct {
	Start, End time.Time
	// Targets are the contract's year targets per service line; a line
	// without one has no target.
	Targets map[string]*float64
}

// Window is the part of the quarter inside the term: the days whose
// records count, and the quarter's share of the term.
func (t Term) Window(q period.Quarter) (from, to time.Time, quarterDays, termDays int) {
	from, to = q.First(), q.Last()
	if t.Start.After(from) {
		from = t.Start
	}
	if t.End.Before(to) {
		to = t.End
	}
	return from, to, q.Days(t.Start, t.End), Days(t.Start, t.End)
}

// QuarterLines measures each service line's totals against its target
// pro-rated to the quarter (none without a term), in forms.ServiceLines
// order, and flags every line without records.
func QuarterLines(totals map[string]LineTotals, term *Term, q period.Quarter) (lines []LineEvidence, sum LineTotals, flags []string) {
	var quarterDays, termDays int
	var targets map[string]*float64
	if term != nil {
		_, _, quarterDays, termDays = term.Window(q)
		targets = term.Targets
	}
	for _, line := range forms.ServiceLines {
		le := LineEvidence{ServiceLine: line, LineTotals: totals[line], Measure: "people"}
		le.Achieved = float64(le.Beneficiaries)
		if line == "resource_linking" {
			le.Measure, le.Achieved = "yuan", le.ResourcesYuan
		}
		if year := targets[line]; year != nil && termDays > 0 {
			t := ProRate(*year, quarterDays, termDays)
			le.Target = &t
			le.Coverage = coverage(le.Achieved, t)
		}
		if le.Records == 0 {
			le.NoRecords = true
			flags = append(flags, "no records for "+line)
		}
		sum.Add(le.LineTotals)
		lines = append(lines, le)
	}
	return lines, sum, flags
}

// coverage is achieved over target, nil without a target above zero.
func coverage(achieved, target float64) *float64 {
	if target <= 0 {
		return nil
	}
	c := Round(achieved/target, 4)
	return &c
}

// ReuseFlags says, for a file of the station, each other place its bytes
// were filed.
func ReuseFlags(stationID, fileID uuid.UUID, uses []FileUse) []string {
	var flags []string
	for _, use := range uses {
		switch {
		case use.StationID == stationID:
			flags = append(flags, fmt.Sprintf("file %s was also used in %s", fileID, use.Period))
		case use.Period == "":
			flags = append(flags, fmt.Sprintf("file %s was also used at station %s (file %s)", fileID, use.StationID, use.FileID))
		default:
			flags = append(flags, fmt.Sprintf("file %s was also used at station %s in %s", fileID, use.StationID, use.Period))
		}
	}
	return flags
}
