package moderation

import (
	"context"

	"github.com/snapshop/snapshop/app"
)

// userState is what the audit log keeps of an account before and after.
type userState struct {
	Status  app.UserStatus `json:"status"`
	Role    app.Role       `json:"role"`
	ShareBP int64          `json:"share_bp"`
}

func userStateOf(u *app.User) userState {
	return userState{Status: u.Status, Role: u.Role, ShareBP: u.ShareBP}
}

// changeUser applies change to an account and records it. An admin may not
// change their own access: locking oneself out is never what was meant.
func (s *Service) changeUser(ctx context.Context, a Actor, action, userID, note string, change func(u *app.User) error) (*app.User, error) {
	var out *app.User
	err := s.audited(ctx, a, action, "user", note, func(ctx context.Context) (string, any, any, error) {
		u, err := s.db.UserForUpdate(ctx, userID)
		if err != nil {
			return "", nil, nil, err
		}
		if u.ID == a.User.ID {
			return "", nil, nil, app.Errorf(app.EConflict, "You cannot change your own account's access; ask another admin.")
		}
		before := userStateOf(u)
		if err := change(u); err != nil {
			return "", nil, nil, err
		}
		if userStateOf(u) == before {
			return "", nil, nil, app.Errorf(app.EConflict, "Nothing to change.")
		}
		if err := s.db.SaveUserAccess(ctx, u); err != nil {
			return "", nil, nil, err
		}
		out = u
		return u.Username, before, userStateOf(u), nil
	})
	return out, err
}

// Suspend stops an account: it cannot sign in, its sessions and API tokens
// stop working at their next request, and its images leave search.
func (s *Service) Suspend(ctx context.Context, a Actor, userID, note string) (*app.User, error) {
	return s.changeUser(ctx, a, "user.suspend", userID, note, func(u *app.User) error {
		u.Status = app.UserSuspended
		return nil
	})
}

// Unsuspend lets a suspended account back in; its images return to search.
func (s *Service) Unsuspend(ctx context.Context, a Actor, userID, note string) (*app.User, error) {
	return s.changeUser(ctx, a, "user.reinstate", userID, note, func(u *app.User) error {
		u.Status = app.UserActive
		return nil
	})
}

// SetRole changes what an account may do.
func (s *Service) SetRole(ctx context.Context, a Actor, userID, role string) (*app.User, error) {
	r, ok := app.ParseRole(role)
	if !ok {
		return nil, app.Invalid(map[string]string{"role": "Choose buyer, contributor or admin."})
	}
	return s.changeUser(ctx, a, "user.role", userID, "", func(u *app.User) error {
		u.Role = r
		return nil
	})
}

// SetShare sets a contributor's share of each sale in basis points (6000 is
// 60 %); 0 returns them to the platform default. Sales already made keep
// the share they were made at.
func (s *Service) SetShare(ctx context.Context, a Actor, userID string, bp int64) (*app.User, error) {
	if bp < 0 || bp > 10_000 {
		return nil, app.Invalid(map[string]string{"share_bp": "A share is between 0 % and 100 %."})
	}
	return s.changeUser(ctx, a, "user.share", userID, "", func(u *app.User) error {
		if !u.Role.Includes(app.RoleContributor) {
			return app.Errorf(app.EConflict, "Only contributors earn a share of sales.")
		}
		u.ShareBP = bp
		return nil
	})
}
