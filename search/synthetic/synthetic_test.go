package synthetic

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/snapshop/snapshop/search"
)

func collect(n int, seed int64) []search.Document {
	var out []search.Document
	for d := range Catalogue(n, seed) {
		out = append(out, d)
	}
	return out
}

func TestCatalogueIsDeterministicBySeed(t *testing.T) {
	a, b, c := collect(300, 7), collect(300, 7), collect(300, 8)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed made different catalogues")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds made the same catalogue")
	}
	// A document does not depend on the ones before it, only on its ID (and n for the date).
	longer := collect(600, 7)
	for i := range a {
		x, y := a[i], longer[i]
		x.ApprovedAt, y.ApprovedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("document %d differs between catalogues of 300 and 600", i+1)
		}
	}
	if !slices.Equal(Queries(50, 3), Queries(50, 3)) || !slices.Equal(Prefixes(50, 3), Prefixes(50, 3)) {
		t.Fatal("queries or prefixes are not deterministic")
	}
	if !reflect.DeepEqual(Filters(50, 3), Filters(50, 3)) {
		t.Fatal("filters are not deterministic")
	}
}

func TestCatalogueStopsWhenAsked(t *testing.T) {
	n := 0
	for range Catalogue(1000, 1) {
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("got %d", n)
	}
}

func TestDocumentsAreWellFormed(t *testing.T) {
	cats := map[string]string{}
	for _, c := range Categories() {
		cats[c.Slug] = c.Name
	}
	if len(cats) != 20 {
		t.Fatalf("%d categories, want 20", len(cats))
	}
	colors, _ := colorTable()
	earliest, latest := Epoch().Add(-ApprovalSpan), Epoch()
	docs := collect(5000, 42)
	for i, d := range docs {
		if d.ID != uint32(i+1) {
			t.Fatalf("document %d has ID %d", i+1, d.ID)
		}
		if len(d.Keywords) != KeywordsPerImage {
			t.Fatalf("%d: %d keywords", d.ID, len(d.Keywords))
		}
		seen := map[string]bool{}
		for _, k := range d.Keywords {
			if seen[k] || k == "" || k != strings.ToLower(k) {
				t.Fatalf("%d: bad or repeated keyword %q in %q", d.ID, k, d.Keywords)
			}
			seen[k] = true
		}
		if n := len(strings.Fields(d.Title)); n < 4 || n > 10 || !unicode.IsUpper(rune(d.Title[0])) {
			t.Fatalf("%d: title %q has %d words", d.ID, d.Title, n)
		}
		if n := len(strings.Fields(d.Description)); n < 15 || n > 40 || !strings.HasSuffix(d.Description, ".") {
			t.Fatalf("%d: description %q has %d words", d.ID, d.Description, n)
		}
		if name, ok := cats[d.Category]; !ok || name != d.CategoryName {
			t.Fatalf("%d: category %q %q", d.ID, d.Category, d.CategoryName)
		}
		if !slices.Contains([]string{"landscape", "portrait", "square", "panorama"}, d.Orientation) {
			t.Fatalf("%d: orientation %q", d.ID, d.Orientation)
		}
		if len(d.Colors) < 1 || len(d.Colors) > 3 {
			t.Fatalf("%d: colours %q", d.ID, d.Colors)
		}
		for j, c := range d.Colors {
			if !slices.Contains(colors, c) || slices.Contains(d.Colors[:j], c) {
				t.Fatalf("%d: colours %q", d.ID, d.Colors)
			}
		}
		if d.Use != "commercial" && d.Use != "editorial" || !slices.Contains([]string{"none", "assisted", "generated"}, d.AI) {
			t.Fatalf("%d: use %q, ai %q", d.ID, d.Use, d.AI)
		}
		if d.PriceCents < 200 || d.PriceCents > 5000 || d.PriceCents%50 != 0 {
			t.Fatalf("%d: price %d", d.ID, d.PriceCents)
		}
		if d.Megapixels < 4 || d.Megapixels > 60 {
			t.Fatalf("%d: %v MP", d.ID, d.Megapixels)
		}
		if d.ApprovedAt.Before(earliest) || d.ApprovedAt.After(latest) || d.ApprovedAt.Location() != time.UTC {
			t.Fatalf("%d: approved %v", d.ID, d.ApprovedAt)
		}
		if d.Sales < 0 || d.Views < d.Sales || d.Contributor == "" {
			t.Fatalf("%d: sales %d views %d contributor %q", d.ID, d.Sales, d.Views, d.Contributor)
		}
	}
}

// TestDistributions checks the shares the package documents, with a margin for a sample of
// 20,000 images.
func TestDistributions(t *testing.T) {
	const n = 20_000
	count := map[string]int{}
	df := map[string]int{}
	contributors := map[string]int{}
	var phrases, standardPrice, noSales, sales, views int
	var maxSales int64
	for d := range Catalogue(n, 1) {
		count["orientation="+d.Orientation]++
		count["use="+d.Use]++
		count["ai="+d.AI]++
		if d.Released {
			count["released"]++
		}
		if d.PriceCents == 300 {
			standardPrice++
		}
		if d.Sales == 0 {
			noSales++
		}
		sales += int(d.Sales)
		views += int(d.Views)
		maxSales = max(maxSales, d.Sales)
		contributors[d.Contributor]++
		for _, k := range d.Keywords {
			df[k]++
			if strings.Contains(k, " ") {
				phrases++
			}
		}
	}
	share := func(k string) float64 { return float64(count[k]) / n }
	for k, want := range map[string]float64{
		"orientation=landscape": 0.55, "orientation=portrait": 0.30, "orientation=square": 0.10, "orientation=panorama": 0.05,
		"use=commercial": 0.85, "use=editorial": 0.15, "released": 0.40,
		"ai=none": 0.85, "ai=assisted": 0.10, "ai=generated": 0.05,
	} {
		if got := share(k); got < want-0.02 || got > want+0.02 {
			t.Errorf("%s: share %.3f, want %.2f", k, got, want)
		}
	}
	if f := float64(standardPrice) / n; f < 0.5 || f > 0.7 {
		t.Errorf("%.2f at the standard price", f)
	}
	if f := float64(noSales) / n; f < 0.5 || f > 0.75 || maxSales < 100 || views < 10*sales {
		t.Errorf("%.2f without sales, best seller %d, %d views for %d sales", f, maxSales, views, sales)
	}
	if len(contributors) < 150 || len(contributors) > 200 {
		t.Errorf("%d contributors", len(contributors))
	}
	// The head keyword is on a fifth or so of the images, not on all of them; the tail is long.
	top := 0
	for _, c := range df {
		top = max(top, c)
	}
	if f := float64(top) / n; f < 0.1 || f > 0.4 {
		t.Errorf("commonest keyword on %.2f of images", f)
	}
	if len(df) < 20_000 {
		t.Errorf("only %d distinct keywords in %d images", len(df), n)
	}
	if phrases == 0 {
		t.Error("no two-word keywords")
	}
}

func TestVocabulary(t *testing.T) {
	v := newVocabulary()
	if len(v.words) != VocabularySize {
		t.Fatalf("%d words", len(v.words))
	}
	seen := map[string]bool{}
	stop := map[string]bool{}
	for _, w := range stopWords() {
		stop[w] = true
	}
	for i, w := range v.words {
		if seen[w] || stop[w] || w != strings.TrimSpace(w) || w != strings.ToLower(w) {
			t.Fatalf("word %d %q repeated, a stop word or badly formed", i, w)
		}
		seen[w] = true
	}
	for _, w := range []string{"sunset", "beach", "mountain", "city", "portrait", "business", "food", "family", "nature", "dog", "cat", "sky", "water", "winter", "summer", "flower", "forest", "car", "people", "woman", "man", "child", "office", "technology"} {
		if i := slices.Index(v.words, w); i < 0 || i > 300 {
			t.Errorf("%q ranks %d", w, i)
		}
	}
}

func TestQueries(t *testing.T) {
	const n = 2000
	qs := Queries(n, 1)
	if len(qs) != n {
		t.Fatalf("%d queries", len(qs))
	}
	v := newVocabulary()
	known := map[string]bool{}
	for _, w := range v.words {
		for _, p := range strings.Fields(w) {
			known[p] = true
		}
	}
	byWords := map[int]int{}
	unknown := 0
	distinct := map[string]bool{}
	for _, q := range qs {
		words := strings.Fields(q)
		byWords[min(len(words), 4)]++
		distinct[q] = true
		for _, w := range words {
			if !known[strings.ToLower(w)] {
				unknown++ // a plural
			}
		}
	}
	if f := float64(byWords[1]) / n; f < 0.35 || f > 0.6 {
		t.Errorf("%.2f one-word queries", f)
	}
	if byWords[3] == 0 || byWords[2] < byWords[3] {
		t.Errorf("word counts %v", byWords)
	}
	if unknown == 0 || unknown > n/5 {
		t.Errorf("%d words not in the vocabulary", unknown)
	}
	if len(distinct) == n || len(distinct) < n/2 {
		t.Errorf("%d distinct queries of %d: a log has some repeats, mostly not", len(distinct), n)
	}
}

func TestPrefixes(t *testing.T) {
	ps := Prefixes(500, 1)
	if len(ps) != 500 {
		t.Fatalf("%d prefixes", len(ps))
	}
	for i, p := range ps {
		if len(p) < 1 || len(p) > 6 || p != strings.ToLower(p) || strings.HasSuffix(p, " ") {
			t.Fatalf("prefix %d: %q", i, p)
		}
		if i > 0 && len(p) > 1 && !strings.HasPrefix(p, ps[i-1]) {
			t.Fatalf("prefix %d %q does not extend %q", i, p, ps[i-1])
		}
	}
	if ps[0] == "" || len(ps[0]) != 1 {
		t.Fatalf("typing starts with one letter, got %q", ps[0])
	}
}

func TestFilters(t *testing.T) {
	fs := Filters(1000, 1)
	var none, cat, orient int
	for _, f := range fs {
		switch {
		case len(f.Category) == 1 && len(f.Orientation) == 0:
			cat++
		case len(f.Orientation) == 1 && len(f.Category) == 0:
			orient++
		case reflect.DeepEqual(f, search.Filters{}):
			none++
		default:
			t.Fatalf("filter %+v", f)
		}
	}
	if none < 400 || cat < 200 || orient < 200 {
		t.Errorf("none %d, category %d, orientation %d", none, cat, orient)
	}
}

func BenchmarkCatalogue(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for range Catalogue(10_000, int64(n)) {
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*10_000), "ns/doc")
}
