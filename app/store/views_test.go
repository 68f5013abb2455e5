package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// TestAddViews adds views to more images than one statement takes, and checks every count
// and that search hears of every image once.
func TestAddViews(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u := storetest.User(t, db, "views", app.RoleContributor)
		const n = 1203
		ids := make([]int64, n)
		err := db.InTx(ctx, func(ctx context.Context) error {
			for i := range ids {
				img := &app.Image{ContributorID: u.ID, Status: app.StatusApproved, Title: "v", SHA256: fmt.Sprintf("%064x", i), Views: int64(i)}
				if err := db.CreateImage(ctx, img); err != nil {
					return err
				}
				ids[i] = img.ID
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.MaxChangeID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		views := map[int64]int64{}
		for i, id := range ids {
			if i%3 != 0 { // some images were not viewed
				views[id] = int64(1 + i%7)
			}
		}
		if err := db.AddViews(ctx, views); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			img, err := db.ImageByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(i) + views[id]; img.Views != want {
				t.Fatalf("image %d: %d views, want %d", i, img.Views, want)
			}
		}
		changes, err := db.ChangesAfter(ctx, before, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]int{}
		for _, c := range changes {
			seen[c.ImageID]++
		}
		if len(changes) != len(views) || len(seen) != len(views) {
			t.Fatalf("%d changes for %d images, want one for each of %d", len(changes), len(seen), len(views))
		}
		for id := range views {
			if seen[id] != 1 {
				t.Fatalf("image %d: %d changes", id, seen[id])
			}
		}
		if err := db.AddViews(ctx, nil); err != nil {
			t.Fatalf("no views: %v", err)
		}
	})
}
