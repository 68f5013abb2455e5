package search

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Tuning.
const (
	defaultPerPage = 48
	// phraseRerank is how many of the best relevance matches of a multi-word
	// query get a bonus when their words appear together, checked by Bleve
	// with positions: a fixed, bounded amount of work per query.
	phraseRerank = 200
	// maxPhraseCandidates bounds the exact phrase check of a quoted phrase:
	// beyond it, documents holding all the phrase's words count as matches.
	maxPhraseCandidates = 20_000
	// suggestBelow: fewer results than this invite a "did you mean".
	suggestBelow = 5
)

// clause is a part of the query, analysed.
type clause struct {
	part  Part
	terms []string
}

func (e *engine) clauses(parts []Part) []clause {
	out := make([]clause, 0, len(parts))
	for _, p := range parts {
		if terms := e.analyze(p.Text); len(terms) > 0 {
			out = append(out, clause{part: p, terms: terms})
		}
	}
	return out
}

// termSet is the documents (slots) holding term in any text field.
func (e *engine) termSet(term string) *roaring.Bitmap {
	var bms []*roaring.Bitmap
	for f := range e.text {
		if bm := e.text[f][term]; bm != nil {
			bms = append(bms, bm)
		}
	}
	return roaring.FastOr(bms...)
}

// clauseSet is the documents matching a clause: all its terms, and for a
// phrase, the terms together.
func (ix *Index) clauseSet(ctx context.Context, e *engine, c clause) (*roaring.Bitmap, error) {
	sets := make([]*roaring.Bitmap, len(c.terms))
	for i, t := range c.terms {
		sets[i] = e.termSet(t)
	}
	all := roaring.FastAnd(sets...)
	if !c.part.Phrase || all.IsEmpty() {
		return all, nil
	}
	all.And(e.live)
	if all.GetCardinality() > maxPhraseCandidates {
		return all, nil
	}
	return ix.phraseMatches(ctx, e, c.part.Text, all, []string{fieldTitle, fieldKeywords, fieldDescription})
}

// phraseMatches asks Bleve which of the candidate slots hold phrase, in
// order, in one of fields.
func (ix *Index) phraseMatches(ctx context.Context, e *engine, phrase string, candidates *roaring.Bitmap, fields []string) (*roaring.Bitmap, error) {
	ids := make([]string, 0, candidates.GetCardinality())
	it := candidates.Iterator()
	for it.HasNext() {
		ids = append(ids, strconv.FormatUint(uint64(e.ids[it.Next()]), 10))
	}
	if len(ids) == 0 {
		return roaring.New(), nil
	}
	var phrases []query.Query
	for _, f := range fields {
		q := bleve.NewMatchPhraseQuery(phrase)
		q.SetField(f)
		phrases = append(phrases, q)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), bleve.NewDisjunctionQuery(phrases...)), len(ids), 0, false)
	req.Score = "none"
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: phrase %q: %w", phrase, err)
	}
	out := roaring.New()
	for _, h := range res.Hits {
		if id, err := strconv.ParseUint(h.ID, 10, 32); err == nil {
			if s, ok := e.slotFor(uint32(id)); ok {
				out.Add(s)
			}
		}
	}
	return out, nil
}

// matchSet is every live document the query matches, before filters.
func (ix *Index) matchSet(ctx context.Context, e *engine, must, not []clause, anyMode bool) (*roaring.Bitmap, error) {
	var result *roaring.Bitmap
	if len(must) == 0 {
		result = e.live.Clone()
	} else {
		sets := make([]*roaring.Bitmap, 0, len(must))
		for _, c := range must {
			s, err := ix.clauseSet(ctx, e, c)
			if err != nil {
				return nil, err
			}
			sets = append(sets, s)
		}
		if anyMode {
			result = roaring.FastOr(sets...)
		} else {
			result = roaring.FastAnd(sets...)
		}
		result.And(e.live)
	}
	for _, c := range not {
		s, err := ix.clauseSet(ctx, e, c)
		if err != nil {
			return nil, err
		}
		result.AndNot(s)
	}
	return result, nil
}

// filterSets returns, per facet with a filter, the documents it allows.
func (e *engine) filterSets(f Filters, within *roaring.Bitmap) map[string]*roaring.Bitmap {
	out := map[string]*roaring.Bitmap{}
	values := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var bms []*roaring.Bitmap
		for _, v := range vals {
			if bm := e.facets[name][v]; bm != nil {
				bms = append(bms, bm)
			}
		}
		out[name] = roaring.FastOr(bms...)
	}
	values(FacetCategory, f.Category)
	values(FacetOrientation, f.Orientation)
	values(FacetColor, f.Color)
	values(FacetUse, f.Use)
	values(FacetReleased, f.Released)
	values(FacetAI, f.AI)
	if f.MinPrice > 0 || f.MaxPrice > 0 {
		out[FacetPrice] = e.priceRange(f.MinPrice, f.MaxPrice, within)
	}
	if f.MinMP > 0 {
		if bm := e.facets[FacetSize][sizeValue(f.MinMP)]; bm != nil {
			out[FacetSize] = bm
		} else {
			out[FacetSize] = e.scan(within, func(s uint32) bool { return float64(e.mp[s]) >= f.MinMP })
		}
	}
	return out
}

// priceRange is the documents in within priced from min to max cents
// (inclusive), using a band's bitmap when the range is exactly one band.
func (e *engine) priceRange(minCents, maxCents int64, within *roaring.Bitmap) *roaring.Bitmap {
	for _, b := range PriceBands() {
		upper := b.MaxCents - 1
		if b.MaxCents == 0 {
			upper = 0
		}
		if minCents == b.MinCents && maxCents == upper {
			if bm := e.facets[FacetPrice][b.Value]; bm != nil {
				return bm
			}
		}
	}
	return e.scan(within, func(s uint32) bool {
		p := int64(e.price[s])
		return p >= minCents && (maxCents == 0 || p <= maxCents)
	})
}

func (e *engine) scan(within *roaring.Bitmap, keep func(uint32) bool) *roaring.Bitmap {
	out := roaring.New()
	buf := make([]uint32, 256)
	it := within.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, s := range buf[:n] {
			if keep(s) {
				out.Add(s)
			}
		}
	}
	return out
}

func andAll(base *roaring.Bitmap, sets map[string]*roaring.Bitmap, except string) *roaring.Bitmap {
	out := base.Clone()
	for name, s := range sets {
		if name != except {
			out.And(s)
		}
	}
	return out
}

// facetCounts counts, for every facet, each value among the documents that
// match the query and every filter but that facet's own: picking another
// value of a facet widens the choice instead of emptying it.
func (e *engine) facetCounts(match, result *roaring.Bitmap, filters map[string]*roaring.Bitmap, selected Filters) map[string][]FacetValue {
	sel := map[string][]string{
		FacetCategory: selected.Category, FacetOrientation: selected.Orientation, FacetColor: selected.Color,
		FacetUse: selected.Use, FacetReleased: selected.Released, FacetAI: selected.AI,
	}
	out := make(map[string][]FacetValue, len(e.facets))
	for _, f := range facetOrder() {
		base := result
		if _, filtered := filters[f.name]; filtered {
			base = andAll(match, filters, f.name)
		}
		var vals []FacetValue
		count := func(v string) {
			bm := e.facets[f.name][v]
			n := 0
			if bm != nil {
				n = card(base.AndCardinality(bm))
			}
			if n > 0 || slices.Contains(sel[f.name], v) {
				vals = append(vals, FacetValue{Value: v, Count: n})
			}
		}
		if f.values != nil {
			for _, v := range f.values {
				count(v)
			}
		} else {
			for v := range e.facets[f.name] {
				count(v)
			}
			slices.SortFunc(vals, func(a, b FacetValue) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return strings.Compare(a.Value, b.Value)
			})
		}
		out[f.name] = vals
	}
	return out
}

// scorer accumulates relevance scores into a pooled dense array.
var scorePool = sync.Pool{New: func() any { return new([]float32) }}

// relevance scores every result: for each query term, its inverse document
// frequency times the weight of each field it appears in; a phrase adds its
// terms' weight again.
func (e *engine) relevance(result *roaring.Bitmap, must []clause, phraseSets []*roaring.Bitmap) (scores []float32, release func()) {
	p := scorePool.Get().(*[]float32)
	if cap(*p) < len(e.ids) {
		*p = make([]float32, len(e.ids))
	}
	scores = (*p)[:len(e.ids)]
	n := float64(e.live.GetCardinality())
	buf := make([]uint32, 512)
	for ci, c := range must {
		for _, t := range c.terms {
			df := float64(e.termSet(t).AndCardinality(e.live))
			idf := float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
			for f, field := range textFields {
				bm := e.text[f][t]
				if bm == nil {
					continue
				}
				w := idf * field.weight
				it := roaring.And(bm, result).ManyIterator()
				for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
					for _, s := range buf[:k] {
						scores[s] += w
					}
				}
			}
			if phraseSets[ci] != nil {
				w := idf * 2
				it := phraseSets[ci].ManyIterator()
				for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
					for _, s := range buf[:k] {
						scores[s] += w
					}
				}
			}
		}
	}
	return scores, func() {
		it := result.ManyIterator()
		for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
			for _, s := range buf[:k] {
				scores[s] = 0
			}
		}
		scorePool.Put(p)
	}
}

// topK returns the k best slots of set by less (a before b), best first.
func topK(set *roaring.Bitmap, k int, less func(a, b uint32) bool) []uint32 {
	h := &slotHeap{less: less}
	buf := make([]uint32, 512)
	it := set.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, s := range buf[:n] {
			if h.Len() < k {
				heap.Push(h, s)
			} else if less(s, h.slots[0]) {
				h.slots[0] = s
				heap.Fix(h, 0)
			}
		}
	}
	out := make([]uint32, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(uint32)
	}
	return out
}

// slotHeap keeps the worst of the best k at its root.
type slotHeap struct {
	slots []uint32
	less  func(a, b uint32) bool
}

func (h *slotHeap) Len() int           { return len(h.slots) }
func (h *slotHeap) Less(i, j int) bool { return h.less(h.slots[j], h.slots[i]) }
func (h *slotHeap) Swap(i, j int)      { h.slots[i], h.slots[j] = h.slots[j], h.slots[i] }
func (h *slotHeap) Push(x any)         { h.slots = append(h.slots, x.(uint32)) }
func (h *slotHeap) Pop() any {
	last := h.slots[len(h.slots)-1]
	h.slots = h.slots[:len(h.slots)-1]
	return last
}

// order returns the comparison for a sort; ties go to the newest, then the
// lowest slot, so that pages are stable.
func (e *engine) order(sort Sort, scores []float32) func(a, b uint32) bool {
	newer := func(a, b uint32) bool {
		if e.approved[a] != e.approved[b] {
			return e.approved[a] > e.approved[b]
		}
		return a < b
	}
	switch sort {
	case SortRelevance:
		return func(a, b uint32) bool {
			if scores[a] != scores[b] {
				return scores[a] > scores[b]
			}
			return newer(a, b)
		}
	case SortPopular:
		return func(a, b uint32) bool {
			if e.sales[a] != e.sales[b] {
				return e.sales[a] > e.sales[b]
			}
			if e.views[a] != e.views[b] {
				return e.views[a] > e.views[b]
			}
			return newer(a, b)
		}
	case SortUndiscovered:
		return func(a, b uint32) bool {
			if e.sales[a] != e.sales[b] {
				return e.sales[a] < e.sales[b]
			}
			return newer(a, b)
		}
	case SortPriceAsc:
		return func(a, b uint32) bool {
			if e.price[a] != e.price[b] {
				return e.price[a] < e.price[b]
			}
			return newer(a, b)
		}
	case SortPriceDesc:
		return func(a, b uint32) bool {
			if e.price[a] != e.price[b] {
				return e.price[a] > e.price[b]
			}
			return newer(a, b)
		}
	}
	return newer
}

// normalize fills defaults and checks bounds.
func (r *Request) normalize() error {
	if r.PerPage <= 0 {
		r.PerPage = defaultPerPage
	}
	r.PerPage = min(r.PerPage, MaxPerPage)
	r.Page = max(r.Page, 1)
	if r.Page*r.PerPage > MaxDepth {
		return ErrTooDeep
	}
	switch r.Sort {
	case SortRelevance, SortNewest, SortPopular, SortUndiscovered, SortPriceAsc, SortPriceDesc:
	case "":
		r.Sort = SortRelevance
	default:
		return fmt.Errorf("search: unknown sort %q", r.Sort)
	}
	return nil
}

// Search runs a request: the match set from the query, the filters, facet
// counts, then one page in the requested order.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	if err := r.normalize(); err != nil {
		return nil, err
	}
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	e := ix.eng.Load()
	e.mu.RLock()
	defer e.mu.RUnlock()

	q := ParseQuery(r.Query, r.Any)
	must, not := e.clauses(q.Must), e.clauses(q.Not)
	if len(must) == 0 && r.Sort == SortRelevance {
		r.Sort = SortNewest // nothing to be relevant to
	}
	match, err := ix.matchSet(ctx, e, must, not, q.Any)
	if err != nil {
		return nil, err
	}
	filters := e.filterSets(r.Filters, match)
	result := andAll(match, filters, "")
	res := &Result{Total: card(result.GetCardinality())}
	for _, c := range must {
		res.Highlight = append(res.Highlight, c.terms...)
	}
	if r.Facets {
		res.Facets = e.facetCounts(match, result, filters, r.Filters)
	}

	k := r.Page * r.PerPage
	var scores []float32
	if r.Sort == SortRelevance {
		phraseSets := make([]*roaring.Bitmap, len(must))
		for i, c := range must {
			if c.part.Phrase {
				phraseSets[i], err = ix.clauseSet(ctx, e, c)
				if err != nil {
					return nil, err
				}
				phraseSets[i].And(result)
			}
		}
		var release func()
		scores, release = e.relevance(result, must, phraseSets)
		defer release()
	}
	less := e.order(r.Sort, scores)
	top := topK(result, max(k, rerankDepth(r.Sort, must, q.Any)), less)
	if r.Sort == SortRelevance {
		if top, err = ix.phraseBonus(ctx, e, top, must, q.Any, scores, less); err != nil {
			return nil, err
		}
	}
	from := min((r.Page-1)*r.PerPage, len(top))
	to := min(from+r.PerPage, len(top))
	for _, s := range top[from:to] {
		res.IDs = append(res.IDs, e.ids[s])
	}
	if res.Total < suggestBelow && len(must) > 0 {
		res.Suggestion = ix.didYouMean(e, q, res.Total)
	}
	res.Took = time.Since(start)
	return res, nil
}

func rerankDepth(sort Sort, must []clause, anyMode bool) int {
	if sort != SortRelevance || anyMode || wordCount(must) < 2 {
		return 0
	}
	return phraseRerank
}

func wordCount(must []clause) int {
	n := 0
	for _, c := range must {
		if !c.part.Phrase {
			n += len(c.terms)
		}
	}
	return n
}

// phraseBonus lifts, among the best matches of a multi-word query, those in
// whose title or keywords the words stand together: "red kite" should find
// "Red kite over the ridge" before "a red barn and a kite".
func (ix *Index) phraseBonus(ctx context.Context, e *engine, top []uint32, must []clause, anyMode bool, scores []float32, less func(a, b uint32) bool) ([]uint32, error) {
	if rerankDepth(SortRelevance, must, anyMode) == 0 || len(top) == 0 {
		return top, nil
	}
	var words []string
	var weight float32
	for _, c := range must {
		if !c.part.Phrase {
			words = append(words, c.part.Text)
			weight += 2
		}
	}
	n := min(len(top), phraseRerank)
	head := roaring.New()
	head.AddMany(top[:n])
	together, err := ix.phraseMatches(ctx, e, strings.Join(words, " "), head, []string{fieldTitle, fieldKeywords})
	if err != nil || together.IsEmpty() {
		return top, err
	}
	it := together.Iterator()
	for it.HasNext() {
		scores[it.Next()] += weight
	}
	slices.SortStableFunc(top[:n], func(a, b uint32) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
	return top, nil
}
