package catalog

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/snapshop/snapshop/app/store"
)

// ViewCounter counts image page views in memory and adds them to the
// database in one write every interval: an image page must not write to the
// database on every request, yet popularity should follow what people look at.
type ViewCounter struct {
	DB       *store.DB
	Interval time.Duration // zero: 30 s
	Logger   *slog.Logger

	mu     sync.Mutex
	counts map[int64]int64
}

// Record counts one view of an image.
func (v *ViewCounter) Record(imageID int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.counts == nil {
		v.counts = map[int64]int64{}
	}
	v.counts[imageID]++
}

// Flush writes the counted views. Views that cannot be written are kept for
// the next flush.
func (v *ViewCounter) Flush(ctx context.Context) error {
	v.mu.Lock()
	counts := v.counts
	v.counts = nil
	v.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	if err := v.DB.AddViews(ctx, counts); err != nil {
		v.mu.Lock()
		if v.counts == nil {
			v.counts = map[int64]int64{}
		}
		for id, n := range counts {
			v.counts[id] += n
		}
		v.mu.Unlock()
		return err
	}
	return nil
}

// Run flushes every interval until ctx is cancelled, and once more then.
func (v *ViewCounter) Run(ctx context.Context) error {
	interval := v.Interval
	if interval == 0 {
		interval = 30 * time.Second
	}
	if v.Logger == nil {
		v.Logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := v.Flush(context.WithoutCancel(ctx)); err != nil {
				v.Logger.Warn("flush views", "err", err)
			}
			return nil
		case <-t.C:
			if err := v.Flush(ctx); err != nil {
				v.Logger.Warn("flush views", "err", err)
			}
		}
	}
}
