package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestUpdatesReplaceAndDeletesRemove(t *testing.T) {
	ix := builders["batches"](t, fixture())
	kite := fixture()[0]
	kite.Title, kite.Keywords = "Osprey diving for fish", []string{"osprey", "fish", "bird"}
	if err := ix.Apply(ctx, Batch{Upserts: []Document{kite}, Cursor: 10}); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, ix, Request{Query: "osprey"}); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("new text not found: %v", got)
	}
	if got := ids(t, ix, Request{Query: "ridge"}); len(got) != 0 {
		t.Fatalf("old text still found: %v", got)
	}
	if err := ix.Apply(ctx, Batch{Deletes: []uint32{1, 404}, Cursor: 11}); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, ix, Request{Query: "osprey"}); len(got) != 0 {
		t.Fatalf("deleted document found: %v", got)
	}
	res, err := ix.Search(ctx, Request{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 10 || ix.Count() != 10 || ix.Cursor() != 11 {
		t.Fatalf("after delete: total %d count %d cursor %d", res.Total, ix.Count(), ix.Cursor())
	}
	for _, v := range res.Facets[FacetCategory] {
		if v.Value == "animals" && v.Count != 2 {
			t.Fatalf("deleted document still counted in facets: %v", res.Facets[FacetCategory])
		}
	}
}

func TestSalesUpdatesStayInPlace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(ctx, Batch{Upserts: fixture(), Cursor: 1}); err != nil {
		t.Fatal(err)
	}
	cat := fixture()[10]
	for i := range 5 {
		cat.Sales = int64(100 + i)
		if err := ix.Apply(ctx, Batch{Upserts: []Document{cat}, Cursor: int64(2 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	if d := ix.eng.Load().deadFraction(); d != 0 {
		t.Fatalf("sales updates left dead slots: %.2f", d)
	}
	if got := ids(t, ix, Request{Sort: SortPopular, PerPage: 1}); !slices.Equal(got, []uint32{11}) {
		t.Fatalf("most popular after sales: %v", got)
	}
	// After a reopen too: the stored signature lets updates stay in place.
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if ix, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	cat.Sales = 500
	if err := ix.Apply(ctx, Batch{Upserts: []Document{cat}, Cursor: 20}); err != nil {
		t.Fatal(err)
	}
	if d := ix.eng.Load().deadFraction(); d != 0 {
		t.Fatalf("sales update after reopen left dead slots: %.2f", d)
	}
}

func TestCompactionKeepsResultsWhileBatchesContinue(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "idx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	docs := make([]Document, 2000)
	for i := range docs {
		docs[i] = Document{ID: uint32(i + 1), Title: fmt.Sprintf("photo number %d", i), Keywords: []string{"alpha"}, ApprovedAt: day(i % 300), Category: "nature"}
	}
	if err := ix.Apply(ctx, Batch{Upserts: docs, Cursor: 1}); err != nil {
		t.Fatal(err)
	}
	// Rewrite most documents' text: each takes a new slot, so the engine
	// crosses the compaction threshold and reloads in the background while
	// more batches arrive.
	for round := range 4 {
		batch := Batch{Cursor: int64(2 + round)}
		for i := range docs {
			if i%3 != 0 {
				d := docs[i]
				d.Keywords = []string{"alpha", fmt.Sprintf("round%d", round)}
				batch.Upserts = append(batch.Upserts, d)
			}
		}
		if err := ix.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	ix.background.Wait()
	// Batches applied during a compaction are replayed on the new engine,
	// which may leave it over the threshold again; the next batch compacts.
	if err := ix.Apply(ctx, Batch{Cursor: 9}); err != nil {
		t.Fatal(err)
	}
	ix.background.Wait()
	e := ix.eng.Load()
	if e.deadFraction() > 0.25 {
		t.Fatalf("no compaction: dead fraction %.2f", e.deadFraction())
	}
	res, err := ix.Search(ctx, Request{Query: "round3"})
	if err != nil {
		t.Fatal(err)
	}
	if want := 2000 - 667; res.Total != want {
		t.Fatalf("round3: %d, want %d", res.Total, want)
	}
	if res, _ := ix.Search(ctx, Request{Query: "round2"}); res.Total != 0 {
		t.Fatalf("round2 still matches %d", res.Total)
	}
	if ix.Count() != 2000 {
		t.Fatalf("count %d", ix.Count())
	}
}

func TestVersionMismatchNeedsRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestFile), []byte(`{"version":"snapshop-search-0","shards":2}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrVersion) {
		t.Fatalf("open of an old index: %v", err)
	}
}

func TestBuildRefusesAnExistingDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Build(ctx, dir, seq(fixture()), 1, Options{}); err == nil {
		t.Fatal("built over an existing directory")
	}
}

func TestConcurrentSearchesDuringBatches(t *testing.T) {
	ix := builders["batches"](t, fixture())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ix.Search(ctx, Request{Query: "kite sunset", Any: true, Facets: true}); err != nil {
					t.Error(err)
					return
				}
				if _, err := ix.Suggest(ctx, "s", 5); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 50 {
		d := fixture()[i%11]
		d.Sales = int64(i)
		d.Title += fmt.Sprintf(" %d", i%3)
		if err := ix.Apply(ctx, Batch{Upserts: []Document{d}, Cursor: int64(10 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if ix.Count() != 11 {
		t.Fatalf("count %d", ix.Count())
	}
}

// A crash between two shards' batches leaves their cursors apart: the index
// reopens at the lower one, so the sync re-applies what one shard may lack.
func TestShardsReopenAtTheLowestCursor(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := Open(dir, Options{Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(ctx, Batch{Upserts: fixture(), Cursor: 7}); err != nil {
		t.Fatal(err)
	}
	// Shard 1 alone moves on, as if the process died before the others.
	b := ix.shards[1].NewBatch()
	b.SetInternal([]byte(internalCursor), encodeCursor(9))
	if err := ix.shards[1].Batch(b); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(dir, Options{Shards: 1}) // the index keeps its own shard count
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if len(ix.shards) != 3 || ix.Cursor() != 7 {
		t.Fatalf("reopened with %d shards at cursor %d, want 3 and 7", len(ix.shards), ix.Cursor())
	}
	if got := ids(t, ix, Request{Query: `"red kite"`}); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("phrase across shards: %v", got)
	}
}

func TestUnfinishedBuildIsNotOpened(t *testing.T) {
	dir := t.TempDir() // exists, no manifest: a build that died midway
	if err := os.MkdirAll(filepath.Join(dir, "shard-0"), 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("opened a directory without a manifest")
	}
}

func TestBuildOfAnEmptyOrTinyCatalogue(t *testing.T) {
	for _, docs := range [][]Document{nil, fixture()[:1]} {
		ix, err := Build(ctx, filepath.Join(t.TempDir(), "idx"), seq(docs), 5, Options{Shards: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ix.Count() != len(docs) || ix.Cursor() != 5 {
			t.Fatalf("built %d documents at cursor %d", ix.Count(), ix.Cursor())
		}
		if err := ix.Apply(ctx, Batch{Upserts: fixture(), Cursor: 6}); err != nil {
			t.Fatal(err)
		}
		if got := ids(t, ix, Request{Query: "kite", Sort: SortNewest}); !slices.Equal(got, []uint32{2, 1}) {
			t.Fatalf("after a batch: %v", got)
		}
		_ = ix.Close()
	}
}
