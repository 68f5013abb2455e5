package synthetic

import (
	"math"
	"slices"
	"strings"

	"github.com/snapshop/snapshop/search"
)

// Queries returns a deterministic mix of n user queries drawn from the catalogue's vocabulary,
// shaped like a stock library's search log:
//
//   - terms are weighted by how many images carry them (each query is drawn from the keywords
//     of an imagined image), so head terms such as "background" recur and the tail is long;
//   - about half are one word, four in ten two words (usually terms that occur together), and a
//     few three words; a keyword phrase such as "ice cream" counts as its words;
//   - about one in ten has a rare word (a vocabulary rank beyond 3,000), which may match little
//     or nothing;
//   - a few use a plural ("sunsets") or capitals, which the engines' analysis must undo.
//
// The list has repeats, as a real log does.
func Queries(n int, seed int64) []string {
	g := newGenerator(seed)
	out := make([]string, 0, max(n, 0))
	terms := make([]string, 0, 4)
	for i := range n {
		g.reseed(streamQueries, i)
		rng := g.rng
		topical := g.drawKeywords(g.v.categoryPick.draw(rng))
		want := 1
		switch u := rng.Float64(); {
		case u < 0.08:
			want = 3
		case u < 0.50:
			want = 2
		}
		terms = terms[:0]
		for words := 0; words < want; {
			var t string
			if rng.Float64() < 0.65 {
				t = g.v.words[g.kw[rng.IntN(topical)]]
			} else {
				t = g.v.words[g.kw[rng.IntN(len(g.kw))]]
			}
			if !slices.Contains(terms, t) {
				terms = append(terms, t)
				words += wordCount(t)
			}
		}
		if rng.Float64() < 0.10 {
			terms[len(terms)-1] = g.v.words[rareRank(g, len(g.v.words))]
		}
		q := strings.Join(terms, " ")
		switch u := rng.Float64(); {
		case u < 0.07:
			q = pluralizeLast(q)
		case u < 0.11:
			q = strings.ToUpper(q[:1]) + q[1:]
		}
		out = append(out, q)
	}
	return out
}

// rareRank is a vocabulary rank beyond 3,000, log-uniformly distributed: rare, but not all of
// it so rare that nothing matches.
func rareRank(g *generator, n int) int {
	lo, hi := 3_000.0, float64(n)
	r := int(lo * math.Pow(hi/lo, g.rng.Float64()))
	return min(r, n-1)
}

// Prefixes returns n autocomplete prefixes, 1–6 characters, as users type them: for each word
// typed, its first letter, then its first two, and so on until the user stops typing (after 2–6
// characters, or at the end of the word) and picks a suggestion. Words are weighted like query
// terms, so the same heads recur.
func Prefixes(n int, seed int64) []string {
	g := newGenerator(seed)
	out := make([]string, 0, max(n, 0))
	for i := 0; len(out) < n; i++ {
		g.reseed(streamPrefixes, i)
		rng := g.rng
		var w string
		if rng.Float64() < 0.7 {
			w = g.v.words[g.v.zipf.draw(rng)]
		} else {
			ci := g.v.categoryPick.draw(rng)
			w = g.v.words[g.v.topics[ci][g.v.topicZipf[ci].draw(rng)]]
		}
		stop := min(len(w), 2+rng.IntN(5))
		for l := 1; l <= stop && len(out) < n; l++ {
			if w[l-1] != ' ' {
				out = append(out, w[:l])
			}
		}
	}
	return out
}

// Filters returns the filters users combine with n queries: none on half of them, one
// category (weighted as in the catalogue) on a quarter, one orientation on the rest — the two
// filters most used on stock sites. Facet counts must then be computed over the filtered set.
func Filters(n int, seed int64) []search.Filters {
	g := newGenerator(seed)
	out := make([]search.Filters, n)
	for i := range out {
		g.reseed(streamQueries^0xf1, i)
		rng := g.rng
		switch u := rng.Float64(); {
		case u < 0.5:
		case u < 0.75:
			out[i].Category = []string{g.v.categories[g.v.categoryPick.draw(rng)].slug}
		default:
			o := "landscape"
			switch v := rng.Float64(); {
			case v < 0.45:
				o = "portrait"
			case v < 0.65:
				o = "square"
			case v < 0.70:
				o = "panorama"
			}
			out[i].Orientation = []string{o}
		}
	}
	return out
}

// Category is one of the 20 fixed subjects (the slugs and names of app.Categories).
type Category struct {
	Slug string
	Name string
}

// Categories returns the categories the catalogue files images under, most used first.
func Categories() []Category {
	table := categoryTable()
	out := make([]Category, len(table))
	for i, c := range table {
		out[i] = Category{Slug: c.slug, Name: c.name}
	}
	return out
}

// pluralizeLast makes the query's last word plural the simple English way.
func pluralizeLast(q string) string {
	i := strings.LastIndexByte(q, ' ') + 1
	w := q[i:]
	switch {
	case strings.HasSuffix(w, "s"): // already plural, or glass-like: leave it
	case strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		w += "es"
	case len(w) > 1 && strings.HasSuffix(w, "y") && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		w = w[:len(w)-1] + "ies"
	default:
		w += "s"
	}
	return q[:i] + w
}
