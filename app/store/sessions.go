package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Sessions keeps browser sessions in the database, so that every server
// process sees the same ones. It satisfies scs.CtxStore; scs hashes tokens
// before they reach it (HashTokenInStore), so a copy of the table yields no
// usable cookie.
type Sessions struct{ db *DB }

// Sessions returns the session store.
func (db *DB) Sessions() *Sessions { return &Sessions{db: db} }

type sessionRow struct {
	Token  string `gorm:"primaryKey"`
	Data   []byte
	Expiry time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// FindCtx returns the data of an unexpired session.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var rows []sessionRow
	err := s.db.conn(ctx).Where("token = ? AND expiry > ?", token, time.Now().UTC()).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", translate(err))
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	return rows[0].Data, true, nil
}

// CommitCtx inserts or replaces a session.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := sessionRow{Token: token, Data: b, Expiry: expiry.UTC()}
	err := s.db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("commit session: %w", translate(err))
	}
	return nil
}

// DeleteCtx removes a session; deleting a missing one is not an error.
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	if err := s.db.conn(ctx).Where("token = ?", token).Delete(&sessionRow{}).Error; err != nil {
		return fmt.Errorf("delete session: %w", translate(err))
	}
	return nil
}

// Find implements scs.Store; scs calls the Ctx variants when they exist.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *Sessions) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes sessions past their expiry and returns how many.
func (s *Sessions) DeleteExpired(ctx context.Context) (int64, error) {
	res := s.db.conn(ctx).Where("expiry <= ?", time.Now().UTC()).Delete(&sessionRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", translate(res.Error))
	}
	return res.RowsAffected, nil
}
