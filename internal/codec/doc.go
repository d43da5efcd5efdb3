// Package codec encrypts every payload stationflow hands to Temporal with
// AES-256-GCM, so that personal data in workflow inputs, results, signals and
// queries (the names of social workers and of the residents they serve, many
// of them minors) never rests in Temporal's history in plaintext. Workflow
// IDs, search attributes and payload metadata stay readable; they carry only
// opaque IDs and codes.
//
// A payload is encrypted with the first of the codec's keys and names that
// key's ID in its metadata; any of the keys decrypts. To rotate, put the new
// key first and keep the old ones until no open workflow history refers to
// them.
//
// Failure messages and stack traces are not payloads: they reach the history
// readable unless the client's failure converter encodes them
// (converter.DefaultFailureConverterOptions.EncodeCommonAttributes), so
// names belong in payloads, never in error text.
package codec
