package backup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/stationflow/stationflow/internal/codec"
	"github.com/stationflow/stationflow/internal/testdb"
)

// liveSQLite creates a WAL database in dataDir, as the embedded Temporal
// server keeps it, with the schema version file beside it.
func liveSQLite(t *testing.T, dataDir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, temporalFile)+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE a (n INTEGER); CREATE TABLE b (n INTEGER)`)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dataDir, temporalVersion), []byte("main 1.0, visibility 1.0\n"), 0o600))
	return db
}

// newDatabaseURL names a database that does not exist yet and is dropped
// when the test ends.
func newDatabaseURL(t *testing.T) string {
	t.Helper()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "stationflow_restore_" + hex.EncodeToString(suffix)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, testdb.AdminURL())
		if err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	return testdb.URL(name)
}

func newKey(t *testing.T) codec.Key {
	t.Helper()
	k, err := codec.GenerateKey()
	require.NoError(t, err)
	return k
}

// writeKeyFile puts k in dataDir's key file, as `stationflow dev` keeps it.
func writeKeyFile(t *testing.T, dataDir string, k codec.Key) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dataDir, 0o700))
	path := filepath.Join(dataDir, "codec.key")
	require.NoError(t, os.WriteFile(path, []byte(k.Base64()+"\n"), 0o600))
	return path
}

func TestSnapshotOfALiveSQLiteDatabaseIsOneCommit(t *testing.T) {
	dir := t.TempDir()
	db := liveSQLite(t, dir)
	// The writer keeps tables a and b the same length, one transaction at
	// a time; a snapshot between its two inserts would tell.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := db.Begin()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = tx.Exec(`INSERT INTO a VALUES (?)`, i)
			_, _ = tx.Exec(`INSERT INTO b VALUES (?)`, i)
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	require.Eventually(t, func() bool {
		var n int
		return db.QueryRow(`SELECT count(*) FROM a`).Scan(&n) == nil && n > 100
	}, 10*time.Second, 10*time.Millisecond)

	target := filepath.Join(t.TempDir(), "copy.db")
	err := snapshotSQLite(context.Background(), filepath.Join(dir, temporalFile), target)
	close(stop)
	wg.Wait()
	require.NoError(t, err)

	copyDB, err := sql.Open("sqlite", "file:"+target+"?mode=ro")
	require.NoError(t, err)
	defer copyDB.Close()
	var a, b int
	require.NoError(t, copyDB.QueryRow(`SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)`).Scan(&a, &b))
	require.Equal(t, a, b, "the snapshot caught a transaction half done")
	require.Greater(t, a, 100)
}

func TestBackupRestoresIntoANewStack(t *testing.T) {
	ctx := context.Background()
	st, sourceURL := testdb.New(t)
	_, err := st.DBForTests().Exec(ctx, `CREATE TABLE backup_probe (n int); INSERT INTO backup_probe VALUES (1), (2), (3)`)
	require.NoError(t, err)
	sourceDir := t.TempDir()
	db := liveSQLite(t, sourceDir)
	_, err = db.Exec(`INSERT INTO a VALUES (7)`)
	require.NoError(t, err)
	key := newKey(t)

	backupDir := filepath.Join(t.TempDir(), "backup")
	m, err := Backup(ctx, Stack{DatabaseURL: sourceURL, DataDir: sourceDir, Key: key}, backupDir, "v1.2.3")
	require.NoError(t, err)
	require.Equal(t, Fingerprint(key), m.KeyFingerprint)
	require.NotContains(t, readAll(t, backupDir), key.Base64(), "the backup holds the key itself")
	require.Positive(t, m.Temporal.Bytes)
	require.Positive(t, m.Postgres.Bytes)
	read, err := ReadManifest(backupDir)
	require.NoError(t, err)
	require.Equal(t, m.Database, read.Database)
	require.Equal(t, "v1.2.3", read.Version)

	// The new stack: its data directory holds only its key file.
	targetDir := filepath.Join(t.TempDir(), "data")
	keyFile := writeKeyFile(t, targetDir, key)
	targetURL := newDatabaseURL(t)
	_, err = Restore(ctx, backupDir, Stack{DatabaseURL: targetURL, DataDir: targetDir, Key: key, KeyFile: keyFile})
	require.NoError(t, err)

	conn, err := pgx.Connect(ctx, targetURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var sum int
	require.NoError(t, conn.QueryRow(ctx, `SELECT sum(n) FROM backup_probe`).Scan(&sum))
	require.Equal(t, 6, sum)
	restored, err := sql.Open("sqlite", "file:"+filepath.Join(targetDir, temporalFile)+"?mode=ro")
	require.NoError(t, err)
	defer restored.Close()
	var n int
	require.NoError(t, restored.QueryRow(`SELECT n FROM a`).Scan(&n))
	require.Equal(t, 7, n)
	version, err := os.ReadFile(filepath.Join(targetDir, temporalVersion))
	require.NoError(t, err)
	require.Equal(t, "main 1.0, visibility 1.0\n", string(version))
}

func TestRestoreRefusesATargetThatIsNotNewOrHasAnotherKey(t *testing.T) {
	ctx := context.Background()
	_, sourceURL := testdb.New(t)
	sourceDir := t.TempDir()
	liveSQLite(t, sourceDir)
	key := newKey(t)
	backupDir := filepath.Join(t.TempDir(), "backup")
	_, err := Backup(ctx, Stack{DatabaseURL: sourceURL, DataDir: sourceDir, Key: key}, backupDir, "")
	require.NoError(t, err)

	_, err = Backup(ctx, Stack{DatabaseURL: sourceURL, DataDir: sourceDir, Key: key}, backupDir, "")
	require.ErrorContains(t, err, "holds manifest.json", "a second backup into the same directory")

	other := newKey(t)
	_, err = Restore(ctx, backupDir, Stack{DatabaseURL: newDatabaseURL(t), DataDir: t.TempDir(), Key: other})
	require.ErrorContains(t, err, Fingerprint(key), "a restore with another key")
	require.ErrorContains(t, err, "could not be decrypted")

	busyDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(busyDir, "temporal.db"), nil, 0o600))
	_, err = Restore(ctx, backupDir, Stack{DatabaseURL: newDatabaseURL(t), DataDir: busyDir, Key: key})
	require.ErrorContains(t, err, "holds temporal.db", "a restore into a used data directory")

	_, err = Restore(ctx, backupDir, Stack{DatabaseURL: sourceURL, DataDir: t.TempDir(), Key: key})
	require.ErrorContains(t, err, "is not empty: it holds public.", "a restore into a used database")

	_, err = Restore(ctx, t.TempDir(), Stack{DatabaseURL: newDatabaseURL(t), DataDir: t.TempDir(), Key: key})
	require.ErrorContains(t, err, "is not a stationflow backup")
}

func TestFingerprintIsTheSameForTheSameKeyOnly(t *testing.T) {
	key := newKey(t)
	again, err := codec.ParseKey(strings.TrimRight(key.Base64(), "="))
	require.NoError(t, err)
	require.Equal(t, Fingerprint(key), Fingerprint(again))
	require.NotEqual(t, Fingerprint(key), Fingerprint(newKey(t)))
	require.True(t, strings.HasPrefix(Fingerprint(key), "sha256:"))
	require.NotContains(t, Fingerprint(key), key.Base64())
	require.Empty(t, Fingerprint(codec.Key{}))
}

// readAll is every file under dir, concatenated.
func readAll(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		fmt.Fprintf(&all, "%s\n", raw)
		return err
	}))
	return all.String()
}
