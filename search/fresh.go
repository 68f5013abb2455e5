package search

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Fair exposure for new documents. A new image has no sales and few views,
// and on a relevance sort it can sit for ever below older images that match
// as well or a little better. So the first page of a relevance search gives
// a few fixed places to documents approved recently (since
// Request.FreshSince) that match the query well, and that would not be on
// that page anyway:
//
//   - places: the 6th result, then every 12th (the 18th, 30th, 42nd…), and
//     never more than one result in ten: at most 2 of the first 24, 4 of 48,
//     none on a page shorter than 10;
//   - a document qualifies when it matches every word of the query (even in
//     "any" mode) and scores at least half the page's best score;
//   - the best qualifying documents take the places, in relevance order;
//     the documents they displace move to the top of page 2.
//
// Later pages are the plain relevance order without the promoted documents,
// so that paging through the results shows every document exactly once.
// Other sorts, and searches without words, are left alone.
const (
	freshFirst = 5  // the first fresh place (0-based)
	freshEvery = 12 // then one place every freshEvery results
	freshShare = 10 // at most one place in freshShare results
)

// freshPlaces returns a page's fresh places, 0-based and in order.
func freshPlaces(perPage int) []int {
	var out []int
	for p := freshFirst; p < perPage && len(out) < perPage/freshShare; p += freshEvery {
		out = append(out, p)
	}
	return out
}

// freshRun is what a relevance search needs to promote fresh documents.
type freshRun struct {
	since    int64 // unix seconds
	perPage  int
	result   *roaring.Bitmap
	mustSets []*roaring.Bitmap // each word's documents
	scores   []float32
	less     func(a, b uint32) bool
}

// promoteFresh reorders top, the best documents in relevance order, so that
// the first page holds the promoted documents at their places and the
// pages after it the rest, in order, each once. The new order is at least
// as long as top: promoted documents from beyond it only add to it. It
// returns the new order and the promoted slots.
func (e *engine) promoteFresh(top []uint32, f freshRun) (order, promoted []uint32) {
	places := freshPlaces(f.perPage)
	if len(places) == 0 || len(top) <= f.perPage-len(places) {
		return top, nil // everything fits on the first page anyway
	}
	firstPage := roaring.BitmapOf(top[:min(f.perPage, len(top))]...)
	bar := f.scores[top[0]] / 2
	candidates := e.scan(f.result, func(s uint32) bool {
		if e.approved[s] < f.since || f.scores[s] < bar || firstPage.Contains(s) {
			return false
		}
		for _, set := range f.mustSets {
			if !set.Contains(s) {
				return false
			}
		}
		return true
	})
	promoted = topK(candidates, len(places), f.less)
	if len(promoted) == 0 {
		return top, nil
	}
	order = make([]uint32, 0, len(top)+len(promoted))
	next, p := 0, 0
	for len(order) < f.perPage && (next < len(top) || p < len(promoted)) {
		if p < len(promoted) && (len(order) == places[p] || next == len(top)) {
			order = append(order, promoted[p])
			p++
			continue
		}
		order = append(order, top[next])
		next++
	}
	for _, s := range top[next:] {
		if !slices.Contains(promoted, s) {
			order = append(order, s)
		}
	}
	return order, promoted
}
