package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

var ctx = context.Background()

func newUser(name string) *app.User {
	return &app.User{Username: name, Email: name + "@example.com", PasswordHash: "x", Role: app.RoleBuyer}
}

func TestMigrateIsIdempotent(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := storetest.Open(t, d)
			all, err := store.Migrations(d)
			if err != nil {
				t.Fatal(err)
			}
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(all) {
				t.Fatalf("first run applied %v, want %d migrations", applied, len(all))
			}
			again, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != 0 {
				t.Fatalf("second run applied %v", again)
			}
			v, err := db.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != all[len(all)-1].Version {
				t.Fatalf("schema version %d, want %d", v, all[len(all)-1].Version)
			}
		})
	}
}

func TestConcurrentMigratorsApplyEachMigrationOnce(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			db := storetest.Open(t, d)
			var wg sync.WaitGroup
			results := make([][]string, 4)
			errs := make([]error, 4)
			for i := range results {
				wg.Go(func() { results[i], errs[i] = db.Migrate(ctx) })
			}
			wg.Wait()
			total := 0
			for i := range results {
				if errs[i] != nil {
					t.Fatalf("migrator %d: %v", i, errs[i])
				}
				total += len(results[i])
			}
			all, _ := store.Migrations(d)
			if total != len(all) {
				t.Fatalf("migrations applied %d times in all, want %d", total, len(all))
			}
		})
	}
}

func TestDialectsKeepMigrationsInStep(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u := newUser("ann")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || len(u.PublicID) != 16 || u.Status != app.UserActive {
			t.Fatalf("created user not filled in: %+v", u)
		}
		for name, load := range map[string]func() (*app.User, error){
			"id":        func() (*app.User, error) { return db.UserByID(ctx, u.ID) },
			"public id": func() (*app.User, error) { return db.UserByPublicID(ctx, u.PublicID) },
			"username":  func() (*app.User, error) { return db.UserByUsername(ctx, "ann") },
			"email":     func() (*app.User, error) { return db.UserByEmail(ctx, "ann@example.com") },
		} {
			got, err := load()
			if err != nil {
				t.Fatalf("by %s: %v", name, err)
			}
			if got.ID != u.ID || got.Email != u.Email || got.Role != app.RoleBuyer {
				t.Fatalf("by %s: got %+v", name, got)
			}
			if d := got.CreatedAt.Sub(u.CreatedAt).Abs(); d > time.Millisecond {
				t.Fatalf("by %s: created_at %v read back as %v", name, u.CreatedAt, got.CreatedAt)
			}
		}
		if _, err := db.UserByUsername(ctx, "nobody"); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("missing user: %v", err)
		}

		dupName := newUser("ann")
		dupName.Email = "other@example.com"
		err := db.CreateUser(ctx, dupName)
		if app.ErrorCode(err) != app.EConflict || app.ErrorFields(err)["username"] == "" {
			t.Fatalf("duplicate username: %v (fields %v)", err, app.ErrorFields(err))
		}
		dupMail := newUser("bob")
		dupMail.Email = "ann@example.com"
		err = db.CreateUser(ctx, dupMail)
		if app.ErrorCode(err) != app.EConflict || app.ErrorFields(err)["email"] == "" {
			t.Fatalf("duplicate email: %v (fields %v)", err, app.ErrorFields(err))
		}

		for _, n := range []string{"bob", "carol", "dave_x"} {
			if err := db.CreateUser(ctx, newUser(n)); err != nil {
				t.Fatal(err)
			}
		}
		list, total, err := db.ListUsers(ctx, store.UserFilter{Query: "an", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].Username != "ann" {
			t.Fatalf("query 'a': total %d, %d rows", total, len(list))
		}
		// An underscore in the query is literal, not a LIKE wildcard.
		_, total, err = db.ListUsers(ctx, store.UserFilter{Query: "e_x", Limit: 10})
		if err != nil || total != 1 {
			t.Fatalf("query 'e_x': total %d, err %v", total, err)
		}
	})
}

func TestInTxRollsBackEverything(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := db.CreateUser(ctx, newUser("ann")); err != nil {
				return err
			}
			// A nested InTx joins the outer transaction.
			if err := db.InTx(ctx, func(ctx context.Context) error { return db.CreateUser(ctx, newUser("bob")) }); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		_, total, err := db.ListUsers(ctx, store.UserFilter{Limit: 10})
		if err != nil || total != 0 {
			t.Fatalf("after rollback: %d users (err %v)", total, err)
		}
	})
}

// With deferred transactions, concurrent read-then-write transactions on
// SQLite fail with "database is locked"; with immediate ones they queue.
func TestConcurrentWriteTransactionsAllSucceed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u := newUser("ann")
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		const n = 50
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs <- db.InTx(ctx, func(ctx context.Context) error {
					if _, err := db.UserByID(ctx, u.ID); err != nil {
						return err
					}
					if err := db.SetPassword(ctx, u.ID, fmt.Sprintf("hash-%d", i)); err != nil {
						return err
					}
					return db.CreateUser(ctx, newUser(fmt.Sprintf("user%d", i)))
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent transaction failed: %v", err)
			}
		}
		_, total, err := db.ListUsers(ctx, store.UserFilter{Limit: 1})
		if err != nil || total != n+1 {
			t.Fatalf("%d users, want %d (err %v)", total, n+1, err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ann, bob := newUser("ann"), newUser("bob")
		for _, u := range []*app.User{ann, bob} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		tok := &app.APIToken{UserID: ann.ID, TokenHash: "h1", Name: "cli"}
		if err := db.CreateAPIToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		got, owner, err := db.APITokenByHash(ctx, "h1")
		if err != nil || got.ID != tok.ID || owner.ID != ann.ID {
			t.Fatalf("by hash: %+v %+v %v", got, owner, err)
		}
		if _, _, err := db.APITokenByHash(ctx, "nope"); app.ErrorCode(err) != app.EUnauthorized {
			t.Fatalf("unknown hash: %v", err)
		}
		if err := db.TouchAPIToken(ctx, tok.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListAPITokens(ctx, ann.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("list: %+v %v", list, err)
		}
		if err := db.DeleteAPIToken(ctx, bob.ID, tok.PublicID); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("bob deleted ann's token: %v", err)
		}
		if err := db.DeleteAPIToken(ctx, ann.ID, tok.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.APITokenByHash(ctx, "h1"); app.ErrorCode(err) != app.EUnauthorized {
			t.Fatalf("deleted token still valid: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := db.Sessions()
		if _, found, err := s.FindCtx(ctx, "t1"); err != nil || found {
			t.Fatalf("missing session: found=%v err=%v", found, err)
		}
		if err := s.CommitCtx(ctx, "t1", []byte("one"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "t1", []byte("two"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, found, err := s.FindCtx(ctx, "t1")
		if err != nil || !found || string(b) != "two" {
			t.Fatalf("find after upsert: %q %v %v", b, found, err)
		}
		if err := s.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.FindCtx(ctx, "old"); found {
			t.Fatal("expired session found")
		}
		n, err := s.DeleteExpired(ctx)
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v", n, err)
		}
		if err := s.DeleteCtx(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCtx(ctx, "t1"); err != nil {
			t.Fatalf("deleting a missing session: %v", err)
		}
		if _, found, _ := s.FindCtx(ctx, "t1"); found {
			t.Fatal("deleted session found")
		}
	})
}

func TestPingReportsUnavailableWhenClosed(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if err := db.Ping(ctx); app.ErrorCode(err) != app.EUnavailable {
		t.Fatalf("ping on closed db: %v", err)
	}
}

func TestMigrationsCreateEveryModelColumn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCheckSchemaFailsOnAnEmptyDatabase(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	if err := db.CheckSchema(ctx); err == nil {
		t.Fatal("CheckSchema passed on an unmigrated database")
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "snap.db")
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("database file mode %v, want 0600: it holds password hashes", st.Mode().Perm())
	}
}
