package search

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Tuning.
const (
	defaultPerPage = 48
	// phraseRerank is how many of the best relevance matches of a multi-word
	// query get a bonus when their words appear together: a fixed, bounded
	// amount of work per query.
	phraseRerank = 200
	// suggestBelow: fewer results than this invite a "did you mean".
	suggestBelow = 5
)

// clause is a part of the query, analysed.
type clause struct {
	part  Part
	terms []string // distinct
	seq   []string // in order, repeats kept: what a phrase must hold
}

// clauses analyses parts, leaving out a word whose terms an earlier word
// already has: "industry industrial" is one stem twice, and asking for it
// twice would only count it twice.
func (e *engine) clauses(parts []Part) []clause {
	out := make([]clause, 0, len(parts))
	seen := map[string]bool{}
	for _, p := range parts {
		seq := e.analyzeSeq(p.Text)
		if len(seq) == 0 {
			continue
		}
		terms := slices.Clone(seq)
		slices.Sort(terms)
		terms = slices.Compact(terms)
		if !p.Phrase {
			key := strings.Join(terms, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out = append(out, clause{part: p, terms: terms, seq: seq})
	}
	return out
}

// termSet is the documents (slots) holding term in any text field.
func (e *engine) termSet(term string) *roaring.Bitmap {
	var bms []*roaring.Bitmap
	for f := range e.text {
		if bm := e.text[f].get(term); bm != nil {
			bms = append(bms, bm)
		}
	}
	return roaring.FastOr(bms...)
}

// run is one search's working state: the sets it has computed, each once.
// Its bitmaps are never modified.
type run struct {
	e      *engine
	fields map[string]*[numTextFields]*roaring.Bitmap // term → documents holding it, per field
	sets   map[string]*roaring.Bitmap                 // term → documents holding it in any field
}

func newRun(e *engine) *run {
	return &run{e: e, fields: map[string]*[numTextFields]*roaring.Bitmap{}, sets: map[string]*roaring.Bitmap{}}
}

func (q *run) fieldSets(term string) *[numTextFields]*roaring.Bitmap {
	fs, ok := q.fields[term]
	if !ok {
		fs = new([numTextFields]*roaring.Bitmap)
		for f := range q.e.text {
			fs[f] = q.e.text[f].get(term)
		}
		q.fields[term] = fs
	}
	return fs
}

func (q *run) termSet(term string) *roaring.Bitmap {
	bm, ok := q.sets[term]
	if !ok {
		var bms []*roaring.Bitmap
		for _, fs := range q.fieldSets(term) {
			if fs != nil {
				bms = append(bms, fs)
			}
		}
		bm = roaring.FastOr(bms...)
		q.sets[term] = bm
	}
	return bm
}

// clauseSet is the live documents matching a clause: all its terms, and for
// a phrase, the terms together (see phrase.go).
func (q *run) clauseSet(c clause) *roaring.Bitmap {
	sets := make([]*roaring.Bitmap, 0, len(c.terms)+1)
	for _, t := range c.terms {
		sets = append(sets, q.termSet(t))
	}
	sets = append(sets, q.e.live)
	slices.SortFunc(sets, func(a, b *roaring.Bitmap) int { // smallest first
		return cmp.Compare(a.GetCardinality(), b.GetCardinality())
	})
	all := roaring.FastAnd(sets...)
	if !c.part.Phrase || len(c.seq) < 2 || all.IsEmpty() {
		return all
	}
	return q.e.phraseDocs(c.seq, all)
}

// matchSet is every live document the query matches, before filters, and
// the set of each must clause.
func (q *run) matchSet(must, not []clause, anyMode bool) (*roaring.Bitmap, []*roaring.Bitmap) {
	var result *roaring.Bitmap
	sets := make([]*roaring.Bitmap, len(must))
	if len(must) == 0 {
		result = q.e.live.Clone()
	} else {
		for i, c := range must {
			sets[i] = q.clauseSet(c)
		}
		if anyMode {
			result = roaring.FastOr(sets...)
		} else {
			result = roaring.FastAnd(sets...)
		}
	}
	for _, c := range not {
		result.AndNot(q.clauseSet(c))
	}
	return result, sets
}

// scoreBuf recycles the dense score arrays of relevance ranking: one is as
// long as the engine has slots (4 MB a million images), too big to allocate
// a query, and a sync.Pool empties at every garbage collection, which a
// busy server has several times a second.
type scoreBuf struct {
	mu   sync.Mutex
	free [][]float32 // all zero
}

// maxFreeScores bounds the arrays kept: more than the queries that run at
// once on a small server would only hold memory.
const maxFreeScores = 4

func (b *scoreBuf) get(n int) []float32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.free) > 0 {
		s := b.free[len(b.free)-1]
		b.free = b.free[:len(b.free)-1]
		if cap(s) >= n {
			return s[:n]
		}
	}
	return make([]float32, n)
}

// put takes back an array, which must be all zero again.
func (b *scoreBuf) put(s []float32) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.free) < maxFreeScores {
		b.free = append(b.free, s)
	}
}

// tally fills one of the engine's score arrays (see scoreBuf).
type tally struct {
	scores []float32 // by slot
	buf    []uint32
}

func (e *engine) newTally() *tally {
	return &tally{scores: e.scores.get(len(e.ids)), buf: make([]uint32, 512)}
}

// add adds w to the score of every slot in set.
func (t *tally) add(set *roaring.Bitmap, w float32) {
	it := set.ManyIterator()
	for k := it.NextMany(t.buf); k > 0; k = it.NextMany(t.buf) {
		for _, s := range t.buf[:k] {
			t.scores[s] += w
		}
	}
}

// release zeroes the scores of scored, every slot given one, and gives the
// array back to e.
func (t *tally) release(e *engine, scored *roaring.Bitmap) {
	it := scored.ManyIterator()
	for k := it.NextMany(t.buf); k > 0; k = it.NextMany(t.buf) {
		for _, s := range t.buf[:k] {
			t.scores[s] = 0
		}
	}
	e.scores.put(t.scores)
}

// relevance scores every result: for each query term, its inverse document
// frequency times the weight of each field it appears in; a phrase adds its
// terms' weight again. release zeroes the scores and gives the array back.
func (q *run) relevance(result *roaring.Bitmap, must []clause, mustSets []*roaring.Bitmap) (scores []float32, release func()) {
	e := q.e
	t := e.newTally()
	n := float64(e.live.GetCardinality())
	for ci, c := range must {
		var phrase *roaring.Bitmap
		if c.part.Phrase && len(c.seq) > 1 {
			phrase = roaring.And(mustSets[ci], result)
		}
		for _, term := range c.terms {
			df := float64(e.docFreq(term))
			idf := float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
			for f, bm := range q.fieldSets(term) {
				if bm != nil {
					t.add(roaring.And(bm, result), idf*textFields[f].weight)
				}
			}
			if phrase != nil {
				t.add(phrase, idf*2)
			}
		}
	}
	return t.scores, func() { t.release(e, result) }
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

	if r.Like != nil {
		res := &Result{}
		e.searchLike(&r, res)
		res.Took = time.Since(start)
		return res, nil
	}
	q := ParseQuery(r.Query, r.Any)
	must, not := e.clauses(q.Must), e.clauses(q.Not)
	if len(must) == 0 && r.Sort == SortRelevance {
		r.Sort = SortNewest // nothing to be relevant to
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	qr := newRun(e)
	match, mustSets := qr.matchSet(must, not, q.Any)
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
		var release func()
		scores, release = qr.relevance(result, must, mustSets)
		defer release()
	}
	less := e.order(r.Sort, scores)
	fresh := r.Sort == SortRelevance && len(must) > 0 && !r.FreshSince.IsZero()
	top := topK(result, max(k, rerankDepth(r.Sort, must, q.Any)), less)
	if r.Sort == SortRelevance {
		top = e.phraseBonus(top, must, q.Any, scores, less)
	}
	var promoted []uint32
	if fresh {
		top, promoted = e.promoteFresh(top, freshRun{
			since: r.FreshSince.Unix(), perPage: r.PerPage, result: result, mustSets: mustSets, scores: scores, less: less,
		})
	}
	from := min((r.Page-1)*r.PerPage, len(top))
	to := min(from+r.PerPage, len(top))
	for _, s := range top[from:to] {
		res.IDs = append(res.IDs, e.ids[s])
		if slices.Contains(promoted, s) {
			res.Fresh = append(res.Fresh, e.ids[s])
		}
	}
	if res.Total < suggestBelow && len(must) > 0 {
		res.Suggestion = ix.didYouMean(e, q, res.Total)
	}
	res.Took = time.Since(start)
	return res, nil
}

func rerankDepth(sort Sort, must []clause, anyMode bool) int {
	if sort != SortRelevance || anyMode || len(wordSeq(must)) < 2 {
		return 0
	}
	return phraseRerank
}

// wordSeq is the terms of the query's words (not its phrases), in order.
func wordSeq(must []clause) []string {
	var seq []string
	for _, c := range must {
		if !c.part.Phrase {
			seq = append(seq, c.seq...)
		}
	}
	return seq
}

// phraseBonus lifts, among the best matches of a multi-word query, those in
// whose title or keywords the words stand together: "red kite" should find
// "Red kite over the ridge" before "a red barn and a kite".
func (e *engine) phraseBonus(top []uint32, must []clause, anyMode bool, scores []float32, less func(a, b uint32) bool) []uint32 {
	if rerankDepth(SortRelevance, must, anyMode) == 0 || len(top) == 0 {
		return top
	}
	var weight float32
	for _, c := range must {
		if !c.part.Phrase {
			weight += 2
		}
	}
	n := min(len(top), phraseRerank)
	together := e.phraseDocs(wordSeq(must), roaring.BitmapOf(top[:n]...))
	if together.IsEmpty() {
		return top
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
	return top
}
