package search

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Like is the document "more like this" starts from.
type Like struct {
	ID       uint32   // the document itself, never returned
	Keywords []string // its keywords
	Category string   // its category slug
	Colors   []string // its colour buckets
	// PHash is its perceptual hash (0: unknown): its near-identical copies
	// are never returned.
	PHash   uint64
	Exclude []uint32 // more documents not to return
}

// RelatedRequest asks for a few documents like one.
type RelatedRequest struct {
	Like
	Limit int
}

// MaxRelated bounds a "more like this" list (Request.Like): the documents
// most alike, not every one that shares a word.
const MaxRelated = 500

// Related returns documents sharing the most (and rarest) keywords with the
// request, then its category and colours: "more like this". Near-identical
// documents (see NearDuplicateBits) appear once, as the best ranked of them,
// and never when they copy the request's own.
func (ix *Index) Related(_ context.Context, r RelatedRequest) ([]uint32, error) {
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	if r.Limit <= 0 {
		return nil, nil
	}
	e := ix.eng.Load()
	e.mu.RLock()
	defer e.mu.RUnlock()

	// A popular image's page asks for the same list again and again, and
	// scoring every document sharing a keyword costs ~1.5 ms at 100,000
	// images (snapshop bench http). The remembered list is shared: callers
	// get a copy.
	out := e.related.Load().get(r.memoKey(), func() []uint32 {
		set, scores, release := e.likeScores(&r.Like)
		defer release()
		top := e.alike(set, scores, min(r.Limit, MaxRelated))
		ids := make([]uint32, len(top))
		for i, s := range top {
			ids[i] = e.ids[s]
		}
		return ids
	})
	return slices.Clone(out), nil
}

// memoKey is everything Related's answer depends on besides the engine.
func (r *RelatedRequest) memoKey() string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(uint64(r.ID), 36))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(r.Limit))
	b.WriteByte('|')
	b.WriteString(strconv.FormatUint(r.PHash, 36))
	b.WriteByte('|')
	b.WriteString(r.Category)
	for _, list := range [][]string{r.Keywords, r.Colors} {
		b.WriteByte('|')
		for _, w := range list {
			b.WriteString(strconv.Quote(w))
		}
	}
	b.WriteByte('|')
	for _, id := range r.Exclude {
		b.WriteString(strconv.FormatUint(uint64(id), 36))
		b.WriteByte(',')
	}
	return b.String()
}

// searchLike answers a search for documents like r.Like: the filters apply,
// the query and sort do not, facets are not counted, and the list stops at
// MaxRelated.
func (e *engine) searchLike(r *Request, res *Result) {
	set, scores, release := e.likeScores(r.Like)
	defer release()
	list := e.alike(andAll(set, e.filterSets(r.Filters, set), ""), scores, MaxRelated)
	res.Total = len(list)
	from := min((r.Page-1)*r.PerPage, len(list))
	for _, s := range list[from:min(from+r.PerPage, len(list))] {
		res.IDs = append(res.IDs, e.ids[s])
	}
}

// likeScores scores the live documents sharing a keyword with l and returns
// them as a set: never l itself, what it excludes, or its near-identical
// copies. Scores are dense, by slot (see scoreBuf): a keyword of a big
// catalogue is shared by thousands of documents, and a map of them cost an
// image page 20 ms at 100,000 images. release zeroes the scores and gives
// the array back.
func (e *engine) likeScores(l *Like) (set *roaring.Bitmap, scores []float32, release func()) {
	n := float64(e.live.GetCardinality())
	tl := e.newTally()
	touched := roaring.New() // every slot given a score
	for _, t := range e.analyze(l.Keywords...) {
		df := float64(e.docFreq(t))
		// Very common keywords relate everything to everything: skip them
		// (in a catalogue big enough for "common" to mean something).
		if df == 0 || df > max(n/4, 50) {
			continue
		}
		idf := float32(math.Log(1 + n/df))
		for _, f := range []int{keywordsField, titleField} {
			if bm := e.text[f].get(t); bm != nil {
				hits := roaring.And(bm, e.live)
				tl.add(hits, idf*textFields[f].weight)
				touched.Or(hits)
			}
		}
	}
	// Category and colour only order what shares keywords; alone they would
	// relate every landscape to every other.
	boost := func(bm *roaring.Bitmap, w float32) {
		if bm != nil {
			tl.add(roaring.And(bm, touched), w)
		}
	}
	boost(e.facets[FacetCategory][l.Category], 1)
	for _, c := range l.Colors {
		boost(e.facets[FacetColor][c], 0.5)
	}
	set = touched.Clone()
	for _, id := range append([]uint32{l.ID}, l.Exclude...) {
		if s, ok := e.slotFor(id); ok {
			set.Remove(s)
		}
	}
	if l.PHash != 0 {
		var copies []uint32
		it := set.ManyIterator()
		for k := it.NextMany(tl.buf); k > 0; k = it.NextMany(tl.buf) {
			for _, s := range tl.buf[:k] {
				if nearIdentical(l.PHash, e.phash[s]) {
					copies = append(copies, s)
				}
			}
		}
		for _, s := range copies {
			set.Remove(s)
		}
	}
	return set, tl.scores, func() { tl.release(e, touched) }
}

// docFreq is how many live documents hold term in any text field. The
// counts are kept until the engine next changes (see engine.apply): "more
// like this" asks for the same common keywords' counts on every image page,
// and each takes a union of large lists.
func (e *engine) docFreq(term string) int {
	return e.freqs.Load().get(term, func() int { return card(e.termSet(term).AndCardinality(e.live)) })
}

// alike returns up to k slots of set, most alike first (ties: lowest slot),
// leaving out each document near-identical to one ranked before it.
func (e *engine) alike(set *roaring.Bitmap, scores []float32, k int) []uint32 {
	if k <= 0 {
		return nil
	}
	less := func(a, b uint32) bool {
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		return a < b
	}
	// Copies are rare: the first k usually suffice, else look twice as deep.
	for want := k; ; want *= 2 {
		top := topK(set, want, less)
		kept := make([]uint32, 0, k)
		var hashes []uint64
		for _, s := range top {
			h := e.phash[s]
			if slices.ContainsFunc(hashes, func(o uint64) bool { return nearIdentical(h, o) }) {
				continue
			}
			kept = append(kept, s)
			if h != 0 {
				hashes = append(hashes, h)
			}
			if len(kept) == k {
				return kept
			}
		}
		if len(top) < want {
			return kept
		}
	}
}

// nearIdentical reports whether two known perceptual hashes are within
// NearDuplicateBits of each other.
func nearIdentical(a, b uint64) bool {
	return a != 0 && b != 0 && bits.OnesCount64(a^b) <= NearDuplicateBits
}
