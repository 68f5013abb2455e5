package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
)

// CreateUser inserts u, filling its ID, PublicID and timestamps. A taken
// username or email is an EConflict naming the field.
func (db *DB) CreateUser(ctx context.Context, u *app.User) error {
	now := time.Now().UTC()
	if u.PublicID == "" {
		u.PublicID = app.NewPublicID()
	}
	if u.Status == "" {
		u.Status = app.UserActive
	}
	u.CreatedAt, u.UpdatedAt = now, now
	if err := db.conn(ctx).Create(u).Error; err != nil {
		return fmt.Errorf("create user: %w", translate(err))
	}
	return nil
}

// UserByID returns the user with the given internal ID.
func (db *DB) UserByID(ctx context.Context, id int64) (*app.User, error) {
	return db.userWhere(ctx, "id = ?", id)
}

// UsersByIDs returns the users with the given internal IDs, by ID, in one
// query: lists of orders, payouts, reports and audit entries name their
// people by ID. An ID with no user is ENotFound, as UserByID would say.
func (db *DB) UsersByIDs(ctx context.Context, ids []int64) (map[int64]*app.User, error) {
	out := make(map[int64]*app.User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []app.User
	if err := db.conn(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("load users: %w", translate(err))
	}
	for i := range list {
		out[list[i].ID] = &list[i]
	}
	for _, id := range ids {
		if out[id] == nil {
			return nil, app.Errorf(app.ENotFound, "No user %d.", id)
		}
	}
	return out, nil
}

// UserByPublicID returns the user with the given public ID.
func (db *DB) UserByPublicID(ctx context.Context, publicID string) (*app.User, error) {
	return db.userWhere(ctx, "public_id = ?", publicID)
}

// UserByUsername returns the user with the given (normalised) username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*app.User, error) {
	return db.userWhere(ctx, "username = ?", username)
}

// UserByEmail returns the user with the given (normalised) email.
func (db *DB) UserByEmail(ctx context.Context, email string) (*app.User, error) {
	return db.userWhere(ctx, "email = ?", email)
}

func (db *DB) userWhere(ctx context.Context, cond string, arg any) (*app.User, error) {
	return takeOne[app.User](db.conn(ctx), "user", cond, arg)
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	res := db.conn(ctx).Model(&app.User{}).Where("id = ?", userID).
		Updates(map[string]any{"password_hash": hash, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("set password: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENotFound, "No such user.")
	}
	return nil
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Query  string   // substring of username or email
	Role   app.Role // empty for all
	Limit  int
	Offset int
}

// ListUsers returns one page of users, newest first, and the total matching.
func (db *DB) ListUsers(ctx context.Context, f UserFilter) ([]app.User, int64, error) {
	q := db.conn(ctx).Model(&app.User{})
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("username LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'", like, like)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count users: %w", translate(err))
	}
	var users []app.User
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&users).Error; err != nil {
		return nil, 0, fmt.Errorf("list users: %w", translate(err))
	}
	return users, total, nil
}

// escapeLike makes s match literally inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
