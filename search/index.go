package search

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/errgroup"
)

// Options configure an index.
type Options struct {
	Logger *slog.Logger
	// Shards splits a new index by image ID into this many Bleve indexes, so
	// that building uses that many cores (Bleve builds one segment at a time).
	// Zero: one per core, at most 4. An existing index keeps its own count.
	Shards int
	// SuggestEvery is how stale autocomplete may get after a batch before it
	// is rebuilt in the background; zero: 5 s.
	SuggestEvery time.Duration
}

// Index is a search index: Bleve on disk (one index per shard), the engine in
// memory. It belongs to one process: only one may open a Bleve index, so each
// server keeps its own.
type Index struct {
	dir      string
	log      *slog.Logger
	shards   []bleve.Index
	alias    bleve.IndexAlias // searches every shard as one
	analyzer analysis.Analyzer
	eng      atomic.Pointer[engine]
	cursor   atomic.Int64
	closed   atomic.Bool

	applyMu    sync.Mutex // serialises batches, and compaction's hand-over
	compacting bool       // guarded by applyMu
	pending    []Batch    // batches applied while compacting; guarded by applyMu
	background sync.WaitGroup

	suggest suggestCache
}

// ErrVersion is returned by Open when the index on disk was built by another
// version of the mapping or engine: it must be rebuilt (see Build).
var ErrVersion = errors.New("search: index built by another version")

// manifest describes an index directory; it is written last, so a directory
// without one is an unfinished build.
type manifest struct {
	Version string `json:"version"`
	Shards  int    `json:"shards"`
}

const manifestFile = "manifest.json"

func shardDir(dir string, i int) string { return filepath.Join(dir, "shard-"+strconv.Itoa(i)) }

func shardCount(o Options) int {
	if o.Shards > 0 {
		return min(o.Shards, 64)
	}
	return min(max(runtime.GOMAXPROCS(0), 1), 4)
}

// Open opens the index in dir, creating an empty one if there is none, and
// loads the engine from it.
func Open(dir string, o Options) (*Index, error) {
	m, err := readManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil, fmt.Errorf("search: %s holds no finished index (no %s)", dir, manifestFile)
		}
		return create(dir, o)
	}
	if err != nil {
		return nil, err
	}
	if m.Version != indexVersion {
		return nil, fmt.Errorf("%w: found %q, want %q", ErrVersion, m.Version, indexVersion)
	}
	ix := newIndex(dir, o)
	for i := range m.Shards {
		bl, err := bleve.Open(shardDir(dir, i))
		if err != nil {
			ix.closeShards()
			return nil, fmt.Errorf("search: open shard %d: %w", i, err)
		}
		ix.shards = append(ix.shards, bl)
	}
	if err := ix.init(); err != nil {
		ix.closeShards()
		return nil, err
	}
	return ix, nil
}

func readManifest(dir string) (manifest, error) {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestFile)) // #nosec G304 -- the caller's index directory, not request input
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Shards < 1 {
		return m, fmt.Errorf("search: unreadable %s in %s", manifestFile, dir)
	}
	return m, nil
}

func writeManifest(dir string, shards int) error {
	b, err := json.Marshal(manifest{Version: indexVersion, Shards: shards})
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, manifestFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("search: write manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, manifestFile)); err != nil {
		return fmt.Errorf("search: write manifest: %w", err)
	}
	return nil
}

// create makes an empty index.
func create(dir string, o Options) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("search: create index: %w", err)
	}
	ix := newIndex(dir, o)
	for i := range shardCount(o) {
		bl, err := bleve.New(shardDir(dir, i), m)
		if err != nil {
			ix.closeShards()
			return nil, fmt.Errorf("search: create shard %d: %w", i, err)
		}
		ix.shards = append(ix.shards, bl)
	}
	if err := ix.mark(0); err != nil {
		ix.closeShards()
		return nil, err
	}
	if err := writeManifest(dir, len(ix.shards)); err != nil {
		ix.closeShards()
		return nil, err
	}
	if err := ix.init(); err != nil {
		ix.closeShards()
		return nil, err
	}
	return ix, nil
}

// mark records the version and cursor in every shard.
func (ix *Index) mark(cursor int64) error {
	for i, bl := range ix.shards {
		b := bl.NewBatch()
		b.SetInternal([]byte(internalVersion), []byte(indexVersion))
		b.SetInternal([]byte(internalCursor), encodeCursor(cursor))
		if err := bl.Batch(b); err != nil {
			return fmt.Errorf("search: mark shard %d: %w", i, err)
		}
	}
	return nil
}

func newIndex(dir string, o Options) *Index {
	ix := &Index{dir: dir, log: logger(o)}
	ix.suggest.every = o.SuggestEvery
	if ix.suggest.every == 0 {
		ix.suggest.every = 5 * time.Second
	}
	return ix
}

func logger(o Options) *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (ix *Index) closeShards() {
	for _, bl := range ix.shards {
		_ = bl.Close()
	}
}

// init checks every shard's version, takes the lowest cursor (a crash
// between two shards' batches leaves them apart; re-applying from the lowest
// is harmless), and loads the engine.
func (ix *Index) init() error {
	cursor := int64(-1)
	for i, bl := range ix.shards {
		v, err := bl.GetInternal([]byte(internalVersion))
		if err != nil {
			return fmt.Errorf("search: read shard %d version: %w", i, err)
		}
		if string(v) != indexVersion {
			return fmt.Errorf("%w: shard %d has %q, want %q", ErrVersion, i, v, indexVersion)
		}
		c, err := bl.GetInternal([]byte(internalCursor))
		if err != nil {
			return fmt.Errorf("search: read shard %d cursor: %w", i, err)
		}
		if cur := decodeCursor(c); cursor < 0 || cur < cursor {
			cursor = cur
		}
	}
	ix.cursor.Store(max(cursor, 0))
	ix.alias = bleve.NewIndexAlias(ix.shards...)
	var err error
	if ix.analyzer, err = analyzerOf(ix.shards[0].Mapping()); err != nil {
		return err
	}
	e, err := ix.loadEngine(context.Background())
	if err != nil {
		return err
	}
	ix.eng.Store(e)
	if err := ix.suggest.refresh(ix); err != nil {
		return err
	}
	ix.releaseMapped()
	return nil
}

func encodeCursor(c int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(c)) } // #nosec G115 -- cursors are positive

func decodeCursor(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b)) // #nosec G115 -- written by encodeCursor
}

// Build creates a fresh index in dir (which must not exist) from docs, marks
// it up to date with the change log at cursor, and opens it. Each shard is
// built by Bleve's offline builder (no merges while loading) on its own
// goroutine, so a catalogue builds on every core.
func Build(ctx context.Context, dir string, docs iter.Seq2[Document, error], cursor int64, o Options) (*Index, error) {
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("search: build: %s already exists", dir)
	}
	n := shardCount(o)
	if err := buildShards(ctx, dir, n, docs); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ix := newIndex(dir, o)
	for i := range n {
		bl, err := bleve.Open(shardDir(dir, i))
		if err != nil {
			ix.closeShards()
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("search: open built shard %d: %w", i, err)
		}
		ix.shards = append(ix.shards, bl)
	}
	// The builder cannot store our internal values (it keeps the mapping
	// there), so the version and cursor go in a first batch; the manifest,
	// written last, marks the build finished.
	err := ix.mark(cursor)
	if err == nil {
		err = writeManifest(dir, n)
	}
	if err == nil {
		err = ix.init()
	}
	if err != nil {
		ix.closeShards()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return ix, nil
}

func buildShards(ctx context.Context, dir string, n int, docs iter.Seq2[Document, error]) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("search: build: %w", err)
	}
	// Each shard's builder ends by merging its segments, reading every
	// one whole through mmap; with the shards merging at once, those pages
	// were ~470 MB of the process's RSS at a million images. They are only
	// read once, so give them back as the merges go (see buildShard for
	// why the builders' files are under dir).
	defer releaseMappedEvery(dir, buildReleaseEvery)()
	g, gctx := errgroup.WithContext(ctx)
	feeds := make([]chan Document, n)
	for i := range n {
		feeds[i] = make(chan Document, 256)
		g.Go(func() error { return buildShard(shardDir(dir, i), feeds[i]) })
	}
	g.Go(func() error {
		defer func() {
			for _, f := range feeds {
				close(f)
			}
		}()
		for d, err := range docs {
			if err != nil {
				return fmt.Errorf("search: build: %w", err)
			}
			select {
			case feeds[shardOf(d.ID, n)] <- d:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	return g.Wait()
}

// buildReleaseEvery is how often a build gives back the pages of the
// segments its merges read.
const buildReleaseEvery = 200 * time.Millisecond

// builderBatch is how many documents the offline builder analyses and holds
// in memory before it writes them as a segment. Bleve's default; at 2,000
// the analysed batches of two shards building at once (each token's
// frequencies and locations is its own allocation) made a live heap of up
// to 250 MB and the process's RSS over 500 MB before any merge began. The
// smaller batches cost ~8% more CPU: a million images build in ~1m47s on
// two cores instead of ~1m38s.
const builderBatch = 1000

// buildShard indexes what arrives on feed into a new index at dir. The
// offline builder is made on the first document: closing one that indexed
// nothing panics (bleve v2.6), so an empty shard is an ordinary empty index.
// Its temporary segments go beside dir, inside the index directory, so that
// buildShards can release their pages while it merges them.
func buildShard(dir string, feed <-chan Document) error {
	m, err := newMapping()
	if err != nil {
		return err
	}
	var b bleve.Builder
	for d := range feed {
		if b == nil {
			if b, err = bleve.NewBuilder(dir, m, map[string]any{
				"batchSize": builderBatch, "buildPathPrefix": filepath.Dir(dir),
			}); err != nil {
				return fmt.Errorf("search: build %s: %w", dir, err)
			}
		}
		if err := b.Index(strconv.FormatUint(uint64(d.ID), 10), bleveDoc(&d)); err != nil {
			_ = b.Close()
			return fmt.Errorf("search: build, document %d: %w", d.ID, err)
		}
	}
	if b == nil {
		bl, err := bleve.New(dir, m)
		if err != nil {
			return fmt.Errorf("search: create empty %s: %w", dir, err)
		}
		return bl.Close()
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("search: finish %s: %w", dir, err)
	}
	return nil
}

func shardOf(id uint32, n int) int { return int(id % uint32(n)) } // #nosec G115 -- n ≤ 64

// Close waits for background work and closes the index.
func (ix *Index) Close() error {
	if ix.closed.Swap(true) {
		return nil
	}
	ix.background.Wait()
	var errs []error
	for i, bl := range ix.shards {
		if err := bl.Close(); err != nil {
			errs = append(errs, fmt.Errorf("search: close shard %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// Dir is where the index lives.
func (ix *Index) Dir() string { return ix.dir }

// Cursor is the change-log position the index is up to date with.
func (ix *Index) Cursor() int64 { return ix.cursor.Load() }

// Count is the number of documents in the index.
func (ix *Index) Count() int {
	e := ix.eng.Load()
	e.mu.RLock()
	defer e.mu.RUnlock()
	return card(e.live.GetCardinality())
}

// Batch is one sync step: documents to (re)index, documents to remove, and
// the change-log position they bring the index to.
type Batch struct {
	Upserts []Document
	Deletes []uint32
	Cursor  int64
}

// Apply writes a batch to Bleve — in each shard, its documents and the
// cursor in one Bleve batch, so that after a crash no shard's cursor claims
// documents it lacks — and then to the engine.
func (ix *Index) Apply(ctx context.Context, b Batch) error {
	if ix.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	batches := make([]*bleve.Batch, len(ix.shards))
	for i, bl := range ix.shards {
		batches[i] = bl.NewBatch()
		batches[i].SetInternal([]byte(internalCursor), encodeCursor(b.Cursor))
	}
	for i := range b.Upserts {
		d := &b.Upserts[i]
		if err := batches[shardOf(d.ID, len(ix.shards))].Index(strconv.FormatUint(uint64(d.ID), 10), bleveDoc(d)); err != nil {
			return fmt.Errorf("search: index document %d: %w", d.ID, err)
		}
	}
	for _, id := range b.Deletes {
		batches[shardOf(id, len(ix.shards))].Delete(strconv.FormatUint(uint64(id), 10))
	}
	var g errgroup.Group
	for i, bl := range ix.shards {
		g.Go(func() error {
			if err := bl.Batch(batches[i]); err != nil {
				return fmt.Errorf("search: write batch to shard %d: %w", i, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	e := ix.eng.Load()
	e.apply(b)
	ix.cursor.Store(b.Cursor)
	ix.suggest.markDirty()
	if ix.compacting {
		ix.pending = append(ix.pending, b)
	} else if e.needsCompaction() {
		ix.startCompaction()
	}
	return nil
}

func (e *engine) apply(b Batch) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.forget() // readers are out: none can remember a stale answer
	for i := range b.Upserts {
		e.upsert(&b.Upserts[i])
	}
	for _, id := range b.Deletes {
		e.remove(id)
	}
}

// readers returns a point-in-time reader of every shard; close them with
// closeReaders.
func (ix *Index) readers() ([]index.IndexReader, error) {
	var out []index.IndexReader
	for i, bl := range ix.shards {
		adv, err := bl.Advanced()
		if err == nil {
			var r index.IndexReader
			if r, err = adv.Reader(); err == nil {
				out = append(out, r)
				continue
			}
		}
		closeReaders(out)
		return nil, fmt.Errorf("search: reader of shard %d: %w", i, err)
	}
	return out, nil
}

func closeReaders(rs []index.IndexReader) {
	for _, r := range rs {
		_ = r.Close()
	}
}

// startCompaction reloads the engine from Bleve in the background, dropping
// dead slots, while searches and batches go on against the old one; batches
// applied meanwhile are replayed on the new engine before it takes over.
// Must hold applyMu.
func (ix *Index) startCompaction() {
	rs, err := ix.readers()
	if err != nil {
		ix.log.Warn("search: compaction", "err", err)
		return
	}
	ix.compacting, ix.pending = true, nil
	ix.background.Add(1)
	go func() {
		defer ix.background.Done()
		e, err := loadEngineFrom(context.Background(), rs, ix.analyzer, ix.releaseMapped)
		closeReaders(rs)
		ix.applyMu.Lock()
		defer ix.applyMu.Unlock()
		ix.compacting = false
		if err != nil {
			ix.log.Warn("search: compaction", "err", err)
			return
		}
		for _, b := range ix.pending {
			e.apply(b)
		}
		ix.pending = nil
		ix.eng.Store(e)
		ix.log.Info("search: compacted engine", "documents", e.live.GetCardinality())
	}()
}
