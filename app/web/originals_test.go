package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
)

// TestNoOriginalWithoutALicence guesses at an original every way we could
// think of — its blob keys and content hash under every public prefix,
// with encoded and doubled separators and dot segments, derivative names
// with other sizes, download links without a signature, with another
// licence's signature, with a changed expiry, expired, for another buyer's
// code, after a refund, the comp, the API's image, the reviewers' view —
// as an anonymous visitor, another buyer, another contributor and the
// contributor who owns it. No response may carry the original's bytes
// except the licensee's own signed link while the licence holds (and the
// admins' review view).
func TestNoOriginalWithoutALicence(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	ctx := context.Background()
	cora := a.user("cora", app.RoleContributor)
	bob := a.user("bob", app.RoleBuyer)
	eve := a.user("eve", app.RoleBuyer)
	a.user("otto", app.RoleContributor)
	a.user("ada", app.RoleAdmin)
	kw := []string{"kite", "bird", "ridge", "sky", "flight"}
	id := a.publishAs(cora, 1, 400, 300, "Red kite", "animals", kw...)
	other := a.publishAs(cora, 2, 400, 300, "Gull", "animals", kw...)
	img, err := a.catalog.Image(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	orig := a.original(img)
	// A run of the entropy-coded data: in the original and in a licensed
	// download (which adds an XMP segment before it), in nothing re-encoded.
	marker := orig[len(orig)/2 : len(orig)/2+512]

	buy := func(u *app.User, image, key string) string {
		a.fundWallet(u, "10")
		res, err := a.commerce.CreateOrder(ctx, u, key, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: image, License: app.LicenseStandard}}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Order.PublicID
	}
	order := buy(bob, id, "bob-1")
	buy(eve, other, "eve-1")
	links := func(u *app.User) map[string]*url.URL {
		res := decode[struct {
			Licenses []struct {
				Code        string
				ImageID     string `json:"image_id"`
				DownloadURL string `json:"download_url"`
			}
		}](t, a.client().api("GET", "/api/v1/me/licenses", a.token(u.Username), "").mustStatus(t, http.StatusOK))
		out := map[string]*url.URL{}
		for _, l := range res.Licenses {
			u, err := url.Parse(l.DownloadURL)
			if err != nil {
				t.Fatal(err)
			}
			out[l.ImageID] = u
		}
		return out
	}
	bobLink, eveLink := links(bob)[id], links(eve)[other]
	bobCode := strings.TrimPrefix(bobLink.Path, "/downloads/")
	eveCode := strings.TrimPrefix(eveLink.Path, "/downloads/")

	clients := map[string]*client{"anonymous": a.client()}
	for _, name := range []string{"bob", "eve", "otto", "cora", "ada"} {
		clients[name] = a.client()
		clients[name].signIn(name)
	}
	leaks := func(who, path string) *response {
		t.Helper()
		res := clients[who].get(path)
		if bytes.Contains([]byte(res.body), marker) {
			t.Errorf("GET %s as %s (%d) serves the original", path, who, res.StatusCode)
		}
		return res
	}

	// Every blob key, and the content hash, under every prefix and spelling.
	var keys []string
	if err := a.blobs.Walk(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	sha := img.SHA256
	guesses := []string{
		"/media/" + sha, "/media/" + sha + ".jpg", "/media/" + sha + "-original-v1.jpg", "/media/" + sha + "-original",
		"/media/" + sha + "-full-v1.jpg", "/media/" + sha + "-preview-v0.jpg", "/media/" + sha + "-preview-v1.jpg/..",
		"/originals/" + sha[:2] + "/" + sha, "/blobs/originals/" + sha[:2] + "/" + sha, "/data/blobs/originals/" + sha[:2] + "/" + sha,
		"/media/..%2Foriginals%2F" + sha[:2] + "%2F" + sha, "/media/%2e%2e/%2e%2e/originals/" + sha[:2] + "/" + sha,
		"/static/..%2F..%2Fdata%2Fblobs%2Foriginals%2F" + sha[:2] + "%2F" + sha, "/static/%2e%2e/%2e%2e/data/blobs/originals/" + sha[:2] + "/" + sha,
		"/images/" + id + "/original", "/images/" + id + "/download", "/api/v1/images/" + id + "/original",
		"/api/v1/images/" + id + "/download", "/downloads/" + sha, "/contribute/images/" + id + "/original",
	}
	for _, k := range keys {
		guesses = append(guesses, "/"+k, "/media/"+k, "/static/"+k, "/media/"+url.PathEscape(k), "/static/"+url.PathEscape(k),
			"/media/"+k[strings.LastIndex(k, "/")+1:], "/static/../"+k, "/media//"+k)
	}
	for who := range clients {
		for _, g := range guesses {
			if res := leaks(who, g); res.StatusCode == http.StatusOK && strings.Contains(g, "original") {
				t.Errorf("GET %s as %s: 200", g, who)
			}
		}
	}

	// Download links: only the licensee's own, genuine and fresh.
	signer := commerce.NewSigner(testSecret)
	expired, expiredSig := signer.Sign(bobCode, bob.ID, time.Now().Add(-time.Minute))
	q := bobLink.Query()
	cases := []struct {
		who, path string
		want      int
	}{
		{"bob", "/downloads/" + bobCode, http.StatusForbidden},
		{"bob", "/downloads/" + bobCode + "?expires=" + q.Get("expires"), http.StatusForbidden},
		{"bob", "/downloads/" + bobCode + "?sig=" + q.Get("sig"), http.StatusForbidden},
		{"bob", "/downloads/" + bobCode + "?" + eveLink.RawQuery, http.StatusForbidden},
		{"bob", "/downloads/" + eveCode + "?" + bobLink.RawQuery, http.StatusForbidden},
		{"bob", "/downloads/" + eveCode, http.StatusForbidden},
		{"bob", "/downloads/" + bobCode + "?expires=" + q.Get("expires") + "0&sig=" + q.Get("sig"), http.StatusForbidden},
		{"bob", "/downloads/" + bobCode + "?expires=" + expired + "&sig=" + expiredSig, http.StatusGone},
		{"bob", "/downloads/" + strings.ToLower(bobCode) + "?" + bobLink.RawQuery, http.StatusForbidden},
		{"bob", "/downloads/..%2F..%2Fmedia%2F" + sha + "?" + bobLink.RawQuery, http.StatusForbidden},
		{"eve", bobLink.RequestURI(), http.StatusForbidden},
		{"cora", bobLink.RequestURI(), http.StatusForbidden},
		{"otto", bobLink.RequestURI(), http.StatusForbidden},
		{"ada", bobLink.RequestURI(), http.StatusForbidden},
		{"anonymous", bobLink.RequestURI(), http.StatusSeeOther},
	}
	for _, c := range cases {
		if res := leaks(c.who, c.path); res.StatusCode != c.want {
			t.Errorf("GET %s as %s: %d, want %d", c.path, c.who, res.StatusCode, c.want)
		}
	}
	// Things that are not the original: the comp, the image's API view.
	for _, who := range []string{"bob", "eve", "cora"} {
		leaks(who, "/images/"+id+"/comp").mustStatus(t, http.StatusOK)
		// (The content hash is public: derivative names carry it.)
		if res := clients[who].api("GET", "/api/v1/images/"+id, a.token(who), ""); strings.Contains(res.body, "originals/") || strings.Contains(res.body, img.OriginalKey) {
			t.Errorf("the API shows %s where the original is kept", who)
		}
	}
	// The reviewers' view is the admins' alone.
	for _, who := range []string{"anonymous", "bob", "eve", "otto", "cora"} {
		if res := leaks(who, "/admin/images/"+id+"/original"); res.StatusCode == http.StatusOK {
			t.Errorf("the reviewers' original view answers %s", who)
		}
	}

	// The genuine link works for its licensee — and only while the
	// licence holds.
	res := clients["bob"].get(bobLink.RequestURI()).mustStatus(t, http.StatusOK)
	if !bytes.Contains([]byte(res.body), marker) {
		t.Fatal("the licensee's download is not the original")
	}
	admin, err := a.auth.UserByUsername(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.moderation.Refund(ctx, moderation.Actor{User: admin}, order, "test refund"); err != nil {
		t.Fatal(err)
	}
	if res := leaks("bob", bobLink.RequestURI()); res.StatusCode != http.StatusGone {
		t.Errorf("after a refund, the licensee's link: %d, want 410", res.StatusCode)
	}
}
