package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/snapshop/snapshop/app"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is a handle on Snapshop's database.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	log     *slog.Logger
}

// Options configure Open.
type Options struct {
	Dialect string // SQLite or Postgres
	DSN     string // SQLite: a file path; Postgres: a postgres:// URL
	Logger  *slog.Logger
}

// Open connects to the database. For SQLite it creates the file's directory
// and sets WAL, foreign keys, a busy timeout and immediate transactions.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var dialector gorm.Dialector
	switch o.Dialect {
	case SQLite:
		if err := createPrivate(o.DSN); err != nil {
			return nil, err
		}
		dialector = sqlite.Open(sqliteDSN(o.DSN))
	case Postgres:
		dialector = postgres.Open(o.DSN)
	default:
		return nil, fmt.Errorf("open database: unknown dialect %q", o.Dialect)
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:         newGormLogger(o.Logger),
		NowFunc:        func() time.Time { return time.Now().UTC() },
		NamingStrategy: schema.NamingStrategy{},
		// Every write we make goes through InTx or is a single statement;
		// GORM's implicit transaction per Create would only add round trips.
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", o.Dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", o.Dialect, err)
	}
	switch o.Dialect {
	case SQLite:
		// WAL lets readers run beside the one writer; more connections than
		// that only queue on the write lock.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	case Postgres:
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{gorm: g, sql: sqlDB, dialect: o.Dialect, log: o.Logger}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open %s database: %w", o.Dialect, err)
	}
	return db, nil
}

// createPrivate creates the SQLite file (and its directory) readable by its
// owner only: it holds password hashes. SQLite gives the -wal and -shm files
// the same permissions.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600) // #nosec G304 -- the configured database file, not request input
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// sqliteDSN adds the pragmas Snapshop relies on to a file path. _txlock=immediate
// makes BEGIN take the write lock at once: with deferred transactions, two
// writers that both read first deadlock on the upgrade and one fails with
// SQLITE_BUSY despite the busy timeout (FACTS.md: 184 of 200 purchases failed).
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// No _time_format: glebarez/go-sqlite v1.23.0 returns early after reading
	// it and silently ignores _txlock. Its default write format is already
	// SQLite's own ("2006-01-02 15:04:05.999999999-07:00"), and since all times
	// are UTC, text order is time order.
	return "file:" + path + "?" + q.Encode()
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return app.Unavailable(fmt.Errorf("ping database: %w", err))
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error { return db.sql.Close() }

// gormDB is GORM's handle, named for the few helpers that build queries.
type gormDB = gorm.DB

type txKey struct{}

// InTx runs fn in a transaction carried by the context it is given: every
// store method called with that context joins it. If ctx already carries a
// transaction, fn joins that one, so services compose. fn's error (or a panic)
// rolls back.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	if err != nil {
		return translate(err)
	}
	return nil
}

// conn returns the transaction in ctx, or the pool bound to ctx.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// isNotFound reports whether err means a lookup found nothing.
func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// takeOne loads the one T matching cond; none is ENotFound ("No such what.").
func takeOne[T any](tx *gorm.DB, what, cond string, args ...any) (*T, error) {
	var v T
	err := tx.Where(cond, args...).Take(&v).Error
	if isNotFound(err) {
		return nil, app.Errorf(app.ENotFound, "No such %s.", what)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", what, translate(err))
	}
	return &v, nil
}

// DB exposes GORM to the store's own tests and test helpers in other
// packages that must write what no service would (out-of-order commits).
// Production code never calls it.
func (db *DB) DB() *gorm.DB { return db.gorm }

// Savepoint runs fn inside a savepoint of the transaction in ctx (or in a
// transaction of its own when there is none). If fn fails, only its writes
// are undone and the transaction goes on: on PostgreSQL a failed statement
// — a unique violation the caller expects — would otherwise abort the whole
// transaction.
func (db *DB) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return db.InTx(ctx, fn)
	}
	name := "sp_" + app.RandomToken(6)
	if err := tx.SavePoint(name).Error; err != nil {
		return fmt.Errorf("savepoint: %w", translate(err))
	}
	if err := fn(ctx); err != nil {
		if rerr := tx.RollbackTo(name).Error; rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", translate(rerr)))
		}
		return err
	}
	return nil
}
