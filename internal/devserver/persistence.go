package devserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/resolver"
	serverschema "go.temporal.io/server/schema"
	postgresschema "go.temporal.io/server/schema/postgresql/v12"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// dbFileName is the SQLite database inside Options.DataDir.
const dbFileName = "temporal.db"

// sqlitePragmas are applied to every connection of a file database.
// journal_mode=wal with synchronous=normal keeps durability across process
// crashes (a power loss may lose the last transactions, never corrupt the
// file) and is far faster than the default rollback journal with
// synchronous=full, which syncs on every commit.
var sqlitePragmas = map[string]string{
	"journal_mode": "wal",
	"synchronous":  "normal",
	"busy_timeout": "10000",
}

var memoryDBCounter atomic.Int64

// sqliteConfig returns the SQL config for the SQLite store and makes sure the
// schema exists. An empty dataDir gives a fresh in-memory database.
func sqliteConfig(dataDir string) (*config.SQL, error) {
	cfg := &config.SQL{PluginName: sqliteplugin.PluginName}
	if dataDir == "" {
		// The SQLite plugin keeps one shared connection per DSN for the life
		// of the process and creates the schema when it opens an in-memory
		// database, so a unique name is a fresh, ready database.
		cfg.DatabaseName = fmt.Sprintf("stationflow-devserver-%d-%d-%d",
			os.Getpid(), memoryDBCounter.Add(1), time.Now().UnixNano())
		cfg.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		return cfg, nil
	}

	file := filepath.Join(dataDir, dbFileName)
	if strings.ContainsAny(file, "?#") {
		// The plugin builds a "file:<path>?<params>" URI without escaping.
		return nil, fmt.Errorf("data directory %q: path must not contain '?' or '#'", dataDir)
	}
	cfg.DatabaseName = file
	// MaxConns stays 0: the plugin then uses one connection, shared by all
	// services. With more, concurrent writers fail with "database is
	// locked" (SQLITE_BUSY_SNAPSHOT) even in WAL mode.
	cfg.ConnectAttributes = map[string]string{"mode": "rwc"}
	for k, v := range sqlitePragmas {
		cfg.ConnectAttributes[k] = v
	}

	versionFile := filepath.Join(dataDir, schemaVersionFileName)
	_, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err := sqliteschema.SetupSchema(cfg)
		if err == nil {
			err = os.WriteFile(versionFile, []byte(sqliteSchemaVersion()+"\n"), 0o600)
		}
		if err != nil {
			// Do not leave a half-initialised file behind: the next start
			// would take it for an existing database.
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				_ = os.Remove(file + suffix)
			}
			return nil, fmt.Errorf("create Temporal schema in %s: %w", file, err)
		}
	case err != nil:
		return nil, fmt.Errorf("stat %s: %w", file, err)
	default:
		// The SQLite plugin does not check the schema version itself, and
		// there are no upgrade scripts for SQLite: a file created by another
		// Temporal server version would fail later in obscure ways.
		raw, err := os.ReadFile(versionFile)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if have := strings.TrimSpace(string(raw)); err == nil && have != sqliteSchemaVersion() {
			return nil, fmt.Errorf("%s has Temporal SQLite schema %q but this stationflow needs %q: "+
				"move the data directory aside (its workflows are lost to this version) and start again",
				file, have, sqliteSchemaVersion())
		}
	}
	return cfg, nil
}

// schemaVersionFileName records, next to temporal.db, the schema version the
// file was created with.
const schemaVersionFileName = "temporal.db.version"

func sqliteSchemaVersion() string {
	return "main " + sqliteschema.Version + ", visibility " + sqliteschema.VisibilityVersion
}

// postgresConfigs parses a postgres:// URL into the configs of the two
// databases Temporal needs: the main store (the URL's database, default
// "temporal") and the visibility store (the same name + "_visibility").
// Both are created and given the current schema when they are empty.
func postgresConfigs(rawURL string, logger log.Logger) (main, visibility *config.SQL, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("parse PostgresURL: %w", err)
	}
	base, dbName, err := postgresBaseConfig(u)
	if err != nil {
		return nil, nil, err
	}
	main, visibility = cloneSQL(*base), cloneSQL(*base)
	main.DatabaseName = dbName
	visibility.DatabaseName = dbName + "_visibility"
	if err := setupPostgres(main, "postgresql/v12/temporal", postgresschema.Version, logger); err != nil {
		return nil, nil, err
	}
	if err := setupPostgres(visibility, "postgresql/v12/visibility", postgresschema.VisibilityVersion, logger); err != nil {
		return nil, nil, err
	}
	return main, visibility, nil
}

// postgresBaseConfig turns a postgres:// URL into connection settings
// (without a database name) and the database name it names.
func postgresBaseConfig(u *url.URL) (*config.SQL, string, error) {
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, "", fmt.Errorf("PostgresURL: scheme must be postgres:// or postgresql://, got %q", u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "5432"
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	if dbName == "" {
		dbName = "temporal"
	}
	cfg := &config.SQL{
		PluginName:      postgresql.PluginNamePGX,
		ConnectAddr:     net.JoinHostPort(host, port),
		ConnectProtocol: "tcp",
		User:            u.User.Username(),
		MaxConns:        20,
		MaxIdleConns:    20,
		MaxConnLifetime: time.Hour,
	}
	if cfg.User == "" {
		cfg.User = "postgres"
	}
	if pw, ok := u.User.Password(); ok {
		cfg.Password = pw
	}
	if q := u.Query(); len(q) > 0 {
		cfg.ConnectAttributes = map[string]string{}
		for k := range q {
			cfg.ConnectAttributes[k] = q.Get(k)
		}
	}
	return cfg, dbName, nil
}

func cloneSQL(c config.SQL) *config.SQL {
	if c.ConnectAttributes != nil {
		attrs := make(map[string]string, len(c.ConnectAttributes))
		for k, v := range c.ConnectAttributes {
			attrs[k] = v
		}
		c.ConnectAttributes = attrs
	}
	return &c
}

func openAdminDB(cfg *config.SQL, logger log.Logger) (sqlplugin.AdminDB, error) {
	return sql.NewSQLAdminDB(sqlplugin.DbKindUnknown, cfg, resolver.NewNoopResolver(), logger, metrics.NoopMetricsHandler)
}

// setupPostgres creates the database cfg names if needed and, when it has no
// tables yet, applies the server's embedded schema (schemaName/schema.sql,
// the same file `temporal-sql-tool setup-schema --schema-name` applies) and
// records version as its schema version. An existing schema is left alone:
// the server checks its version when it starts.
func setupPostgres(cfg *config.SQL, schemaName, version string, logger log.Logger) error {
	adminCfg := cloneSQL(*cfg)
	adminCfg.DatabaseName = "postgres"
	admin, err := openAdminDB(adminCfg, logger)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s: %w", cfg.ConnectAddr, err)
	}
	err = admin.CreateDatabase(cfg.DatabaseName) // no-op when it exists
	_ = admin.Close()
	if err != nil {
		return fmt.Errorf("create database %s: %w", cfg.DatabaseName, err)
	}

	db, err := openAdminDB(cfg, logger)
	if err != nil {
		return fmt.Errorf("connect to database %s: %w", cfg.DatabaseName, err)
	}
	defer func() { _ = db.Close() }()
	tables, err := db.ListTables(cfg.DatabaseName)
	if err != nil {
		return fmt.Errorf("list tables of %s: %w", cfg.DatabaseName, err)
	}
	if len(tables) > 0 {
		if !slices.Contains(tables, "schema_version") {
			return fmt.Errorf("database %s has tables but no Temporal schema_version table", cfg.DatabaseName)
		}
		return nil
	}

	schemaSQL, err := fs.ReadFile(serverschema.Assets(), path.Join(schemaName, "schema.sql"))
	if err != nil {
		return fmt.Errorf("read embedded schema %s: %w", schemaName, err)
	}
	stmts, err := persistence.LoadAndSplitQueryFromReaders([]io.Reader{bytes.NewReader(schemaSQL)})
	if err != nil {
		return fmt.Errorf("parse embedded schema %s: %w", schemaName, err)
	}
	if err := db.CreateSchemaVersionTables(); err != nil {
		return fmt.Errorf("create schema version tables in %s: %w", cfg.DatabaseName, err)
	}
	for _, stmt := range stmts {
		if err := db.Exec(stmt); err != nil {
			return fmt.Errorf("apply schema %s to %s: %w", schemaName, cfg.DatabaseName, err)
		}
	}
	if err := db.UpdateSchemaVersion(cfg.DatabaseName, version, version); err != nil {
		return fmt.Errorf("record schema version of %s: %w", cfg.DatabaseName, err)
	}
	if err := db.WriteSchemaUpdateLog("0", version, "", "initial version"); err != nil {
		return fmt.Errorf("record schema update log of %s: %w", cfg.DatabaseName, err)
	}
	return nil
}
