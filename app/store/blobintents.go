package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

type blobIntent struct {
	Key       string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (blobIntent) TableName() string { return "blob_intents" }

// AddBlobIntents records that blobs are about to be written. Call it outside
// (before) the transaction that will reference them, so the record survives a
// crash during the writes.
func (db *DB) AddBlobIntents(ctx context.Context, keys ...string) error {
	now := time.Now().UTC()
	rows := make([]blobIntent, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, blobIntent{Key: k, CreatedAt: now})
	}
	if len(rows) == 0 {
		return nil
	}
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"created_at"}),
	}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("record blob intents: %w", translate(err))
	}
	return nil
}

// ClearBlobIntents forgets intents whose blobs are now referenced (or deleted).
func (db *DB) ClearBlobIntents(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if err := db.conn(ctx).Where("key IN ?", keys).Delete(&blobIntent{}).Error; err != nil {
		return fmt.Errorf("clear blob intents: %w", translate(err))
	}
	return nil
}

// StaleBlobIntents returns intents recorded before cutoff, oldest first.
func (db *DB) StaleBlobIntents(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	var keys []string
	err := db.conn(ctx).Model(&blobIntent{}).Where("created_at < ?", cutoff.UTC()).
		Order("created_at").Limit(limit).Pluck("key", &keys).Error
	if err != nil {
		return nil, fmt.Errorf("list blob intents: %w", translate(err))
	}
	return keys, nil
}
