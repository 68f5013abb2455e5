package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

const policyKey = "policy"

// Settings is the run-time policy: the configured defaults with whatever
// admins changed on top, read from the database at most once per TTL, so
// every server process on a shared database picks a change up within it.
type Settings struct {
	db       *store.DB
	defaults app.Policy
	ttl      time.Duration
	log      *slog.Logger

	mu     sync.Mutex
	cached app.Policy
	at     time.Time
}

// NewSettings returns the settings source. ttl 0 means 5 seconds.
func NewSettings(db *store.DB, defaults app.Policy, ttl time.Duration, log *slog.Logger) *Settings {
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Settings{db: db, defaults: defaults, ttl: ttl, log: log}
}

// Defaults returns the configured policy, before admins' changes.
func (s *Settings) Defaults() app.Policy { return s.defaults }

// Policy returns the policy in force. When the database cannot be read it
// keeps the last policy it read (or the defaults) and logs why: prices must
// not fail because a settings read did.
func (s *Settings) Policy(ctx context.Context) app.Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.at.IsZero() && time.Since(s.at) < s.ttl {
		return s.cached
	}
	p, err := s.load(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "read settings; keeping the last known", "err", err)
		if s.at.IsZero() {
			return s.defaults
		}
		return s.cached
	}
	s.cached, s.at = p, time.Now()
	return p
}

// load reads the stored policy over the defaults.
func (s *Settings) load(ctx context.Context) (app.Policy, error) {
	v, ok, err := s.db.Setting(ctx, policyKey)
	if err != nil || !ok {
		return s.defaults, err
	}
	p := s.defaults
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return s.defaults, fmt.Errorf("decode stored policy: %w", err)
	}
	return p, nil
}

func (s *Settings) forget() {
	s.mu.Lock()
	s.at = time.Time{}
	s.mu.Unlock()
}

// validatePolicy says what is wrong with a policy an admin submitted, field
// by field. maxUpload is the server's configured ceiling for one file.
func validatePolicy(p app.Policy, maxUpload int64) map[string]string {
	errs := map[string]string{}
	pr := p.Prices
	if pr.StandardCents < 1 || pr.StandardCents > 100_000 {
		errs["standard_cents"] = "A standard licence costs between $0.01 and $1,000."
	}
	if pr.ExtendedCents < pr.StandardCents || pr.ExtendedCents > 1_000_000 {
		errs["extended_cents"] = "An extended licence costs at least the standard price, at most $10,000."
	}
	if pr.MinCents < 1 || pr.MinCents > pr.StandardCents {
		errs["min_cents"] = "The lowest price is at least $0.01 and at most the default standard price."
	}
	if pr.MaxCents < pr.StandardCents || pr.MaxCents > 100_000 {
		errs["max_cents"] = "The highest price is at least the default standard price, at most $1,000."
	}
	if p.ShareBP < 1 || p.ShareBP > 10_000 {
		errs["share_bp"] = "The contributors' share is between 0.01 % and 100 %."
	}
	if p.PayoutMinCents < 100 || p.PayoutMinCents > 1_000_000 {
		errs["payout_min_cents"] = "The payout threshold is between $1 and $10,000."
	}
	if p.MaxUploadBytes < 1<<20 || p.MaxUploadBytes > maxUpload {
		errs["max_upload_bytes"] = fmt.Sprintf("The upload limit is between 1 MB and the server's ceiling of %d MB.", maxUpload>>20)
	}
	if p.MaxPending < 1 || p.MaxPending > 10_000 {
		errs["max_pending"] = "Allow between 1 and 10,000 images waiting for review per contributor."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Policy returns the policy in force.
func (s *Service) Policy(ctx context.Context) app.Policy { return s.settings.Policy(ctx) }

// SavePolicy replaces the run-time policy. Every field must be given; it
// takes effect in this process at once and in others within the cache TTL.
func (s *Service) SavePolicy(ctx context.Context, a Actor, p app.Policy) error {
	if errs := validatePolicy(p, s.settings.defaults.MaxUploadBytes); errs != nil {
		return app.Invalid(errs)
	}
	err := s.audited(ctx, a, "settings.update", "settings", "", func(ctx context.Context) (string, any, any, error) {
		before, err := s.settings.load(ctx)
		if err != nil {
			return "", nil, nil, err
		}
		if before == p {
			return "", nil, nil, app.Errorf(app.EConflict, "Nothing to change.")
		}
		b, err := json.Marshal(p)
		if err != nil {
			return "", nil, nil, fmt.Errorf("encode policy: %w", err)
		}
		if err := s.db.PutSetting(ctx, policyKey, string(b)); err != nil {
			return "", nil, nil, err
		}
		return policyKey, before, p, nil
	})
	if err == nil {
		s.settings.forget()
	}
	return err
}

// Defaults returns the configured policy, before admins' changes.
func (s *Service) Defaults() app.Policy { return s.settings.Defaults() }
