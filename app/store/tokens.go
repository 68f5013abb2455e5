package store

import (
	"context"
	"fmt"
	"time"

	"github.com/snapshop/snapshop/app"
)

// CreateAPIToken stores a token (its hash only) for a user.
func (db *DB) CreateAPIToken(ctx context.Context, t *app.APIToken) error {
	t.CreatedAt = time.Now().UTC()
	if t.PublicID == "" {
		t.PublicID = app.NewPublicID()
	}
	if err := db.conn(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("create api token: %w", translate(err))
	}
	return nil
}

// APITokenByHash returns the token with the given hash and its owner.
func (db *DB) APITokenByHash(ctx context.Context, hash string) (*app.APIToken, *app.User, error) {
	var t app.APIToken
	err := db.conn(ctx).Where("token_hash = ?", hash).Take(&t).Error
	if isNotFound(err) {
		return nil, nil, app.Errorf(app.EUnauthorized, "The API token is not valid.")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load api token: %w", translate(err))
	}
	u, err := db.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &t, u, nil
}

// TouchAPIToken records that a token was used at the given time.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	err := db.conn(ctx).Model(&app.APIToken{}).Where("id = ?", id).Update("last_used_at", at.UTC()).Error
	if err != nil {
		return fmt.Errorf("touch api token: %w", translate(err))
	}
	return nil
}

// ListAPITokens returns a user's tokens, newest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]app.APIToken, error) {
	var out []app.APIToken
	err := db.conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", translate(err))
	}
	return out, nil
}

// DeleteAPIToken removes a user's token by public ID; ENotFound if the user
// has no such token (including someone else's).
func (db *DB) DeleteAPIToken(ctx context.Context, userID int64, publicID string) error {
	res := db.conn(ctx).Where("public_id = ? AND user_id = ?", publicID, userID).Delete(&app.APIToken{})
	if res.Error != nil {
		return fmt.Errorf("delete api token: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENotFound, "No such API token.")
	}
	return nil
}
