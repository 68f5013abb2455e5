package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
)

// indexVersion changes whenever the mapping, the document encoding or the
// engine's reading of them changes: an index on disk with another version is
// rebuilt, never read.
const indexVersion = "snapshop-search-4"

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
	fieldKeyword     = "kw"    // each whole keyword, lower-cased: autocomplete and "did you mean"
	fieldAttrs       = "attrs" // stored only: facets and numbers, see attrs.go
)

// analyzerText: unicode words, possessives, lower case, English stop words, Porter stems.
const analyzerText = en.AnalyzerName

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

// Positions of fields in textFields.
const (
	titleField    = 0
	keywordsField = 1
)

// newMapping is the explicit mapping: nothing dynamic, nothing stored but
// attrs, positions only in titles, from which the engine reads each title's
// term sequence (phrase.go). Keyword phrases come from the whole keywords
// in kw; descriptions have none.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = analyzerText
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false

	text := func(analyzer string, positions bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store, f.IncludeInAll, f.DocValues = false, false, false
		f.IncludeTermVectors = positions
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text(analyzerText, true))
	doc.AddFieldMappingsAt(fieldKeywords, text(analyzerText, false))
	doc.AddFieldMappingsAt(fieldDescription, text(analyzerText, false))
	doc.AddFieldMappingsAt(fieldContributor, text(analyzerText, false))
	doc.AddFieldMappingsAt(fieldCategory, text(analyzerText, false))
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
	return map[string]any{
		fieldTitle:       d.Title,
		fieldKeywords:    d.Keywords,
		fieldDescription: d.Description,
		fieldContributor: d.Contributor,
		fieldCategory:    d.CategoryName,
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
