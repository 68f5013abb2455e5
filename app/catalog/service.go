package catalog

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/media/blob"
)

// Blobs is where originals and derivatives are kept: blob.Local or blob.S3.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (blob.Object, error)
	Delete(ctx context.Context, key string) error
	Walk(ctx context.Context, prefix string, fn func(blob.Info) error) error
}

// Limits bound what contributors may upload.
type Limits struct {
	MaxFileBytes int64 // per file
	MinPixels    int64
	MaxPixels    int64
	MaxFiles     int // per upload request
	MaxDrafts    int // images being processed or described, per contributor
	MaxPending   int // images waiting for review, per contributor
}

// DefaultLimits are the limits when none are configured.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes: 50 << 20,
		MinPixels:    4_000_000,
		MaxPixels:    100_000_000,
		MaxFiles:     100,
		MaxDrafts:    500,
		MaxPending:   100,
	}
}

// Options configure the service.
type Options struct {
	Limits    Limits
	TempDir   string // where uploads are staged; created if missing
	Watermark string // text tiled across previews
	// DefaultPriceCents is a standard licence's price for images without
	// their own; zero means 300.
	DefaultPriceCents int64
	// MinPriceCents and MaxPriceCents bound the standard price a
	// contributor may set; zero means $1 and $100.
	MinPriceCents int64
	MaxPriceCents int64
	Logger        *slog.Logger

	// Policy, when set, is the run-time policy admins may change. Its
	// non-zero fields take over from the configured values: Prices.
	// StandardCents from DefaultPriceCents, Prices.MinCents and MaxCents
	// from the price bounds, MaxPending and MaxUploadBytes from Limits —
	// the latter only downwards, since the configured MaxFileBytes is a
	// hard ceiling (the web layer sizes request bodies from it). It is
	// read once per operation, so it should be cheap (cached).
	Policy func(context.Context) app.Policy
}

// Service is the catalogue.
type Service struct {
	db        *store.DB
	blobs     Blobs
	lim       Limits
	tmp       string
	watermark string
	price     int64
	minPrice  int64
	maxPrice  int64
	policy    func(context.Context) app.Policy // nil: the configured values only
	log       *slog.Logger
	wake      chan struct{} // nudges idle workers when a job is queued

	decoding     atomic.Int64 // images being decoded now
	peakDecoding atomic.Int64 // the most ever decoded at once
}

// Stats is a snapshot of the processing pipeline's load.
type Stats struct {
	Decoding     int64 // images being decoded right now
	PeakDecoding int64 // the most decoded at once since start
}

// Stats reports the pipeline's load (for metrics, and to show the worker
// pool bounds how many decoded images are in memory at once).
func (s *Service) Stats() Stats {
	return Stats{Decoding: s.decoding.Load(), PeakDecoding: s.peakDecoding.Load()}
}

// startDecode counts one more image in memory; the returned func counts it out.
func (s *Service) startDecode() func() {
	n := s.decoding.Add(1)
	for {
		peak := s.peakDecoding.Load()
		if n <= peak || s.peakDecoding.CompareAndSwap(peak, n) {
			break
		}
	}
	return func() { s.decoding.Add(-1) }
}

// NewService returns the catalogue service.
func NewService(db *store.DB, blobs Blobs, o Options) (*Service, error) {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.TempDir == "" {
		o.TempDir = filepath.Join(os.TempDir(), "snapshop-uploads")
	}
	if err := os.MkdirAll(o.TempDir, 0o750); err != nil {
		return nil, fmt.Errorf("create upload staging directory: %w", err)
	}
	return &Service{
		db:        db,
		blobs:     blobs,
		lim:       o.Limits,
		tmp:       o.TempDir,
		watermark: o.Watermark,
		price:     cmp.Or(o.DefaultPriceCents, 300),
		minPrice:  cmp.Or(o.MinPriceCents, 100),
		maxPrice:  cmp.Or(o.MaxPriceCents, 10_000),
		policy:    o.Policy,
		log:       o.Logger,
		wake:      make(chan struct{}, 1),
	}, nil
}

// terms are the prices and limits in force for one operation.
type terms struct {
	price, minPrice, maxPrice int64
	lim                       Limits
}

// terms returns the configured prices and limits with the run-time policy
// over them. A zero (or nonsensical negative) policy field means "the
// configured default", so a partial policy never empties a bound.
func (s *Service) terms(ctx context.Context) terms {
	t := terms{price: s.price, minPrice: s.minPrice, maxPrice: s.maxPrice, lim: s.lim}
	if s.policy == nil {
		return t
	}
	p := s.policy(ctx)
	if v := p.Prices.StandardCents; v > 0 {
		t.price = v
	}
	if v := p.Prices.MinCents; v > 0 {
		t.minPrice = v
	}
	if v := p.Prices.MaxCents; v > 0 {
		t.maxPrice = v
	}
	if v := p.MaxPending; v > 0 {
		t.lim.MaxPending = v
	}
	if v := p.MaxUploadBytes; v > 0 {
		// Never above the configured ceiling: request bodies are sized
		// from it before any policy is read, so a larger file could not
		// arrive whole anyway.
		t.lim.MaxFileBytes = min(v, s.lim.MaxFileBytes)
	}
	return t
}

// PriceCents is the price of an image's standard licence.
//
// It takes no context because some callers (template functions) have
// none; the policy is read with a background context, which a cached
// policy source answers without waiting on the request.
// TODO: take a ctx once every caller in app/web can pass one.
func (s *Service) PriceCents(img *app.Image) int64 {
	if img.PriceCents > 0 {
		return img.PriceCents
	}
	return s.terms(context.Background()).price
}

// PriceBounds returns the lowest and highest standard price a contributor
// may set now.
func (s *Service) PriceBounds(ctx context.Context) (lowest, highest int64) {
	t := s.terms(ctx)
	return t.minPrice, t.maxPrice
}

// Limits returns the configured upload limits: the ceilings the run-time
// policy may lower but never raise, for sizing request bodies.
func (s *Service) Limits() Limits { return s.lim }

// EffectiveLimits returns the upload limits in force now, the run-time
// policy applied: what an upload or a submission is checked against, and
// what to tell contributors.
func (s *Service) EffectiveLimits(ctx context.Context) Limits { return s.terms(ctx).lim }

// nudge wakes one idle worker, if any is waiting.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
