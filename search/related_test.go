package search

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// Perceptual hashes far apart from one another.
const (
	hashKite    = 0xF0F0F0F0F0F0F0F0
	hashBuzzard = 0x0F0F0F0F0F0F0F0F
	hashKestrel = 0xFFFF0000FFFF0000
	hashOffice  = 0x123456789ABCDEF0
)

// birds is a catalogue with near-identical copies: 2 is 1 re-saved (3 bits
// apart), 4 is 3 cropped (6 bits apart, the most that still counts); 7 and 8
// have no hash.
func birds() []Document {
	doc := func(id uint32, title, orientation string, phash uint64, kw ...string) Document {
		return Document{ID: id, Title: title, Keywords: kw, Category: "animals", CategoryName: "Animals & wildlife", Orientation: orientation,
			Colors: []string{"blue"}, Use: "commercial", AI: "none", PriceCents: 300, Megapixels: 12, ApprovedAt: day(int(id)), PHash: phash}
	}
	return []Document{
		doc(1, "Red kite over the ridge", "landscape", hashKite, "kite", "bird", "ridge", "raptor", "sky"),
		doc(2, "Red kite above a ridge", "landscape", hashKite^0b111, "kite", "bird", "ridge", "raptor", "sky"),
		doc(3, "Buzzard in flight", "landscape", hashBuzzard, "buzzard", "bird", "raptor", "sky", "wings"),
		doc(4, "Buzzard soaring", "landscape", hashBuzzard^0b111111, "buzzard", "bird", "raptor", "sky", "wings"),
		doc(5, "Kestrel hovering", "portrait", hashKestrel, "kestrel", "bird", "raptor", "hover"),
		doc(6, "Office desk", "landscape", hashOffice, "desk", "office", "laptop"),
		doc(7, "Kite festival", "portrait", 0, "kite", "festival", "crowd"),
		doc(8, "Kite on the beach", "landscape", 0, "kite", "beach", "wind"),
	}
}

func likeDoc(d Document) Like {
	return Like{ID: d.ID, Keywords: d.Keywords, Category: d.Category, Colors: d.Colors, PHash: d.PHash}
}

func TestRelatedCollapsesNearIdenticalCopies(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, birds())
			kite := likeDoc(birds()[0])
			got, err := ix.Related(ctx, RelatedRequest{Like: kite, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(got, 1) || slices.Contains(got, 2) {
				t.Errorf("related to 1: %v, want neither it nor its copy 2", got)
			}
			if slices.Contains(got, 3) == slices.Contains(got, 4) {
				t.Errorf("related to 1: %v, want one of the copies 3 and 4", got)
			}
			if !slices.Contains(got, 5) || !slices.Contains(got, 7) || !slices.Contains(got, 8) || slices.Contains(got, 6) {
				t.Errorf("related to 1: %v, want 5, 7 and 8 (unknown hashes never collapse) and not 6", got)
			}
			// Without its hash, its copy is only another result; copies
			// among the results still collapse.
			kite.PHash = 0
			if got, _ := ix.Related(ctx, RelatedRequest{Like: kite, Limit: 10}); !slices.Contains(got, 2) || slices.Contains(got, 3) == slices.Contains(got, 4) {
				t.Errorf("related to 1 without its hash: %v, want 2 and one of 3 and 4", got)
			}
			// A limit smaller than the copies still fills up.
			if got, _ := ix.Related(ctx, RelatedRequest{Like: likeDoc(birds()[0]), Limit: 3}); len(got) != 3 {
				t.Errorf("limit 3: %v", got)
			}
		})
	}
}

func TestSearchLike(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, birds())
			kite := likeDoc(birds()[0])
			want, err := ix.Related(ctx, RelatedRequest{Like: kite, Limit: MaxRelated})
			if err != nil {
				t.Fatal(err)
			}
			// The same list, page by page, whatever the query or sort says.
			var paged []uint32
			for p := 1; p < 10; p++ {
				res, err := ix.Search(ctx, Request{Like: &kite, Query: "office", Sort: SortPriceAsc, Facets: true, Page: p, PerPage: 2})
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != len(want) || res.Facets != nil {
					t.Fatalf("page %d: total %d (want %d), facets %v", p, res.Total, len(want), res.Facets)
				}
				paged = append(paged, res.IDs...)
			}
			if !slices.Equal(paged, want) || len(want) < 4 {
				t.Fatalf("pages %v, related %v", paged, want)
			}
			// Filters apply.
			if got := ids(t, ix, Request{Like: &kite, Filters: Filters{Orientation: []string{"portrait"}}}); !slices.Equal(got, []uint32{5, 7}) && !slices.Equal(got, []uint32{7, 5}) {
				t.Fatalf("portrait only: %v", got)
			}
		})
	}
}

// TestRelatedMatchesItsDefinition checks "more like this" on a catalogue big enough to have
// common and rare keywords, copies and ties against a plain, map-based statement of its
// scoring: the same documents in the same order, for Related and for a like search.
func TestRelatedMatchesItsDefinition(t *testing.T) {
	docs := relatedCatalogue(3000)
	ix := builders["build"](t, docs)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 300 {
		if i == 150 {
			// Dead slots, moved documents and new counts: delete a tenth, give another
			// tenth new keywords (a new slot each).
			var b Batch
			for j := 0; j < len(docs); j += 10 {
				b.Deletes = append(b.Deletes, docs[j].ID)
				moved := docs[j+1]
				moved.Keywords = append(slices.Clone(moved.Keywords[1:]), "w1")
				b.Upserts = append(b.Upserts, moved)
				docs[j+1] = moved
			}
			b.Cursor = 3
			if err := ix.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			deleted := map[uint32]bool{}
			for _, id := range b.Deletes {
				deleted[id] = true
			}
			docs = slices.DeleteFunc(docs, func(d Document) bool { return deleted[d.ID] })
		}
		e := ix.eng.Load()
		d := docs[rng.IntN(len(docs))]
		l := likeDoc(d)
		if i%3 == 0 {
			l.Exclude = []uint32{docs[rng.IntN(len(docs))].ID}
		}
		if i%5 == 0 {
			l.PHash = 0
		}
		for _, limit := range []int{8, MaxRelated} {
			got, err := ix.Related(ctx, RelatedRequest{Like: l, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			want := relatedReference(e, &l, limit)
			if !slices.Equal(got, want) {
				t.Fatalf("related to %d (limit %d):\n got %v\nwant %v", d.ID, limit, got, want)
			}
		}
		res, err := ix.Search(ctx, Request{Like: &l, PerPage: MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		if want := relatedReference(e, &l, MaxRelated); res.Total != len(want) || !slices.Equal(res.IDs, want[:min(MaxPerPage, len(want))]) {
			t.Fatalf("like search for %d: total %d, %v; want %d, %v", d.ID, res.Total, res.IDs, len(want), want)
		}
	}
}

// relatedCatalogue is n documents with Zipf-distributed keywords from a small vocabulary (so
// that some are shared by more than a quarter of the catalogue), a few categories and colours,
// and perceptual hashes with near-identical copies among them.
func relatedCatalogue(n int) []Document {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 3, 499)
	cats := []string{"animals", "food", "nature", "people", "travel"}
	colors := []string{"red", "blue", "green", "white"}
	docs := make([]Document, n)
	for i := range docs {
		kw := []string{}
		for len(kw) < 5+rng.IntN(20) {
			w := fmt.Sprintf("w%d", zipf.Uint64())
			if !slices.Contains(kw, w) {
				kw = append(kw, w)
			}
		}
		h := rng.Uint64()
		if i > 0 && i%10 == 0 {
			h = docs[i-1].PHash ^ (1 << rng.IntN(64)) // a copy of the one before
		}
		docs[i] = Document{
			ID: uint32(i + 1), Title: strings.Join(kw[:3], " "), Keywords: kw, //nolint:gosec // small
			Category: cats[rng.IntN(len(cats))], CategoryName: "x", Orientation: "landscape",
			Colors: []string{colors[rng.IntN(len(colors))]}, Use: "commercial", AI: "none",
			PriceCents: 300, Megapixels: 12, ApprovedAt: day(i % 300), PHash: h,
		}
	}
	return docs
}

// relatedReference is likeScores and alike as first written: scores in a map of every
// document sharing a keyword, boosted for category and colours.
func relatedReference(e *engine, l *Like, k int) []uint32 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := float64(e.live.GetCardinality())
	scores := map[uint32]float32{}
	for _, t := range e.analyze(l.Keywords...) {
		df := float64(e.termSet(t).AndCardinality(e.live))
		if df == 0 || df > max(n/4, 50) {
			continue
		}
		idf := float32(math.Log(1 + n/df))
		for _, f := range []int{keywordsField, titleField} {
			if bm := e.text[f].get(t); bm != nil {
				for it := roaring.And(bm, e.live).Iterator(); it.HasNext(); {
					scores[it.Next()] += idf * textFields[f].weight
				}
			}
		}
	}
	boost := func(bm *roaring.Bitmap, w float32) {
		for s := range scores {
			if bm != nil && bm.Contains(s) {
				scores[s] += w
			}
		}
	}
	boost(e.facets[FacetCategory][l.Category], 1)
	for _, c := range l.Colors {
		boost(e.facets[FacetColor][c], 0.5)
	}
	skip := map[uint32]bool{}
	for _, id := range append([]uint32{l.ID}, l.Exclude...) {
		if s, ok := e.slotFor(id); ok {
			skip[s] = true
		}
	}
	var cands []uint32
	for s := range scores {
		if !skip[s] && !nearIdentical(l.PHash, e.phash[s]) {
			cands = append(cands, s)
		}
	}
	slices.SortFunc(cands, func(a, b uint32) int {
		if scores[a] != scores[b] {
			return cmp.Compare(scores[b], scores[a])
		}
		return cmp.Compare(a, b)
	})
	var out []uint32
	var hashes []uint64
	for _, s := range cands {
		h := e.phash[s]
		if slices.ContainsFunc(hashes, func(o uint64) bool { return nearIdentical(h, o) }) {
			continue
		}
		out = append(out, e.ids[s])
		if h != 0 {
			hashes = append(hashes, h)
		}
		if len(out) == k {
			break
		}
	}
	return out
}

// TestRelatedWhileApplying runs "more like this" beside batches that change the counts it
// caches (run it with -race).
func TestRelatedWhileApplying(t *testing.T) {
	docs := relatedCatalogue(500)
	ix := builders["build"](t, docs)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ix.Related(ctx, RelatedRequest{Like: likeDoc(docs[i%len(docs)]), Limit: 8}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 30 {
		d := docs[i]
		d.Keywords = append(slices.Clone(d.Keywords), fmt.Sprintf("new%d", i))
		if err := ix.Apply(ctx, Batch{Upserts: []Document{d}, Deletes: []uint32{docs[400+i].ID}, Cursor: int64(10 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	e := ix.eng.Load()
	l := likeDoc(docs[1])
	if got, _ := ix.Related(ctx, RelatedRequest{Like: l, Limit: 8}); !slices.Equal(got, relatedReference(e, &l, 8)) {
		t.Errorf("after the batches: %v, want %v", got, relatedReference(e, &l, 8))
	}
}
