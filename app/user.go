package app

import "time"

// Role is what an account may do. An admin may do everything a contributor
// may, and a contributor everything a buyer may.
type Role string

// The roles, lowest first.
const (
	RoleBuyer       Role = "buyer"
	RoleContributor Role = "contributor"
	RoleAdmin       Role = "admin"
)

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RoleBuyer, RoleContributor, RoleAdmin:
		return r, true
	}
	return "", false
}

func (r Role) rank() int {
	switch r {
	case RoleBuyer:
		return 1
	case RoleContributor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Includes reports whether r grants everything that want grants.
func (r Role) Includes(want Role) bool { return r.rank() >= want.rank() && want.rank() > 0 }

// UserStatus says whether an account may sign in.
type UserStatus string

// Account statuses.
const (
	UserActive    UserStatus = "active"
	UserSuspended UserStatus = "suspended"
)

// User is an account. ID is internal; PublicID is what URLs and the API show.
type User struct {
	ID           int64
	PublicID     string
	Username     string
	Email        string
	PasswordHash string
	Role         Role
	Status       UserStatus
	ShareBP      int64 `gorm:"column:share_bp"` // contributor's share of each sale in basis points; 0: the platform default
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Can reports whether the user is active and holds at least role want.
func (u *User) Can(want Role) bool {
	return u != nil && u.Status == UserActive && u.Role.Includes(want)
}

// APIToken is a bearer token for the JSON API. Only its hash is stored.
type APIToken struct {
	ID         int64
	PublicID   string
	UserID     int64
	TokenHash  string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
