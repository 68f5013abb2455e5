package search

import (
	"slices"
	"testing"
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
