package search

import (
	"context"
	"errors"
	"iter"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var ctx = context.Background()

func day(n int) time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

// fixture is a small catalogue whose rankings are known.
func fixture() []Document {
	return []Document{
		{ID: 1, Title: "Red kite over the ridge", Keywords: []string{"kite", "bird", "red", "ridge", "flight"}, Category: "animals", CategoryName: "Animals & wildlife",
			Orientation: "landscape", Colors: []string{"red", "blue"}, Use: "commercial", Released: false, AI: "none", PriceCents: 300, Megapixels: 24, ApprovedAt: day(10), Sales: 5, Contributor: "cora"},
		{ID: 2, Title: "A red barn and a kite in the field", Keywords: []string{"barn", "farm", "kite", "field", "red"}, Category: "landscapes", CategoryName: "Landscapes",
			Orientation: "landscape", Colors: []string{"red", "green"}, Use: "commercial", AI: "none", PriceCents: 300, Megapixels: 12, ApprovedAt: day(11), Sales: 1, Contributor: "otto"},
		{ID: 3, Title: "Sunset over the sea", Keywords: []string{"sunset", "sea", "evening", "horizon", "calm evening sea"}, Category: "landscapes", CategoryName: "Landscapes",
			Orientation: "landscape", Colors: []string{"orange"}, Use: "commercial", AI: "none", PriceCents: 500, Megapixels: 8, ApprovedAt: day(3), Sales: 40, Views: 900, Contributor: "cora"},
		{ID: 4, Title: "Beach at sunrise", Keywords: []string{"beach", "sunrise", "sand", "morning"}, Description: "The last sunsets of summer glow behind the dunes.",
			Category: "travel", CategoryName: "Travel & places", Orientation: "portrait", Colors: []string{"yellow", "blue"}, Use: "editorial", AI: "none", PriceCents: 250, Megapixels: 16, ApprovedAt: day(5), Sales: 0, Contributor: "otto"},
		{ID: 5, Title: "Golden hour in the city", Keywords: []string{"golden hour", "city", "street", "evening"}, Category: "travel", CategoryName: "Travel & places",
			Orientation: "landscape", Colors: []string{"orange", "yellow"}, Use: "commercial", AI: "assisted", PriceCents: 1500, Megapixels: 30, ApprovedAt: day(20), Sales: 2, Contributor: "cora"},
		{ID: 6, Title: "Gold coins on a table", Keywords: []string{"gold", "coins", "money", "finance"}, Category: "business", CategoryName: "Business & finance",
			Orientation: "square", Colors: []string{"yellow", "brown"}, Use: "commercial", Released: true, AI: "generated", PriceCents: 150, Megapixels: 6, ApprovedAt: day(1), Sales: 0, Contributor: "otto"},
		{ID: 7, Title: "Mountain lake at dawn", Keywords: []string{"mountain", "lake", "reflection", "dawn"}, Category: "landscapes", CategoryName: "Landscapes",
			Orientation: "portrait", Colors: []string{"blue", "teal"}, Use: "commercial", AI: "none", PriceCents: 2500, Megapixels: 60, ApprovedAt: day(15), Sales: 12, Contributor: "cora"},
		{ID: 8, Title: "Sunsets over mountains", Keywords: []string{"sunset", "mountain", "sky"}, Category: "nature", CategoryName: "Nature",
			Orientation: "panorama", Colors: []string{"orange", "purple"}, Use: "commercial", AI: "none", PriceCents: 300, Megapixels: 20, ApprovedAt: day(8), Sales: 12, Views: 50, Contributor: "otto"},
		{ID: 9, Title: "Business team meeting", Keywords: []string{"business", "team", "office", "people", "meeting"}, Category: "business", CategoryName: "Business & finance",
			Orientation: "landscape", Colors: []string{"white", "gray"}, Use: "editorial", Released: true, AI: "none", PriceCents: 800, Megapixels: 24, ApprovedAt: day(2), Sales: 7, Contributor: "cora"},
		{ID: 10, Title: "Dog running on the beach", Keywords: []string{"dog", "beach", "pet", "running"}, Category: "animals", CategoryName: "Animals & wildlife",
			Orientation: "landscape", Colors: []string{"blue", "yellow"}, Use: "commercial", Released: false, AI: "none", PriceCents: 1200, Megapixels: 12, ApprovedAt: day(12), Sales: 3, Contributor: "otto"},
		{ID: 11, Title: "Cat asleep on a sofa", Keywords: []string{"cat", "pet", "sleep", "home"}, Category: "animals", CategoryName: "Animals & wildlife",
			Orientation: "square", Colors: []string{"brown", "white"}, Use: "commercial", AI: "none", PriceCents: 190, Megapixels: 4, ApprovedAt: day(6), Sales: 0, Contributor: "cora"},
	}
}

func seq(docs []Document) iter.Seq2[Document, error] {
	return func(yield func(Document, error) bool) {
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// builders are the three ways to get an index of a catalogue; every
// conformance test must pass on each.
var builders = map[string]func(t *testing.T, docs []Document) *Index{
	"batches": func(t *testing.T, docs []Document) *Index {
		ix, err := Open(filepath.Join(t.TempDir(), "idx"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		// Two batches, to exercise more than one segment.
		half := len(docs) / 2
		if err := ix.Apply(ctx, Batch{Upserts: docs[:half], Cursor: 1}); err != nil {
			t.Fatal(err)
		}
		if err := ix.Apply(ctx, Batch{Upserts: docs[half:], Cursor: 2}); err != nil {
			t.Fatal(err)
		}
		return ix
	},
	"build": func(t *testing.T, docs []Document) *Index {
		ix, err := Build(ctx, filepath.Join(t.TempDir(), "idx"), seq(docs), 2, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	},
	"reopened": func(t *testing.T, docs []Document) *Index {
		dir := filepath.Join(t.TempDir(), "idx")
		ix, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Index everything, then change and delete some, then reopen: the
		// engine loaded from Bleve's postings must equal the incremental one.
		if err := ix.Apply(ctx, Batch{Upserts: docs, Cursor: 1}); err != nil {
			t.Fatal(err)
		}
		ghost := Document{ID: 99, Title: "Ghost kite sunset beach", Keywords: []string{"kite", "sunset"}, Category: "animals", ApprovedAt: day(30)}
		if err := ix.Apply(ctx, Batch{Upserts: []Document{ghost}, Cursor: 2}); err != nil {
			t.Fatal(err)
		}
		if err := ix.Apply(ctx, Batch{Deletes: []uint32{99}, Cursor: 3}); err != nil {
			t.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		ix, err = Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		if ix.Cursor() != 3 {
			t.Fatalf("cursor after reopen: %d", ix.Cursor())
		}
		return ix
	},
}

func ids(t *testing.T, ix *Index, r Request) []uint32 {
	t.Helper()
	res, err := ix.Search(ctx, r)
	if err != nil {
		t.Fatalf("search %+v: %v", r, err)
	}
	return res.IDs
}

func TestConformance(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			if n := ix.Count(); n != len(fixture()) {
				t.Fatalf("count %d, want %d", n, len(fixture()))
			}
			for _, tc := range []struct {
				name  string
				req   Request
				want  []uint32 // exact order
				check func(got []uint32) string
			}{
				{name: "stemming: plural query finds singular", req: Request{Query: "sunsets"}, check: containsAll(3, 8, 4)},
				{name: "stemming: singular query finds plural", req: Request{Query: "sunset"}, check: containsAll(3, 8)},
				{name: "title and keywords beat description", req: Request{Query: "sunset"}, check: ranksBefore([]uint32{3, 8}, 4)},
				{name: "phrase beats scattered words", req: Request{Query: "red kite"}, check: ranksBefore([]uint32{1}, 2)},
				{name: "quoted phrase must be together", req: Request{Query: `"red kite"`}, want: []uint32{1}},
				{name: "quoted phrase in keywords", req: Request{Query: `"golden hour"`}, want: []uint32{5}},
				{name: "stop words do not break a phrase", req: Request{Query: `"kite ridge"`}, want: []uint32{1}},
				{name: "quoted phrase inside a longer keyword", req: Request{Query: `"evening sea"`}, want: []uint32{3}},
				{name: "quoted phrase keeps its order", req: Request{Query: `"sea evening"`}, want: nil},
				{name: "quoted phrase does not span two keywords", req: Request{Query: `"kite bird"`}, want: nil},
				{name: "all words by default", req: Request{Query: "kite barn"}, want: []uint32{2}},
				{name: "exclusion", req: Request{Query: "beach -dog"}, want: []uint32{4}},
				{name: "excluded phrase", req: Request{Query: `kite -"red barn"`}, want: []uint32{1}},
				{name: "OR mode", req: Request{Query: "cat OR dog", Sort: SortNewest}, want: []uint32{10, 11}},
				{name: "any flag", req: Request{Query: "cat dog", Any: true, Sort: SortNewest}, want: []uint32{10, 11}},
				{name: "unknown word matches nothing", req: Request{Query: "sunset zeppelin"}, want: nil},
				{name: "contributor name is searchable", req: Request{Query: "otto gold"}, want: []uint32{6}},
				{name: "category name is searchable", req: Request{Query: "wildlife", Sort: SortNewest}, want: []uint32{10, 1, 11}},
				{name: "filter with text", req: Request{Query: "beach", Filters: Filters{Orientation: []string{"portrait"}}}, want: []uint32{4}},
				{name: "two facets combine", req: Request{Filters: Filters{Category: []string{"animals"}, Color: []string{"blue"}}, Sort: SortNewest}, want: []uint32{10, 1}},
				{name: "values of one facet are alternatives", req: Request{Filters: Filters{Orientation: []string{"square", "panorama"}}, Sort: SortNewest}, want: []uint32{8, 11, 6}},
				{name: "price range", req: Request{Filters: Filters{MinPrice: 200, MaxPrice: 499}, Sort: SortPriceAsc}, want: []uint32{4, 2, 1, 8}}, // ties: newest first
				{name: "price band", req: Request{Filters: Filters{MinPrice: 0, MaxPrice: 199}, Sort: SortPriceAsc}, want: []uint32{6, 11}},
				{name: "minimum size", req: Request{Filters: Filters{MinMP: 24}, Sort: SortNewest}, want: []uint32{5, 7, 1, 9}},
				{name: "released", req: Request{Filters: Filters{Released: []string{"yes"}}, Sort: SortNewest}, want: []uint32{9, 6}},
				{name: "sort newest", req: Request{Sort: SortNewest, PerPage: 3}, want: []uint32{5, 7, 10}},
				{name: "sort popular", req: Request{Sort: SortPopular, PerPage: 4}, want: []uint32{3, 8, 7, 9}},
				{name: "sort undiscovered", req: Request{Sort: SortUndiscovered, PerPage: 3}, want: []uint32{11, 4, 6}},
				{name: "sort price ascending", req: Request{Sort: SortPriceAsc, PerPage: 3}, want: []uint32{6, 11, 4}},
				{name: "sort price descending", req: Request{Sort: SortPriceDesc, PerPage: 3}, want: []uint32{7, 5, 10}},
				{name: "operators are not syntax", req: Request{Query: "kite* ~kite~ (kite) /kite/ kite^"}, check: containsAll(1, 2)},
				{name: "a field name is a word", req: Request{Query: "title:kite"}, want: nil}, // "title" is in no document
				{name: "stop words alone browse", req: Request{Query: "the of", Sort: SortNewest, PerPage: 2}, want: []uint32{5, 7}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got := ids(t, ix, tc.req)
					if tc.check != nil {
						if msg := tc.check(got); msg != "" {
							t.Fatalf("%s: got %v", msg, got)
						}
						return
					}
					if !slices.Equal(got, tc.want) {
						t.Fatalf("got %v, want %v", got, tc.want)
					}
				})
			}
		})
	}
}

func containsAll(want ...uint32) func([]uint32) string {
	return func(got []uint32) string {
		for _, w := range want {
			if !slices.Contains(got, w) {
				return "missing " + itoa(w)
			}
		}
		return ""
	}
}

func ranksBefore(first []uint32, later uint32) func([]uint32) string {
	return func(got []uint32) string {
		li := slices.Index(got, later)
		if li < 0 {
			return "missing " + itoa(later)
		}
		for _, f := range first {
			if i := slices.Index(got, f); i < 0 || i > li {
				return itoa(f) + " does not rank before " + itoa(later)
			}
		}
		return ""
	}
}

func itoa(n uint32) string { return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n%10))) }

// facetModes are the two ways facets are counted (see facets.go): every
// facet test runs in both.
var facetModes = map[string]facetMode{"bitmaps": facetsByBitmaps, "scan": facetsByScan}

func setFacetMode(ix *Index, m facetMode) {
	e := ix.eng.Load()
	e.mu.Lock()
	e.facetMode = m
	e.mu.Unlock()
}

func TestFacetCountsAreExactAndDisjunctive(t *testing.T) {
	for name, build := range builders {
		for name2, mode := range facetModes {
			t.Run(name+"/"+name2, func(t *testing.T) {
				ix := build(t, fixture())
				setFacetMode(ix, mode)
				testFacetCounts(t, ix)
			})
		}
	}
}

func testFacetCounts(t *testing.T, ix *Index) {
	t.Helper()
	res, err := ix.Search(ctx, Request{Query: "beach", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]FacetValue{
		FacetOrientation: {{"landscape", 1}, {"portrait", 1}},
		FacetUse:         {{"commercial", 1}, {"editorial", 1}},
		FacetReleased:    {{"no", 2}},
		FacetPrice:       {{"2-5", 1}, {"10-20", 1}},
		FacetSize:        {{"4", 2}, {"12", 2}},
		FacetColor:       {{"blue", 2}, {"yellow", 2}},
		FacetCategory:    {{"animals", 1}, {"travel", 1}},
	}
	for facet, vals := range want {
		if got := res.Facets[facet]; !slices.Equal(got, vals) {
			t.Errorf("%s: got %v, want %v", facet, got, vals)
		}
	}
	// Filtering on one orientation leaves the other orientation's
	// count visible (so it can be chosen instead), while the other
	// facets count only the filtered results.
	res, err = ix.Search(ctx, Request{Query: "beach", Facets: true, Filters: Filters{Orientation: []string{"portrait"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || !slices.Equal(res.Facets[FacetOrientation], []FacetValue{{"landscape", 1}, {"portrait", 1}}) {
		t.Fatalf("disjunctive orientation facet: total %d, %v", res.Total, res.Facets[FacetOrientation])
	}
	if !slices.Equal(res.Facets[FacetUse], []FacetValue{{"editorial", 1}}) {
		t.Fatalf("use facet under the filter: %v", res.Facets[FacetUse])
	}
	// Browsing everything: categories by count.
	res, err = ix.Search(ctx, Request{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 11 || !slices.Equal(res.Facets[FacetCategory][:2], []FacetValue{{"animals", 3}, {"landscapes", 3}}) {
		t.Fatalf("browse: total %d, categories %v", res.Total, res.Facets[FacetCategory])
	}
}

// TestFacetModesAgree counts the facets of many requests — queries large
// and small, every kind of filter, alone and together — both ways.
func TestFacetModesAgree(t *testing.T) {
	ix := builders["reopened"](t, fixture())
	queries := []string{"", "beach", "sunset OR kite OR cat", "red", "pet", "zeppelin"}
	filters := []Filters{
		{},
		{Category: []string{"animals"}},
		{Category: []string{"animals", "travel"}, Color: []string{"blue"}},
		{Color: []string{"orange", "white"}, Use: []string{"commercial"}},
		{Released: []string{"yes"}, AI: []string{"none", "generated"}},
		{MinPrice: 200, MaxPrice: 999},
		{MinPrice: 500},
		{MinPrice: 0, MaxPrice: 199},
		{MinMP: 12},
		{MinMP: 15, Orientation: []string{"landscape"}},
		{Orientation: []string{"portrait"}, Color: []string{"blue"}, MinPrice: 100, MinMP: 4, Category: []string{"landscapes"}},
		{Category: []string{"no-such-category"}},
	}
	for _, q := range queries {
		for _, f := range filters {
			r := Request{Query: q, Filters: f, Facets: true}
			setFacetMode(ix, facetsByBitmaps)
			byBitmaps, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			setFacetMode(ix, facetsByScan)
			byScan, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(byBitmaps.Facets, byScan.Facets) {
				t.Errorf("%q %+v:\nbitmaps %v\nscan    %v", q, f, byBitmaps.Facets, byScan.Facets)
			}
		}
	}
}

func TestRepeatedStemCountsOnce(t *testing.T) {
	ix := builders["batches"](t, fixture())
	once := ids(t, ix, Request{Query: "sunset"})
	if twice := ids(t, ix, Request{Query: "sunsets sunset"}); !slices.Equal(once, twice) {
		t.Fatalf(`"sunsets sunset" gives %v, "sunset" %v`, twice, once)
	}
}

func TestPaginationIsStable(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			for _, sort := range []Sort{SortRelevance, SortNewest, SortPopular, SortUndiscovered, SortPriceAsc} {
				q := "kite beach sunset mountain cat"
				all := ids(t, ix, Request{Query: q, Any: true, Sort: sort, PerPage: 100})
				var paged []uint32
				for p := 1; ; p++ {
					page := ids(t, ix, Request{Query: q, Any: true, Sort: sort, PerPage: 2, Page: p})
					if len(page) == 0 {
						break
					}
					paged = append(paged, page...)
				}
				if !slices.Equal(all, paged) || len(all) < 6 {
					t.Fatalf("%s: pages %v differ from one page %v", sort, paged, all)
				}
			}
		})
	}
}

func TestLimitsBoundEveryRequest(t *testing.T) {
	ix := builders["batches"](t, fixture())
	if _, err := ix.Search(ctx, Request{Page: 101, PerPage: 100}); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("deep page: %v", err)
	}
	res, err := ix.Search(ctx, Request{PerPage: 10_000})
	if err != nil || len(res.IDs) != 11 {
		t.Fatalf("huge page size: %v %v", res, err)
	}
	if _, err := ix.Search(ctx, Request{Sort: "random"}); err == nil {
		t.Fatal("unknown sort accepted")
	}
	// A runaway query: thousands of wildcards. Only the first characters and
	// terms are read, and nothing is expanded.
	start := time.Now()
	res, err = ix.Search(ctx, Request{Query: strings.Repeat("a* ", 5000) + "kite", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("runaway query took %v", time.Since(start))
	}
	if q := ParseQuery(strings.Repeat("kite ", 100), false); len(q.Must) != MaxQueryTerms {
		t.Fatalf("parsed %d terms, want the cap of %d", len(q.Must), MaxQueryTerms)
	}
	_ = res
}

func TestSuggestAndDidYouMean(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			// Suggestions refresh in the background after batches; here, now.
			if err := ix.suggest.refresh(ix); err != nil {
				t.Fatal(err)
			}
			got, err := ix.Suggest(ctx, "Go", 5)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []string{"gold", "golden hour"}) {
				t.Fatalf("suggest go: %v", got)
			}
			got, _ = ix.Suggest(ctx, "e", 5)
			if len(got) == 0 || got[0] != "evening" { // used twice
				t.Fatalf("suggest e: %v", got)
			}
			if got, _ := ix.Suggest(ctx, "zz", 5); len(got) != 0 {
				t.Fatalf("suggest zz: %v", got)
			}
			res, err := ix.Search(ctx, Request{Query: "sunsett"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 0 || res.Suggestion != "sunset" {
				t.Fatalf("did you mean: total %d suggestion %q", res.Total, res.Suggestion)
			}
			res, _ = ix.Search(ctx, Request{Query: "mountan lake"}) //nolint:misspell // the typo is the point
			if res.Suggestion != "mountain lake" {
				t.Fatalf("did you mean for two words: %q", res.Suggestion)
			}
			res, _ = ix.Search(ctx, Request{Query: "kite"})
			if res.Suggestion != "" {
				t.Fatalf("suggestion for a query with results: %q", res.Suggestion)
			}
		})
	}
}

// Did-you-mean remembers its words only until the index changes: a word
// that had no better spelling may have one after new images arrive.
func TestDidYouMeanFollowsNewDocuments(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			for range 2 { // the second time from the memo
				if res, _ := ix.Search(ctx, Request{Query: "glaciar"}); res.Total != 0 || res.Suggestion != "" {
					t.Fatalf("before any glacier: total %d, suggestion %q", res.Total, res.Suggestion)
				}
			}
			var docs []Document
			for i := range 3 {
				d := fixture()[0]
				d.ID, d.Title, d.Keywords = uint32(100+i), "Blue ice", []string{"glacier", "ice", "blue"}
				docs = append(docs, d)
			}
			if err := ix.Apply(ctx, Batch{Upserts: docs, Cursor: 10}); err != nil {
				t.Fatal(err)
			}
			if res, _ := ix.Search(ctx, Request{Query: "glaciar"}); res.Suggestion != "glacier" {
				t.Fatalf("after three glaciers: suggestion %q", res.Suggestion)
			}
		})
	}
}

// Related remembers its lists only until the index changes, and a caller
// cannot change what it remembers.
func TestRelatedFollowsNewDocuments(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			d := fixture()[0] // red kite
			req := RelatedRequest{Like: Like{ID: d.ID, Keywords: d.Keywords, Category: d.Category, Colors: d.Colors}, Limit: 3}
			first, err := ix.Related(ctx, req)
			if err != nil || len(first) == 0 {
				t.Fatalf("related: %v %v", first, err)
			}
			want := slices.Clone(first)
			first[0] = 999
			if again, _ := ix.Related(ctx, req); !slices.Equal(again, want) {
				t.Fatalf("the second answer %v, want %v", again, want)
			}
			twin := d
			twin.ID, twin.Title = 300, "Red kite on the ridge"
			if err := ix.Apply(ctx, Batch{Upserts: []Document{twin}, Cursor: 10}); err != nil {
				t.Fatal(err)
			}
			if got, _ := ix.Related(ctx, req); len(got) == 0 || got[0] != 300 {
				t.Fatalf("after a twin arrived: %v, want it first", got)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	ix := builders["batches"](t, fixture())
	res, err := ix.Search(ctx, Request{Query: "sunset"})
	if err != nil {
		t.Fatal(err)
	}
	frags := ix.Highlight("Sunsets over mountains", res.Highlight)
	want := []Fragment{{"Sunsets", true}, {" over mountains", false}}
	if !slices.Equal(frags, want) {
		t.Fatalf("highlight: %v", frags)
	}
	if f := ix.Highlight("Kite", nil); len(f) != 1 || f[0].Match {
		t.Fatalf("no terms: %v", f)
	}
}

func TestRelated(t *testing.T) {
	for name, build := range builders {
		t.Run(name, func(t *testing.T) {
			ix := build(t, fixture())
			d := fixture()[0] // red kite
			got, err := ix.Related(ctx, RelatedRequest{Like: Like{ID: d.ID, Keywords: d.Keywords, Category: d.Category, Colors: d.Colors}, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[0] != 2 || slices.Contains(got, d.ID) {
				t.Fatalf("related to the red kite: %v", got)
			}
			got, _ = ix.Related(ctx, RelatedRequest{Like: Like{ID: d.ID, Keywords: d.Keywords, Exclude: []uint32{2}}, Limit: 5})
			if slices.Contains(got, 2) {
				t.Fatalf("excluded image returned: %v", got)
			}
		})
	}
}
