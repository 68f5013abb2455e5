package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
)

// Change is one row of the search change log: image ImageID changed.
type Change struct {
	ID      int64
	ImageID int64
}

// appendChange records, in the transaction in ctx, that something searchable
// about an image changed. The database fills created_at with its own clock.
func (db *DB) appendChange(ctx context.Context, imageID int64) error {
	if err := db.conn(ctx).Exec("INSERT INTO search_changes (image_id) VALUES (?)", imageID).Error; err != nil {
		return fmt.Errorf("append search change: %w", translate(err))
	}
	return nil
}

// AppendUserChanges records a change for every image of a user (whose name
// or standing changed, which changes what search shows).
func (db *DB) AppendUserChanges(ctx context.Context, userID int64) error {
	err := db.conn(ctx).Exec("INSERT INTO search_changes (image_id) SELECT id FROM images WHERE contributor_id = ?", userID).Error
	if err != nil {
		return fmt.Errorf("append search changes for user: %w", translate(err))
	}
	return nil
}

// ChangesAfter returns up to limit changes with IDs above cursor, in order.
func (db *DB) ChangesAfter(ctx context.Context, cursor int64, limit int) ([]Change, error) {
	var out []Change
	err := db.conn(ctx).Raw("SELECT id, image_id FROM search_changes WHERE id > ? ORDER BY id LIMIT ?", cursor, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read search changes: %w", translate(err))
	}
	return out, nil
}

// RecentChanges returns the changes at or below upTo written within the last
// window by the database's clock: on PostgreSQL a transaction that took its
// ID earlier can commit later, so a tailer re-reads this window and applies
// what it has not seen.
func (db *DB) RecentChanges(ctx context.Context, window time.Duration, upTo int64) ([]Change, error) {
	var out []Change
	secs := int(window.Seconds())
	var q string
	if db.dialect == Postgres {
		q = "SELECT id, image_id FROM search_changes WHERE created_at >= now() - make_interval(secs => ?) AND id <= ? ORDER BY id"
	} else {
		q = "SELECT id, image_id FROM search_changes WHERE created_at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ? || ' seconds') AND id <= ? ORDER BY id"
	}
	if err := db.conn(ctx).Raw(q, secs, upTo).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read recent search changes: %w", translate(err))
	}
	return out, nil
}

// MaxChangeID returns the newest change's ID, 0 when the log is empty.
func (db *DB) MaxChangeID(ctx context.Context) (int64, error) {
	var v *int64
	if err := db.conn(ctx).Raw("SELECT MAX(id) FROM search_changes").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read newest search change: %w", translate(err))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

const prunedThroughKey = "pruned_through"

// PruneChanges deletes changes older than age and records the highest ID
// deleted: an index whose cursor is below it has missed changes for good and
// must be rebuilt.
func (db *DB) PruneChanges(ctx context.Context, age time.Duration) (int64, error) {
	var deleted int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		var q string
		if db.dialect == Postgres {
			q = "SELECT MAX(id) FROM search_changes WHERE created_at < now() - make_interval(secs => ?)"
		} else {
			q = "SELECT MAX(id) FROM search_changes WHERE created_at < strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ? || ' seconds')"
		}
		var upTo *int64
		if err := db.conn(ctx).Raw(q, int(age.Seconds())).Scan(&upTo).Error; err != nil {
			return err
		}
		if upTo == nil {
			return nil
		}
		res := db.conn(ctx).Exec("DELETE FROM search_changes WHERE id <= ?", *upTo)
		if res.Error != nil {
			return res.Error
		}
		deleted = res.RowsAffected
		return db.setSearchState(ctx, prunedThroughKey, *upTo)
	})
	if err != nil {
		return 0, fmt.Errorf("prune search changes: %w", translate(err))
	}
	return deleted, nil
}

// PrunedThrough returns the highest change ID ever pruned.
func (db *DB) PrunedThrough(ctx context.Context) (int64, error) {
	return db.searchState(ctx, prunedThroughKey)
}

func (db *DB) searchState(ctx context.Context, key string) (int64, error) {
	var v []int64
	if err := db.conn(ctx).Raw("SELECT value FROM search_state WHERE key = ?", key).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read search state %s: %w", key, translate(err))
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

func (db *DB) setSearchState(ctx context.Context, key string, value int64) error {
	err := db.conn(ctx).Exec("INSERT INTO search_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value).Error
	if err != nil {
		return fmt.Errorf("write search state %s: %w", key, translate(err))
	}
	return nil
}

// RequestSearchRebuild asks every server to rebuild its index, and returns
// the request's number.
func (db *DB) RequestSearchRebuild(ctx context.Context) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Exec("INSERT INTO search_rebuilds (requested_at) VALUES (?)", time.Now().UTC()).Error; err != nil {
			return err
		}
		return db.conn(ctx).Raw("SELECT MAX(id) FROM search_rebuilds").Scan(&id).Error
	})
	if err != nil {
		return 0, fmt.Errorf("request search rebuild: %w", translate(err))
	}
	return id, nil
}

// LatestSearchRebuild returns the newest rebuild request's number, 0 for none.
func (db *DB) LatestSearchRebuild(ctx context.Context) (int64, error) {
	var v *int64
	if err := db.conn(ctx).Raw("SELECT MAX(id) FROM search_rebuilds").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read search rebuild requests: %w", translate(err))
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// SearchRow is an image with what search needs of its contributor.
type SearchRow struct {
	app.Image         `gorm:"embedded"`
	ContributorName   string
	ContributorStatus app.UserStatus
}

// Searchable reports whether the image belongs in search: published, by an
// active contributor.
func (r *SearchRow) Searchable() bool {
	return r.Status == app.StatusApproved && r.ContributorStatus == app.UserActive
}

func (db *DB) searchRows(ctx context.Context) *gormDB {
	return db.conn(ctx).Table("images").
		Select("images.*, users.username AS contributor_name, users.status AS contributor_status").
		Joins("JOIN users ON users.id = images.contributor_id")
}

// SearchRows returns the current rows of the given images (missing ones are
// simply absent).
func (db *DB) SearchRows(ctx context.Context, ids []int64) ([]SearchRow, error) {
	var out []SearchRow
	if len(ids) == 0 {
		return nil, nil
	}
	if err := db.searchRows(ctx).Where("images.id IN ?", ids).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("read images for search: %w", translate(err))
	}
	return out, nil
}

// SearchablePage returns up to limit searchable images with IDs above after,
// in ID order: a rebuild reads the catalogue page by page.
func (db *DB) SearchablePage(ctx context.Context, after int64, limit int) ([]SearchRow, error) {
	// Without statistics SQLite takes images_status_idx for the status test —
	// though nearly every image is approved — then sorts every approved image
	// to return a page: a rebuild's pages grew slower as it went (0.2 s each
	// at 20,000 images). The unary + keeps it on the primary key, in order.
	// PostgreSQL plans this well, and has no unary + for text.
	status := "images.status = ?"
	if db.dialect == SQLite {
		status = "+images.status = ?"
	}
	var out []SearchRow
	err := db.searchRows(ctx).
		Where("images.id > ? AND "+status+" AND users.status = ?", after, app.StatusApproved, app.UserActive).
		Order("images.id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read searchable images: %w", translate(err))
	}
	return out, nil
}

// AddViews adds view counts to images and records the change for search,
// a few hundred images a statement: a flush after a busy half-minute holds
// tens of thousands, and one UPDATE and one INSERT apiece kept SQLite's write
// lock for seconds.
func (db *DB) AddViews(ctx context.Context, views map[int64]int64) error {
	return db.addCounts(ctx, "views", views)
}

// AddSales adds to images' sales counts (a popularity signal search sorts
// on), by image, and records the changes for search: an order's lines in
// one statement rather than two apiece inside the checkout's transaction.
func (db *DB) AddSales(ctx context.Context, sales map[int64]int64) error {
	return db.addCounts(ctx, "sales", sales)
}

// addCounts adds counts to a counter column of images ("views" or "sales").
func (db *DB) addCounts(ctx context.Context, column string, counts map[int64]int64) error {
	ids := slices.Sorted(maps.Keys(counts)) // one lock order for concurrent writers
	return db.InTx(ctx, func(ctx context.Context) error {
		for chunk := range slices.Chunk(ids, idsPerStatement) {
			byID, args := caseByID(chunk, counts)
			err := db.conn(ctx).Exec("UPDATE images SET "+column+" = "+column+" + "+byID+" WHERE id IN ?", append(args, chunk)...).Error
			if err != nil {
				return fmt.Errorf("add %s: %w", column, translate(err))
			}
			if err := db.appendChanges(ctx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
}

// idsPerStatement bounds the rows one CASE update names (see caseByID):
// three parameters a row, far below either database's limit.
const idsPerStatement = 500

// caseByID returns "CASE id WHEN ? THEN ? … END" choosing values[id] for
// each id of chunk, and its arguments: one UPDATE sets a different value on
// each of a few hundred rows.
func caseByID[V int | int64](chunk []int64, values map[int64]V) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 2*len(chunk)+1)
	b.WriteString("CASE id")
	for _, id := range chunk {
		b.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		args = append(args, id, int64(values[id]))
	}
	b.WriteString(" END")
	return b.String(), args
}

// appendChanges records, in the transaction in ctx, a change for each image.
func (db *DB) appendChanges(ctx context.Context, imageIDs []int64) error {
	values := strings.Repeat("(?),", len(imageIDs))
	args := make([]any, len(imageIDs))
	for i, id := range imageIDs {
		args[i] = id
	}
	if err := db.conn(ctx).Exec("INSERT INTO search_changes (image_id) VALUES "+values[:len(values)-1], args...).Error; err != nil {
		return fmt.Errorf("append search changes: %w", translate(err))
	}
	return nil
}

// TableName maps Change to the change log.
func (Change) TableName() string { return "search_changes" }
