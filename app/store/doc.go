// Package store is the only package that talks to the database (and the only
// one that imports GORM). It opens SQLite or PostgreSQL, applies the versioned
// migrations in migrations/, and offers one method per query the services need.
//
// Exported methods run in the transaction carried by their context when there
// is one (see InTx), so a service can compose several of them atomically; on
// SQLite every transaction begins IMMEDIATE, so concurrent writers queue on the
// busy timeout instead of failing with "database is locked".
//
// store returns *app.Error values (not_found, conflict, unavailable) and never
// anything HTTP-shaped. It may import app and the standard library.
package store
