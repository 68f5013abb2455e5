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
	return loadEngineFrom(ctx, rs, ix.analyzer, ix.releaseMapped)
}

func (ix *Index) releaseMapped() { releaseMapped(ix.dir) }

// loadEngineFrom builds the engine from snapshots of every shard: each live
// document's stored attributes give its slot, numbers and facets, and each
// text field's postings give the term bitmaps — the index's own terms, so
// the engine matches exactly what Bleve indexed, without analysing any text
// again. release is called after each shard of each pass, to give back the
// pages of the index files it read (see releaseMapped): once a pass, both
// shards' pages were up to ~150 MB of RSS at a million images.
//
// Postings carry global document numbers: a segment's local number plus the
// segment's offset, which counts every document the segment holds, deleted
// or not. That is scorch's internal layout (bleve v2.6); the search tests
// fail loudly if it changes, because every query would then miss.
func loadEngineFrom(ctx context.Context, rs []index.IndexReader, an analysis.Analyzer, release func()) (*engine, error) {
	defer loadGC.lower(loadGCPercent)()
	e := newEngine(an)
	shards := make([]shardSlots, len(rs))
	for i, r := range rs {
		var err error
		if shards[i], err = loadDocs(ctx, e, r); err != nil {
			return nil, err
		}
		release()
	}
	// One field at a time, so that only one field's bitmaps are ever
	// built in the heap at once.
	buf := make([]uint32, 0, 1024)
	for f, field := range textFields {
		b := newTermsBuilder()
		for i, r := range rs {
			var err error
			if buf, err = loadField(ctx, b, r, field.name, shards[i].docToSlot, buf); err != nil {
				return nil, err
			}
			release()
		}
		e.text[f] = b.finish()
	}
	for i, r := range rs {
		if err := loadTitles(ctx, e, r, shards[i].docToSlot, shards[i].lo, shards[i].hi); err != nil {
			return nil, err
		}
		if err := loadKeywordRuns(ctx, e, r, shards[i].docToSlot); err != nil {
			return nil, err
		}
		release()
	}
	e.optimize()
	return e, nil
}

// shardSlots maps one shard's document numbers to the slots [lo, hi) its
// live documents were given.
type shardSlots struct {
	docToSlot []uint32 // noSlot for a deleted document
	lo, hi    uint32
}

// loadDocs gives every live document of a shard a slot, with its numbers
// and facets from its stored attributes.
func loadDocs(ctx context.Context, e *engine, r index.IndexReader) (shardSlots, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return shardSlots{}, fmt.Errorf("search: index reader is %T, not a scorch snapshot", r)
	}
	out := shardSlots{lo: uint32(len(e.ids))} // #nosec G115 -- slots are bounded by the catalogue
	for _, ss := range snap.Segments() {
		base := len(out.docToSlot)
		n := card(ss.Segment().Count())
		out.docToSlot = append(out.docToSlot, make([]uint32, n)...)
		for i := base; i < base+n; i++ {
			out.docToSlot[i] = noSlot
		}
		it := ss.DocNumbersLive().Iterator()
		for it.HasNext() {
			local := uint64(it.Next())
			raw, err := ss.DocID(local)
			if err != nil {
				return out, fmt.Errorf("search: load document id: %w", err)
			}
			id, err := strconv.ParseUint(string(raw), 10, 32)
			if err != nil {
				return out, fmt.Errorf("search: document id %q: %w", raw, err)
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
				return out, fmt.Errorf("search: load document %d: %w", id, err)
			}
			sig, err := decodeAttrs(attrs, &d)
			if err != nil {
				return out, fmt.Errorf("search: document %d: %w", id, err)
			}
			s := e.newSlot(&d)
			e.sig[s] = sig // computed from the full document when it was indexed
			out.docToSlot[base+card(local)] = s
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
	}
	out.hi = uint32(len(e.ids)) // #nosec G115 -- as above
	return out, nil
}

// loadField adds one shard's postings of a text field to b.
func loadField(ctx context.Context, b *termsBuilder, r index.IndexReader, field string, docToSlot, buf []uint32) ([]uint32, error) {
	dict, err := r.FieldDict(field)
	if err != nil {
		return buf, fmt.Errorf("search: load %s terms: %w", field, err)
	}
	defer func() { _ = dict.Close() }()
	for {
		de, err := dict.Next()
		if err != nil {
			return buf, fmt.Errorf("search: load %s terms: %w", field, err)
		}
		if de == nil {
			return buf, nil
		}
		if buf, err = postings(ctx, r, field, de.Term, docToSlot, buf[:0]); err != nil {
			return buf, err
		}
		if len(buf) > 0 {
			b.add(de.Term, buf)
		}
	}
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
