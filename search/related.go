package search

import (
	"context"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
)

// RelatedRequest asks for images like one image.
type RelatedRequest struct {
	ID       uint32   // the image itself, never returned
	Keywords []string // its keywords
	Category string   // its category slug
	Colors   []string // its colour buckets
	Exclude  []uint32 // more images not to return (near-duplicates, say)
	Limit    int
}

// Related returns images sharing the most (and rarest) keywords with the
// request, then its category and colours: "more like this".
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

	n := float64(e.live.GetCardinality())
	scores := map[uint32]float32{}
	add := func(bm *roaring.Bitmap, w float32) {
		it := roaring.And(bm, e.live).Iterator()
		for it.HasNext() {
			scores[it.Next()] += w
		}
	}
	for _, t := range e.analyze(r.Keywords...) {
		df := float64(e.termSet(t).AndCardinality(e.live))
		// Very common keywords relate everything to everything: skip them
		// (in a catalogue big enough for "common" to mean something).
		if df == 0 || df > max(n/4, 50) {
			continue
		}
		idf := float32(math.Log(1 + n/df))
		for _, f := range []int{keywordsField, titleField} {
			if bm := e.text[f].get(t); bm != nil {
				add(bm, idf*textFields[f].weight)
			}
		}
	}
	// Category and colour only order what shares keywords; alone they would
	// relate every landscape to every other.
	boost := func(bm *roaring.Bitmap, w float32) {
		if bm == nil {
			return
		}
		for s := range scores {
			if bm.Contains(s) {
				scores[s] += w
			}
		}
	}
	boost(e.facets[FacetCategory][r.Category], 1)
	for _, c := range r.Colors {
		boost(e.facets[FacetColor][c], 0.5)
	}
	skip := map[uint32]bool{}
	for _, id := range append([]uint32{r.ID}, r.Exclude...) {
		if s, ok := e.slotFor(id); ok {
			skip[s] = true
		}
	}
	set := roaring.New()
	for s := range scores {
		if !skip[s] {
			set.Add(s)
		}
	}
	top := topK(set, r.Limit, func(a, b uint32) bool {
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		return a < b
	})
	out := make([]uint32, len(top))
	for i, s := range top {
		out[i] = e.ids[s]
	}
	return out, nil
}
