package store

import (
	"context"
	"fmt"
	"math/bits"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

// CreateImage inserts img, filling its ID, PublicID and timestamps.
func (db *DB) CreateImage(ctx context.Context, img *app.Image) error {
	now := time.Now().UTC()
	if img.PublicID == "" {
		img.PublicID = app.NewPublicID()
	}
	img.CreatedAt, img.UpdatedAt = now, now
	if err := db.conn(ctx).Create(img).Error; err != nil {
		return fmt.Errorf("create image: %w", translate(err))
	}
	return nil
}

// ImageByID returns an image by internal ID.
func (db *DB) ImageByID(ctx context.Context, id int64) (*app.Image, error) {
	return db.imageWhere(ctx, "id = ?", id)
}

// ImageByPublicID returns an image by public ID.
func (db *DB) ImageByPublicID(ctx context.Context, publicID string) (*app.Image, error) {
	return db.imageWhere(ctx, "public_id = ?", publicID)
}

// ImageBySHA256 returns the live (not failed) image holding a file.
func (db *DB) ImageBySHA256(ctx context.Context, sum string) (*app.Image, error) {
	return db.imageWhere(ctx, "sha256 = ? AND status <> ?", sum, app.StatusFailed)
}

// ImageForUpdate returns an image and, on PostgreSQL, locks its row until the
// transaction in ctx ends, so a read-check-write cannot interleave with
// another. (SQLite's immediate transactions already serialise writers.)
func (db *DB) ImageForUpdate(ctx context.Context, publicID string) (*app.Image, error) {
	return takeOne[app.Image](db.forUpdate(db.conn(ctx)), "image", "public_id = ?", publicID)
}

func (db *DB) imageWhere(ctx context.Context, cond string, args ...any) (*app.Image, error) {
	return takeOne[app.Image](db.conn(ctx), "image", cond, args...)
}

// SaveImage writes every field of img back, and records the change for
// search in the same transaction: the index can never miss it.
func (db *DB) SaveImage(ctx context.Context, img *app.Image) error {
	img.UpdatedAt = time.Now().UTC()
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Save(img).Error; err != nil {
			return fmt.Errorf("save image %s: %w", img.PublicID, translate(err))
		}
		return db.appendChange(ctx, img.ID)
	})
}

// DeleteImage removes an image row (its jobs and hash bands go with it),
// recording the change for search.
func (db *DB) DeleteImage(ctx context.Context, id int64) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Delete(&app.Image{}, id).Error; err != nil {
			return fmt.Errorf("delete image: %w", translate(err))
		}
		return db.appendChange(ctx, id)
	})
}

// ImagesByIDs returns the images with the given internal IDs, in no order.
func (db *DB) ImagesByIDs(ctx context.Context, ids []int64) ([]app.Image, error) {
	var out []app.Image
	if err := db.conn(ctx).Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load images: %w", translate(err))
	}
	return out, nil
}

// imageCardQuery reads what a result card or an API search hit shows — its
// links (public ID, title, the derivatives' keys under the file's hash),
// size, price — and what decides whether it may be shown at all (status).
const imageCardQuery = "SELECT id, public_id, contributor_id, status, title, sha256, thumb_key, preview_key, " +
	"width, height, orientation, megapixels, price_cents FROM images WHERE id IN ?"

// ImageCardsByIDs returns the images with the given internal IDs, in no
// order, with only the card's columns (imageCardQuery) filled in. A search
// page hydrates 48 of them per view: reading and decoding whole rows
// (descriptions, keyword and colour lists, EXIF) cost more than the search
// itself, and GORM's reflective scan of even these columns was a tenth of
// the page's CPU (snapshop bench http), so the rows are scanned by hand.
func (db *DB) ImageCardsByIDs(ctx context.Context, ids []int64) ([]app.Image, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.conn(ctx).Raw(imageCardQuery, ids).Rows()
	if err != nil {
		return nil, fmt.Errorf("load images: %w", translate(err))
	}
	defer rows.Close()
	out := make([]app.Image, 0, len(ids))
	for rows.Next() {
		var img app.Image
		if err := rows.Scan(&img.ID, &img.PublicID, &img.ContributorID, &img.Status, &img.Title, &img.SHA256, &img.ThumbKey, &img.PreviewKey,
			&img.Width, &img.Height, &img.Orientation, &img.Megapixels, &img.PriceCents); err != nil {
			return nil, fmt.Errorf("load images: %w", translate(err))
		}
		out = append(out, img)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load images: %w", translate(err))
	}
	return out, nil
}

// ImagesByPublicIDs returns the images with the given public IDs, in no order.
func (db *DB) ImagesByPublicIDs(ctx context.Context, ids []string) ([]app.Image, error) {
	var out []app.Image
	if err := db.conn(ctx).Where("public_id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load images: %w", translate(err))
	}
	return out, nil
}

// ImageFilter narrows ListImages.
type ImageFilter struct {
	ContributorID int64             // 0: any
	Statuses      []app.ImageStatus // empty: any
	IDs           []string          // public IDs; empty: any
	Limit, Offset int
	NoTotal       bool // the caller needs no total (0 is returned): counting reads every match
}

// ListImages returns images, newest first, and how many match in all.
func (db *DB) ListImages(ctx context.Context, f ImageFilter) ([]app.Image, int64, error) {
	q := db.conn(ctx).Model(&app.Image{})
	if f.ContributorID != 0 {
		q = q.Where("contributor_id = ?", f.ContributorID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if len(f.IDs) > 0 {
		q = q.Where("public_id IN ?", f.IDs)
	}
	var total int64
	if !f.NoTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, fmt.Errorf("count images: %w", translate(err))
		}
	}
	var out []app.Image
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	if err := q.Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list images: %w", translate(err))
	}
	return out, total, nil
}

// CountImagesByStatus returns, for one contributor, how many images are in
// each status.
func (db *DB) CountImagesByStatus(ctx context.Context, contributorID int64) (map[app.ImageStatus]int64, error) {
	counts, err := db.CountImagesByStatusOf(ctx, []int64{contributorID})
	if err != nil {
		return nil, err
	}
	if counts[contributorID] == nil {
		return map[app.ImageStatus]int64{}, nil
	}
	return counts[contributorID], nil
}

// CountImagesByStatusOf is CountImagesByStatus for several contributors at
// once, by contributor ID, in one query.
func (db *DB) CountImagesByStatusOf(ctx context.Context, contributorIDs []int64) (map[int64]map[app.ImageStatus]int64, error) {
	var rows []struct {
		ContributorID int64
		Status        app.ImageStatus
		N             int64
	}
	err := db.conn(ctx).Model(&app.Image{}).Select("contributor_id, status, COUNT(*) AS n").
		Where("contributor_id IN ?", contributorIDs).Group("contributor_id, status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count images: %w", translate(err))
	}
	out := make(map[int64]map[app.ImageStatus]int64, len(contributorIDs))
	for _, r := range rows {
		if out[r.ContributorID] == nil {
			out[r.ContributorID] = map[app.ImageStatus]int64{}
		}
		out[r.ContributorID][r.Status] = r.N
	}
	return out, nil
}

// hashBands cuts a 64-bit hash into 7 bands: 10 bits, then six of 9.
func hashBands(h uint64) [7]int64 {
	var out [7]int64
	out[0] = int64(h & (1<<10 - 1))
	h >>= 10
	for i := 1; i < 7; i++ {
		out[i] = int64(h & (1<<9 - 1))
		h >>= 9
	}
	return out
}

type hashBand struct {
	Band    int
	Value   int64
	ImageID int64
}

func (hashBand) TableName() string { return "image_hash_bands" }

// SetHashBands records an image's perceptual hash for near-duplicate look-ups.
func (db *DB) SetHashBands(ctx context.Context, imageID int64, h uint64) error {
	tx := db.conn(ctx)
	if err := tx.Where("image_id = ?", imageID).Delete(&hashBand{}).Error; err != nil {
		return fmt.Errorf("clear hash bands: %w", translate(err))
	}
	bands := hashBands(h)
	rows := make([]hashBand, len(bands))
	for i, v := range bands {
		rows[i] = hashBand{Band: i, Value: v, ImageID: imageID}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("set hash bands: %w", translate(err))
	}
	return nil
}

// Near is an image whose perceptual hash is within some distance of another's.
type Near struct {
	Image    app.Image
	Distance int // Hamming distance of the hashes
}

// SimilarHashes returns, for each image of hashes (image ID → its hash),
// the other images whose hashes are within maxDistance bits of it (at most
// 6, which the bands guarantee to find), by ID. It takes two queries however
// many images are asked about: a review page asks for all of its own.
func (db *DB) SimilarHashes(ctx context.Context, hashes map[int64]uint64, maxDistance int) (map[int64][]Near, error) {
	if maxDistance > 6 {
		return nil, fmt.Errorf("similar hashes: distance %d exceeds the bands' guarantee of 6", maxDistance)
	}
	out := make(map[int64][]Near, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	// Any image within 6 bits of a hash shares at least one of its bands.
	or := db.conn(ctx)
	for _, h := range hashes {
		for i, v := range hashBands(h) {
			or = or.Or("band = ? AND value = ?", i, v)
		}
	}
	var ids []int64
	if err := db.conn(ctx).Model(&hashBand{}).Distinct("image_id").Where(or).Pluck("image_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("similar hashes: %w", translate(err))
	}
	if len(ids) == 0 {
		return out, nil
	}
	var candidates []app.Image
	if err := db.conn(ctx).Where("id IN ?", ids).Order("id").Find(&candidates).Error; err != nil {
		return nil, fmt.Errorf("similar hashes: %w", translate(err))
	}
	for id, h := range hashes {
		for _, c := range candidates {
			if d := hamming(uint64(c.PHash), h); c.ID != id && d <= maxDistance { // #nosec G115 -- the stored bits are the hash
				out[id] = append(out[id], Near{Image: c, Distance: d})
			}
		}
	}
	return out, nil
}

func hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// forUpdate adds FOR UPDATE on PostgreSQL; SQLite needs none (and GORM's
// SQLite dialect would drop it anyway).
func (db *DB) forUpdate(tx *gorm.DB) *gorm.DB {
	if db.dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}
