package forms

import "math"

// FenMessage is the refusal of an amount in yuan with more decimals than
// whole fen: the database keeps two, and a third would be lost silently
// (0.001 passes "more than 0" and would be stored as 0).
const FenMessage = "must be in whole fen: at most two decimal places"

// WholeFen reports whether an amount in yuan is a whole number of fen
// (分). A float64 holds up to 10^12 fen to within 10^-3 of one, so a value
// that far from a whole fen is a typed fraction (0.001 yuan is 0.1 fen),
// and a closer one is the binary rounding of a decimal such as 0.29.
func WholeFen(yuan float64) bool {
	if math.IsNaN(yuan) || math.IsInf(yuan, 0) {
		return false
	}
	fen := yuan * 100
	return math.Abs(fen-math.Round(fen)) < 1e-3
}
