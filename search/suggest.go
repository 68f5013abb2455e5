package search

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	index "github.com/blevesearch/bleve_index_api"
)

// suggestCache holds every whole keyword in the index with how many images
// use it, sorted, so that completing a prefix is a binary search and a short
// scan: fast enough for every keystroke. It is rebuilt from the index's own
// keyword dictionary, in the background, at most every Options.SuggestEvery
// after a batch changed it.
type suggestCache struct {
	entries    atomic.Pointer[[]suggestEntry]
	dirty      atomic.Bool
	refreshing atomic.Bool
	mu         sync.Mutex // guards last
	last       time.Time
	every      time.Duration
}

type suggestEntry struct {
	term  string
	count int
}

func (c *suggestCache) markDirty() { c.dirty.Store(true) }

// refresh rebuilds the cache from the shards' kw dictionaries, adding up
// the counts of keywords several shards hold.
func (c *suggestCache) refresh(ix *Index) error {
	counts := map[string]int{}
	for i, bl := range ix.shards {
		dict, err := bl.FieldDict(fieldKeyword)
		if err != nil {
			return fmt.Errorf("search: keyword dictionary of shard %d: %w", i, err)
		}
		for {
			de, err := dict.Next()
			if err != nil {
				_ = dict.Close()
				return fmt.Errorf("search: keyword dictionary of shard %d: %w", i, err)
			}
			if de == nil {
				break
			}
			counts[de.Term] += int(de.Count) // #nosec G115 -- counts are small
		}
		if err := dict.Close(); err != nil {
			return fmt.Errorf("search: keyword dictionary of shard %d: %w", i, err)
		}
		// Each keyword's count comes from its postings, so this read
		// the shard's whole kw section into the process's RSS.
		ix.releaseMapped()
	}
	out := make([]suggestEntry, 0, len(counts))
	for term, n := range counts {
		if n > 0 {
			out = append(out, suggestEntry{term: term, count: n})
		}
	}
	slices.SortFunc(out, func(a, b suggestEntry) int { return strings.Compare(a.term, b.term) })
	c.entries.Store(&out)
	c.mu.Lock()
	c.last = time.Now()
	c.mu.Unlock()
	return nil
}

// maybeRefresh starts a background rebuild when keywords changed and the
// cache is old enough.
func (ix *Index) maybeRefresh() {
	c := &ix.suggest
	c.mu.Lock()
	stale := time.Since(c.last) > c.every
	c.mu.Unlock()
	if !stale || !c.dirty.Load() || ix.closed.Load() || !c.refreshing.CompareAndSwap(false, true) {
		return
	}
	c.dirty.Store(false)
	ix.background.Add(1)
	go func() {
		defer ix.background.Done()
		defer c.refreshing.Store(false)
		if err := c.refresh(ix); err != nil {
			ix.log.Warn("search: refresh suggestions", "err", err)
			c.dirty.Store(true)
		}
	}()
}

// Suggest completes a prefix into the keywords most images use, most used
// first. It never touches Bleve on the request path.
func (ix *Index) Suggest(_ context.Context, prefix string, limit int) ([]string, error) {
	if ix.closed.Load() {
		return nil, ErrClosed
	}
	ix.maybeRefresh()
	prefix = lowerTrim(prefix)
	if prefix == "" || limit <= 0 {
		return nil, nil
	}
	if len(prefix) > MaxQueryLength {
		return nil, nil
	}
	entries := *ix.suggest.entries.Load()
	i := sort.Search(len(entries), func(i int) bool { return entries[i].term >= prefix })
	best := make([]suggestEntry, 0, limit+1)
	for ; i < len(entries) && strings.HasPrefix(entries[i].term, prefix); i++ {
		e := entries[i]
		if len(best) == limit && e.count <= best[limit-1].count {
			continue
		}
		// After every entry as used: ties stay in alphabetical order.
		at := sort.Search(len(best), func(i int) bool { return best[i].count < e.count })
		best = slices.Insert(best, at, e)
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]string, len(best))
	for i, b := range best {
		out[i] = b.term
	}
	return out, nil
}

// didYouMean proposes, for a query with few results, the same query with its
// rare or unknown words replaced by the closest common words of the index's
// own titles and keywords — if that finds more.
func (ix *Index) didYouMean(e *engine, q Query, total int) string {
	changed := false
	alt := Query{Any: q.Any, Not: q.Not}
	for _, p := range q.Must {
		if p.Phrase {
			alt.Must = append(alt.Must, p)
			continue
		}
		words := strings.Fields(strings.ToLower(p.Text))
		for i, w := range words {
			if better := ix.closestWord(e, w); better != "" {
				words[i], changed = better, true
			}
		}
		alt.Must = append(alt.Must, Part{Text: strings.Join(words, " ")})
	}
	if !changed {
		return ""
	}
	must := e.clauses(alt.Must)
	not := e.clauses(alt.Not)
	qr := newRun(e)
	match, _ := qr.matchSet(must, not, alt.Any)
	if card(match.GetCardinality()) <= total {
		return ""
	}
	return alt.String()
}

// closestWord returns a word of the index within one or two edits of w that
// many more images use, or "".
func (ix *Index) closestWord(e *engine, w string) string {
	if len([]rune(w)) < 3 {
		return ""
	}
	// A fuzzy walk of the keyword dictionary was a tenth of a search
	// page's CPU (snapshop bench http, 100,000 images), and searches with
	// few results repeat their words.
	return e.closest.Load().get(w, func() string { return ix.findClosestWord(e, w) })
}

// findClosestWord is closestWord without the memo.
func (ix *Index) findClosestWord(e *engine, w string) string {
	// How many live images a word's stem finds. (Bleve's fuzzy dictionary
	// omits counts, so candidates are ranked by the engine's.)
	docs := func(word string) int {
		n := 0
		for _, t := range e.analyze(word) {
			n = max(n, e.docFreq(t))
		}
		return n
	}
	own := docs(w)
	fuzz := 1
	if len([]rune(w)) > 5 {
		fuzz = 2
	}
	rs, err := ix.readers()
	if err != nil {
		ix.log.Warn("search: did you mean", "err", err)
		return ""
	}
	defer closeReaders(rs)
	best, bestCount, bestDist := "", 0, 99
	for _, r := range rs {
		fr, ok := r.(index.IndexReaderFuzzy)
		if !ok {
			return ""
		}
		// Whole keywords, unstemmed: suggestions read as words people use.
		dict, err := fr.FieldDictFuzzy(fieldKeyword, w, fuzz, "")
		if err != nil {
			ix.log.Warn("search: did you mean", "err", err)
			return ""
		}
		for {
			de, err := dict.Next()
			if err != nil || de == nil {
				break
			}
			if de.Term == w || strings.ContainsRune(de.Term, ' ') {
				continue
			}
			n, d := docs(de.Term), editDistance(w, de.Term)
			if n > bestCount || (n == bestCount && (d < bestDist || d == bestDist && de.Term < best)) {
				best, bestCount, bestDist = de.Term, n, d
			}
		}
		_ = dict.Close()
	}
	// Suggest only a word that finds clearly more than the one typed.
	if bestCount == 0 || bestCount <= own*2 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
