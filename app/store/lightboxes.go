package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

// CreateLightbox inserts a lightbox, filling its ID, PublicID and timestamps.
func (db *DB) CreateLightbox(ctx context.Context, b *app.Lightbox) error {
	now := time.Now().UTC()
	if b.PublicID == "" {
		b.PublicID = app.NewPublicID()
	}
	b.CreatedAt, b.UpdatedAt = now, now
	if err := db.conn(ctx).Create(b).Error; err != nil {
		return fmt.Errorf("create lightbox: %w", translate(err))
	}
	return nil
}

// CountLightboxes counts an account's lightboxes.
func (db *DB) CountLightboxes(ctx context.Context, ownerID int64) (int64, error) {
	var n int64
	if err := db.conn(ctx).Model(&app.Lightbox{}).Where("owner_id = ?", ownerID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count lightboxes: %w", translate(err))
	}
	return n, nil
}

// Lightboxes returns an account's lightboxes, the most recently changed first.
func (db *DB) Lightboxes(ctx context.Context, ownerID int64) ([]app.Lightbox, error) {
	var out []app.Lightbox
	if err := db.conn(ctx).Where("owner_id = ?", ownerID).Order("updated_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list lightboxes: %w", translate(err))
	}
	return out, nil
}

// LightboxOf returns one of an account's lightboxes. Someone else's is
// ENotFound, exactly as one that does not exist.
func (db *DB) LightboxOf(ctx context.Context, ownerID int64, publicID string) (*app.Lightbox, error) {
	return takeOne[app.Lightbox](db.conn(ctx), "lightbox", "owner_id = ? AND public_id = ?", ownerID, publicID)
}

// LightboxForUpdate is LightboxOf that, on PostgreSQL, also locks the row
// until the transaction in ctx ends: changes to one lightbox's items then
// happen one at a time (its limit and positions stay consistent).
func (db *DB) LightboxForUpdate(ctx context.Context, ownerID int64, publicID string) (*app.Lightbox, error) {
	return takeOne[app.Lightbox](db.forUpdate(db.conn(ctx)), "lightbox", "owner_id = ? AND public_id = ?", ownerID, publicID)
}

// LightboxByShareHash returns the lightbox whose share token hashes to hash.
func (db *DB) LightboxByShareHash(ctx context.Context, hash string) (*app.Lightbox, error) {
	return takeOne[app.Lightbox](db.conn(ctx), "lightbox", "share_hash = ?", hash)
}

// UpdateLightbox sets columns of a lightbox (and its updated_at).
func (db *DB) UpdateLightbox(ctx context.Context, id int64, set map[string]any) error {
	set["updated_at"] = time.Now().UTC()
	if err := db.conn(ctx).Model(&app.Lightbox{}).Where("id = ?", id).Updates(set).Error; err != nil {
		return fmt.Errorf("update lightbox: %w", translate(err))
	}
	return nil
}

// DeleteLightbox removes a lightbox and its items.
func (db *DB) DeleteLightbox(ctx context.Context, id int64) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Where("lightbox_id = ?", id).Delete(&app.LightboxItem{}).Error; err != nil {
			return fmt.Errorf("delete lightbox items: %w", translate(err))
		}
		if err := db.conn(ctx).Delete(&app.Lightbox{}, id).Error; err != nil {
			return fmt.Errorf("delete lightbox: %w", translate(err))
		}
		return nil
	})
}

// LightboxItems returns a lightbox's items in their order.
func (db *DB) LightboxItems(ctx context.Context, lightboxID int64) ([]app.LightboxItem, error) {
	var out []app.LightboxItem
	if err := db.conn(ctx).Where("lightbox_id = ?", lightboxID).Order("position, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load lightbox items: %w", translate(err))
	}
	return out, nil
}

// CountLightboxItems counts a lightbox's items, whatever their images' status.
func (db *DB) CountLightboxItems(ctx context.Context, lightboxID int64) (int64, error) {
	var n int64
	if err := db.conn(ctx).Model(&app.LightboxItem{}).Where("lightbox_id = ?", lightboxID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count lightbox items: %w", translate(err))
	}
	return n, nil
}

// PublishedLightboxCounts returns, for each of the given lightboxes, how many
// of its images are published (what its owner sees in it).
func (db *DB) PublishedLightboxCounts(ctx context.Context, lightboxIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(lightboxIDs))
	if len(lightboxIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		LightboxID int64
		N          int64
	}
	err := db.conn(ctx).Table("lightbox_items li").Select("li.lightbox_id, COUNT(*) AS n").
		Joins("JOIN images i ON i.id = li.image_id").
		Where("li.lightbox_id IN ? AND i.status = ?", lightboxIDs, app.StatusApproved).
		Group("li.lightbox_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count lightbox images: %w", translate(err))
	}
	for _, r := range rows {
		out[r.LightboxID] = r.N
	}
	return out, nil
}

// LightboxesHolding returns, for each of an account's lightboxes that holds
// any of the given images, which of them it holds.
func (db *DB) LightboxesHolding(ctx context.Context, ownerID int64, imageIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(imageIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		LightboxID int64
		ImageID    int64
	}
	err := db.conn(ctx).Table("lightbox_items li").Select("li.lightbox_id, li.image_id").
		Joins("JOIN lightboxes l ON l.id = li.lightbox_id").
		Where("l.owner_id = ? AND li.image_id IN ?", ownerID, imageIDs).
		Order("li.lightbox_id, li.image_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find images in lightboxes: %w", translate(err))
	}
	for _, r := range rows {
		out[r.LightboxID] = append(out[r.LightboxID], r.ImageID)
	}
	return out, nil
}

// AddLightboxItem puts an image in a lightbox at the end (after the highest
// position). An image already there stays where it is: added is false.
func (db *DB) AddLightboxItem(ctx context.Context, it *app.LightboxItem) (added bool, err error) {
	err = db.InTx(ctx, func(ctx context.Context) error {
		var top int
		if err := db.conn(ctx).Model(&app.LightboxItem{}).Where("lightbox_id = ?", it.LightboxID).
			Select("COALESCE(MAX(position), 0)").Scan(&top).Error; err != nil {
			return fmt.Errorf("find last position: %w", translate(err))
		}
		it.Position = top + 1
		it.CreatedAt = time.Now().UTC()
		res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(it)
		if res.Error != nil {
			return fmt.Errorf("add to lightbox: %w", translate(res.Error))
		}
		added = res.RowsAffected == 1
		return nil
	})
	return added, err
}

// RemoveLightboxItem takes an image out of a lightbox; false if it was not in it.
func (db *DB) RemoveLightboxItem(ctx context.Context, lightboxID, imageID int64) (bool, error) {
	res := db.conn(ctx).Where("lightbox_id = ? AND image_id = ?", lightboxID, imageID).Delete(&app.LightboxItem{})
	if res.Error != nil {
		return false, fmt.Errorf("remove from lightbox: %w", translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// SetLightboxPositions writes new positions, item ID → position, a few
// hundred items a statement: moving the last of 500 items to the top moves
// all of them.
func (db *DB) SetLightboxPositions(ctx context.Context, lightboxID int64, positions map[int64]int) error {
	ids := slices.Sorted(maps.Keys(positions))
	return db.InTx(ctx, func(ctx context.Context) error {
		for chunk := range slices.Chunk(ids, idsPerStatement) {
			byID, args := caseByID(chunk, positions)
			err := db.conn(ctx).Exec("UPDATE lightbox_items SET position = "+byID+" WHERE lightbox_id = ? AND id IN ?", append(args, lightboxID, chunk)...).Error
			if err != nil {
				return fmt.Errorf("move in lightbox: %w", translate(err))
			}
		}
		return nil
	})
}

// MarkLightboxItem records a client's mark and comment on an item.
func (db *DB) MarkLightboxItem(ctx context.Context, itemID int64, mark app.ClientMark, comment string) error {
	err := db.conn(ctx).Model(&app.LightboxItem{}).Where("id = ?", itemID).Updates(map[string]any{
		"client_mark": mark, "client_comment": comment, "marked_at": time.Now().UTC(),
	}).Error
	if err != nil {
		return fmt.Errorf("mark lightbox image: %w", translate(err))
	}
	return nil
}
