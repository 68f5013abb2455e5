// Package searchsync keeps this process's search index in step with the
// database. Every searchable change appends a row to a change log in the same
// transaction; the Service tails that log, collapses repeats, re-reads the
// current rows, indexes what is public and deletes the rest, writing the
// documents and its cursor in one batch. Because PostgreSQL can commit a
// lower ID after a higher one, each poll also re-reads a trailing window of
// the log and applies what it has not seen. Old log rows are pruned; an index
// that falls behind the pruning, or was built by another version, or is asked
// to by `snapshop reindex`, is rebuilt beside the live one and swapped in.
//
// searchsync also answers this process's queries, so it can swap indexes
// under them. It may import app, app/store and search.
package searchsync
