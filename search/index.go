package search

import (
	"context"
	"errors"
	"iter"
	"log/slog"
)

// Options configure an index.
type Options struct {
	Logger *slog.Logger
}

// Index is a search index: Bleve on disk, the engine in memory.
type Index struct{}

// ErrVersion is returned by Open when the index on disk was built by another
// version of the mapping or engine: it must be rebuilt (see Build).
var ErrVersion = errors.New("search: index built by another version")

// Open opens (creating if missing) the index in dir and loads the engine from it.
func Open(dir string, o Options) (*Index, error) { return nil, errors.New("not implemented") }

// Build creates a fresh index in dir (which must not exist) from docs, marks it
// as up to date with the change log at cursor, and opens it.
func Build(ctx context.Context, dir string, docs iter.Seq2[Document, error], cursor int64, o Options) (*Index, error) {
	return nil, errors.New("not implemented")
}

// Close closes the index.
func (ix *Index) Close() error { return nil }

// Cursor is the change-log position the index is up to date with.
func (ix *Index) Cursor() int64 { return 0 }

// Count is the number of documents in the index.
func (ix *Index) Count() int { return 0 }

// Batch is one sync step: documents to (re)index, documents to remove, and
// the change-log position they bring the index to. It is applied atomically.
type Batch struct {
	Upserts []Document
	Deletes []uint32
	Cursor  int64
}

// Apply writes a batch to Bleve (documents and cursor in one Bleve batch) and
// then to the engine.
func (ix *Index) Apply(ctx context.Context, b Batch) error { return errors.New("not implemented") }

// Search runs a request.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	return nil, errors.New("not implemented")
}

// Suggest completes a prefix into popular keywords, most used first.
func (ix *Index) Suggest(ctx context.Context, prefix string, limit int) ([]string, error) {
	return nil, errors.New("not implemented")
}
