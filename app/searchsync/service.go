package searchsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/search"
)

// Options configure the service.
type Options struct {
	Dir               string        // where this process's indexes live
	DefaultPriceCents int64         // the price of images without their own
	Poll              time.Duration // zero: 250 ms
	Window            time.Duration // overlap window re-read each poll; zero: 30 s
	PruneAfter        time.Duration // change rows older than this are deleted; zero: 24 h
	BatchSize         int           // changes per index batch; zero: 1000
	Shards            int           // for new indexes; zero: search's default
	SuggestEvery      time.Duration // autocomplete staleness; zero: search's default
	Logger            *slog.Logger
}

func (o *Options) defaults() {
	if o.Poll == 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Window == 0 {
		o.Window = 30 * time.Second
	}
	if o.PruneAfter == 0 {
		o.PruneAfter = 24 * time.Hour
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// State says whether search can answer.
type State string

// States.
const (
	StateStarting State = "starting" // no index yet
	StateBuilding State = "building" // building the first usable index
	StateReady    State = "ready"
)

// Service owns this process's index.
type Service struct {
	db  *store.DB
	o   Options
	log *slog.Logger

	mu  sync.RWMutex // guards ix and gen; held for reading by every query
	ix  *search.Index
	gen generation

	state      atomic.Value // State
	lag        atomic.Int64
	rebuilding atomic.Bool

	background sync.WaitGroup // a rebuild in progress

	pollMu  sync.Mutex          // one poll at a time
	applied map[int64]time.Time // change IDs applied within the window; guarded by pollMu
}

// generation names the live index directory and the rebuild request it
// answers; it is kept in the CURRENT file beside the indexes.
type generation struct {
	Dir     string `json:"dir"`
	Rebuild int64  `json:"rebuild"`
}

const currentFile = "CURRENT"

// New returns the service; Run opens (or builds) the index.
func New(db *store.DB, o Options) *Service {
	o.defaults()
	s := &Service{db: db, o: o, log: o.Logger, applied: map[int64]time.Time{}}
	s.state.Store(StateStarting)
	return s
}

// Run opens the index — building it first if there is none, it is stale or
// of another version — then tails the change log until ctx is cancelled, and
// closes the index. Failures are logged and retried: a database that is down
// for a while is no reason to stop serving pages.
func (s *Service) Run(ctx context.Context) error {
	defer s.close()
	defer s.background.Wait() // a cancelled rebuild cleans up after itself
	for ctx.Err() == nil {
		if err := s.start(ctx); err != nil {
			s.log.Error("search: start", "err", err)
			sleep(ctx, 5*time.Second)
			continue
		}
		break
	}
	poll := time.NewTicker(s.o.Poll)
	defer poll.Stop()
	housekeeping := time.NewTicker(5 * time.Second)
	defer housekeeping.Stop()
	lastPrune := time.Time{}
	var rebuilt chan rebuildResult
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("search: sync", "err", err)
			}
		case <-housekeeping.C:
			if time.Since(lastPrune) > time.Hour {
				lastPrune = time.Now()
				s.prune(ctx)
			}
			if rebuilt == nil {
				rebuilt = s.maybeRebuild(ctx)
			}
		case r := <-rebuilt:
			rebuilt = nil
			if r.err != nil {
				if ctx.Err() == nil {
					s.log.Error("search: rebuild", "err", r.err)
				}
				continue
			}
			if err := s.swap(ctx, r.ix, r.gen); err != nil {
				s.log.Error("search: swap in rebuilt index", "err", err)
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// start opens the current index, or builds one when there is none usable.
func (s *Service) start(ctx context.Context) error {
	if err := os.MkdirAll(s.o.Dir, 0o750); err != nil {
		return fmt.Errorf("create index directory: %w", err)
	}
	gen, err := readCurrent(s.o.Dir)
	if err == nil {
		ix, err := search.Open(filepath.Join(s.o.Dir, gen.Dir), search.Options{Logger: s.log, Shards: s.o.Shards, SuggestEvery: s.o.SuggestEvery})
		switch {
		case err == nil:
			pruned, perr := s.db.PrunedThrough(ctx)
			if perr != nil {
				_ = ix.Close()
				return perr
			}
			if ix.Cursor() >= pruned {
				s.install(ix, gen)
				s.removeStale()
				return nil
			}
			s.log.Warn("search: the index missed pruned changes; rebuilding", "cursor", ix.Cursor(), "pruned_through", pruned)
			_ = ix.Close()
		case errors.Is(err, search.ErrVersion):
			s.log.Warn("search: the index was built by another version; rebuilding", "err", err)
		default:
			s.log.Warn("search: the index cannot be opened; rebuilding", "err", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("search: unreadable CURRENT; rebuilding", "err", err)
	}
	s.state.Store(StateBuilding)
	ix, gen, err := s.build(ctx)
	if err != nil {
		return err
	}
	if err := writeCurrent(s.o.Dir, gen); err != nil {
		_ = ix.Close()
		return err
	}
	s.install(ix, gen)
	s.removeStale()
	return nil
}

func (s *Service) install(ix *search.Index, gen generation) {
	s.mu.Lock()
	s.ix, s.gen = ix, gen
	s.mu.Unlock()
	s.state.Store(StateReady)
	s.log.Info("search: index ready", "dir", gen.Dir, "documents", ix.Count(), "cursor", ix.Cursor())
}

func (s *Service) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ix != nil {
		if err := s.ix.Close(); err != nil {
			s.log.Warn("search: close index", "err", err)
		}
		s.ix = nil
	}
}

// build makes a fresh index of every searchable image in a new directory.
// Its cursor is the newest change before reading began: later changes are
// applied by the catch-up, earlier ones are already in the rows read.
func (s *Service) build(ctx context.Context) (*search.Index, generation, error) {
	start := time.Now()
	rebuild, err := s.db.LatestSearchRebuild(ctx)
	if err != nil {
		return nil, generation{}, err
	}
	cursor, err := s.db.MaxChangeID(ctx)
	if err != nil {
		return nil, generation{}, err
	}
	pruned, err := s.db.PrunedThrough(ctx)
	if err != nil {
		return nil, generation{}, err
	}
	gen := generation{Dir: fmt.Sprintf("gen-%d", time.Now().UnixNano()), Rebuild: rebuild}
	ix, err := search.Build(ctx, filepath.Join(s.o.Dir, gen.Dir), s.catalogue(ctx), max(cursor, pruned), search.Options{Logger: s.log, Shards: s.o.Shards, SuggestEvery: s.o.SuggestEvery})
	if err != nil {
		return nil, generation{}, err
	}
	s.log.Info("search: built index", "documents", ix.Count(), "took", time.Since(start).Round(time.Millisecond).String())
	return ix, gen, nil
}

// catalogue streams every searchable image, page by page, in ID order.
func (s *Service) catalogue(ctx context.Context) iter.Seq2[search.Document, error] {
	return func(yield func(search.Document, error) bool) {
		var after int64
		for {
			rows, err := s.db.SearchablePage(ctx, after, 2000)
			if err != nil {
				yield(search.Document{}, err)
				return
			}
			for i := range rows {
				d, ok := s.document(&rows[i])
				if ok && !yield(d, nil) {
					return
				}
			}
			if len(rows) < 2000 {
				return
			}
			after = rows[len(rows)-1].ID
		}
	}
}

// document turns an image row into a search document.
func (s *Service) document(r *store.SearchRow) (search.Document, bool) {
	if r.ID <= 0 || r.ID > math.MaxUint32 {
		s.log.Error("search: image ID out of range for the index", "id", r.ID)
		return search.Document{}, false
	}
	price := r.PriceCents
	if price <= 0 {
		price = s.o.DefaultPriceCents
	}
	approved := r.CreatedAt
	if r.ReviewedAt != nil {
		approved = *r.ReviewedAt
	}
	categoryName, _ := app.CategoryName(r.Category)
	return search.Document{
		ID:           uint32(r.ID), // #nosec G115 -- range checked above
		Title:        r.Title,
		Keywords:     r.Keywords,
		Description:  r.Description,
		Contributor:  r.ContributorName,
		Category:     r.Category,
		CategoryName: categoryName,
		Orientation:  string(r.Orientation),
		Colors:       r.Colors,
		Use:          string(r.Usage),
		Released:     r.ModelRelease,
		AI:           string(r.AI),
		PriceCents:   price,
		Megapixels:   r.Megapixels,
		ApprovedAt:   approved,
		Sales:        r.Sales,
		Views:        r.Views,
		PHash:        uint64(r.PHash), // #nosec G115 -- the stored bits are the hash
	}, true
}

// Sync applies every change the index has not seen: those past its cursor,
// and late arrivals in the trailing window. It returns when caught up.
func (s *Service) Sync(ctx context.Context) error {
	s.mu.RLock()
	ix := s.ix
	s.mu.RUnlock()
	if ix == nil {
		return nil
	}
	return s.syncIndex(ctx, ix)
}

func (s *Service) syncIndex(ctx context.Context, ix *search.Index) error {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	first := true
	for {
		changes, err := s.db.ChangesAfter(ctx, ix.Cursor(), s.o.BatchSize)
		if err != nil {
			return err
		}
		if first {
			first = false
			recent, err := s.db.RecentChanges(ctx, s.o.Window, ix.Cursor())
			if err != nil {
				return err
			}
			for _, c := range recent {
				if _, seen := s.applied[c.ID]; !seen {
					changes = append(changes, c)
				}
			}
		}
		if len(changes) == 0 {
			break
		}
		if err := s.apply(ctx, ix, changes); err != nil {
			return err
		}
		if len(changes) < s.o.BatchSize {
			break
		}
	}
	cutoff := time.Now().Add(-2 * s.o.Window)
	for id, at := range s.applied {
		if at.Before(cutoff) {
			delete(s.applied, id)
		}
	}
	if newest, err := s.db.MaxChangeID(ctx); err == nil {
		s.lag.Store(max(newest-ix.Cursor(), 0))
	}
	return nil
}

// apply re-reads the changed images once each and writes one batch.
func (s *Service) apply(ctx context.Context, ix *search.Index, changes []store.Change) error {
	cursor := ix.Cursor()
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range changes {
		cursor = max(cursor, c.ID)
		if !seen[c.ImageID] {
			seen[c.ImageID] = true
			ids = append(ids, c.ImageID)
		}
	}
	rows, err := s.db.SearchRows(ctx, ids)
	if err != nil {
		return err
	}
	batch := search.Batch{Cursor: cursor}
	found := map[int64]bool{}
	for i := range rows {
		found[rows[i].ID] = true
		if d, ok := s.document(&rows[i]); ok && rows[i].Searchable() {
			batch.Upserts = append(batch.Upserts, d)
		} else if ok {
			batch.Deletes = append(batch.Deletes, d.ID)
		}
	}
	for _, id := range ids {
		if !found[id] && id > 0 && id <= math.MaxUint32 {
			batch.Deletes = append(batch.Deletes, uint32(id)) // #nosec G115 -- range checked
		}
	}
	if err := ix.Apply(ctx, batch); err != nil {
		return err
	}
	now := time.Now()
	for _, c := range changes {
		s.applied[c.ID] = now
	}
	return nil
}

type rebuildResult struct {
	ix  *search.Index
	gen generation
	err error
}

// maybeRebuild starts a background rebuild when `snapshop reindex` asked for
// one this index does not answer yet.
func (s *Service) maybeRebuild(ctx context.Context) chan rebuildResult {
	latest, err := s.db.LatestSearchRebuild(ctx)
	if err != nil {
		return nil
	}
	s.mu.RLock()
	answered := s.gen.Rebuild
	s.mu.RUnlock()
	if latest <= answered {
		return nil
	}
	s.log.Info("search: rebuild requested", "request", latest)
	s.rebuilding.Store(true)
	out := make(chan rebuildResult, 1)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		ix, gen, err := s.build(ctx)
		if err != nil {
			s.rebuilding.Store(false)
		} else if ctx.Err() != nil {
			_ = ix.Close() // shutting down: nobody will swap it in
		}
		out <- rebuildResult{ix: ix, gen: gen, err: err}
	}()
	return out
}

// swap catches a rebuilt index up with the change log, then makes it the
// live one; queries in flight finish on the old one first.
func (s *Service) swap(ctx context.Context, ix *search.Index, gen generation) error {
	defer s.rebuilding.Store(false)
	s.pollMu.Lock()
	s.applied = map[int64]time.Time{} // the new index has seen none of the window
	s.pollMu.Unlock()
	if err := s.syncIndex(ctx, ix); err != nil {
		_ = ix.Close()
		_ = os.RemoveAll(filepath.Join(s.o.Dir, gen.Dir))
		return err
	}
	if err := writeCurrent(s.o.Dir, gen); err != nil {
		_ = ix.Close()
		return err
	}
	s.pollMu.Lock()
	s.mu.Lock()
	old := s.ix
	s.ix, s.gen = ix, gen
	s.mu.Unlock()
	s.pollMu.Unlock()
	if old != nil {
		if err := old.Close(); err != nil {
			s.log.Warn("search: close old index", "err", err)
		}
	}
	s.removeStale()
	s.log.Info("search: swapped in rebuilt index", "dir", gen.Dir, "documents", ix.Count())
	return nil
}

// removeStale deletes index directories other than the live one: the old
// generation after a swap, or a build that a crash interrupted.
func (s *Service) removeStale() {
	s.mu.RLock()
	live := s.gen.Dir
	s.mu.RUnlock()
	entries, err := os.ReadDir(s.o.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && e.Name() != live {
			if err := os.RemoveAll(filepath.Join(s.o.Dir, e.Name())); err != nil {
				s.log.Warn("search: remove old index", "dir", e.Name(), "err", err)
			}
		}
	}
}

func (s *Service) prune(ctx context.Context) {
	n, err := s.db.PruneChanges(ctx, s.o.PruneAfter)
	if err != nil {
		s.log.Warn("search: prune change log", "err", err)
		return
	}
	if n > 0 {
		s.log.Info("search: pruned change log", "rows", n)
	}
}

func readCurrent(dir string) (generation, error) {
	var g generation
	b, err := os.ReadFile(filepath.Join(dir, currentFile)) // #nosec G304 -- the configured index directory, not request input
	if err != nil {
		return g, err
	}
	if err := json.Unmarshal(b, &g); err != nil || !strings.HasPrefix(g.Dir, "gen-") || strings.ContainsAny(g.Dir, `/\`) {
		return g, fmt.Errorf("unreadable %s", currentFile)
	}
	return g, nil
}

func writeCurrent(dir string, g generation) error {
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	return nil
}
