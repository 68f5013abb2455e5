package search

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery checks the query parser on anything typed into a search
// box. The parsed query
//   - has at most MaxQueryTerms parts, of at most MaxQueryLength characters
//     in all, each valid UTF-8, non-empty, single-spaced, with no quote and
//     no operator character of any search syntax (nothing reaches Bleve as
//     syntax);
//   - has phrases of two words or more and words of one; no word begins
//     with "-", and a required word OR was typed quoted;
//   - reads back as itself from its String form (the "did you mean" link
//     and the search box show it), so a query shown is the query run.
func FuzzParseQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, anyMode bool) {
		q := ParseQuery(s, anyMode)
		if len(q.Must)+len(q.Not) > MaxQueryTerms {
			t.Fatalf("%d parts, more than %d", len(q.Must)+len(q.Not), MaxQueryTerms)
		}
		if anyMode && !q.Any {
			t.Fatal("any mode lost")
		}
		total := 0
		for i, p := range slices.Concat(q.Must, q.Not) {
			total += utf8.RuneCountInString(p.Text)
			if p.Text == "" || !utf8.ValidString(p.Text) || p.Text != strings.Join(strings.Fields(p.Text), " ") {
				t.Fatalf("part %q: empty, invalid or badly spaced", p.Text)
			}
			if strings.ContainsFunc(p.Text, func(r rune) bool { return r == '"' || r != ' ' && isSeparator(r) }) {
				t.Fatalf("part %q holds a quote or an operator character", p.Text)
			}
			if p.Phrase != strings.Contains(p.Text, " ") {
				t.Fatalf("part %+v: a phrase must have several words, a word one", p)
			}
			if !p.Phrase && strings.HasPrefix(p.Text, "-") {
				t.Fatalf("word %q begins with a dash", p.Text)
			}
			if i < len(q.Must) && !p.Phrase && p.Text == "OR" {
				// Only a quoted OR may be a required word (String quotes it
				// again, as the round trip below checks).
				if !strings.Contains(s, `"`) {
					t.Fatalf("the operator OR became a required word")
				}
			}
		}
		if total > MaxQueryLength {
			t.Fatalf("%d characters of parts, more than %d", total, MaxQueryLength)
		}
		shown := q.String()
		if utf8.RuneCountInString(shown) > MaxQueryLength {
			return // shown longer than read (OR between every word): not read back whole
		}
		if again := ParseQuery(shown, q.Any); !reflect.DeepEqual(again, q) {
			t.Fatalf("ParseQuery(%q) = %+v\nshown as %q, which reads as %+v", s, q, shown, again)
		}
	})
}

// FuzzSearch runs anything typed into the search box against a small
// catalogue, with and without any-mode and facets. It must never fail or
// panic, and its results must be a page of real, distinct documents within
// the total; the query shown back (Query.String) must find exactly the
// same; and a "did you mean" suggestion must itself be a query.
func FuzzSearch(f *testing.F) {
	ix, err := Build(ctx, filepath.Join(f.TempDir(), "idx"), seq(fixture()), 1, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = ix.Close() })
	known := map[uint32]bool{}
	for _, d := range fixture() {
		known[d.ID] = true
	}
	f.Fuzz(func(t *testing.T, s string, anyMode bool, sortBy uint8) {
		sorts := []Sort{"", SortRelevance, SortNewest, SortPopular, SortUndiscovered, SortPriceAsc, SortPriceDesc}
		r := Request{Query: s, Any: anyMode, Facets: true, Sort: sorts[int(sortBy)%len(sorts)], PerPage: 5}
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		if res.Total < 0 || res.Total > len(known) || len(res.IDs) > min(res.Total, 5) {
			t.Fatalf("total %d with %d results on a page of 5, from %d documents", res.Total, len(res.IDs), len(known))
		}
		seen := map[uint32]bool{}
		for _, id := range res.IDs {
			if !known[id] || seen[id] {
				t.Fatalf("result %d unknown or repeated: %v", id, res.IDs)
			}
			seen[id] = true
		}
		if res.Suggestion != "" && ParseQuery(res.Suggestion, false).Empty() {
			t.Fatalf("suggestion %q is no query", res.Suggestion)
		}

		q := ParseQuery(s, anyMode)
		shown := q.String()
		if utf8.RuneCountInString(shown) > MaxQueryLength {
			return
		}
		r.Query, r.Any = shown, q.Any
		again, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatalf("Search(%q): %v", shown, err)
		}
		if again.Total != res.Total || !slices.Equal(again.IDs, res.IDs) {
			t.Fatalf("%q finds %d %v; shown as %q it finds %d %v", s, res.Total, res.IDs, shown, again.Total, again.IDs)
		}
	})
}
