// Package synthetic generates a realistic stock-photo catalogue, search queries and
// autocomplete prefixes for benchmarks and tests of package search. Everything is
// deterministic by seed and streams: a million documents never sit in memory at once.
//
// The distributions follow what a stock library looks like rather than what is easy to
// index: a ~50,000-word vocabulary (a few hundred real photo words ranked first, then
// pronounceable invented words), keywords drawn Zipf-distributed from it with a topical
// pull towards each image's category, titles and descriptions built mostly from an image's
// own keywords, skewed categories, orientations, colours, licences, prices and popularity,
// and approval dates spread over three years and growing towards the present.
//
// The vocabulary does not depend on the seed, so queries and prefixes from any seed are
// drawn from the words of a catalogue made with any other.
//
// It imports only the standard library and package search (for Document), never app/: the
// category slugs and names are copied here as literals.
package synthetic
