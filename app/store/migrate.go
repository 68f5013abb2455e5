package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one versioned schema change, written once per dialect.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations for a dialect, in order. File names are
// NNNN_name.sql; both dialects must have the same list (a test checks).
func Migrations(dialect string) ([]Migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations for %s: %w", dialect, err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_name.sql", dialect, name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations for %s: version %d appears twice", dialect, out[i].Version)
		}
	}
	return out, nil
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies every pending migration, each in its own transaction, and
// returns the names of those it applied. On PostgreSQL an advisory lock makes
// concurrent starts of several processes apply each migration exactly once.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	migrations, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	createTable := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL)`
	if err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.migrationLock(ctx); err != nil {
			return err
		}
		return db.conn(ctx).Exec(createTable).Error
	}); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", translate(err))
	}
	var applied []string
	for _, m := range migrations {
		did := false
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := db.migrationLock(ctx); err != nil {
				return err
			}
			var n int64
			tx := db.conn(ctx)
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.Version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := tx.Exec(m.SQL).Error; err != nil {
				return err
			}
			did = true
			return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, translate(err))
		}
		if did {
			applied = append(applied, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	return applied, nil
}

// migrationLock serialises migrators of one PostgreSQL schema until the
// transaction ends. SQLite needs nothing: its transactions begin IMMEDIATE.
func (db *DB) migrationLock(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	return db.conn(ctx).Exec("SELECT pg_advisory_xact_lock(hashtext('snapshop.migrate.' || current_schema()))").Error
}

// SchemaVersion returns the highest applied migration, 0 for none.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := db.conn(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", translate(err))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
