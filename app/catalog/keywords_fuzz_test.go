package catalog_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app/catalog"
)

// FuzzKeywords checks keyword normalisation on what contributors send: a
// form's keyword field (split, then normalised) and a list from the API or
// from a file's IPTC/XMP (normalised). Whatever comes in, the keywords kept
// are
//   - valid UTF-8, non-empty, lower case, with single spaces between words
//     and none around them, and free of the form's separators;
//   - each kept once, and none lost: every non-empty keyword given (a
//     list's items are split at the form's separators too) is kept;
//   - a fixed point: normalising again changes nothing, and so does the
//     edit form's round trip (shown joined by ", ", split when saved), so
//     saving a form without touching it never changes an image's keywords.
func FuzzKeywords(f *testing.F) {
	f.Fuzz(func(t *testing.T, field, a, b string) {
		check(t, []string{field}, catalog.NormalizeKeywords(catalog.SplitKeywords(field)))
		in := []string{a, b, field, a}
		check(t, in, catalog.NormalizeKeywords(in))
	})
}

func check(t *testing.T, in, kw []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, k := range kw {
		if k == "" || !utf8.ValidString(k) || k != strings.Join(strings.Fields(k), " ") {
			t.Fatalf("keyword %q: empty, invalid UTF-8 or badly spaced (all: %q)", k, kw)
		}
		if strings.ContainsAny(k, ",;\n\r") {
			t.Fatalf("keyword %q holds a separator of the edit form", k)
		}
		if strings.IndexFunc(k, unicode.IsUpper) >= 0 && strings.ToLower(k) != k {
			t.Fatalf("keyword %q is not lower case", k)
		}
		if seen[k] {
			t.Fatalf("keyword %q kept twice: %q", k, kw)
		}
		seen[k] = true
	}
	for _, x := range in {
		for _, p := range catalog.SplitKeywords(x) {
			if n := strings.Join(strings.Fields(strings.ToLower(p)), " "); n != "" && !seen[n] {
				t.Fatalf("keyword %q of %q lost: kept %q", n, in, kw)
			}
		}
	}
	if again := catalog.NormalizeKeywords(kw); !slices.Equal(again, kw) {
		t.Fatalf("normalising again: %q, then %q", kw, again)
	}
	if form := catalog.NormalizeKeywords(catalog.SplitKeywords(strings.Join(kw, ", "))); !slices.Equal(form, kw) {
		t.Fatalf("the edit form's round trip changes %q into %q", kw, form)
	}
}
