package search

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// Phrases are answered from memory, as everything else: each title is kept
// as its sequence of terms, and each multi-word keyword as every run of two
// or more of its terms. A phrase is in a title when the title's sequence
// holds the phrase's terms one after another (stop words, which are not
// indexed, do not break a phrase: "house cards" finds "House of Cards"), and
// in the keywords when it is one of those runs. Descriptions have no
// positions (they would cost a quarter of the indexing rate), so a quoted
// phrase matches titles and keywords only.

// maxKeywordRun bounds the runs kept per keyword: a keyword of n terms has
// n(n-1)/2 runs, and a ten-word "keyword" is a sentence no one searches for.
const maxKeywordRun = 5

// phrases holds the engine's phrase data.
type phrases struct {
	titleIDs map[string]uint32 // title term → ID
	titleSeq []uint32          // every slot's title, term IDs in order, one after the other
	titleOff []uint32          // slot → start of its title in titleSeq; it ends where the next slot's starts
	keywords map[string]*roaring.Bitmap
}

func newPhrases() phrases {
	return phrases{titleIDs: map[string]uint32{}, keywords: map[string]*roaring.Bitmap{}}
}

func (p *phrases) titleID(term string) uint32 {
	id, ok := p.titleIDs[term]
	if !ok {
		id = uint32(len(p.titleIDs)) // #nosec G115 -- far fewer terms than 2^32
		p.titleIDs[term] = id
	}
	return id
}

// setTitle records the title of slot s, as term IDs; s must be the next
// slot without a title.
func (p *phrases) setTitle(s uint32, ids []uint32) {
	if int(s) != len(p.titleOff) {
		panic(fmt.Sprintf("search: title of slot %d recorded out of order (next is %d)", s, len(p.titleOff)))
	}
	p.titleOff = append(p.titleOff, uint32(len(p.titleSeq))) // #nosec G115 -- bounded by the catalogue
	p.titleSeq = append(p.titleSeq, ids...)
}

func (p *phrases) title(s uint32) []uint32 {
	end := len(p.titleSeq)
	if int(s)+1 < len(p.titleOff) {
		end = int(p.titleOff[s+1])
	}
	return p.titleSeq[p.titleOff[s]:end]
}

// keywordRuns calls fn with every run of two or more terms of a keyword.
func keywordRuns(terms []string, fn func(run string)) {
	for i := range terms {
		for j := i + 2; j <= min(len(terms), i+maxKeywordRun); j++ {
			fn(strings.Join(terms[i:j], " "))
		}
	}
}

func (p *phrases) keywordBitmap(run string) *roaring.Bitmap {
	bm := p.keywords[run]
	if bm == nil {
		bm = roaring.New()
		p.keywords[run] = bm
	}
	return bm
}

// addPhrases records the title and the multi-word keywords of slot s.
func (e *engine) addPhrases(s uint32, d *Document) {
	terms := e.analyzeSeq(d.Title)
	ids := make([]uint32, len(terms))
	for i, t := range terms {
		ids[i] = e.phrases.titleID(t)
	}
	e.phrases.setTitle(s, ids)
	for _, k := range d.Keywords {
		keywordRuns(e.analyzeSeq(k), func(run string) { e.phrases.keywordBitmap(run).Add(s) })
	}
}

// analyzeSeq returns the terms of text in order, repeats included.
func (e *engine) analyzeSeq(text string) []string {
	toks := e.analyzer.Analyze([]byte(text))
	out := make([]string, len(toks))
	for i, tok := range toks {
		out[i] = string(tok.Term)
	}
	return out
}

// phraseDocs returns the documents of within holding the terms seq, in
// order, in their title or as (part of) one keyword.
func (e *engine) phraseDocs(seq []string, within *roaring.Bitmap) *roaring.Bitmap {
	out := roaring.New()
	if len(seq) == 0 {
		return out
	}
	if bm := e.phrases.keywords[strings.Join(seq, " ")]; bm != nil {
		out = roaring.And(bm, within)
	}
	// Only documents with every term in the title can hold the phrase there.
	ids := make([]uint32, len(seq))
	inTitle := within.Clone()
	for i, t := range seq {
		bm := e.text[titleField].get(t)
		id, ok := e.phrases.titleIDs[t]
		if bm == nil || !ok {
			return out
		}
		ids[i] = id
		inTitle.And(bm)
	}
	buf := make([]uint32, 256)
	it := inTitle.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, s := range buf[:n] {
			if containsRun(e.phrases.title(s), ids) {
				out.Add(s)
			}
		}
	}
	return out
}

func containsRun(seq, run []uint32) bool {
	for i := 0; i+len(run) <= len(seq); i++ {
		if slices.Equal(seq[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// titleToken is one title term of a slot at a position, as read from the
// index's postings.
type titleToken struct {
	slot, pos, term uint32
}

// loadTitles reads the titles of one shard's slots [lo, hi) from the
// title postings' positions and records them in slot order.
func loadTitles(ctx context.Context, e *engine, r index.IndexReader, docToSlot []uint32, lo, hi uint32) error {
	var toks []titleToken
	dict, err := r.FieldDict(fieldTitle)
	if err != nil {
		return fmt.Errorf("search: load titles: %w", err)
	}
	defer func() { _ = dict.Close() }()
	for {
		de, err := dict.Next()
		if err != nil {
			return fmt.Errorf("search: load titles: %w", err)
		}
		if de == nil {
			break
		}
		id := e.phrases.titleID(de.Term)
		if toks, err = titlePostings(ctx, r, de.Term, id, docToSlot, toks); err != nil {
			return err
		}
	}
	// Counting sort by slot, then each title (a few terms) by position.
	start := make([]uint32, hi-lo+1)
	for _, t := range toks {
		start[t.slot-lo+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := make([]titleToken, len(toks))
	next := slices.Clone(start)
	for _, t := range toks {
		sorted[next[t.slot-lo]] = t
		next[t.slot-lo]++
	}
	var ids []uint32
	for s := lo; s < hi; s++ {
		title := sorted[start[s-lo]:start[s-lo+1]]
		slices.SortFunc(title, func(a, b titleToken) int { return int(a.pos) - int(b.pos) })
		ids = ids[:0]
		for _, t := range title {
			ids = append(ids, t.term)
		}
		e.phrases.setTitle(s, ids)
	}
	return nil
}

func titlePostings(ctx context.Context, r index.IndexReader, term string, id uint32, docToSlot []uint32, out []titleToken) ([]titleToken, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), fieldTitle, false, false, true)
	if err != nil {
		return out, fmt.Errorf("search: title postings of %s: %w", term, err)
	}
	defer func() { _ = tfr.Close() }()
	var tfd index.TermFieldDoc
	for {
		next, err := tfr.Next(&tfd)
		if err != nil {
			return out, fmt.Errorf("search: title postings of %s: %w", term, err)
		}
		if next == nil {
			return out, nil
		}
		if n := next.ID.Value(); n < uint64(len(docToSlot)) && docToSlot[n] != noSlot {
			for _, v := range next.Vectors {
				out = append(out, titleToken{slot: docToSlot[n], pos: uint32(v.Pos), term: id}) // #nosec G115 -- positions are small
			}
		}
		next.Reset()
	}
}

// loadKeywordRuns reads one shard's multi-word keywords from the whole-
// keyword field.
func loadKeywordRuns(ctx context.Context, e *engine, r index.IndexReader, docToSlot []uint32) error {
	dict, err := r.FieldDict(fieldKeyword)
	if err != nil {
		return fmt.Errorf("search: load keyword phrases: %w", err)
	}
	defer func() { _ = dict.Close() }()
	var buf []uint32
	for {
		de, err := dict.Next()
		if err != nil {
			return fmt.Errorf("search: load keyword phrases: %w", err)
		}
		if de == nil {
			return nil
		}
		if !strings.Contains(de.Term, " ") {
			continue
		}
		terms := e.analyzeSeq(de.Term)
		if len(terms) < 2 {
			continue
		}
		if buf, err = postings(ctx, r, fieldKeyword, de.Term, docToSlot, buf[:0]); err != nil {
			return err
		}
		keywordRuns(terms, func(run string) { e.phrases.keywordBitmap(run).AddMany(buf) })
	}
}
