package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

type freshHit struct {
	ID    string
	Title string
	New   bool
}

// TestNewUploadsGetAPlaceOnPageOne: with a catalogue where new images rank
// below a page of older ones, page 1 of a relevance search holds exactly
// one new matching image (10 a page: one place in ten), marked New; page 2
// repeats nothing of page 1 and together they hold every result once; a new
// image that does not match never shows; other sorts are untouched.
func TestNewUploadsGetAPlaceOnPageOne(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		ctx := t.Context()
		old := a.user("old", app.RoleContributor)
		cora := a.user("cora", app.RoleContributor)
		for i := range 12 {
			a.publishAs(old, int64(40+i), 400, 300, fmt.Sprintf("Red kite %d", i), "animals", "kite", "bird", "ridge", "sky", "raptor")
		}
		// Approved a month ago, as far as search knows.
		if err := db.DB().Exec("UPDATE images SET reviewed_at = ? WHERE contributor_id = ?", time.Now().UTC().AddDate(0, 0, -30), old.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.AppendUserChanges(ctx, old.ID); err != nil {
			t.Fatal(err)
		}
		// New ones: "kite" in the title only, so they rank below every old kite.
		festival := a.publishAs(cora, 60, 400, 300, "Kite festival", "holidays", "festival", "crowd", "summer", "fun", "colour")
		surfing := a.publishAs(cora, 61, 400, 300, "Kite surfing", "sports", "surfing", "waves", "wind", "board", "sea")
		office := a.publishAs(cora, 62, 400, 300, "Office desk", "business", "desk", "office", "laptop", "work", "coffee")
		a.synced()

		c := a.client()
		page := func(query string) []freshHit {
			t.Helper()
			return decode[struct{ Hits []freshHit }](t, c.api("GET", "/api/v1/search?"+query, "", "").mustStatus(t, http.StatusOK)).Hits
		}
		ids := func(hits []freshHit) []string {
			var out []string
			for _, h := range hits {
				out = append(out, h.ID)
			}
			return out
		}
		first, second := page("q=kite&per_page=10"), page("q=kite&per_page=10&page=2")
		if len(first) != 10 || len(second) != 4 {
			t.Fatalf("pages of %d and %d, want 10 and 4", len(first), len(second))
		}
		var fresh []string
		for i, h := range first {
			if h.ID == festival || h.ID == surfing {
				fresh = append(fresh, h.ID)
				if !h.New || i != 5 {
					t.Errorf("new image %s at place %d, marked new %v; want place 6, marked", h.Title, i+1, h.New)
				}
			} else if h.New {
				t.Errorf("%s marked new", h.Title)
			}
		}
		if len(fresh) != 1 {
			t.Fatalf("page 1 holds new images %v, want exactly one", fresh)
		}
		all := append(ids(first), ids(second)...)
		for _, h := range second {
			if h.New || slices.Contains(ids(first), h.ID) {
				t.Errorf("page 2: %+v is marked new or was on page 1", h)
			}
		}
		slices.Sort(all)
		if len(slices.Compact(all)) != 14 || slices.Contains(all, office) {
			t.Errorf("pages 1 and 2 hold %d distinct images (want the 14 kites), office among them: %v", len(slices.Compact(all)), slices.Contains(all, office))
		}
		// Without the new images' promotion, the plain order: the newest sort
		// puts both new ones first, unmarked.
		newest := page("q=kite&per_page=10&sort=newest")
		if newest[0].New || newest[1].New || !slices.Contains([]string{festival, surfing}, newest[0].ID) || !slices.Contains([]string{festival, surfing}, newest[1].ID) {
			t.Errorf("newest: %+v", newest[:2])
		}
		for _, h := range page("q=kite&per_page=10&sort=popular") {
			if h.New {
				t.Errorf("popular sort marks %s new", h.Title)
			}
		}
		// The page marks it on its card.
		body := c.get("/search?q=kite&per_page=10").mustStatus(t, http.StatusOK).body
		if n := strings.Count(body, `<span class="badge badge-new">New</span>`); n != 1 {
			t.Errorf("%d cards marked New, want 1", n)
		}
	})
}
