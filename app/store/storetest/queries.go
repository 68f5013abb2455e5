package storetest

import (
	"context"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/snapshop/snapshop/app/store"
)

// Queries records the SQL statements run on behalf of the contexts it marks: a test marks a
// request's context and sees what serving it cost the database, unmoved by background loops
// sharing the same database.
type Queries struct {
	mu   sync.Mutex
	sqls []string
}

type queriesKey struct{}

// Mark returns ctx, whose statements q records.
func (q *Queries) Mark(ctx context.Context) context.Context {
	return context.WithValue(ctx, queriesKey{}, q)
}

// Statements returns the statements recorded so far, in the order they ran, and starts
// afresh.
func (q *Queries) Statements() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.sqls
	q.sqls = nil
	return out
}

// RecordQueries makes db record every statement it runs in the Queries its context was
// marked with (see Queries.Mark). Call it once per database.
func RecordQueries(t testing.TB, db *store.DB) {
	t.Helper()
	record := func(tx *gorm.DB) {
		if q, ok := tx.Statement.Context.Value(queriesKey{}).(*Queries); ok {
			q.mu.Lock()
			q.sqls = append(q.sqls, tx.Statement.SQL.String())
			q.mu.Unlock()
		}
	}
	cb := db.DB().Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("storetest:record_query", record),
		"row":    cb.Row().After("gorm:row").Register("storetest:record_row", record),
		"raw":    cb.Raw().After("gorm:raw").Register("storetest:record_raw", record),
		"create": cb.Create().After("gorm:create").Register("storetest:record_create", record),
		"update": cb.Update().After("gorm:update").Register("storetest:record_update", record),
		"delete": cb.Delete().After("gorm:delete").Register("storetest:record_delete", record),
	} {
		if err != nil {
			t.Fatalf("record %s statements: %v", name, err)
		}
	}
}
