package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/searchsync"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
	"github.com/snapshop/snapshop/static"
	"github.com/snapshop/snapshop/views"
)

// publishAs uploads a photo as owner, describes and publishes it.
func (a *testApp) publishAs(owner *app.User, seed int64, w, h int, title, category string, keywords ...string) string {
	a.t.Helper()
	id := a.pendingAs(owner, jpegFile(a.t, "p.jpg", w, h, seed), title, category, keywords...)
	admin := a.user("admin"+app.RandomToken(3), app.RoleAdmin)
	if _, err := a.catalog.Approve(a.t.Context(), admin, id); err != nil {
		a.t.Fatal(err)
	}
	return id
}

type searchResp struct {
	Total   int
	Page    int
	PerPage int `json:"per_page"`
	Hits    []struct {
		ID, Slug, Title string
		ThumbURL        string `json:"thumb_url"`
		PreviewURL      string `json:"preview_url"`
		Width, Height   int
		PriceCents      int64 `json:"price_cents"`
	}
	Facets map[string][]struct {
		Value string
		Count int
	}
	Suggestion string
	TookMS     float64 `json:"took_ms"`
}

func TestSearchFindsWhatIsPublished(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		kite := a.publishAs(cora, 1, 400, 300, "Red kite over the ridge", "animals", "kite", "bird", "ridge", "sky", "flight")
		a.publishAs(cora, 2, 300, 400, "Sunset over the sea", "landscapes", "sunset", "sea", "evening", "orange", "horizon")
		c := a.client()
		draft := decode[uploadResp](t, c.uploadAPI(a.token("cora"), jpegFile(t, "d.jpg", 400, 300, 3)))
		a.process()
		title, kw := "Kite festival", []string{"kite", "festival", "crowd", "summer", "fun"}
		if _, err := a.catalog.Describe(t.Context(), cora, draft.Images[0].ID, catalog.Description{Title: &title, Keywords: &kw}); err != nil {
			t.Fatal(err)
		}
		a.synced()

		page := c.get("/search?q=kites").mustStatus(t, http.StatusOK)
		page.mustContain(t, "1 photo", "Red <mark>kite</mark> over the ridge", "$3", "Orientation", "Landscape")
		if strings.Contains(page.body, "Kite festival") {
			t.Fatal("a draft is searchable")
		}
		// Every filter state is a link; following one narrows the results.
		c.get("/search?q=kites&orientation=portrait").mustStatus(t, http.StatusOK).mustContain(t, "0 photos", "Search without filters")
		c.get("/search?sort=price_asc").mustStatus(t, http.StatusOK).mustContain(t, "2 photos", `<option value="price_asc" selected>`)

		res := decode[searchResp](t, c.api("GET", "/api/v1/search?q=kite&category=animals", "", "").mustStatus(t, http.StatusOK))
		if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].ID != kite || res.Hits[0].PriceCents != 300 || res.Hits[0].Width != 400 ||
			!strings.HasPrefix(res.Hits[0].ThumbURL, "/media/") || !strings.HasPrefix(res.Hits[0].Slug, "red-kite") || res.Page != 1 || res.PerPage != 48 {
			t.Fatalf("api search: %+v", res)
		}
		if len(res.Facets["category"]) == 0 || res.Facets["orientation"][0].Value != "landscape" {
			t.Fatalf("facets: %+v", res.Facets)
		}
		for _, bad := range []string{"sort=random", "per_page=500", "min_price=cheap", "page=2000&per_page=10", "orientation=diagonal", "mode=maybe"} {
			mustAPIError(t, c.api("GET", "/api/v1/search?"+bad, "", ""), http.StatusUnprocessableEntity, "invalid")
		}
		c.get("/search?sort=random").mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Sort by relevance")

		res = decode[searchResp](t, c.api("GET", "/api/v1/search?q=sunsett", "", ""))
		if res.Total != 0 || res.Suggestion != "sunset" {
			t.Fatalf("did you mean: %+v", res)
		}
		c.get("/search?q=sunsett").mustContain(t, "Did you mean", `href="/search?q=sunset"`)

		// Autocomplete catches up with new keywords within moments.
		var sugg struct{ Suggestions []string }
		deadline := time.Now().Add(10 * time.Second)
		for len(sugg.Suggestions) == 0 && time.Now().Before(deadline) {
			sugg = decode[struct{ Suggestions []string }](t, c.api("GET", "/api/v1/suggest?q=Su", "", "").mustStatus(t, http.StatusOK))
			time.Sleep(20 * time.Millisecond)
		}
		if len(sugg.Suggestions) != 1 || sugg.Suggestions[0] != "sunset" {
			t.Fatalf("suggest su: %+v", sugg)
		}

		// The index trails the database: an image taken down a moment ago is
		// dropped from the hits even before the index hears of it.
		img, err := a.catalog.Image(t.Context(), cora, kite)
		if err != nil {
			t.Fatal(err)
		}
		img.Status = app.StatusRemoved
		if err := db.SaveImage(t.Context(), img); err != nil {
			t.Fatal(err)
		}
		res = decode[searchResp](t, c.api("GET", "/api/v1/search?q=kite", "", ""))
		if len(res.Hits) != 0 {
			t.Fatalf("a removed image was returned: %+v", res.Hits)
		}
		a.synced()
		if res = decode[searchResp](t, c.api("GET", "/api/v1/search?q=kite", "", "")); res.Total != 0 {
			t.Fatalf("after sync the removed image still counts: %d", res.Total)
		}
	})
}

func TestImagePageShowsRelatedImagesAndCountsViews(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	kite := a.publishAs(cora, 1, 400, 300, "Red kite over the ridge", "animals", "kite", "bird", "ridge", "sky", "raptor")
	a.publishAs(cora, 2, 400, 300, "Buzzard in flight", "animals", "buzzard", "bird", "raptor", "sky", "wings")
	a.publishAs(cora, 3, 400, 300, "Office desk", "business", "desk", "office", "laptop", "work", "coffee")
	a.synced()
	img, err := a.catalog.Image(t.Context(), nil, kite)
	if err != nil {
		t.Fatal(err)
	}
	anon := a.client()
	page := anon.get("/images/"+img.Slug()).mustStatus(t, http.StatusOK)
	// The page names where its "More like this" cards come from, and they
	// come after it.
	page.mustContain(t, "More like this", `data-related="/images/`+kite+`/related"`)
	cards := anon.get("/images/"+kite+"/related").mustStatus(t, http.StatusOK).mustContain(t, "Buzzard in flight", `class="image-card"`)
	if strings.Contains(cards.body, "Office desk") || strings.Contains(cards.body, "Red kite over the ridge") {
		t.Fatal("an unrelated image, or the image itself, is suggested")
	}
	if strings.Contains(cards.body, "<html") || cards.Header.Get("Cache-Control") != "private, max-age=300" {
		t.Errorf("the cards are a whole page, or cached as %q", cards.Header.Get("Cache-Control"))
	}
	// Nothing is like an unknown or unpublished image.
	anon.get("/images/nosuchimage/related").mustStatus(t, http.StatusNotFound)
	draft := a.pendingAs(cora, jpegFile(t, "d.jpg", 400, 300, 4), "Kite in review", "animals", "kite", "bird", "raptor", "sky", "ridge")
	anon.get("/images/"+draft+"/related").mustStatus(t, http.StatusNotFound)
	anon.get("/images/" + img.Slug())
	owner := a.client()
	owner.signIn("cora")
	owner.get("/images/" + img.Slug()) // the owner's own visits do not count
	if err := a.views.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	img, err = a.catalog.Image(t.Context(), nil, kite)
	if err != nil || img.Views != 2 {
		t.Fatalf("views %d (%v), want 2", img.Views, err)
	}
}

func TestSearchWhileTheIndexIsNotReady(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	a := newTestApp(t, db)
	// A second server whose index has not started.
	idle := searchsync.New(db, searchsync.Options{Dir: t.TempDir()})
	s, err := web.New(web.Config{BaseURL: "http://x.test", Views: views.FS, Static: static.FS},
		web.Services{Auth: a.auth, Catalog: a.catalog, Search: idle, Sessions: db.Sessions(), Health: db})
	if err != nil {
		t.Fatal(err)
	}
	a.srv.Config.Handler = s
	c := a.client()
	c.get("/search?q=kite").mustStatus(t, http.StatusServiceUnavailable).mustContain(t, "Search is starting up")
	mustAPIError(t, c.api("GET", "/api/v1/search?q=kite", "", ""), http.StatusServiceUnavailable, "unavailable")
	c.get("/readyz").mustStatus(t, http.StatusServiceUnavailable).mustContain(t, `"state":"starting"`)
	if res := decode[struct{ Suggestions []string }](t, c.api("GET", "/api/v1/suggest?q=ki", "", "").mustStatus(t, http.StatusOK)); len(res.Suggestions) != 0 {
		t.Fatalf("suggestions without an index: %v", res.Suggestions)
	}
}
