package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/snapshop/snapshop/app/store"
)

// SessionSweeper deletes expired browser sessions periodically, so the
// sessions table holds only live ones.
type SessionSweeper struct {
	Sessions *store.Sessions
	Interval time.Duration // zero: 30 minutes
	Logger   *slog.Logger
}

// Run sweeps until ctx is cancelled. A failed sweep is logged and retried at
// the next tick: the database may be briefly down, which is no reason to stop
// the server.
func (s *SessionSweeper) Run(ctx context.Context) error {
	interval := s.Interval
	if interval == 0 {
		interval = 30 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.Sessions.DeleteExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Logger.WarnContext(ctx, "sweep sessions", "err", err)
		case n > 0:
			s.Logger.InfoContext(ctx, "swept expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
