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
		log:       o.Logger,
		wake:      make(chan struct{}, 1),
	}, nil
}

// PriceCents is the price of an image's standard licence.
func (s *Service) PriceCents(img *app.Image) int64 {
	if img.PriceCents > 0 {
		return img.PriceCents
	}
	return s.price
}

// PriceBounds returns the lowest and highest standard price a contributor may set.
func (s *Service) PriceBounds() (lowest, highest int64) { return s.minPrice, s.maxPrice }

// Limits returns the upload limits in force.
func (s *Service) Limits() Limits { return s.lim }

// nudge wakes one idle worker, if any is waiting.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
