package search

import (
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
)

// PriceBand is one option of the price facet.
type PriceBand struct {
	Value    string
	Label    string
	MinCents int64 // inclusive
	MaxCents int64 // exclusive; 0: no upper bound
}

// PriceBands returns the price facet's options, cheapest first.
func PriceBands() []PriceBand {
	return []PriceBand{
		{"under-2", "Under $2", 0, 200},
		{"2-5", "$2 to $5", 200, 500},
		{"5-10", "$5 to $10", 500, 1000},
		{"10-20", "$10 to $20", 1000, 2000},
		{"20-plus", "$20 and up", 2000, 0},
	}
}

// SizeSteps returns the size facet's options: at least this many megapixels.
func SizeSteps() []float64 { return []float64{4, 12, 24, 50} }

func sizeValue(mp float64) string { return strconv.FormatFloat(mp, 'f', -1, 64) }

// engine answers queries from memory. Documents live in slots; a document
// that changes gets a new slot and its old one dies (removed from live), as
// in Lucene, because removing it from every term's bitmap would need its old
// terms. Dead slots are reclaimed when the engine is reloaded (compaction).
type engine struct {
	mu       sync.RWMutex
	analyzer analysis.Analyzer

	ids    []uint32 // slot → image ID; 0 for a dead slot
	slotOf []uint32 // image ID → slot+1; 0 for none
	live   *roaring.Bitmap

	text   [numTextFields]*terms                 // per field: term → slots
	facets map[string]map[string]*roaring.Bitmap // facet → value → slots

	approved []int64 // unix seconds
	sales    []uint32
	views    []uint32
	price    []int32 // cents
	mp       []float32
	phash    []uint64 // perceptual hash; 0: unknown
	sig      []uint64 // hash of everything but sales, views and approval time

	defs    [numFacets]facetDef
	codes   facetCodes // see facets.go
	phrases phrases    // see phrase.go

	loadedSlots int       // slots when loaded from the index; see needsCompaction
	facetMode   facetMode // see facets.go; the tests vary it
	scores      scoreBuf  // see exec.go
	// Answers worked out from the documents, until the next apply (see
	// memo.go): docFreq's counts, did-you-mean's words, "more like this".
	freqs   atomic.Pointer[memo[int]]
	closest atomic.Pointer[memo[string]]
	related atomic.Pointer[memo[[]uint32]]
}

func newEngine(an analysis.Analyzer) *engine {
	e := &engine{
		analyzer: an, live: roaring.New(), facets: map[string]map[string]*roaring.Bitmap{},
		defs: facetDefs(), codes: newFacetCodes(), phrases: newPhrases(),
	}
	for i := range e.text {
		e.text[i] = newTerms()
	}
	for _, f := range e.defs {
		e.facets[f.name] = map[string]*roaring.Bitmap{}
	}
	e.forget()
	return e
}

const noSlot = math.MaxUint32

func (e *engine) slotFor(id uint32) (uint32, bool) {
	if int(id) >= len(e.slotOf) || e.slotOf[id] == 0 {
		return 0, false
	}
	return e.slotOf[id] - 1, true
}

func (e *engine) setSlot(id, slot uint32) {
	if int(id) >= len(e.slotOf) {
		grown := make([]uint32, max(int(id)+1, 2*len(e.slotOf)))
		copy(grown, e.slotOf)
		e.slotOf = grown
	}
	e.slotOf[id] = slot + 1
}

// docSig hashes what decides a document's bitmaps: if it is unchanged, an
// update only touches the numeric columns.
func docSig(d *Document) uint64 {
	h := fnv.New64a()
	for _, s := range []string{d.Title, strings.Join(d.Keywords, "\x1e"), d.Description, d.Contributor, d.CategoryName, d.Category,
		d.Orientation, strings.Join(d.Colors, ","), d.Use, strconv.FormatBool(d.Released), d.AI,
		strconv.FormatInt(d.PriceCents, 10), strconv.FormatFloat(d.Megapixels, 'f', 2, 64), strconv.FormatUint(d.PHash, 16)} {
		_, _ = h.Write([]byte(s))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

// newSlot allocates a slot for d with its numbers and facets (not its text).
func (e *engine) newSlot(d *Document) uint32 {
	s := uint32(len(e.ids)) // #nosec G115 -- slots are bounded by the catalogue, far below 2^32
	e.ids = append(e.ids, d.ID)
	e.setSlot(d.ID, s)
	e.live.Add(s)
	e.approved = append(e.approved, d.ApprovedAt.Unix())
	e.sales = append(e.sales, clampU32(d.Sales))
	e.views = append(e.views, clampU32(d.Views))
	e.price = append(e.price, int32(min(max(d.PriceCents, 0), math.MaxInt32))) // #nosec G115 -- clamped
	e.mp = append(e.mp, float32(d.Megapixels))
	e.phash = append(e.phash, d.PHash)
	e.sig = append(e.sig, docSig(d))
	e.addFacets(s, d)
	return s
}

func clampU32(v int64) uint32 { return uint32(min(max(v, 0), math.MaxUint32)) } // #nosec G115 -- clamped

// docTexts returns each text field's values, in textFields order.
func docTexts(d *Document) [numTextFields][]string {
	return [numTextFields][]string{
		{d.Title},
		d.Keywords,
		{d.Description},
		{d.Contributor},
		{d.CategoryName},
	}
}

// analyze returns the distinct terms of texts, as Bleve indexes them.
func (e *engine) analyze(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, tok := range e.analyzer.Analyze([]byte(t)) {
			term := string(tok.Term)
			if !seen[term] {
				seen[term] = true
				out = append(out, term)
			}
		}
	}
	return out
}

// add indexes a new document.
func (e *engine) add(d *Document) {
	s := e.newSlot(d)
	for f, texts := range docTexts(d) {
		for _, term := range e.analyze(texts...) {
			e.text[f].add(term, s)
		}
	}
	e.addPhrases(s, d)
}

// upsert indexes d, replacing any earlier version: in place when only its
// sales, views or approval time changed, else in a new slot.
func (e *engine) upsert(d *Document) {
	if s, ok := e.slotFor(d.ID); ok {
		if e.sig[s] == docSig(d) {
			e.approved[s], e.sales[s], e.views[s] = d.ApprovedAt.Unix(), clampU32(d.Sales), clampU32(d.Views)
			return
		}
		e.remove(d.ID)
	}
	e.add(d)
}

// remove kills the slot of a document, if it has one.
func (e *engine) remove(id uint32) {
	s, ok := e.slotFor(id)
	if !ok {
		return
	}
	e.live.Remove(s)
	e.ids[s] = 0
	e.slotOf[id] = 0
}

// needsCompaction says when reloading the engine from the index is worth
// its cost: when a quarter of the slots are dead, or when as many documents
// were indexed since the load as a quarter of those loaded (their postings
// sit in the heap, less compactly: see terms). A small engine never is.
// Only the goroutine applying batches may call it.
func (e *engine) needsCompaction() bool {
	n := len(e.ids)
	if n <= 1000 {
		return false
	}
	return e.deadFraction() > 0.25 || n-e.loadedSlots > max(e.loadedSlots/4, 1000)
}

// deadFraction is the share of slots no longer live.
func (e *engine) deadFraction() float64 {
	if len(e.ids) == 0 {
		return 0
	}
	return 1 - float64(e.live.GetCardinality())/float64(len(e.ids))
}

// optimize compresses a freshly loaded engine and gives back the room its
// slices and bitmaps grew into while loading (a bitmap built by appending
// holds up to twice what it needs).
func (e *engine) optimize() {
	compact := func(m map[string]*roaring.Bitmap) {
		for k, bm := range m {
			bm.RunOptimize()
			m[k] = bm.Clone() // exactly sized
		}
	}
	for _, m := range e.facets {
		compact(m)
	}
	compact(e.phrases.keywords)
	e.live.RunOptimize()
	e.loadedSlots = len(e.ids)
	e.ids, e.slotOf = slices.Clone(e.ids), slices.Clone(e.slotOf)
	e.approved, e.sales, e.views = slices.Clone(e.approved), slices.Clone(e.sales), slices.Clone(e.views)
	e.price, e.mp, e.phash, e.sig = slices.Clone(e.price), slices.Clone(e.mp), slices.Clone(e.phash), slices.Clone(e.sig)
	for f := range e.codes.single {
		e.codes.single[f] = slices.Clone(e.codes.single[f])
	}
	e.codes.colors = slices.Clone(e.codes.colors)
	e.phrases.titleSeq, e.phrases.titleOff = slices.Clone(e.phrases.titleSeq), slices.Clone(e.phrases.titleOff)
}

// card converts a bitmap cardinality; a catalogue has far fewer than 2^63
// documents.
func card(n uint64) int { return int(n) } // #nosec G115 -- see above
