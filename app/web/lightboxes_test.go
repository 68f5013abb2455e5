package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
)

type lightboxListResp struct {
	Lightboxes []struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		Count     int64     `json:"count"`
		CreatedAt string    `json:"created_at"`
		Contains  *[]string `json:"contains"`
	} `json:"lightboxes"`
}

type lightboxResp struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Count  int64  `json:"count"`
	Totals struct {
		StandardCents int64 `json:"standard_cents"`
		ExtendedCents int64 `json:"extended_cents"`
	} `json:"totals"`
	Images []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		ThumbURL string `json:"thumb_url"`
		Position int    `json:"position"`
		Prices   struct {
			StandardCents int64 `json:"standard_cents"`
			ExtendedCents int64 `json:"extended_cents"`
		} `json:"prices"`
		Client struct {
			Mark    string `json:"mark"`
			Comment string `json:"comment"`
		} `json:"client"`
	} `json:"images"`
}

func (r lightboxResp) ids() []string {
	out := make([]string, len(r.Images))
	for i, img := range r.Images {
		out[i] = img.ID
	}
	return out
}

// takeDown removes a published image as an admin would.
func (a *testApp) takeDown(id string) {
	a.t.Helper()
	admin := a.user("admin"+app.RandomToken(3), app.RoleAdmin)
	if _, err := a.moderation.Remove(a.t.Context(), moderation.Actor{User: admin}, id, "test takedown"); err != nil {
		a.t.Fatal(err)
	}
}

var lightboxLink = regexp.MustCompile(`href="/lightboxes/([a-z2-7]{16})"`)

// TestLightboxAPI: create, list, add (idempotent, published only), read
// with prices and positions, reorder, remove both ways, rename, delete —
// and a browser script's calls need the page's CSRF token.
func TestLightboxAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		one := a.publishAs(cora, 1, 400, 300, "One", "travel", "one", "a", "b", "c", "d")
		two := a.publishAs(cora, 2, 300, 400, "Two", "travel", "two", "a", "b", "c", "d")
		three := a.publishAs(cora, 3, 400, 400, "Three", "travel", "three", "a", "b", "c", "d")
		draft := decode[uploadResp](t, a.client().uploadAPI(a.token("cora"), jpegFile(t, "draft.jpg", 300, 300, 9))).Images[0].ID
		c, tok := a.client(), a.token("bea")

		mustAPIError(t, c.api("POST", "/api/v1/lightboxes", tok, `{"name":"  "}`), http.StatusUnprocessableEntity, app.EInvalid)
		mustAPIError(t, c.api("POST", "/api/v1/lightboxes", tok, fmt.Sprintf(`{"name":%q}`, strings.Repeat("x", 101))), http.StatusUnprocessableEntity, app.EInvalid)
		created := c.api("POST", "/api/v1/lightboxes", tok, `{"name":"Spring campaign"}`).mustStatus(t, http.StatusCreated)
		box := decode[lightboxResp](t, created)
		if len(box.ID) != 16 || strings.Trim(box.ID, "0123456789") == "" || created.Header.Get("Location") != "/api/v1/lightboxes/"+box.ID {
			t.Fatalf("created %s (Location %q): want a random public ID", created.body, created.Header.Get("Location"))
		}
		path := "/api/v1/lightboxes/" + box.ID
		list := decode[lightboxListResp](t, c.api("GET", "/api/v1/lightboxes", tok, "").mustStatus(t, http.StatusOK))
		if len(list.Lightboxes) != 1 || list.Lightboxes[0].Name != "Spring campaign" || list.Lightboxes[0].CreatedAt == "" || list.Lightboxes[0].Contains != nil {
			t.Fatalf("list %+v", list)
		}

		for _, id := range []string{one, two, three} {
			c.api("POST", path+"/images", tok, fmt.Sprintf(`{"image_id":%q}`, id)).mustStatus(t, http.StatusCreated).mustContain(t, `"added":true`)
		}
		c.api("POST", path+"/images", tok, fmt.Sprintf(`{"image_id":%q}`, one)).mustStatus(t, http.StatusOK).mustContain(t, `"added":false`)
		mustAPIError(t, c.api("POST", path+"/images", tok, `{"image_id":"nosuchimage00000"}`), http.StatusNotFound, app.ENotFound)
		mustAPIError(t, c.api("POST", path+"/images", tok, fmt.Sprintf(`{"image_id":%q}`, draft)), http.StatusNotFound, app.ENotFound)

		got := decode[lightboxResp](t, c.api("GET", path, tok, "").mustStatus(t, http.StatusOK))
		if got.Count != 3 || strings.Join(got.ids(), ",") != strings.Join([]string{one, two, three}, ",") {
			t.Fatalf("lightbox %+v", got)
		}
		if img := got.Images[1]; img.Title != "Two" || img.Position != 2 || !strings.HasPrefix(img.ThumbURL, "/media/") || img.Prices.StandardCents != 300 || img.Prices.ExtendedCents != 3000 || img.Client.Mark != "" {
			t.Errorf("image entry %+v", img)
		}
		withAsk := decode[lightboxListResp](t, c.api("GET", "/api/v1/lightboxes?image_id="+one+"&image_id="+draft, tok, ""))
		if cs := withAsk.Lightboxes[0].Contains; cs == nil || len(*cs) != 1 || (*cs)[0] != one || withAsk.Lightboxes[0].Count != 3 {
			t.Errorf("list asked about images: %+v", withAsk)
		}

		// Reorder: Three first.
		c.api("PATCH", path+"/images/"+three, tok, `{"position":1}`).mustStatus(t, http.StatusOK).mustContain(t, `"position":1`)
		mustAPIError(t, c.api("PATCH", path+"/images/"+three, tok, `{"position":0}`), http.StatusUnprocessableEntity, app.EInvalid)
		got = decode[lightboxResp](t, c.api("GET", path, tok, ""))
		if strings.Join(got.ids(), ",") != strings.Join([]string{three, one, two}, ",") {
			t.Fatalf("after the move: %v", got.ids())
		}

		// Remove, by path and by body; again is fine.
		c.api("DELETE", path+"/images/"+one, tok, "").mustStatus(t, http.StatusNoContent)
		c.api("DELETE", path+"/images/"+one, tok, "").mustStatus(t, http.StatusNoContent)
		c.api("DELETE", path+"/images", tok, fmt.Sprintf(`{"image_id":%q}`, two)).mustStatus(t, http.StatusNoContent)
		mustAPIError(t, c.api("DELETE", path+"/images", tok, `{}`), http.StatusUnprocessableEntity, app.EInvalid)
		if got = decode[lightboxResp](t, c.api("GET", path, tok, "")); strings.Join(got.ids(), ",") != three {
			t.Fatalf("after removals: %v", got.ids())
		}

		c.api("PATCH", path, tok, `{"name":"Autumn"}`).mustStatus(t, http.StatusOK).mustContain(t, `"name":"Autumn"`)

		// The same calls from a page's script: the session cookie and the
		// CSRF token from <meta name="csrf-token">, never the cookie alone.
		b := a.client()
		b.signIn("bea")
		body := fmt.Sprintf(`{"image_id":%q}`, one)
		b.request("POST", path+"/images", strings.NewReader(body), map[string]string{"Content-Type": "application/json"}).mustStatus(t, http.StatusForbidden)
		b.request("POST", path+"/images", strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": b.csrf()}).mustStatus(t, http.StatusCreated)

		c.api("DELETE", path, tok, "").mustStatus(t, http.StatusNoContent)
		mustAPIError(t, c.api("GET", path, tok, ""), http.StatusNotFound, app.ENotFound)
	})
}

// TestLightboxesAreTheOwnersOnly: another account gets the 404 of a
// lightbox that does not exist, by page and by API, for every route; an
// anonymous visitor is asked to sign in.
func TestLightboxesAreTheOwnersOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		a.user("bob", app.RoleBuyer)
		a.user("ada", app.RoleAdmin)
		img := a.publishAs(cora, 1, 400, 300, "Kept", "travel", "kept", "a", "b", "c", "d")
		box, err := a.lightboxes.Create(t.Context(), bea, "Private board")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, img); err != nil {
			t.Fatal(err)
		}
		var checked int
		for _, r := range a.web.Routes() {
			method, path, _ := strings.Cut(r, " ")
			isAPI := strings.HasPrefix(path, "/api/v1/lightboxes/:id")
			if !isAPI && !strings.HasPrefix(path, "/lightboxes/:id") {
				continue
			}
			checked++
			for _, who := range []string{"bob", "ada"} {
				c := a.client()
				c.signIn(who)
				tok := a.token(who)
				answers := map[string]*response{}
				for _, id := range []string{box.PublicID, "nosuchlightbox12"} {
					target := strings.NewReplacer(":id", id, ":image", img).Replace(path)
					switch {
					case isAPI:
						answers[id] = c.api(method, target, tok, fmt.Sprintf(`{"image_id":%q,"name":"Mine now","position":1}`, img))
					case method == http.MethodGet:
						answers[id] = c.get(target)
					default:
						answers[id] = c.post(target, url.Values{"image_id": {img}, "name": {"Mine now"}, "direction": {"up"}})
					}
				}
				mine, none := answers[box.PublicID], answers["nosuchlightbox12"]
				if mine.StatusCode != http.StatusNotFound || none.StatusCode != http.StatusNotFound {
					t.Errorf("%s %s as %s: %d (and %d for a missing one), want 404", method, path, who, mine.StatusCode, none.StatusCode)
				}
				if isAPI && mine.body != none.body {
					t.Errorf("%s %s as %s: %s differs from a missing lightbox's %s", method, path, who, mine.body, none.body)
				}
				if !isAPI && !strings.Contains(mine.body, "No such lightbox.") {
					t.Errorf("%s %s as %s: the page does not say what a missing lightbox's says", method, path, who)
				}
			}
			anon := a.client()
			target := strings.NewReplacer(":id", box.PublicID, ":image", img).Replace(path)
			switch {
			case isAPI:
				mustAPIError(t, anon.api(method, target, "", "{}"), http.StatusUnauthorized, app.EUnauthorized)
			case method == http.MethodGet:
				if res := anon.get(target); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
					t.Errorf("anonymous %s %s: %d to %q, want a sign-in redirect", method, target, res.StatusCode, res.location())
				}
			default:
				anon.post(target, url.Values{}).mustStatus(t, http.StatusUnauthorized)
			}
		}
		if checked < 15 {
			t.Fatalf("only %d lightbox routes walked", checked)
		}
		anon := a.client()
		mustAPIError(t, anon.api("GET", "/api/v1/lightboxes", "", ""), http.StatusUnauthorized, app.EUnauthorized)
		if res := anon.get("/lightboxes"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("anonymous /lightboxes: %d to %q", res.StatusCode, res.location())
		}
		// Nothing the others tried changed the owner's lightbox.
		v, err := a.lightboxes.Get(t.Context(), bea, box.PublicID)
		if err != nil || v.Lightbox.Name != "Private board" || len(v.Entries) != 1 || v.Lightbox.Shared() {
			t.Fatalf("owner's lightbox after the others tried: %+v %v", v, err)
		}
		bob := decode[lightboxListResp](t, a.client().api("GET", "/api/v1/lightboxes", a.token("bob"), ""))
		if len(bob.Lightboxes) != 0 {
			t.Errorf("bob's list shows %+v", bob.Lightboxes)
		}
	})
}

// TestLightboxPages walks the pages without script: save an image from its
// page through the chooser and back, make a lightbox from the chooser,
// reorder with the buttons, remove, rename.
func TestLightboxPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		one := a.publishAs(cora, 1, 400, 300, "Harbour at dawn", "travel", "harbour", "a", "b", "c", "d")
		two := a.publishAs(cora, 2, 300, 400, "Quay in fog", "travel", "quay", "a", "b", "c", "d")
		img, err := a.catalog.Image(t.Context(), nil, one)
		if err != nil {
			t.Fatal(err)
		}
		c := a.client()
		c.signIn("bea")
		// Every result card and the image page carry the control.
		c.get("/contributors/cora").mustContain(t, `data-lightbox-add data-image-id="`+one+`"`, `data-lightbox-add data-image-id="`+two+`"`)
		c.get("/images/"+img.Slug()).mustStatus(t, http.StatusOK).mustContain(t, `data-lightbox-add data-image-id="`+one+`"`, `name="add" value="`+one+`"`)
		c.get("/").mustContain(t, `href="/lightboxes"`)

		// Without script: the chooser, opened from the image page.
		chooser := c.request("GET", "/lightboxes?add="+one, nil, map[string]string{"Referer": a.srv.URL + "/images/" + img.Slug()})
		chooser.mustStatus(t, http.StatusOK).mustContain(t, "Save “Harbour at dawn” to a lightbox", "Create and save", `name="next" value="/images/`+img.Slug()+`"`)
		c.post("/lightboxes", url.Values{"name": {""}, "add": {one}}).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Give the lightbox a name")
		res := c.post("/lightboxes", url.Values{"name": {"Harbours"}, "add": {one}, "next": {"/images/" + img.Slug()}}).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/images/"+img.Slug() {
			t.Fatalf("create-and-save went to %q, want back to the image", res.location())
		}
		list := c.get("/lightboxes").mustStatus(t, http.StatusOK).mustContain(t, "Harbours", "Saved “Harbour at dawn” to “Harbours”")
		m := lightboxLink.FindStringSubmatch(list.body)
		if m == nil {
			t.Fatal("no link to the lightbox on the list")
		}
		id := m[1]
		// The chooser now offers to remove it, and adds the other.
		c.get("/lightboxes?add="+one).mustContain(t, "Saved</span> <strong>Harbours</strong>", "/lightboxes/"+id+"/images/"+one+"/remove")
		res = c.post("/lightboxes/"+id+"/images", url.Values{"image_id": {two}, "next": {"/search?q=quay"}}).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/search?q=quay" {
			t.Errorf("saving went to %q, want back to the results", res.location())
		}
		c.post("/lightboxes/"+id+"/images", url.Values{"image_id": {two}, "next": {"https://evil.example/"}}).mustStatus(t, http.StatusSeeOther)

		itemOne, itemTwo := `id="image-`+one+`"`, `id="image-`+two+`"`
		box := c.get("/lightboxes/"+id).mustStatus(t, http.StatusOK).mustContain(t, "Harbour at dawn", "Quay in fog", "is already in", "$6", "$60", itemOne, itemTwo)
		if strings.Index(box.body, itemOne) > strings.Index(box.body, itemTwo) {
			t.Fatal("images not in the order added")
		}
		res = c.post("/lightboxes/"+id+"/images/"+two+"/move", url.Values{"direction": {"up"}}).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/lightboxes/"+id+"#image-"+two {
			t.Errorf("after moving: %q", res.location())
		}
		box = c.get("/lightboxes/" + id)
		if strings.Index(box.body, itemOne) < strings.Index(box.body, itemTwo) {
			t.Fatal("move up did not persist")
		}
		c.post("/lightboxes/"+id+"/images/"+two+"/move", url.Values{"direction": {"sideways"}}).mustStatus(t, http.StatusUnprocessableEntity)
		c.post("/lightboxes/"+id+"/images/"+two+"/remove", url.Values{}).mustStatus(t, http.StatusSeeOther)
		if body := c.get("/lightboxes/" + id).body; strings.Contains(body, "Quay in fog") {
			t.Fatal("removed image still in the lightbox")
		}
		c.post("/lightboxes/"+id+"/rename", url.Values{"name": {strings.Repeat("x", 101)}}).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "At most 100 characters")
		c.post("/lightboxes/"+id+"/rename", url.Values{"name": {"Harbours, final"}}).mustStatus(t, http.StatusSeeOther)
		c.get("/lightboxes/"+id).mustContain(t, "<h1>Harbours, final</h1>")
		c.post("/lightboxes/"+id+"/delete", url.Values{}).mustStatus(t, http.StatusSeeOther)
		c.get("/lightboxes/"+id).mustStatus(t, http.StatusNotFound)
	})
}

var shareLinkRE = regexp.MustCompile(`http://snapshop\.test/share/([a-z2-7]+)`)

// TestLightboxShareLink: the owner makes a link (shown once), a client with
// no account sees the previews and marks images; the owner sees the marks;
// a new link replaces the old; revoking ends it; dead links look like
// links that never existed.
func TestLightboxShareLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		one := a.publishAs(cora, 1, 400, 300, "Lighthouse", "travel", "lighthouse", "a", "b", "c", "d")
		gone := a.publishAs(cora, 2, 300, 400, "Withdrawn", "travel", "withdrawn", "a", "b", "c", "d")
		box, err := a.lightboxes.Create(t.Context(), bea, "For Acme")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{one, gone} {
			if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, id); err != nil {
				t.Fatal(err)
			}
		}
		a.takeDown(gone)
		owner := a.client()
		owner.signIn("bea")
		res := owner.post("/lightboxes/"+box.PublicID+"/share", url.Values{}).mustStatus(t, http.StatusCreated).mustContain(t, "it will not be shown again")
		m := shareLinkRE.FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no share link on the page:\n%s", res.body)
		}
		token := m[1]
		if len(token) < 26 {
			t.Fatalf("token %q carries under 128 bits", token)
		}
		if strings.Contains(owner.get("/lightboxes/"+box.PublicID).body, token) {
			t.Error("the link is shown again on a later visit")
		}
		var hashes []string
		if err := db.DB().Table("lightboxes").Where("share_hash IS NOT NULL").Pluck("share_hash", &hashes).Error; err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %v, want only the token's SHA-256", hashes)
		}

		// The client: no account, only the link.
		client := a.client()
		page := client.get("/share/"+token).mustStatus(t, http.StatusOK).mustContain(t, "For Acme", "Shared with you by bea", "Lighthouse", `name="mark"`)
		if strings.Contains(page.body, "Withdrawn") {
			t.Error("a taken-down image is on the share page")
		}
		if page.Header.Get("X-Robots-Tag") == "" || page.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("share page headers %v", page.Header)
		}
		preview := regexp.MustCompile(`<img src="(/media/[^"]+)"`).FindStringSubmatch(page.body)
		if preview == nil || !strings.Contains(preview[1], "preview") {
			t.Fatalf("no watermarked preview on the share page")
		}
		client.get(preview[1]).mustStatus(t, http.StatusOK)
		markPath := "/share/" + token + "/images/" + one
		client.postRaw(markPath, url.Values{"mark": {"approved"}}).mustStatus(t, http.StatusForbidden) // no CSRF token
		client.post(markPath, url.Values{"mark": {"approved"}, "comment": {strings.Repeat("é", 1001)}}).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "At most 1000 characters")
		client.post(markPath, url.Values{"mark": {"maybe"}}).mustStatus(t, http.StatusUnprocessableEntity)
		client.post("/share/"+token+"/images/"+gone, url.Values{"mark": {"approved"}}).mustStatus(t, http.StatusNotFound)
		res = client.post(markPath, url.Values{"mark": {"approved"}, "comment": {"Love the <b>light</b>"}}).mustStatus(t, http.StatusSeeOther)
		if !strings.HasPrefix(res.location(), "/share/"+token+"?saved="+one) {
			t.Errorf("after marking: %q", res.location())
		}
		client.get(res.location()).mustContain(t, "Saved", `value="approved" checked`)

		// The owner sees the verdict and the comment (escaped).
		owner.get("/lightboxes/"+box.PublicID).mustContain(t, "Approved", "Love the &lt;b&gt;light&lt;/b&gt;", "Add 1 approved to cart")
		if got := decode[lightboxResp](t, owner.api("GET", "/api/v1/lightboxes/"+box.PublicID, a.token("bea"), "")); got.Images[0].Client.Mark != "approved" || got.Images[0].Client.Comment != "Love the <b>light</b>" {
			t.Errorf("API marks %+v", got.Images[0].Client)
		}

		// A new link (here by API) replaces the old one.
		fresh := decode[struct{ URL, Token string }](t, owner.api("POST", "/api/v1/lightboxes/"+box.PublicID+"/share", a.token("bea"), "").mustStatus(t, http.StatusCreated))
		if fresh.Token == token || !strings.HasSuffix(fresh.URL, "/share/"+fresh.Token) {
			t.Fatalf("new link %+v", fresh)
		}
		never := client.get("/share/"+app.RandomToken(20)).mustStatus(t, http.StatusNotFound)
		old := client.get("/share/"+token).mustStatus(t, http.StatusNotFound)
		if stripRequestID(old.body) != stripRequestID(never.body) {
			t.Error("a replaced link answers differently from one that never existed")
		}
		client.post(markPath, url.Values{"mark": {"rejected"}}).mustStatus(t, http.StatusNotFound)
		client.get("/share/"+fresh.Token).mustStatus(t, http.StatusOK)

		// Revoked: gone, the same way.
		owner.post("/lightboxes/"+box.PublicID+"/share/revoke", url.Values{}).mustStatus(t, http.StatusSeeOther)
		revoked := client.get("/share/"+fresh.Token).mustStatus(t, http.StatusNotFound)
		if stripRequestID(revoked.body) != stripRequestID(never.body) {
			t.Error("a revoked link answers differently from one that never existed")
		}
		client.post("/share/"+fresh.Token+"/images/"+one, url.Values{"mark": {"rejected"}}).mustStatus(t, http.StatusNotFound)
		owner.get("/lightboxes/"+box.PublicID).mustContain(t, "Create a share link", "Love the")
	})
}

var requestRef = regexp.MustCompile(`<code>[A-Za-z0-9]{32}</code>`)

// stripRequestID drops the per-request reference from an error page.
func stripRequestID(body string) string { return requestRef.ReplaceAllString(body, "") }

// TestShareWritesAreRateLimited: a link's holder cannot write without bound.
func TestShareWritesAreRateLimited(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	bea := a.user("bea", app.RoleBuyer)
	one := a.publishAs(cora, 1, 400, 300, "Lighthouse", "travel", "lighthouse", "a", "b", "c", "d")
	box, err := a.lightboxes.Create(t.Context(), bea, "Box")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, one); err != nil {
		t.Fatal(err)
	}
	token, err := a.lightboxes.Share(t.Context(), bea, box.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	c := a.client()
	form := url.Values{"mark": {"approved"}, "_csrf": {c.csrf()}}
	var limited int
	for range 80 {
		if res := c.postRaw("/share/"+token+"/images/"+one, form); res.StatusCode == http.StatusTooManyRequests {
			limited++
		} else if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark: %d", res.StatusCode)
		}
	}
	if limited == 0 || limited > 25 {
		t.Fatalf("%d of 80 quick marks refused, want those past the allowance of 60", limited)
	}
}

// TestLightboxTotalsAndCart: totals per licence follow prices and drop
// images taken down; "add approved to cart" fills the cart with exactly the
// approved images it can, at the standard licence.
func TestLightboxTotalsAndCart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		ids := map[string]string{}
		for i, title := range []string{"Approved", "Pricier", "Owned", "Rejected", "Unmarked", "Removed"} {
			ids[title] = a.publishAs(cora, int64(i+1), 400, 300, title, "travel", strings.ToLower(title), "a", "b", "c", "d")
		}
		tok := a.token("cora")
		a.client().api("PATCH", "/api/v1/images/"+ids["Pricier"], tok, `{"price_cents": 450}`).mustStatus(t, http.StatusOK)
		box, err := a.lightboxes.Create(t.Context(), bea, "Campaign")
		if err != nil {
			t.Fatal(err)
		}
		for _, title := range []string{"Approved", "Pricier", "Owned", "Rejected", "Unmarked", "Removed"} {
			if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, ids[title]); err != nil {
				t.Fatal(err)
			}
		}
		owner := a.client()
		owner.signIn("bea")
		btok := a.token("bea")
		path := "/api/v1/lightboxes/" + box.PublicID

		// Totals: 5 × $3 + $4.50 standard; 5 × $30 + $45 extended.
		got := decode[lightboxResp](t, owner.api("GET", path, btok, ""))
		if got.Totals.StandardCents != 1950 || got.Totals.ExtendedCents != 19500 {
			t.Fatalf("totals %+v, want 1950 and 19500", got.Totals)
		}
		a.takeDown(ids["Removed"])
		got = decode[lightboxResp](t, owner.api("GET", path, btok, ""))
		if got.Totals.StandardCents != 1650 || got.Totals.ExtendedCents != 16500 || len(got.Images) != 5 {
			t.Fatalf("after a takedown: totals %+v over %d images, want 1650 and 16500 over 5", got.Totals, len(got.Images))
		}
		owner.get("/lightboxes/"+box.PublicID).mustContain(t, "$16.50", "$165")
		if list := decode[lightboxListResp](t, owner.api("GET", "/api/v1/lightboxes", btok, "")); list.Lightboxes[0].Count != 5 {
			t.Errorf("list count %d after a takedown, want 5", list.Lightboxes[0].Count)
		}

		// Nothing approved yet: nothing to add.
		owner.post("/lightboxes/"+box.PublicID+"/cart", url.Values{}).mustStatus(t, http.StatusSeeOther)
		owner.get("/lightboxes/"+box.PublicID).mustContain(t, "has been approved yet")
		mustAPIError(t, owner.api("POST", path+"/cart", btok, ""), http.StatusConflict, app.EConflict)

		token, err := a.lightboxes.Share(t.Context(), bea, box.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		for title, mark := range map[string]string{"Approved": "approved", "Pricier": "approved", "Owned": "approved", "Rejected": "rejected"} {
			if _, err := a.lightboxes.Mark(t.Context(), token, ids[title], mark, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Bea already holds a standard licence for "Owned".
		a.fundWallet(bea, "10")
		if _, err := a.commerce.CreateOrder(t.Context(), bea, "owned", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: ids["Owned"], License: app.LicenseStandard}}}); err != nil {
			t.Fatal(err)
		}

		res := owner.post("/lightboxes/"+box.PublicID+"/cart", url.Values{}).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/cart" {
			t.Fatalf("add approved went to %q, want the cart", res.location())
		}
		cartPage := owner.get("/cart").mustContain(t, "Added 2 approved images", "Skipped “Owned”: You already hold a standard licence.", "$7.50")
		for _, title := range []string{"Rejected", "Unmarked", "Removed"} {
			if strings.Contains(cartPage.body, ">"+title+"<") {
				t.Errorf("%q is in the cart", title)
			}
		}
		q, err := a.commerce.Cart(t.Context(), bea)
		if err != nil {
			t.Fatal(err)
		}
		var inCart []string
		for _, l := range q.Lines {
			if l.License != app.LicenseStandard {
				t.Errorf("%s at %s", l.Image.Title, l.License)
			}
			inCart = append(inCart, l.Image.Title)
		}
		if strings.Join(inCart, ",") != "Approved,Pricier" || q.TotalCents != 750 {
			t.Fatalf("cart %v (total %d), want exactly Approved and Pricier for 750", inCart, q.TotalCents)
		}
		// By API, again: the same two (already there), the same skip.
		out := decode[struct {
			Added   []string `json:"added"`
			Skipped []struct {
				ImageID string `json:"image_id"`
				Reason  string `json:"reason"`
			} `json:"skipped"`
		}](t, owner.api("POST", path+"/cart", btok, "").mustStatus(t, http.StatusOK))
		if len(out.Added) != 2 || len(out.Skipped) != 1 || out.Skipped[0].ImageID != ids["Owned"] || out.Skipped[0].Reason == "" {
			t.Fatalf("API add approved: %+v", out)
		}
		if q, _ := a.commerce.Cart(t.Context(), bea); len(q.Lines) != 2 {
			t.Errorf("cart has %d lines after adding twice", len(q.Lines))
		}
	})
}

// lockedBuffer collects log lines written from the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestShareTokensStayOutOfLogs: only the token's hash is stored, so the
// request log must not keep the link either.
func TestShareTokensStayOutOfLogs(t *testing.T) {
	var logs lockedBuffer
	a := newTestApp(t, storetest.New(t, store.SQLite), func(c *web.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	cora := a.user("cora", app.RoleContributor)
	bea := a.user("bea", app.RoleBuyer)
	one := a.publishAs(cora, 1, 400, 300, "Lighthouse", "travel", "lighthouse", "a", "b", "c", "d")
	box, err := a.lightboxes.Create(t.Context(), bea, "Box")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, one); err != nil {
		t.Fatal(err)
	}
	token, err := a.lightboxes.Share(t.Context(), bea, box.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.get("/share/"+token).mustStatus(t, http.StatusOK)
	c.post("/share/"+token+"/images/"+one, url.Values{"mark": {"approved"}}).mustStatus(t, http.StatusSeeOther)
	if !strings.Contains(logs.String(), "route=/share/:token/images/:image") {
		t.Fatalf("the marks were not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the share token is in the request log:\n%s", logs.String())
	}
}
