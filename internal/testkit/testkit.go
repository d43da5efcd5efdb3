// Package testkit holds what stationflow's tests share across packages: the
// fixed payload key that encrypts the committed workflow histories (so the
// replay tests can read what the integration tests recorded), the JSON path
// walk and the strict decode that the fuzz tests check field names with,
// and a real SMTP server that keeps the mail it receives.
package testkit

import "github.com/stationflow/stationflow/internal/codec"

// payloadKey is a test key; it protects nothing real.
const payloadKey = "c3RhdGlvbmZsb3ctdGVzdC1rZXktMzItYnl0ZXMhISE="

// PayloadKey returns the key test clients and replayers encrypt with.
func PayloadKey() codec.Key {
	k, err := codec.ParseKey(payloadKey)
	if err != nil {
		panic(err)
	}
	return k
}
