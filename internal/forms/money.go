package forms

import "math"

// FenMessage is the refusal of an amount in yuan with more decimals than
// whole fen: the database keeps two, and a third would be lost silently
// (0.001 passes "more than 0" and would be stored as 0).
const FenMessage = "must be in whole fen: at most two decimal places"

// WholeFen reports whether an amount in yuan is a whole number of fen
// (分): whether it is the float64 nearest a decimal of at most two places,
// which is what a JSON or CSV amount of whole fen parses to (0.29 parses
// to 0.28999…, and 29/100 is that same float). Every typed fraction of a
// fen, however small (1e-9 yuan, which a tolerance would take for the
// rounding of 0 and store as 0), is refused. Exact for up to 2^53 fen.
func WholeFen(yuan float64) bool {
	if math.IsNaN(yuan) || math.IsInf(yuan, 0) {
		return false
	}
	return math.Round(yuan*100)/100 == yuan
}
