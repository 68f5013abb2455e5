package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// indexVersion changes whenever the mapping, the document encoding or the
// engine's reading of them changes: an index on disk with another version is
// rebuilt, never read.
const indexVersion = "snapshop-search-1"

// Internal keys stored in the Bleve index beside the documents.
const (
	internalVersion = "snapshop.version"
	internalCursor  = "snapshop.cursor"
)

// Bleve fields.
const (
	fieldTitle       = "title"
	fieldKeywords    = "keywords"
	fieldDescription = "description"
	fieldContributor = "contributor"
	fieldCategory    = "category"
	fieldWords       = "words" // unstemmed words of title and keywords: "did you mean"
	fieldKeyword     = "kw"    // each whole keyword, lower-cased: autocomplete
	fieldAttrs       = "attrs" // stored only: facets and numbers, see attrs.go
)

// Analyzers.
const (
	analyzerText  = en.AnalyzerName // unicode words, possessives, lower case, English stop words, Porter stems
	analyzerWords = "snapshop_words"
)

// textFields are the searchable fields, in engine order, with the weight a
// match in each adds to a document's score: a title or keyword match counts
// more than one in the description.
var textFields = [...]struct {
	name   string
	weight float32
}{
	{fieldTitle, 3},
	{fieldKeywords, 2.5},
	{fieldDescription, 1},
	{fieldContributor, 1.5},
	{fieldCategory, 1},
}

const numTextFields = len(textFields)

// newMapping is the explicit mapping: nothing dynamic, nothing stored but
// attrs, term vectors (positions) only where phrases are matched.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = analyzerText
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	err := m.AddCustomAnalyzer(analyzerWords, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("search: words analyzer: %w", err)
	}

	text := func(analyzer string, positions bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		f.IncludeTermVectors = positions
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text(analyzerText, true))
	doc.AddFieldMappingsAt(fieldKeywords, text(analyzerText, true))
	doc.AddFieldMappingsAt(fieldDescription, text(analyzerText, true))
	doc.AddFieldMappingsAt(fieldContributor, text(analyzerText, false))
	doc.AddFieldMappingsAt(fieldCategory, text(analyzerText, false))
	doc.AddFieldMappingsAt(fieldWords, text(analyzerWords, false))
	doc.AddFieldMappingsAt(fieldKeyword, text(keyword.Name, false))
	attrs := bleve.NewTextFieldMapping()
	attrs.Index, attrs.Store, attrs.IncludeInAll, attrs.DocValues, attrs.IncludeTermVectors = false, true, false, false, false
	doc.AddFieldMappingsAt(fieldAttrs, attrs)
	m.DefaultMapping = doc
	return m, nil
}

// bleveDoc is a Document as Bleve indexes it.
func bleveDoc(d *Document) map[string]any {
	kw := make([]string, 0, len(d.Keywords))
	for _, k := range d.Keywords {
		kw = append(kw, lowerTrim(k))
	}
	words := make([]string, 0, len(d.Keywords)+1)
	words = append(words, d.Title)
	words = append(words, d.Keywords...)
	return map[string]any{
		fieldTitle:       d.Title,
		fieldKeywords:    d.Keywords,
		fieldDescription: d.Description,
		fieldContributor: d.Contributor,
		fieldCategory:    d.CategoryName,
		fieldWords:       words,
		fieldKeyword:     kw,
		fieldAttrs:       encodeAttrs(d),
	}
}

// analyzer returns the mapping's text analyzer, so the engine stems exactly
// as Bleve does.
func analyzerOf(m mapping.IndexMapping) (analysis.Analyzer, error) {
	a := m.AnalyzerNamed(analyzerText)
	if a == nil {
		return nil, fmt.Errorf("search: analyzer %q missing", analyzerText)
	}
	return a, nil
}
