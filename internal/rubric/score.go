package rubric

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/stationflow/stationflow/internal/flow"
	"github.com/stationflow/stationflow/internal/forms"
)

// Limits on what a form holds.
const (
	// MinLowScoreComment is how many characters, at the least, explain a
	// failed indicator's score.
	MinLowScoreComment = 10
	// MaxComment is how many characters a score's comment may hold.
	MaxComment = 2000
	// MaxSummary is how many characters a form's summary may hold.
	MaxSummary = 5000
	// MaxEvidence is how many evidence files one score may cite.
	MaxEvidence = 20
)

// Form is what a supervisor or evaluator files: a score for every indicator
// of the rubric and a summary.
type Form struct {
	// Scores holds one score per indicator of the rubric, in any order.
	Scores []Score `json:"scores"`
	// Summary is the scorer's overall findings.
	Summary string `json:"summary"`
}

// Score is the score given to one indicator.
type Score struct {
	// Indicator is the indicator's id.
	Indicator string `json:"indicator"`
	// Points given, 0 to the indicator's max_points in steps of a half;
	// nil means not applicable, allowed only where the indicator allows N/A.
	Points *float64 `json:"points"`
	// NA marks the indicator not applicable explicitly; Points must then be
	// absent.
	NA bool `json:"na,omitempty"`
	// Comment explains the score; a failed indicator needs one.
	Comment string `json:"comment"`
	// EvidenceIDs are the ids of the evidence files the score rests on.
	EvidenceIDs []string `json:"evidence_ids"`
}

// notApplicable says whether the score marks its indicator N/A.
func (s Score) notApplicable() bool { return s.NA || s.Points == nil }

// Check returns every rule the form breaks against the rubric, each naming
// its field by JSON path (as in "scores[3].points"); nil when there are
// none. The rules: every indicator is scored exactly once (one not scored
// is reported on "scores"); points lie between 0 and max_points in steps of
// a half; only an allow_na indicator is N/A, an N/A score has no points and
// any other score has; a score below low_score_ratio*max_points has a
// comment of at least 10 characters, leading and trailing spaces aside; a
// comment holds at most 2000 characters; the summary is given and holds at
// most 5000; a score cites at most 20 evidence ids, each a UUID written in
// its 36-character form, none twice.
func (r *Rubric) Check(f Form) forms.Errors {
	var errs forms.Errors
	add := func(field, format string, args ...any) {
		errs = append(errs, forms.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	byID := r.indicatorsByID()
	scoredAt := make(map[string]int, len(f.Scores))
	for i, s := range f.Scores {
		field := fmt.Sprintf("scores[%d]", i)
		ind, known := byID[s.Indicator]
		switch {
		case !known:
			add(field+".indicator", "%q is not an indicator of rubric %s", s.Indicator, r.Version)
		case hasKey(scoredAt, s.Indicator):
			add(field+".indicator", "%q is already scored at scores[%d]", s.Indicator, scoredAt[s.Indicator])
			known = false // its points were judged at its first score
		default:
			scoredAt[s.Indicator] = i
		}
		if s.NA && s.Points != nil {
			add(field+".points", "must be left out when na is true")
		}
		if known {
			r.checkPoints(field, ind, s, add)
		}
		if n := utf8.RuneCountInString(s.Comment); n > MaxComment {
			add(field+".comment", "must be at most %d characters long, not %d", MaxComment, n)
		}
		checkEvidence(field+".evidence_ids", s.EvidenceIDs, add)
	}
	for _, sec := range r.Sections {
		for _, ind := range sec.Indicators {
			if !hasKey(scoredAt, ind.ID) {
				add("scores", "indicator %s (%s) is not scored", ind.ID, ind.Name)
			}
		}
	}
	if strings.TrimSpace(f.Summary) == "" {
		add("summary", "is required")
	} else if n := utf8.RuneCountInString(f.Summary); n > MaxSummary {
		add("summary", "must be at most %d characters long, not %d", MaxSummary, n)
	}
	return errs
}

// checkPoints checks a score's points, or N/A, against its indicator.
func (r *Rubric) checkPoints(field string, ind Indicator, s Score, add func(field, format string, args ...any)) {
	if s.notApplicable() {
		if ind.AllowNA {
			return
		}
		if s.NA {
			add(field+".na", "indicator %s must be scored; it cannot be N/A", ind.ID)
		} else {
			add(field+".points", "is required: indicator %s must be scored; it cannot be N/A", ind.ID)
		}
		return
	}
	p := *s.Points
	if !(p >= 0 && p <= float64(ind.MaxPoints)) || p*2 != math.Trunc(p*2) {
		add(field+".points", "must be from 0 to %d in steps of 0.5, not %v", ind.MaxPoints, p)
		return
	}
	if r.failed(ind, p) && utf8.RuneCountInString(strings.TrimSpace(s.Comment)) < MinLowScoreComment {
		add(field+".comment", "a score below %v of %d needs a comment of at least %d characters saying why",
			r.failLine(ind), ind.MaxPoints, MinLowScoreComment)
	}
}

// checkEvidence checks the evidence ids of one score.
func checkEvidence(field string, ids []string, add func(field, format string, args ...any)) {
	if len(ids) > MaxEvidence {
		add(field, "must hold at most %d items, not %d", MaxEvidence, len(ids))
	}
	seen := make(map[uuid.UUID]int, len(ids))
	for k, id := range ids {
		efield := fmt.Sprintf("%s[%d]", field, k)
		u, err := uuid.Parse(id)
		if err != nil || len(id) != 36 {
			add(efield, "%q is not an evidence ID (a UUID such as 0b6a6ff0-3c1e-4a7e-9a64-2f1f3b0c9d21)", id)
			continue
		}
		if j, dup := seen[u]; dup {
			add(efield, "repeats %s[%d]", field, j)
			continue
		}
		seen[u] = k
	}
}

// failLine is the score below which the indicator has failed.
func (r *Rubric) failLine(ind Indicator) float64 {
	return r.LowScoreRatio * float64(ind.MaxPoints)
}

// failed says whether p points fail the indicator.
func (r *Rubric) failed(ind Indicator, p float64) bool { return p < r.failLine(ind) }

func (r *Rubric) indicatorsByID() map[string]Indicator {
	byID := map[string]Indicator{}
	for _, s := range r.Sections {
		for _, ind := range s.Indicators {
			byID[ind.ID] = ind
		}
	}
	return byID
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// Scorecard is the computed result of a form against a rubric. It is the
// contract's type, so a scorecard crosses Temporal as it is computed.
type Scorecard = flow.Scorecard

// SectionResult is the result of one section.
type SectionResult = flow.SectionResult

// FailedIndicator is an indicator scored below low_score_ratio of its
// max_points.
type FailedIndicator = flow.FailedIndicator

// Score checks the form (returning Check's errors, if any) and computes its
// scorecard. An N/A indicator is left out of its section's Max; a section
// whose indicators are all N/A is left out of the total, and the weights of
// the others are re-normalised: Total = sum(weight*percent) / sum(weight)
// over the sections not N/A, from the sections' unrounded percentages,
// then rounded to 2 decimals.
func (r *Rubric) Score(f Form) (Scorecard, forms.Errors) {
	if errs := r.Check(f); len(errs) > 0 {
		return Scorecard{}, errs
	}
	scores := make(map[string]Score, len(f.Scores))
	for _, s := range f.Scores {
		scores[s.Indicator] = s
	}
	card := Scorecard{
		RubricVersion:    r.Version,
		Sections:         make([]SectionResult, 0, len(r.Sections)),
		FailedIndicators: []FailedIndicator{},
		FailedCritical:   []string{},
	}
	var weighted, weights float64
	for _, sec := range r.Sections {
		res := SectionResult{ID: sec.ID, Name: sec.Name, Weight: sec.Weight}
		for _, ind := range sec.Indicators {
			s := scores[ind.ID]
			if s.notApplicable() {
				continue
			}
			p := *s.Points
			res.Points += p
			res.Max += float64(ind.MaxPoints)
			if r.failed(ind, p) {
				card.FailedIndicators = append(card.FailedIndicators, FailedIndicator{ID: ind.ID, Name: ind.Name,
					Section: sec.ID, Points: p, MaxPoints: ind.MaxPoints, Critical: ind.Critical, Comment: s.Comment})
				if ind.Critical {
					card.FailedCritical = append(card.FailedCritical, ind.ID)
				}
			}
		}
		if res.Max == 0 {
			res.NA = true
		} else {
			// The explicit conversions keep each product rounded on its own,
			// so no platform fuses them and every worker computes the same
			// bits.
			percent := float64(100*res.Points) / res.Max
			res.Percent = round2(percent)
			weighted += float64(sec.Weight * percent)
			weights += sec.Weight
		}
		card.Sections = append(card.Sections, res)
	}
	if weights > 0 {
		card.Total = min(max(round2(weighted/weights), 0), 100)
	}
	card.Passed = card.Total >= r.PassMark && len(card.FailedCritical) == 0
	return card, nil
}

// round2 rounds to 2 decimals.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// ContentHash is the hex SHA-256 of v written by encoding/json, which is
// canonical for structs and for maps (their keys are sorted): the
// content_hash of an issued, immutable scorecard.
func ContentHash(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("content hash: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
