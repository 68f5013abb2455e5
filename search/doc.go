// Package search is Snapshop's catalogue search. It knows nothing of app/:
// callers hand it Documents and query it with Requests, and get back image IDs,
// totals and facet counts.
//
// Two structures, one truth. A Bleve (scorch) index on local disk, with an
// explicit mapping and a stored version, is the durable, derived index: sync
// writes documents and its cursor in one batch, and everything else is loaded
// from it at open. Queries are answered by an in-memory engine built from the
// Bleve index's own postings: roaring bitmaps per field and term and per facet
// value, and numeric columns per document. Bleve's own facet and scoring path
// iterates and scores every match of a broad query — tens of milliseconds at a
// million images — while bitmap algebra counts facets and ranks in a few. Bleve
// still answers what needs positions or its term dictionary: exact quoted
// phrases, the phrase bonus for multi-word queries, and "did you mean".
//
// The engine analyses text with the mapping's own analyzer, so both agree on
// stemming ("sunsets" finds "sunset").
package search
