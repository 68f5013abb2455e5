package search

import (
	"context"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

func (ix *Index) loadEngine(ctx context.Context) (*engine, error) {
	rs, err := ix.readers()
	if err != nil {
		return nil, err
	}
	defer closeReaders(rs)
	return loadEngineFrom(ctx, rs, ix.analyzer)
}

// loadEngineFrom builds the engine from snapshots of every shard: each live
// document's stored attributes give its slot, numbers and facets, and each
// text field's postings give the term bitmaps — the index's own terms, so
// the engine matches exactly what Bleve indexed, without analysing any text
// again.
//
// Postings carry global document numbers: a segment's local number plus the
// segment's offset, which counts every document the segment holds, deleted
// or not. That is scorch's internal layout (bleve v2.6); the search tests
// fail loudly if it changes, because every query would then miss.
func loadEngineFrom(ctx context.Context, rs []index.IndexReader, an analysis.Analyzer) (*engine, error) {
	e := newEngine(an)
	for _, r := range rs {
		if err := loadShard(ctx, e, r); err != nil {
			return nil, err
		}
	}
	e.optimize()
	return e, nil
}

// loadShard adds one shard's documents and postings to the engine.
func loadShard(ctx context.Context, e *engine, r index.IndexReader) error {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("search: index reader is %T, not a scorch snapshot", r)
	}
	var docToSlot []uint32
	for _, ss := range snap.Segments() {
		base := len(docToSlot)
		n := card(ss.Segment().Count())
		docToSlot = append(docToSlot, make([]uint32, n)...)
		for i := base; i < base+n; i++ {
			docToSlot[i] = noSlot
		}
		it := ss.DocNumbersLive().Iterator()
		for it.HasNext() {
			local := uint64(it.Next())
			raw, err := ss.DocID(local)
			if err != nil {
				return fmt.Errorf("search: load document id: %w", err)
			}
			id, err := strconv.ParseUint(string(raw), 10, 32)
			if err != nil {
				return fmt.Errorf("search: document id %q: %w", raw, err)
			}
			d := Document{ID: uint32(id)}
			var attrs string
			err = ss.VisitDocument(local, func(field string, _ byte, value []byte, _ []uint64) bool {
				if field == fieldAttrs {
					attrs = string(value)
					return false
				}
				return true
			})
			if err != nil {
				return fmt.Errorf("search: load document %d: %w", id, err)
			}
			sig, err := decodeAttrs(attrs, &d)
			if err != nil {
				return fmt.Errorf("search: document %d: %w", id, err)
			}
			s := e.newSlot(&d)
			e.sig[s] = sig // computed from the full document when it was indexed
			docToSlot[base+card(local)] = s
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	buf := make([]uint32, 0, 1024)
	for f, field := range textFields {
		dict, err := r.FieldDict(field.name)
		if err != nil {
			return fmt.Errorf("search: load %s terms: %w", field.name, err)
		}
		for {
			de, err := dict.Next()
			if err != nil {
				_ = dict.Close()
				return fmt.Errorf("search: load %s terms: %w", field.name, err)
			}
			if de == nil {
				break
			}
			buf, err = postings(ctx, r, field.name, de.Term, docToSlot, buf[:0])
			if err != nil {
				_ = dict.Close()
				return err
			}
			if len(buf) > 0 {
				e.termBitmap(f, de.Term).AddMany(buf)
			}
		}
		if err := dict.Close(); err != nil {
			return fmt.Errorf("search: load %s terms: %w", field.name, err)
		}
	}
	return nil
}

// postings appends the slots of the live documents holding term in field.
func postings(ctx context.Context, r index.IndexReader, field, term string, docToSlot []uint32, out []uint32) ([]uint32, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return out, fmt.Errorf("search: postings of %s:%s: %w", field, term, err)
	}
	defer tfr.Close()
	var tfd index.TermFieldDoc
	for {
		next, err := tfr.Next(&tfd)
		if err != nil {
			return out, fmt.Errorf("search: postings of %s:%s: %w", field, term, err)
		}
		if next == nil {
			return out, nil
		}
		if n := next.ID.Value(); n < uint64(len(docToSlot)) && docToSlot[n] != noSlot {
			out = append(out, docToSlot[n])
		}
		next.Reset()
	}
}
