package evidence

import (
	"fmt"
	"time"

	"github.com/stationflow/stationflow/internal/period"
)

// SumYear adds a year's quarters up per service line, in the order the
// lines first appear, with coverage against the quarters' targets summed,
// and flags every line without records all year.
func SumYear(quarters [][]LineEvidence) (lines []LineEvidence, totals LineTotals, flags []string) {
	byLine := map[string]*LineEvidence{}
	var order []string
	for _, quarter := range quarters {
		for _, le := range quarter {
			sum := byLine[le.ServiceLine]
			if sum == nil {
				sum = &LineEvidence{ServiceLine: le.ServiceLine, Measure: le.Measure}
				byLine[le.ServiceLine] = sum
				order = append(order, le.ServiceLine)
			}
			sum.LineTotals.Add(le.LineTotals)
			sum.Achieved = Round(sum.Achieved+le.Achieved, 2)
			if le.Target != nil {
				t := *le.Target
				if sum.Target != nil {
					t = Round(*sum.Target+t, 2)
				}
				sum.Target = &t
			}
		}
	}
	for _, line := range order {
		le := *byLine[line]
		if le.Target != nil {
			le.Coverage = coverage(le.Achieved, *le.Target)
		}
		le.NoRecords = le.Records == 0
		if le.NoRecords {
			flags = append(flags, "no records for "+line+" all year")
		}
		totals.Add(le.LineTotals)
		lines = append(lines, le)
	}
	return lines, totals, flags
}

// MissedQuarters flags each quarter of the year whose supervision was
// missed, given each quarter's state by period.
func MissedQuarters(year int, states map[string]string) []string {
	var flags []string
	for n := 1; n <= 4; n++ {
		p := period.Quarter{Year: year, N: n}.String()
		if states[p] == "missed" {
			flags = append(flags, "the supervision of "+p+" was missed")
		}
	}
	return flags
}

// Funding is a contract's funding over its term.
type Funding struct {
	TermStart, TermEnd time.Time
	Yuan               float64
}

// YearFunding is what a year is owed: each contract's funding pro-rated to
// its days inside the year, summed, to the cent.
func YearFunding(contracts []Funding, year int) float64 {
	first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	var sum float64
	for _, c := range contracts {
		from, to := c.TermStart, c.TermEnd
		if first.After(from) {
			from = first
		}
		if last.Before(to) {
			to = last
		}
		if to.Before(from) {
			continue
		}
		sum += c.Yuan * float64(Days(from, to)) / float64(Days(c.TermStart, c.TermEnd))
	}
	return Round(sum, 2)
}

// OverspentFlag flags declared spending above the year's funding.
func OverspentFlag(used *float64, funding float64) []string {
	if used == nil || *used <= funding {
		return nil
	}
	return []string{fmt.Sprintf("declared spending %.2f exceeds the year's funding %.2f", *used, funding)}
}
