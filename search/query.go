package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Part is one element of a parsed query: a word or a quoted phrase.
type Part struct {
	Text   string
	Phrase bool
}

// Query is a user's query, parsed. It is built from tokens only: nothing a
// user types reaches Bleve as query syntax, so no wildcard, regular
// expression, fuzzy term or field name can make the server do unbounded work.
type Query struct {
	Must []Part // all must match (or any, with Any)
	Not  []Part // none may match
	Any  bool
}

// Empty reports whether the query has nothing to match: a browse.
func (q Query) Empty() bool { return len(q.Must) == 0 }

// ParseQuery reads what a person types into a search box:
//
//	sunset beach          both words (any form: "sunsets" finds "sunset")
//	"golden hour"         the words together, in order
//	sunset -beach         sunset, but nothing mentioning beach
//	red OR blue           any of the words (as Request.Any does)
//
// Characters that mean something to search engines (* ? ~ : ^ / \ ( ) [ ] { }
// + = ! < > & |) are treated as spaces. Input beyond MaxQueryLength
// characters, and parts beyond MaxQueryTerms, are ignored.
func ParseQuery(s string, anyMode bool) Query {
	if utf8.RuneCountInString(s) > MaxQueryLength {
		s = string([]rune(s)[:MaxQueryLength])
	}
	q := Query{Any: anyMode}
	rs := []rune(strings.ToValidUTF8(s, " "))
	for i := 0; i < len(rs); {
		r := rs[i]
		if isSeparator(r) {
			i++
			continue
		}
		negated := false
		if r == '-' {
			negated = true
			i++
			if i >= len(rs) || isSeparator(rs[i]) || rs[i] == '-' {
				continue // a lone dash
			}
		}
		var p Part
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			p = Part{Text: cleanText(string(rs[i+1 : j])), Phrase: true}
			i = j + 1
		} else {
			j := i
			for j < len(rs) && !isSeparator(rs[j]) && rs[j] != '"' {
				j++
			}
			p = Part{Text: cleanText(string(rs[i:j]))}
			i = j
		}
		if p.Text == "" {
			continue
		}
		if !negated && !p.Phrase && p.Text == "OR" {
			q.Any = true
			continue
		}
		if p.Phrase && !strings.ContainsRune(p.Text, ' ') {
			// A quoted single word is a word, without the leading dashes
			// that would make it read back as an exclusion when the query
			// is shown ("did you mean", the search box).
			p = Part{Text: strings.TrimLeft(p.Text, "-")}
			if p.Text == "" {
				continue
			}
		}
		if len(q.Must)+len(q.Not) >= MaxQueryTerms {
			break
		}
		if negated {
			q.Not = append(q.Not, p)
		} else {
			q.Must = append(q.Must, p)
		}
	}
	return q
}

// isSeparator reports whether r separates parts: space, or an operator
// character of some search syntax, which here means nothing.
func isSeparator(r rune) bool {
	if unicode.IsSpace(r) || unicode.IsControl(r) {
		return true
	}
	return strings.ContainsRune(`*?~:^/\()[]{}+=!<>&|,;`, r)
}

// cleanText replaces operator characters inside a part with spaces and
// collapses spaces.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if isSeparator(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// String renders the query back in the syntax ParseQuery reads.
func (q Query) String() string {
	var parts []string
	render := func(p Part, neg bool) string {
		s := p.Text
		if p.Phrase || s == "OR" && !neg {
			// A required word OR was typed quoted: bare, it would read
			// back as the operator.
			s = `"` + s + `"`
		}
		if neg {
			s = "-" + s
		}
		return s
	}
	for i, p := range q.Must {
		if i > 0 && q.Any {
			parts = append(parts, "OR")
		}
		parts = append(parts, render(p, false))
	}
	for _, p := range q.Not {
		parts = append(parts, render(p, true))
	}
	return strings.Join(parts, " ")
}
