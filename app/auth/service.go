package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/ratelimit"
	"github.com/snapshop/snapshop/app/store"
)

// Options tune the service; the zero value is production's choice.
type Options struct {
	Hash HashParams // zero: DefaultHashParams
	// Failed sign-ins allowed per account before it is throttled, and the time
	// in which one more attempt is earned back.
	LoginFailures int           // zero: 5
	LoginRefill   time.Duration // zero: 3 minutes
	Logger        *slog.Logger
}

// Service manages accounts and credentials.
type Service struct {
	db        *store.DB
	hasher    *Hasher
	failures  *ratelimit.Limiter
	dummyHash string // verified against for unknown logins, so timing tells nothing
	log       *slog.Logger
}

// NewService returns the account service.
func NewService(db *store.DB, o Options) (*Service, error) {
	if o.Hash == (HashParams{}) {
		o.Hash = DefaultHashParams
	}
	if o.LoginFailures == 0 {
		o.LoginFailures = 5
	}
	if o.LoginRefill == 0 {
		o.LoginRefill = 3 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := NewHasher(o.Hash)
	dummy, err := h.Hash(context.Background(), "snapshop-timing-equaliser")
	if err != nil {
		return nil, err
	}
	return &Service{
		db:        db,
		hasher:    h,
		failures:  ratelimit.New(o.LoginRefill, o.LoginFailures),
		dummyHash: dummy,
		log:       o.Logger,
	}, nil
}

// SignUp creates a buyer or contributor account from the public form.
func (s *Service) SignUp(ctx context.Context, a NewAccount) (*app.User, error) {
	if a.Role != app.RoleBuyer && a.Role != app.RoleContributor {
		return nil, app.Invalid(map[string]string{"role": "Choose buyer or contributor."})
	}
	return s.CreateUser(ctx, a)
}

// CreateUser creates an account of any role; only trusted callers (the CLI,
// admins) may ask for an admin.
func (s *Service) CreateUser(ctx context.Context, a NewAccount) (*app.User, error) {
	a.Normalize()
	if errs := a.Validate(); errs != nil {
		return nil, app.Invalid(errs)
	}
	hash, err := s.hasher.Hash(ctx, a.Password)
	if err != nil {
		return nil, err
	}
	u := &app.User{Username: a.Username, Email: a.Email, PasswordHash: hash, Role: a.Role, Status: app.UserActive}
	if err := s.db.CreateUser(ctx, u); err != nil {
		if app.ErrorCode(err) == app.EConflict {
			// Name the field, as a form would.
			return nil, app.Invalid(app.ErrorFields(err))
		}
		return nil, err
	}
	s.log.InfoContext(ctx, "account created", "user_id", u.ID, "username", u.Username, "role", u.Role)
	return u, nil
}

// SetPassword replaces a user's password, checking the usual rules.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if msg := validatePassword(password, u.Username, u.Email); msg != "" {
		return app.Invalid(map[string]string{"password": msg})
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.db.SetPassword(ctx, userID, hash)
}

// errBadLogin is the one message for an unknown login or a wrong password, so
// that sign-in does not reveal which accounts exist.
var errBadLogin = app.Errorf(app.EUnauthorized, "Incorrect email, username or password.")

// Authenticate checks a login (email or username) and password. After
// repeated failures the account is throttled (ETooMany) whatever the password.
func (s *Service) Authenticate(ctx context.Context, login, password string) (*app.User, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	if wait := s.failures.Wait(key); wait > 0 {
		return nil, app.Errorf(app.ETooMany, "Too many failed sign-in attempts for this account. Try again in %s.", roundUp(wait))
	}
	if key == "" || password == "" || len(password) > MaxPasswordBytes {
		s.failures.Allow(key)
		return nil, errBadLogin
	}
	var u *app.User
	var err error
	if strings.Contains(key, "@") {
		u, err = s.db.UserByEmail(ctx, key)
	} else {
		u, err = s.db.UserByUsername(ctx, key)
	}
	if err != nil && app.ErrorCode(err) != app.ENotFound {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Verify(ctx, password, hash)
	if err != nil {
		return nil, fmt.Errorf("verify password: %w", err)
	}
	if !ok || u == nil {
		s.failures.Allow(key)
		s.log.InfoContext(ctx, "sign-in failed", "login", key)
		return nil, errBadLogin
	}
	s.failures.Reset(key)
	if u.Status != app.UserActive {
		return nil, app.Errorf(app.EForbidden, "This account is suspended. Contact support if you think this is a mistake.")
	}
	if s.hasher.NeedsRehash(u.PasswordHash) {
		if hash, err := s.hasher.Hash(ctx, password); err == nil {
			if err := s.db.SetPassword(ctx, u.ID, hash); err != nil {
				s.log.WarnContext(ctx, "rehash password", "user_id", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

// roundUp renders a wait as whole minutes, or seconds under a minute.
func roundUp(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(d.Seconds())+1)
	}
	m := int(d.Minutes()) + 1
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// ActiveUser returns the user with the given ID if the account may still act;
// a session of a suspended or deleted account is treated as signed out
// (ENotFound).
func (s *Service) ActiveUser(ctx context.Context, id int64) (*app.User, error) {
	u, err := s.db.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Status != app.UserActive {
		return nil, app.Errorf(app.ENotFound, "No such user.")
	}
	return u, nil
}

// UserByUsername returns an account by username.
func (s *Service) UserByUsername(ctx context.Context, username string) (*app.User, error) {
	return s.db.UserByUsername(ctx, NormalizeUsername(username))
}

// UserList is one page of users.
type UserList struct {
	Users []app.User
	Total int64
}

// ListUsers returns users matching a substring, newest first.
func (s *Service) ListUsers(ctx context.Context, query string, role app.Role, limit, offset int) (UserList, error) {
	users, total, err := s.db.ListUsers(ctx, store.UserFilter{Query: strings.TrimSpace(query), Role: role, Limit: limit, Offset: offset})
	return UserList{Users: users, Total: total}, err
}

// tokenPrefix marks Snapshop API tokens, so secret scanners can find leaked ones.
const tokenPrefix = "snap_"

// IssueToken creates an API token for u and returns it; only its SHA-256 is
// stored, so it cannot be shown again.
func (s *Service) IssueToken(ctx context.Context, u *app.User, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len(name) > 100 {
		return "", app.Invalid(map[string]string{"name": "Use at most 100 characters."})
	}
	token := tokenPrefix + app.RandomToken(32)
	t := &app.APIToken{UserID: u.ID, TokenHash: hashToken(token), Name: name}
	if err := s.db.CreateAPIToken(ctx, t); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "api token issued", "user_id", u.ID, "token_id", t.ID)
	return token, nil
}

// TokenUser returns the active user an API token belongs to, and the token.
func (s *Service) TokenUser(ctx context.Context, token string) (*app.User, *app.APIToken, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return nil, nil, app.Errorf(app.EUnauthorized, "The API token is not valid.")
	}
	t, u, err := s.db.APITokenByHash(ctx, hashToken(token))
	if err != nil {
		return nil, nil, err
	}
	if u.Status != app.UserActive {
		return nil, nil, app.Errorf(app.EUnauthorized, "This account is suspended.")
	}
	// Record use at most once a minute: a write per request would be waste.
	if now := time.Now().UTC(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.db.TouchAPIToken(ctx, t.ID, now); err != nil {
			s.log.WarnContext(ctx, "record api token use", "token_id", t.ID, "err", err)
		}
	}
	return u, t, nil
}

// Tokens lists a user's API tokens.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]app.APIToken, error) {
	return s.db.ListAPITokens(ctx, userID)
}

// RevokeToken deletes one of a user's tokens by its public ID.
func (s *Service) RevokeToken(ctx context.Context, userID int64, publicID string) error {
	if err := s.db.DeleteAPIToken(ctx, userID, publicID); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "api token revoked", "user_id", userID, "token", publicID)
	return nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
