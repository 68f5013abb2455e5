package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

// ReviewQueue returns pending images, the longest waiting first, and how
// many are waiting in all.
func (db *DB) ReviewQueue(ctx context.Context, limit, offset int) ([]app.Image, int64, error) {
	q := db.conn(ctx).Model(&app.Image{}).Where("status = ?", app.StatusPending)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count review queue: %w", translate(err))
	}
	var out []app.Image
	err := q.Order("submitted_at, id").Limit(limit).Offset(offset).Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("load review queue: %w", translate(err))
	}
	return out, total, nil
}

// QueuePositions returns, for each of the given pending images, how many
// pending images were submitted before it plus one, in one query however
// many images are asked about (a contributor's page asks for all theirs).
func (db *DB) QueuePositions(ctx context.Context, imgs []app.Image) (map[int64]int64, error) {
	out := make(map[int64]int64, len(imgs))
	ids := make([]int64, 0, len(imgs))
	for _, img := range imgs {
		if img.Status == app.StatusPending && img.SubmittedAt != nil {
			ids = append(ids, img.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct{ ID, Position int64 }
	err := db.conn(ctx).Raw(`SELECT id, position FROM (
		SELECT id, ROW_NUMBER() OVER (ORDER BY submitted_at, id) AS position
		FROM images WHERE status = ? AND submitted_at IS NOT NULL) queue
		WHERE id IN ?`, app.StatusPending, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("queue positions: %w", translate(err))
	}
	for _, r := range rows {
		out[r.ID] = r.Position
	}
	return out, nil
}

// PendingAppeals counts the pending images that are back on appeal.
func (db *DB) PendingAppeals(ctx context.Context) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&app.Image{}).Where("status = ? AND appealed_at IS NOT NULL", app.StatusPending).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count appeals: %w", translate(err))
	}
	return n, nil
}

// ReviewedSince counts the images reviewers decided on since t: the queue's
// recent pace, from which a contributor's wait is estimated.
func (db *DB) ReviewedSince(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&app.Image{}).Where("reviewed_at >= ?", t).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count reviews: %w", translate(err))
	}
	return n, nil
}

// CountStatuses counts every image by status, across contributors.
func (db *DB) CountStatuses(ctx context.Context) (map[app.ImageStatus]int64, error) {
	return db.countImages(ctx, db.conn(ctx).Model(&app.Image{}))
}

func (db *DB) countImages(_ context.Context, q *gorm.DB) (map[app.ImageStatus]int64, error) {
	var rows []struct {
		Status app.ImageStatus
		N      int64
	}
	if err := q.Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count images: %w", translate(err))
	}
	out := make(map[app.ImageStatus]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// UserForUpdate loads a user by public ID, locked until the transaction ends
// on PostgreSQL (SQLite's single writer needs no row lock).
func (db *DB) UserForUpdate(ctx context.Context, publicID string) (*app.User, error) {
	return takeOne[app.User](db.forUpdate(db.conn(ctx)), "user", "public_id = ?", publicID)
}

// SaveUserAccess writes a user's status, role and revenue share; a change of
// status re-indexes their images (a suspended contributor's leave search).
func (db *DB) SaveUserAccess(ctx context.Context, u *app.User) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		u.UpdatedAt = time.Now().UTC()
		err := db.conn(ctx).Model(&app.User{}).Where("id = ?", u.ID).
			Updates(map[string]any{"status": u.Status, "role": u.Role, "share_bp": u.ShareBP, "updated_at": u.UpdatedAt}).Error
		if err != nil {
			return fmt.Errorf("save user: %w", translate(err))
		}
		return db.AppendUserChanges(ctx, u.ID)
	})
}

// CreateReport stores a report. A second open report by the same person on
// the same image is not stored: the first one is returned instead.
func (db *DB) CreateReport(ctx context.Context, r *app.Report) (created bool, err error) {
	err = db.InTx(ctx, func(ctx context.Context) error {
		var existing app.Report
		err := db.conn(ctx).Where("image_id = ? AND reporter_id = ? AND status = ?", r.ImageID, r.ReporterID, app.ReportOpen).
			Take(&existing).Error
		if err == nil {
			*r = existing
			return nil
		}
		if !isNotFound(err) {
			return fmt.Errorf("find report: %w", translate(err))
		}
		r.Status, r.CreatedAt = app.ReportOpen, time.Now().UTC()
		if err := db.conn(ctx).Create(r).Error; err != nil {
			return fmt.Errorf("create report: %w", translate(err))
		}
		created = true
		return nil
	})
	return created, err
}

// ReportFilter selects reports.
type ReportFilter struct {
	Status        app.ReportStatus // "": any
	ImageID       int64            // 0: any
	Limit, Offset int
}

// ListReports returns reports, oldest first, and how many match.
func (db *DB) ListReports(ctx context.Context, f ReportFilter) ([]app.Report, int64, error) {
	q := db.conn(ctx).Model(&app.Report{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ImageID != 0 {
		q = q.Where("image_id = ?", f.ImageID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", translate(err))
	}
	var out []app.Report
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	if err := q.Order("created_at, id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", translate(err))
	}
	return out, total, nil
}

// ReportByPublicID loads one report.
func (db *DB) ReportByPublicID(ctx context.Context, publicID string) (*app.Report, error) {
	return takeOne[app.Report](db.forUpdate(db.conn(ctx)), "report", "public_id = ?", publicID)
}

// ResolveReports closes the open reports on an image (or only the one with
// reportID, when non-zero) with status, and returns how many it closed.
func (db *DB) ResolveReports(ctx context.Context, imageID, reportID int64, status app.ReportStatus, by int64) (int64, error) {
	q := db.conn(ctx).Model(&app.Report{}).Where("image_id = ? AND status = ?", imageID, app.ReportOpen)
	if reportID != 0 {
		q = q.Where("id = ?", reportID)
	}
	res := q.Updates(map[string]any{"status": status, "resolved_by": by, "resolved_at": time.Now().UTC()})
	if res.Error != nil {
		return 0, fmt.Errorf("resolve reports: %w", translate(res.Error))
	}
	return res.RowsAffected, nil
}

// AppendAudit adds one entry to the audit log.
func (db *DB) AppendAudit(ctx context.Context, e *app.AuditEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if err := db.conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("append audit entry: %w", translate(err))
	}
	return nil
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string
	Since      time.Time
	Limit      int
	Offset     int
}

// ListAudit returns audit entries, newest first, and how many match.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]app.AuditEntry, int64, error) {
	q := db.conn(ctx).Model(&app.AuditEntry{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", f.Since)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count audit entries: %w", translate(err))
	}
	var out []app.AuditEntry
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	if err := q.Order("id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", translate(err))
	}
	return out, total, nil
}

// AuditActions lists the distinct actions on record, for the log's filter.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	var out []string
	if err := db.conn(ctx).Model(&app.AuditEntry{}).Distinct("action").Order("action").Pluck("action", &out).Error; err != nil {
		return nil, fmt.Errorf("list audit actions: %w", translate(err))
	}
	return out, nil
}

type setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (setting) TableName() string { return "settings" }

// Setting returns the stored value of a setting, and whether there is one.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var s setting
	err := db.conn(ctx).Where("key = ?", key).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("load setting %s: %w", key, translate(err))
	}
	return s.Value, true, nil
}

// PutSetting stores a setting's value, replacing any earlier one.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	s := setting{Key: key, Value: value, UpdatedAt: time.Now().UTC()}
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&s).Error
	if err != nil {
		return fmt.Errorf("save setting %s: %w", key, translate(err))
	}
	return nil
}

// SaleRow is one paid licence sale: when, for how much, of which image by whom.
type SaleRow struct {
	PaidAt        time.Time
	ImageID       int64
	ContributorID int64
	PriceCents    int64
	PlatformCents int64
}

// SalesSince returns every licence sold in an order paid (and not refunded)
// since t, oldest first: the dashboard's figures are summed from it.
func (db *DB) SalesSince(ctx context.Context, t time.Time) ([]SaleRow, error) {
	var out []SaleRow
	err := db.conn(ctx).Table("order_items").
		Select("orders.paid_at, order_items.image_id, order_items.contributor_id, order_items.price_cents, order_items.platform_cents").
		Joins("JOIN orders ON orders.id = order_items.order_id").
		Where("orders.status = ? AND orders.paid_at >= ?", app.OrderPaid, t).
		Order("orders.paid_at").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load sales: %w", translate(err))
	}
	return out, nil
}
