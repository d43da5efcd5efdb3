package devserver

import "testing"

// What the benchmarks, in package devserver_test so that they can run on
// the shared devstack harness, need from inside the package.

// ThrowawayPostgres is throwawayPostgres.
func ThrowawayPostgres(t testing.TB) (string, error) { return throwawayPostgres(t) }

// UseDefaultSQLiteJournal drops the SQLite pragmas for the rest of the
// test or benchmark, leaving SQLite's default rollback journal.
func UseDefaultSQLiteJournal(t testing.TB) {
	saved := sqlitePragmas
	sqlitePragmas = map[string]string{}
	t.Cleanup(func() { sqlitePragmas = saved })
}
