package search

import (
	"errors"
	"time"
)

// Document is one searchable image: only approved, unremoved images are
// indexed. ID is the image's database ID.
type Document struct {
	ID           uint32
	Title        string
	Keywords     []string
	Description  string
	Contributor  string // username
	Category     string // slug, a facet
	CategoryName string // display name, searchable text
	Orientation  string // landscape, portrait, square, panorama
	Colors       []string
	Use          string // commercial or editorial
	Released     bool   // has a model release
	AI           string // none, assisted or generated
	PriceCents   int64
	Megapixels   float64
	ApprovedAt   time.Time
	Sales        int64
	Views        int64
	// PHash is the image's 64-bit perceptual hash: images whose hashes
	// differ in at most NearDuplicateBits bits are near-identical copies,
	// which "more like this" shows once. 0: unknown.
	PHash uint64
}

// NearDuplicateBits is the largest Hamming distance between two perceptual
// hashes of near-identical images (a re-saved, resized or slightly cropped
// copy), as the review queue counts it.
const NearDuplicateBits = 6

// Facet names, as used in Filters, Result.Facets and URLs.
const (
	FacetCategory    = "category"
	FacetOrientation = "orientation"
	FacetColor       = "color"
	FacetUse         = "use"
	FacetReleased    = "released"
	FacetAI          = "ai"
	FacetPrice       = "price" // price bands, see PriceBands
	FacetSize        = "size"  // minimum megapixels, see SizeSteps
)

// Filters narrow a search. Within one facet the values are alternatives
// (OR); different facets combine with AND.
type Filters struct {
	Category    []string
	Orientation []string
	Color       []string
	Use         []string
	Released    []string // "yes" or "no"
	AI          []string
	MinPrice    int64   // cents; 0: no minimum
	MaxPrice    int64   // cents; 0: no maximum
	MinMP       float64 // megapixels; 0: any size
}

// Sort orders results.
type Sort string

// Sorts.
const (
	SortRelevance    Sort = "relevance"    // the default with a query
	SortNewest       Sort = "newest"       // the default without one
	SortPopular      Sort = "popular"      // most sales, then most views
	SortUndiscovered Sort = "undiscovered" // fewest sales, newest first
	SortPriceAsc     Sort = "price_asc"
	SortPriceDesc    Sort = "price_desc"
)

// Limits on a request, so that no query can make the server do unbounded work.
const (
	MaxQueryLength = 200    // characters; the rest is ignored
	MaxQueryTerms  = 16     // words and phrases; the rest are ignored
	MaxPerPage     = 100    // results per page
	MaxDepth       = 10_000 // page × per page
)

// Request is one search.
type Request struct {
	Query   string // words, "quoted phrases", -excluded words; see ParseQuery
	Any     bool   // match any word instead of all of them
	Filters Filters
	Sort    Sort // empty: relevance with a query, newest without
	Page    int  // from 1
	PerPage int  // 1..MaxPerPage; 0 means 48
	Facets  bool // count facets
	// FreshSince, when set, gives documents approved since then a few
	// places on the first page of a relevance search (see fresh.go).
	FreshSince time.Time
	// Like, when set, asks for documents like one document instead (see
	// Related), most alike first: Filters, Page and PerPage apply; Query,
	// Any, Sort and Facets are ignored; at most MaxRelated results.
	Like *Like
}

// FacetValue is one option of a facet and how many results it would have.
type FacetValue struct {
	Value string
	Count int
}

// Result is a page of matches.
type Result struct {
	Total      int
	IDs        []uint32 // this page, in order
	Facets     map[string][]FacetValue
	Suggestion string   // "did you mean", when few or no results
	Highlight  []string // analysed query terms, for Highlight
	Fresh      []uint32 // those of IDs given a fresh place (see Request.FreshSince)
	Took       time.Duration
}

// Errors.
var (
	ErrTooDeep  = errors.New("search: result page too deep; narrow the search")
	ErrClosed   = errors.New("search: index closed")
	ErrNotReady = errors.New("search: index not ready")
)
