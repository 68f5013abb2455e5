package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// TestImageCardsByIDs checks that a card has every field a result card shows, and none of
// the rest of the row: a card must never pass for a whole image.
func TestImageCardsByIDs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u := storetest.User(t, db, "cards", app.RoleContributor)
		var ids []int64
		for i, title := range []string{"Red kite", "Harbour at dawn", "Lemon tart"} {
			img := &app.Image{
				ContributorID: u.ID, Status: app.StatusApproved, Title: title, SHA256: string(rune('a'+i)) + "0f",
				OriginalKey: "originals/x", ThumbKey: "derived/thumb", PreviewKey: "derived/preview",
				Width: 6000, Height: 4000, Orientation: app.Landscape, Megapixels: 24, PriceCents: int64(300 + i),
				Description: "long text", Keywords: app.StringList{"kite", "bird"}, Colors: app.StringList{"blue"},
				CameraMake: "Canon",
			}
			if err := db.CreateImage(ctx, img); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, img.ID)
		}
		cards, err := db.ImageCardsByIDs(ctx, append([]int64{404}, ids...))
		if err != nil {
			t.Fatal(err)
		}
		if len(cards) != 3 {
			t.Fatalf("%d cards, want 3", len(cards))
		}
		slices.SortFunc(cards, func(a, b app.Image) int { return int(a.ID - b.ID) })
		for i, c := range cards {
			full, err := db.ImageByID(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			want := app.Image{
				ID: full.ID, PublicID: full.PublicID, ContributorID: u.ID, Status: app.StatusApproved, Title: full.Title,
				SHA256: full.SHA256, ThumbKey: full.ThumbKey, PreviewKey: full.PreviewKey, Width: 6000, Height: 4000,
				Orientation: app.Landscape, Megapixels: 24, PriceCents: full.PriceCents,
			}
			if !cardEqual(c, want) {
				t.Errorf("card %d:\n got %+v\nwant %+v", i, c, want)
			}
		}
	})
}

// cardEqual compares the scalar fields of two images (app.Image holds slices).
func cardEqual(a, b app.Image) bool {
	return a.ID == b.ID && a.PublicID == b.PublicID && a.ContributorID == b.ContributorID && a.Status == b.Status &&
		a.Title == b.Title && a.SHA256 == b.SHA256 && a.ThumbKey == b.ThumbKey && a.PreviewKey == b.PreviewKey &&
		a.Width == b.Width && a.Height == b.Height && a.Orientation == b.Orientation && a.Megapixels == b.Megapixels &&
		a.PriceCents == b.PriceCents && a.Description == "" && a.Keywords == nil && a.Colors == nil &&
		a.CameraMake == "" && a.OriginalKey == "" && a.CreatedAt.IsZero()
}

// BenchmarkImageCardsByIDs reads a search page's 48 cards from 5,000 images.
func BenchmarkImageCardsByIDs(b *testing.B) {
	db := storetest.New(b, store.SQLite)
	u := storetest.User(b, db, "cards", app.RoleContributor)
	var all []int64
	for i := range 5000 {
		img := &app.Image{
			ContributorID: u.ID, Status: app.StatusApproved, Title: fmt.Sprintf("Photo %d of a harbour at dawn", i), SHA256: fmt.Sprintf("%064x", i),
			OriginalKey: "originals/x", ThumbKey: "derived/thumb", PreviewKey: "derived/preview", Width: 6000, Height: 4000,
			Orientation: app.Landscape, Megapixels: 24, Description: strings.Repeat("long text ", 40), Keywords: app.StringList{"kite", "bird"},
		}
		if err := db.CreateImage(ctx, img); err != nil {
			b.Fatal(err)
		}
		all = append(all, img.ID)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		ids := make([]int64, 48)
		for i := range ids {
			ids[i] = all[rng.IntN(len(all))]
		}
		if _, err := db.ImageCardsByIDs(ctx, ids); err != nil {
			b.Fatal(err)
		}
	}
}
