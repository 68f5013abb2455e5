package web_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media"
	"github.com/snapshop/snapshop/media/synth"
)

// photoPair returns a synthetic photo and a near-identical copy of it:
// resized to 90 % and re-encoded at a lower quality.
func photoPair(t *testing.T, name string, seed int64) (file, file) {
	t.Helper()
	orig := synth.Photo(400, 300, seed)
	var a, b bytes.Buffer
	if err := jpeg.Encode(&a, orig, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&b, imaging.Resize(orig, 360, 0, imaging.Lanczos), &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	return file{name + ".jpg", a.Bytes()}, file{name + "-copy.jpg", b.Bytes()}
}

// publishFileAs publishes f as owner, described as given.
func (a *testApp) publishFileAs(owner *app.User, f file, title, category string, keywords ...string) string {
	a.t.Helper()
	id := a.pendingAs(owner, f, title, category, keywords...)
	admin := a.user("admin"+app.RandomToken(3), app.RoleAdmin)
	if _, err := a.catalog.Approve(a.t.Context(), admin, id); err != nil {
		a.t.Fatal(err)
	}
	return id
}

var likeLink = regexp.MustCompile(`href="/search\?like=([a-z0-9]+)"`)

// TestMoreLikeThis: /search?like= (and the API) lists images sharing the
// image's keywords and category, never the image itself nor its
// near-identical copy, and one of two near-identical results; the image page
// and result cards link to it.
func TestMoreLikeThis(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		otto := a.user("otto", app.RoleContributor)
		kiteFile, kiteCopyFile := photoPair(t, "kite", 31)
		buzzardFile, buzzardCopyFile := photoPair(t, "buzzard", 32)
		kite := a.publishFileAs(cora, kiteFile, "Red kite over the ridge", "animals", "kite", "bird", "raptor", "ridge", "sky")
		kiteCopy := a.publishFileAs(otto, kiteCopyFile, "Kite above the ridge", "animals", "kite", "bird", "raptor", "ridge", "sky")
		buzzard := a.publishFileAs(cora, buzzardFile, "Buzzard in flight", "animals", "buzzard", "bird", "raptor", "sky", "wings")
		buzzardCopy := a.publishFileAs(otto, buzzardCopyFile, "Buzzard soaring", "animals", "buzzard", "bird", "raptor", "sky", "wings")
		kestrel := a.publishAs(cora, 33, 300, 400, "Kestrel hovering", "animals", "kestrel", "bird", "raptor", "hover", "field")
		office := a.publishAs(cora, 34, 400, 300, "Office desk", "business", "desk", "office", "laptop", "work", "coffee")
		a.synced()
		// The premise: the copies are near-identical, the others are not.
		img := map[string]*app.Image{}
		for _, id := range []string{kite, kiteCopy, buzzard, buzzardCopy, kestrel} {
			i, err := a.catalog.Image(t.Context(), nil, id)
			if err != nil {
				t.Fatal(err)
			}
			img[id] = i
		}
		dist := func(x, y string) int { return media.Hamming(uint64(img[x].PHash), uint64(img[y].PHash)) } // #nosec G115 -- hash bits
		if dist(kite, kiteCopy) > 6 || dist(buzzard, buzzardCopy) > 6 || dist(kite, buzzard) <= 6 || dist(kite, kestrel) <= 6 || dist(buzzard, kestrel) <= 6 {
			t.Fatalf("hash distances: copies %d and %d, others %d %d %d", dist(kite, kiteCopy), dist(buzzard, buzzardCopy), dist(kite, buzzard), dist(kite, kestrel), dist(buzzard, kestrel))
		}

		c := a.client()
		check := func(got []string) {
			t.Helper()
			if slices.Contains(got, kite) || slices.Contains(got, kiteCopy) || slices.Contains(got, office) {
				t.Errorf("like the kite: %v has the kite %s, its copy %s or the office %s", got, kite, kiteCopy, office)
			}
			if !slices.Contains(got, kestrel) || slices.Contains(got, buzzard) == slices.Contains(got, buzzardCopy) {
				t.Errorf("like the kite: %v, want the kestrel %s and one of the buzzards %s %s", got, kestrel, buzzard, buzzardCopy)
			}
		}
		res := decode[searchResp](t, c.api("GET", "/api/v1/search?like="+kite, "", "").mustStatus(t, http.StatusOK))
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		check(got)
		if res.Total != len(got) {
			t.Errorf("total %d for %d hits", res.Total, len(got))
		}
		// A query is ignored; filters apply.
		res = decode[searchResp](t, c.api("GET", "/api/v1/search?like="+kite+"&q=office", "", "").mustStatus(t, http.StatusOK))
		if len(res.Hits) != len(got) {
			t.Errorf("with q=office: %+v", res.Hits)
		}
		res = decode[searchResp](t, c.api("GET", "/api/v1/search?like="+kite+"&orientation=portrait", "", "").mustStatus(t, http.StatusOK))
		if len(res.Hits) != 1 || res.Hits[0].ID != kestrel {
			t.Errorf("portrait only: %+v, want the kestrel", res.Hits)
		}
		mustAPIError(t, c.api("GET", "/api/v1/search?like=nosuchimage", "", ""), http.StatusUnprocessableEntity, "invalid")

		// The page: the same images, headed by the one they are like.
		page := c.get("/search?like="+kite).mustStatus(t, http.StatusOK).mustContain(t, "More like", "Red kite over the ridge", "Kestrel hovering")
		if strings.Contains(page.body, "Kite above the ridge") || strings.Contains(page.body, "Office desk") {
			t.Error("the page shows the kite's copy or the office")
		}
		c.get("/search?like=nosuchimage").mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "No published photo has that ID")

		// Links: every result card, and the image page, whose own "more like
		// this" collapses copies too.
		cards := c.get("/search?q=raptor").mustStatus(t, http.StatusOK)
		linked := map[string]bool{}
		for _, m := range likeLink.FindAllStringSubmatch(cards.body, -1) {
			linked[m[1]] = true
		}
		if !linked[kite] || !linked[kestrel] || !linked[buzzard] {
			t.Errorf("result cards link %v", linked)
		}
		c.get("/images/"+img[kite].Slug()).mustStatus(t, http.StatusOK).mustContain(t, `href="/search?like=`+kite+`"`)
		imgPage := c.get("/images/"+kite+"/related").mustStatus(t, http.StatusOK).mustContain(t, "Kestrel hovering")
		if strings.Contains(imgPage.body, "Kite above the ridge") || strings.Contains(imgPage.body, "Buzzard in flight") == strings.Contains(imgPage.body, "Buzzard soaring") {
			t.Error("the image page's related images show the kite's copy, or both buzzards or neither")
		}
	})
}
