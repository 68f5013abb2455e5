package search

import (
	"fmt"
	"slices"
	"testing"
)

// kites is a catalogue where new documents rank low: 30 old kites match
// "kite" in title and keywords; 5 new ones (approved after day 86) only in
// the title, which scores more than half as much; one new one only in its
// description (too little); new ones match other words: "festival", "bird"
// (well, but without "kite") and a kestrel that matches nothing.
func kites() []Document {
	var docs []Document
	for i := range 30 {
		docs = append(docs, Document{ID: uint32(i + 1), Title: fmt.Sprintf("Red kite bird %d", i), Keywords: []string{"kite", "bird"},
			Category: "animals", Orientation: "landscape", PriceCents: int64(100 + i), ApprovedAt: day(i), Sales: int64(i % 7)})
	}
	for i := range 5 {
		docs = append(docs, Document{ID: uint32(101 + i), Title: fmt.Sprintf("Kite number %d", i), Keywords: []string{"sky", "wind"},
			Category: "animals", Orientation: "landscape", PriceCents: 300, ApprovedAt: day(95 + i)})
	}
	return append(docs,
		Document{ID: 201, Title: "Beach day", Keywords: []string{"beach", "sand"}, Description: "A kite far away.", Category: "travel", PriceCents: 300, ApprovedAt: day(99)},
		Document{ID: 202, Title: "Festival crowd", Keywords: []string{"festival", "crowd", "summer"}, Category: "travel", PriceCents: 300, ApprovedAt: day(99)},
		Document{ID: 203, Title: "Kestrel hovering", Keywords: []string{"kestrel", "prey"}, Category: "animals", PriceCents: 300, ApprovedAt: day(99)},
		Document{ID: 204, Title: "Bird of prey", Keywords: []string{"bird", "prey"}, Category: "animals", PriceCents: 300, ApprovedAt: day(99)},
	)
}

var since = day(86) // "now" is day 100: 14 days back

func TestFreshPlacesAreBounded(t *testing.T) {
	for perPage, want := range map[int][]int{5: nil, 9: nil, 10: {5}, 12: {5}, 24: {5, 17}, 48: {5, 17, 29, 41}, 100: {5, 17, 29, 41, 53, 65, 77, 89}} {
		if got := freshPlaces(perPage); !slices.Equal(got, want) {
			t.Errorf("%d a page: places %v, want %v", perPage, got, want)
		}
	}
}

func TestFreshDocumentsGetBoundedPlacesOnPageOne(t *testing.T) {
	newKites := []uint32{101, 102, 103, 104, 105}
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, kites())
			search := func(r Request) *Result {
				t.Helper()
				res, err := ix.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			// The premise: on plain relevance, page 1 has no new kite.
			plain := search(Request{Query: "kite", PerPage: 24})
			for _, id := range plain.IDs {
				if id > 100 {
					t.Fatalf("plain relevance already shows new document %d on page 1: %v", id, plain.IDs)
				}
			}

			first := search(Request{Query: "kite", PerPage: 24, FreshSince: since})
			// Exactly two, the newest first, at places 6 and 18.
			if !slices.Equal(first.Fresh, []uint32{105, 104}) || first.IDs[5] != 105 || first.IDs[17] != 104 || len(first.IDs) != 24 {
				t.Fatalf("page 1: %v, fresh %v", first.IDs, first.Fresh)
			}
			if first.Total != plain.Total {
				t.Fatalf("total %d, plain %d", first.Total, plain.Total)
			}
			var onPage []uint32
			for _, id := range first.IDs {
				if slices.Contains(newKites, id) || id > 200 {
					onPage = append(onPage, id)
				}
			}
			if len(onPage) != 2 {
				t.Fatalf("page 1 shows new documents %v, want exactly the two promoted", onPage)
			}
			// The others are the plain order, less the two displaced.
			rest := slices.DeleteFunc(slices.Clone(first.IDs), func(id uint32) bool { return id > 100 })
			if !slices.Equal(rest, plain.IDs[:22]) {
				t.Fatalf("page 1 without the fresh: %v, plain %v", rest, plain.IDs[:22])
			}

			// Pages 2 and 3: no promotion, no repeat, nothing lost.
			all := slices.Clone(first.IDs)
			for p := 2; p <= 3; p++ {
				res := search(Request{Query: "kite", PerPage: 24, Page: p, FreshSince: since})
				if len(res.Fresh) != 0 {
					t.Fatalf("page %d promotes %v", p, res.Fresh)
				}
				all = append(all, res.IDs...)
			}
			everything := search(Request{Query: "kite", PerPage: 100})
			sorted := slices.Clone(all)
			slices.Sort(sorted)
			want := slices.Clone(everything.IDs)
			slices.Sort(want)
			if !slices.Equal(sorted, want) || len(all) != everything.Total {
				t.Fatalf("pages 1–3 %v hold other documents than the results %v", all, everything.IDs)
			}
			// The displaced documents open page 2.
			if second := all[24:26]; !slices.Equal(second, plain.IDs[22:24]) {
				t.Fatalf("page 2 opens with %v, want the displaced %v", second, plain.IDs[22:24])
			}

			// Weak and non-matches never; a word matched alone never, even
			// in "any" mode.
			for _, r := range []Request{
				{Query: "kite", PerPage: 10, FreshSince: since},
				{Query: "kite festival", Any: true, PerPage: 24, FreshSince: since},
				{Query: "kite", PerPage: 24, FreshSince: day(99)},
			} {
				res := search(r)
				for _, id := range res.Fresh {
					if !slices.Contains(newKites, id) {
						t.Errorf("%+v promotes %d", r, id)
					}
				}
				if len(res.Fresh) > len(freshPlaces(r.PerPage)) {
					t.Errorf("%+v promotes %v", r, res.Fresh)
				}
			}
			for _, q := range []string{"kite festival", "kite bird"} {
				if res := search(Request{Query: q, Any: true, PerPage: 24, FreshSince: since}); len(res.Fresh) != 0 {
					t.Errorf("%q in any mode promotes %v, which match one word only", q, res.Fresh)
				}
			}
			// Fresh documents already on page 1 keep their place and take
			// none: the places go to others, and nothing shows twice.
			res := search(Request{Query: "kite", PerPage: 24, FreshSince: day(25)}) // old kites 26–30 are fresh too, and first
			if !slices.Equal(res.Fresh, []uint32{105, 104}) || !slices.Equal(res.IDs[:5], []uint32{30, 29, 28, 27, 26}) || len(slices.Compact(slices.Sorted(slices.Values(res.IDs)))) != 24 {
				t.Errorf("fresh since day 25: %v, promoted %v", res.IDs, res.Fresh)
			}
			if res := search(Request{Query: "kite", PerPage: 10, FreshSince: since}); len(res.Fresh) != 1 {
				t.Errorf("10 a page: %v promoted, want 1", res.Fresh)
			}
			// Everything fits on one page: nothing to promote.
			if res := search(Request{Query: "kite", PerPage: 48, FreshSince: since}); len(res.Fresh) != 0 {
				t.Errorf("one page of everything promotes %v", res.Fresh)
			}

			// Other sorts, and browsing without words, are untouched.
			for _, sort := range []Sort{SortNewest, SortPopular, SortUndiscovered, SortPriceAsc, SortPriceDesc} {
				for p := 1; p <= 2; p++ {
					with := search(Request{Query: "kite", Sort: sort, PerPage: 24, Page: p, FreshSince: since})
					without := search(Request{Query: "kite", Sort: sort, PerPage: 24, Page: p})
					if !slices.Equal(with.IDs, without.IDs) || len(with.Fresh) != 0 {
						t.Errorf("%s page %d: %v, without fresh places %v", sort, p, with.IDs, without.IDs)
					}
				}
			}
			if with, without := search(Request{PerPage: 24, FreshSince: since}), search(Request{PerPage: 24}); !slices.Equal(with.IDs, without.IDs) {
				t.Errorf("browsing: %v, without fresh places %v", with.IDs, without.IDs)
			}
		})
	}
}
