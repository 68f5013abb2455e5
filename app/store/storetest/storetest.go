// Package storetest gives each test a fresh, migrated database: a SQLite file
// under t.TempDir(), and, when SNAPSHOP_TEST_POSTGRES holds a URL, a fresh
// PostgreSQL schema dropped when the test ends.
package storetest

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for creating and dropping schemas

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "SNAPSHOP_TEST_POSTGRES"

// Dialects returns SQLite, and PostgreSQL too when EnvPostgres is set.
func Dialects() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// Run runs fn once per dialect in a subtest named after it, each with a fresh
// migrated database.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// Logger returns a logger that writes warnings and errors to the test log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// New returns a fresh, migrated database of the given dialect.
func New(t testing.TB, dialect string) *store.DB {
	t.Helper()
	db := Open(t, dialect)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// Open returns a fresh, empty (unmigrated) database of the given dialect.
func Open(t testing.TB, dialect string) *store.DB {
	t.Helper()
	opts := store.Options{Dialect: dialect, Logger: Logger(t)}
	switch dialect {
	case store.SQLite:
		opts.DSN = filepath.Join(t.TempDir(), "test.db")
	case store.Postgres:
		opts.DSN = PostgresURL(t)
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL creates a schema in the test database and returns a URL whose
// search_path points at it, for tests that start a whole server process. The
// schema is dropped when the test ends (after anything opened later is
// closed: cleanups run last-registered first).
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	schema := "test_" + app.RandomToken(8)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// User creates an account named name with role, straight in the store (no
// password that works): for tests that need people, not sign-in.
func User(t testing.TB, db *store.DB, name string, role app.Role) *app.User {
	t.Helper()
	u := &app.User{Username: name, Email: name + "@example.com", PasswordHash: "x", Role: role}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}
