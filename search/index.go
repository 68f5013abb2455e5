package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Options configure an index.
type Options struct {
	Logger *slog.Logger
}

// Index is a search index: Bleve on disk, the engine in memory. It belongs to
// one process: only one may open a Bleve index, so each server keeps its own.
type Index struct {
	dir      string
	log      *slog.Logger
	bl       bleve.Index
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

// Open opens the index in dir, creating an empty one if there is none, and
// loads the engine from it.
func Open(dir string, o Options) (*Index, error) {
	ix := &Index{dir: dir, log: logger(o)}
	var err error
	switch _, statErr := os.Stat(dir); {
	case errors.Is(statErr, fs.ErrNotExist):
		m, merr := newMapping()
		if merr != nil {
			return nil, merr
		}
		if ix.bl, err = bleve.New(dir, m); err != nil {
			return nil, fmt.Errorf("search: create index: %w", err)
		}
		b := ix.bl.NewBatch()
		b.SetInternal([]byte(internalVersion), []byte(indexVersion))
		b.SetInternal([]byte(internalCursor), encodeCursor(0))
		if err := ix.bl.Batch(b); err != nil {
			_ = ix.bl.Close()
			return nil, fmt.Errorf("search: initialise index: %w", err)
		}
	case statErr != nil:
		return nil, fmt.Errorf("search: open index: %w", statErr)
	default:
		if ix.bl, err = bleve.Open(dir); err != nil {
			return nil, fmt.Errorf("search: open index: %w", err)
		}
	}
	if err := ix.init(); err != nil {
		_ = ix.bl.Close()
		return nil, err
	}
	return ix, nil
}

func logger(o Options) *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// init checks the version, reads the cursor and loads the engine.
func (ix *Index) init() error {
	v, err := ix.bl.GetInternal([]byte(internalVersion))
	if err != nil {
		return fmt.Errorf("search: read index version: %w", err)
	}
	if string(v) != indexVersion {
		return fmt.Errorf("%w: found %q, want %q", ErrVersion, v, indexVersion)
	}
	c, err := ix.bl.GetInternal([]byte(internalCursor))
	if err != nil {
		return fmt.Errorf("search: read index cursor: %w", err)
	}
	ix.cursor.Store(decodeCursor(c))
	if ix.analyzer, err = analyzerOf(ix.bl.Mapping()); err != nil {
		return err
	}
	e, err := ix.loadEngine(context.Background())
	if err != nil {
		return err
	}
	ix.eng.Store(e)
	return ix.suggest.refresh(ix.bl)
}

func encodeCursor(c int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(c)) } //nolint:gosec // cursors are positive

func decodeCursor(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b)) //nolint:gosec // written by encodeCursor
}

// Build creates a fresh index in dir (which must not exist) from docs with
// Bleve's offline builder — no merges while loading, so a full catalogue
// builds several times faster than through batches — marks it up to date with
// the change log at cursor, and opens it.
func Build(ctx context.Context, dir string, docs iter.Seq2[Document, error], cursor int64, o Options) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("search: build: %s already exists", dir)
	}
	b, err := bleve.NewBuilder(dir, m, map[string]any{"batchSize": 2000})
	if err != nil {
		return nil, fmt.Errorf("search: build: %w", err)
	}
	n := 0
	for d, err := range docs {
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = b.Index(strconv.FormatUint(uint64(d.ID), 10), bleveDoc(&d))
		}
		if err != nil {
			_ = b.Close()
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("search: build, document %d: %w", n, err)
		}
		n++
	}
	if err := b.Close(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("search: finish build: %w", err)
	}
	// The builder cannot store our internal values (it keeps the mapping
	// there), so the version and cursor go in a first batch.
	bl, err := bleve.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("search: open built index: %w", err)
	}
	batch := bl.NewBatch()
	batch.SetInternal([]byte(internalVersion), []byte(indexVersion))
	batch.SetInternal([]byte(internalCursor), encodeCursor(cursor))
	if err := bl.Batch(batch); err != nil {
		_ = bl.Close()
		return nil, fmt.Errorf("search: mark built index: %w", err)
	}
	ix := &Index{dir: dir, log: logger(o), bl: bl}
	if err := ix.init(); err != nil {
		_ = bl.Close()
		return nil, err
	}
	return ix, nil
}

// Close waits for background work and closes the index.
func (ix *Index) Close() error {
	if ix.closed.Swap(true) {
		return nil
	}
	ix.background.Wait()
	if err := ix.bl.Close(); err != nil {
		return fmt.Errorf("search: close index: %w", err)
	}
	return nil
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

// Apply writes a batch to Bleve — documents and cursor in one Bleve batch, so
// that after a crash the cursor never claims documents the index lacks — and
// then to the engine.
func (ix *Index) Apply(ctx context.Context, b Batch) error {
	if ix.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ix.applyMu.Lock()
	defer ix.applyMu.Unlock()
	bb := ix.bl.NewBatch()
	for i := range b.Upserts {
		if err := bb.Index(strconv.FormatUint(uint64(b.Upserts[i].ID), 10), bleveDoc(&b.Upserts[i])); err != nil {
			return fmt.Errorf("search: index document %d: %w", b.Upserts[i].ID, err)
		}
	}
	for _, id := range b.Deletes {
		bb.Delete(strconv.FormatUint(uint64(id), 10))
	}
	bb.SetInternal([]byte(internalCursor), encodeCursor(b.Cursor))
	if err := ix.bl.Batch(bb); err != nil {
		return fmt.Errorf("search: write batch: %w", err)
	}
	e := ix.eng.Load()
	e.apply(b)
	ix.cursor.Store(b.Cursor)
	ix.suggest.markDirty()
	if ix.compacting {
		ix.pending = append(ix.pending, b)
	} else if len(e.ids) > 1000 && e.deadFraction() > 0.25 {
		ix.startCompaction()
	}
	return nil
}

func (e *engine) apply(b Batch) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range b.Upserts {
		e.upsert(&b.Upserts[i])
	}
	for _, id := range b.Deletes {
		e.remove(id)
	}
}

// startCompaction reloads the engine from Bleve in the background, dropping
// dead slots, while searches and batches go on against the old one; batches
// applied meanwhile are replayed on the new engine before it takes over.
// Must hold applyMu.
func (ix *Index) startCompaction() {
	ix.compacting, ix.pending = true, nil
	r, err := ix.reader()
	if err != nil {
		ix.log.Warn("search: compaction", "err", err)
		ix.compacting = false
		return
	}
	ix.background.Add(1)
	go func() {
		defer ix.background.Done()
		e, err := loadEngineFrom(context.Background(), r, ix.analyzer)
		_ = r.Close()
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

// Mapping exposes the index mapping, for tests.
func (ix *Index) Mapping() mapping.IndexMapping { return ix.bl.Mapping() }
