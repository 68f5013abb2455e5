package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// A database that does not answer before the caller's deadline is, to the
// caller, down: EUnavailable (a 503 with Retry-After), not an internal error.
func TestDeadlinePassedIsUnavailable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		if _, err := db.UserByUsername(late, "nobody"); app.ErrorCode(err) != app.EUnavailable {
			t.Fatalf("query: %v", err)
		}
		err := db.InTx(late, func(ctx context.Context) error {
			_, err := db.UserByUsername(ctx, "nobody")
			return err
		})
		if app.ErrorCode(err) != app.EUnavailable {
			t.Fatalf("transaction: %v", err)
		}
	})
}
