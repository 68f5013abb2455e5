package searchsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/searchsync"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/search"
)

var ctx = context.Background()

type fixture struct {
	t   *testing.T
	db  *store.DB
	own *app.User
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	return &fixture{t: t, db: db, own: storetest.User(t, db, "cora", app.RoleContributor)}
}

// image creates an image in a status, through SaveImage (which logs the change).
func (f *fixture) image(title string, status app.ImageStatus, keywords ...string) *app.Image {
	f.t.Helper()
	img := &app.Image{
		ContributorID: f.own.ID, Status: app.StatusProcessing, SHA256: app.RandomToken(20), FileSize: 1, Format: "jpeg",
		Keywords: app.StringList{}, Colors: app.StringList{}, Palette: app.StringList{},
	}
	if err := f.db.CreateImage(ctx, img); err != nil {
		f.t.Fatal(err)
	}
	now := time.Now().UTC()
	img.Title, img.Keywords, img.Status, img.Category, img.Usage, img.AI = title, keywords, status, "nature", app.UsageCommercial, app.AINone
	img.Width, img.Height, img.Orientation, img.Megapixels, img.ReviewedAt = 3000, 2000, app.Landscape, 6, &now
	f.save(img)
	return img
}

func (f *fixture) save(img *app.Image) {
	f.t.Helper()
	if err := f.db.SaveImage(ctx, img); err != nil {
		f.t.Fatal(err)
	}
}

func newService(t *testing.T, db *store.DB, dir string) *searchsync.Service {
	return searchsync.New(db, searchsync.Options{Dir: dir, DefaultPriceCents: 300, Poll: 20 * time.Millisecond, Logger: storetest.Logger(t)})
}

// run starts a service's loop and returns a func that stops it.
func run(t *testing.T, s *searchsync.Service) func() {
	t.Helper()
	c, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Run(c); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, "the index to be ready", func() bool { return s.Status().State == searchsync.StateReady })
	stop := sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func found(t *testing.T, s *searchsync.Service, q string) []uint32 {
	t.Helper()
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, search.Request{Query: q, Sort: search.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	return res.IDs
}

func id(img *app.Image) uint32 { return uint32(img.ID) } // #nosec G115 -- test IDs are small

func TestIndexFollowsTheDatabase(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		s := newService(t, db, t.TempDir())
		run(t, s)

		kite := f.image("Red kite over the ridge", app.StatusPending, "kite", "bird")
		if got := found(t, s, "kite"); len(got) != 0 {
			t.Fatalf("a pending image is searchable: %v", got)
		}
		now := time.Now().UTC()
		kite.Status, kite.ReviewedAt = app.StatusApproved, &now
		f.save(kite)
		if got := found(t, s, "kite"); !slices.Equal(got, []uint32{id(kite)}) {
			t.Fatalf("approved image not searchable: %v", got)
		}
		kite.Title, kite.Keywords = "Osprey with a fish", app.StringList{"osprey", "fish"}
		f.save(kite)
		if got := found(t, s, "osprey"); !slices.Equal(got, []uint32{id(kite)}) {
			t.Fatalf("edited text not searchable: %v", got)
		}
		if got := found(t, s, "kite"); len(got) != 0 {
			t.Fatalf("old text still searchable: %v", got)
		}
		kite.Status = app.StatusRemoved
		f.save(kite)
		if got := found(t, s, "osprey"); len(got) != 0 {
			t.Fatalf("removed image still searchable: %v", got)
		}
		other := f.image("Sunset over the sea", app.StatusApproved, "sunset")
		if err := db.DeleteImage(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, "sunset"); len(got) != 0 {
			t.Fatalf("deleted image still searchable: %v", got)
		}
		if st := s.Status(); st.Lag != 0 || st.Documents != 0 {
			t.Fatalf("status %+v", st)
		}
	})
}

// The process dies after the database commits and before the index sees
// the change; the next process catches up from the index's cursor.
func TestARestartedIndexConverges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dir := t.TempDir()
		s := newService(t, db, dir)
		stop := run(t, s)
		a := f.image("Mountain lake", app.StatusApproved, "lake")
		if got := found(t, s, "lake"); len(got) != 1 {
			t.Fatalf("before the crash: %v", got)
		}
		stop()
		// Committed while no indexer runs.
		b := f.image("Lake at dusk", app.StatusApproved, "lake")
		a.Status = app.StatusRejected
		f.save(a)

		s2 := newService(t, db, dir)
		run(t, s2)
		if got := found(t, s2, "lake"); !slices.Equal(got, []uint32{id(b)}) {
			t.Fatalf("after the restart: %v, want only %d", got, b.ID)
		}
	})
}

// On PostgreSQL a transaction can take a change ID and commit after a later
// one was indexed: the trailing window catches it.
func TestLateCommitsInsideTheWindowAreApplied(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		s := newService(t, db, t.TempDir())
		run(t, s)
		late := f.image("Late sunrise", app.StatusPending, "sunrise")
		early := f.image("Early bird", app.StatusPending, "bird")
		found(t, s, "bird")
		g := db.DB().WithContext(ctx)
		var cursor int64
		if err := g.Raw("SELECT MAX(id) FROM search_changes").Scan(&cursor).Error; err != nil {
			t.Fatal(err)
		}
		// Transaction A took change ID cursor+50, transaction B cursor+100;
		// B commits first and is indexed, moving the cursor past A's ID.
		if err := g.Exec("UPDATE images SET status = 'approved' WHERE id = ?", early.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Exec("INSERT INTO search_changes (id, image_id) VALUES (?, ?)", cursor+100, early.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, "bird"); len(got) != 1 {
			t.Fatalf("early commit: %v", got)
		}
		// Now A commits, below the cursor.
		if err := g.Exec("UPDATE images SET status = 'approved' WHERE id = ?", late.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Exec("INSERT INTO search_changes (id, image_id) VALUES (?, ?)", cursor+50, late.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got := found(t, s, "sunrise"); len(got) != 1 {
			t.Fatalf("late commit not applied: %v", got)
		}
	})
}

func TestRebuildWhileServing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dir := t.TempDir()
		s := newService(t, db, dir)
		run(t, s)
		for i := range 30 {
			f.image(fmt.Sprintf("Forest path %d", i), app.StatusApproved, "forest")
		}
		if got := found(t, s, "forest"); len(got) != 30 {
			t.Fatalf("before rebuild: %d", len(got))
		}
		before := currentDir(t, dir)
		if _, err := s.RequestRebuild(ctx); err != nil {
			t.Fatal(err)
		}
		// Searches keep answering while the rebuild runs and after the swap.
		waitFor(t, "the swap", func() bool {
			if got := found(t, s, "forest"); len(got) != 30 {
				t.Fatalf("during rebuild: %d results", len(got))
			}
			return currentDir(t, dir) != before && !s.Status().Rebuilding
		})
		if _, err := os.Stat(filepath.Join(dir, before)); !os.IsNotExist(err) {
			t.Fatalf("old index left behind: %v", err)
		}
		f.image("Forest stream", app.StatusApproved, "forest")
		if got := found(t, s, "forest"); len(got) != 31 {
			t.Fatalf("after the swap: %d", len(got))
		}
	})
}

func currentDir(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)[len(`{"dir":"`):][:len("gen-")+19]
}

func TestStaleOrPrunedIndexIsRebuiltAtStart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		dir := t.TempDir()
		s := newService(t, db, dir)
		stop := run(t, s)
		f.image("Harbour", app.StatusApproved, "harbour")
		found(t, s, "harbour")
		stop()

		// An index of another version is rebuilt.
		gen := currentDir(t, dir)
		if err := os.WriteFile(filepath.Join(dir, gen, "manifest.json"), []byte(`{"version":"old","shards":2}`), 0o600); err != nil {
			t.Fatal(err)
		}
		s2 := newService(t, db, dir)
		stop2 := run(t, s2)
		if got := found(t, s2, "harbour"); len(got) != 1 || currentDir(t, dir) == gen {
			t.Fatalf("after a version change: %v in %s", got, currentDir(t, dir))
		}
		stop2()

		// Changes pruned past the index's cursor force a rebuild too.
		f.image("Harbour lights", app.StatusApproved, "harbour")
		if _, err := db.PruneChanges(ctx, -time.Hour); err != nil { // everything
			t.Fatal(err)
		}
		s3 := newService(t, db, dir)
		run(t, s3)
		if got := found(t, s3, "harbour"); len(got) != 2 {
			t.Fatalf("after pruning: %v", got)
		}
	})
}

// Several server processes on one database, each with its own index,
// converge.
func TestTwoProcessesConverge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a, b := newService(t, db, t.TempDir()), newService(t, db, t.TempDir())
		run(t, a)
		run(t, b)
		img := f.image("Snowy peak", app.StatusApproved, "snow")
		for _, s := range []*searchsync.Service{a, b} {
			if got := found(t, s, "snow"); !slices.Equal(got, []uint32{id(img)}) {
				t.Fatalf("not converged: %v", got)
			}
		}
	})
}
