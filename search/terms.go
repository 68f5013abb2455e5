package search

import (
	"fmt"
	"maps"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// terms maps the terms of one text field to the documents (slots) holding
// them.
//
// Most terms are in few documents. Kept as roaring bitmaps in the heap,
// their per-container bookkeeping would outweigh their postings: on a
// million-image catalogue, about 100 MB of headers for 80 MB of postings,
// spread over millions of small objects the collector must scan. So an
// engine loaded from the index keeps each sparse term's bitmap serialized
// in one arena, and reads it from there, without copying, when a query asks
// for the term: one small allocation per container, for the few terms a
// query names. Dense terms — those with a bitmap container, a few hundred —
// stay in the heap as they are; so do the postings of documents indexed
// after the load (added), until the next compaction folds them in.
type terms struct {
	arena  []byte
	sparse map[string]arenaSpan
	dense  map[string]*roaring.Bitmap
	added  map[string]*roaring.Bitmap
}

type arenaSpan struct{ off, n uint32 }

func newTerms() *terms {
	return &terms{sparse: map[string]arenaSpan{}, dense: map[string]*roaring.Bitmap{}, added: map[string]*roaring.Bitmap{}}
}

// get returns the documents holding term, or nil. The bitmap is read-only.
func (t *terms) get(term string) *roaring.Bitmap {
	base := t.dense[term]
	if span, ok := t.sparse[term]; ok {
		base = roaring.New()
		if _, err := base.FromBuffer(t.arena[span.off : span.off+span.n]); err != nil {
			// The arena is written by finish from valid bitmaps: unreadable
			// means memory corruption, not bad input.
			panic(fmt.Sprintf("search: term %q: arena bitmap unreadable: %v", term, err))
		}
	}
	added := t.added[term]
	switch {
	case base == nil:
		return added
	case added == nil:
		return base
	}
	return roaring.Or(base, added)
}

// add records that slot s holds term.
func (t *terms) add(term string, s uint32) {
	bm := t.added[term]
	if bm == nil {
		bm = roaring.New()
		t.added[term] = bm
	}
	bm.Add(s)
}

// termsBuilder collects a field's postings shard by shard while an engine
// loads, then lays them out (finish).
type termsBuilder struct {
	bitmaps map[string]*roaring.Bitmap
}

func newTermsBuilder() *termsBuilder { return &termsBuilder{bitmaps: map[string]*roaring.Bitmap{}} }

// add records slots, in increasing order, as holding term.
func (b *termsBuilder) add(term string, slots []uint32) {
	bm := b.bitmaps[term]
	if bm == nil {
		bm = roaring.New()
		b.bitmaps[term] = bm
	}
	bm.AddMany(slots)
}

// finish returns the terms, sparse ones serialized into an arena sized
// exactly. Each starts at a multiple of 8 bytes and holds only array
// containers (2-byte values), so every value read in place is aligned.
func (b *termsBuilder) finish() *terms {
	t := newTerms()
	type entry struct {
		term string
		bm   *roaring.Bitmap
		size uint64
	}
	var sparse []entry
	total := uint64(0)
	for _, term := range slices.Sorted(maps.Keys(b.bitmaps)) {
		bm := b.bitmaps[term]
		if st := bm.Stats(); st.BitmapContainers > 0 || st.RunContainers > 0 {
			bm.RunOptimize()
			t.dense[term] = bm.Clone() // exactly sized
			continue
		}
		size := bm.GetSerializedSizeInBytes()
		sparse = append(sparse, entry{term, bm, size})
		total += (size + 7) &^ 7
	}
	if total >= 1<<32 {
		panic("search: term arena over 4 GB")
	}
	t.arena = make([]byte, total)
	off := uint64(0)
	for _, e := range sparse {
		w := sliceWriter{buf: t.arena[off : off+e.size]}
		if _, err := e.bm.WriteTo(&w); err != nil || w.n != len(w.buf) {
			panic(fmt.Sprintf("search: serialize term %q: %d of %d bytes: %v", e.term, w.n, len(w.buf), err))
		}
		t.sparse[e.term] = arenaSpan{off: uint32(off), n: uint32(e.size)} // #nosec G115 -- an arena is far below 4 GB
		off += (e.size + 7) &^ 7
	}
	b.bitmaps = nil
	return t
}

// sliceWriter writes into a fixed slice.
type sliceWriter struct {
	buf []byte
	n   int
}

func (w *sliceWriter) Write(p []byte) (int, error) {
	if len(p) > len(w.buf)-w.n {
		return 0, fmt.Errorf("search: serialized bitmap larger than its %d bytes", len(w.buf))
	}
	w.n += copy(w.buf[w.n:], p)
	return len(p), nil
}
