package search

// Fragment is a piece of a highlighted text.
type Fragment struct {
	Text  string
	Match bool
}

// Highlight splits text into fragments, marking the words whose analysed
// form is one of terms (Result.Highlight): a search for "sunset" marks
// "Sunsets". Text is returned unchanged, in order.
func (ix *Index) Highlight(text string, terms []string) []Fragment {
	if len(terms) == 0 || text == "" {
		return []Fragment{{Text: text}}
	}
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t] = true
	}
	var out []Fragment
	at := 0
	for _, tok := range ix.analyzer.Analyze([]byte(text)) {
		if !want[string(tok.Term)] || tok.Start < at || tok.End > len(text) {
			continue
		}
		if tok.Start > at {
			out = append(out, Fragment{Text: text[at:tok.Start]})
		}
		out = append(out, Fragment{Text: text[tok.Start:tok.End], Match: true})
		at = tok.End
	}
	if at < len(text) {
		out = append(out, Fragment{Text: text[at:]})
	}
	return out
}
