package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/media/synth"
)

type file struct {
	name string
	data []byte
}

func jpegFile(t *testing.T, name string, w, h int, seed int64) file {
	t.Helper()
	b, err := synth.JPEG(w, h, seed, 85)
	if err != nil {
		t.Fatal(err)
	}
	return file{name, b}
}

// multipartBody encodes files under the "files" field, plus extra fields.
func multipartBody(t *testing.T, fields map[string]string, files ...file) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		// Raw, unescaped names: the server must cope with whatever a client sends.
		h.Set("Content-Disposition", `form-data; name="files"; filename="`+f.name+`"`)
		h.Set("Content-Type", "application/octet-stream")
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

type uploadResp struct {
	Images []struct{ ID, Status, File, URL string } `json:"images"`
	Errors []struct{ File, Code, Message string }   `json:"errors"`
	Error  *struct{ Code, Message string }          `json:"error"`
}

func (c *client) uploadAPI(token string, files ...file) *response {
	c.t.Helper()
	ct, body := multipartBody(c.t, nil, files...)
	h := map[string]string{"Content-Type": ct}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return c.request("POST", "/api/v1/uploads", body, h)
}

func (a *testApp) token(name string) string {
	a.t.Helper()
	u, err := a.auth.UserByUsername(a.t.Context(), name)
	if err != nil {
		a.t.Fatal(err)
	}
	tok, err := a.auth.IssueToken(a.t.Context(), u, "test")
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// publish describes, submits and approves an image through the services.
func (a *testApp) publish(owner *app.User, id string) {
	a.t.Helper()
	a.submit(owner, id)
	admin := a.user("admin"+app.RandomToken(3), app.RoleAdmin)
	if _, err := a.catalog.Approve(a.t.Context(), admin, id); err != nil {
		a.t.Fatal(err)
	}
}

// submit describes one of owner's drafts completely and sends it for review.
func (a *testApp) submit(owner *app.User, id string) {
	a.t.Helper()
	ctx := a.t.Context()
	title, kw, cat := "Red kite over the ridge", []string{"kite", "bird", "ridge", "sky", "flight"}, "animals"
	usage, ai := app.UsageCommercial, app.AINone
	if _, err := a.catalog.Describe(ctx, owner, id, catalog.Description{Title: &title, Keywords: &kw, Category: &cat, Usage: &usage, AI: &ai}); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.catalog.Submit(ctx, owner, id); err != nil {
		a.t.Fatal(err)
	}
}

func (a *testApp) blobCount() int {
	a.t.Helper()
	n := 0
	if err := a.blobs.Walk(a.t.Context(), "", func(blob.Info) error { n++; return nil }); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestAPIUploadOneBadFileNeverSinksTheOthers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("cora", app.RoleContributor)
		c := a.client()
		tok := a.token("cora")

		res := c.uploadAPI(tok,
			jpegFile(t, "kite.jpg", 400, 300, 1),
			file{"notes.jpg", []byte("not a photo at all")},
			jpegFile(t, "ridge.jpg", 300, 400, 2),
		).mustStatus(t, http.StatusAccepted)
		up := decode[uploadResp](t, res)
		if len(up.Images) != 2 || len(up.Errors) != 1 || up.Error != nil {
			t.Fatalf("upload answer %+v", up)
		}
		if e := up.Errors[0]; e.File != "notes.jpg" || e.Code != "invalid" || !strings.Contains(e.Message, "not a JPEG") {
			t.Fatalf("error entry %+v", e)
		}
		id := up.Images[0].ID
		if up.Images[0].Status != "processing" || up.Images[0].URL != "/contribute/images/"+id {
			t.Fatalf("image entry %+v", up.Images[0])
		}

		a.process()
		img := decode[map[string]any](t, c.api("GET", "/api/v1/images/"+id, tok, "").mustStatus(t, http.StatusOK))
		if img["status"] != "draft" || img["width"] != 400.0 || img["orientation"] != "landscape" || img["thumb_url"] == "" || img["file_name"] != "kite.jpg" {
			t.Fatalf("image after processing: %v", img)
		}

		// Submitting an incomplete draft names what is missing.
		res = c.api("POST", "/api/v1/images/"+id+"/submit", tok, "").mustStatus(t, http.StatusUnprocessableEntity)
		res.mustContain(t, `"keywords"`, `"category"`, `"title"`)

		body := `{"title":"Red kite","description":"Over the ridge.","keywords":["Kite","bird","ridge","sky","flight","kite"],
			"category":"animals","usage":"commercial","model_release":false,"property_release":false,"ai_declaration":"none"}`
		img = decode[map[string]any](t, c.api("PATCH", "/api/v1/images/"+id, tok, body).mustStatus(t, http.StatusOK))
		if img["title"] != "Red kite" || len(img["keywords"].([]any)) != 5 {
			t.Fatalf("after PATCH: %v", img)
		}
		mustAPIError(t, c.api("PATCH", "/api/v1/images/"+id, tok, `{"title":"`+strings.Repeat("t", 201)+`"}`), http.StatusUnprocessableEntity, "invalid")
		mustAPIError(t, c.api("PATCH", "/api/v1/images/"+id, tok, `{"title":`), http.StatusBadRequest, "invalid")
		img = decode[map[string]any](t, c.api("POST", "/api/v1/images/"+id+"/submit", tok, "").mustStatus(t, http.StatusOK))
		if img["status"] != "pending" {
			t.Fatalf("after submit: %v", img)
		}
		list := decode[struct {
			Images []map[string]any `json:"images"`
			Total  int              `json:"total"`
		}](t, c.api("GET", "/api/v1/me/images?status=draft", tok, "").mustStatus(t, http.StatusOK))
		if list.Total != 1 {
			t.Fatalf("drafts: %+v", list)
		}
	})
}

func TestBadUploadsGetClearErrorsAndStoreNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		c := a.client()
		tok := a.token("cora")
		good := jpegFile(t, "good.jpg", 300, 200, 3)
		cases := []struct {
			name   string
			files  []file
			status int
			code   string
		}{
			{"zero bytes", []file{{"empty.jpg", nil}}, http.StatusUnprocessableEntity, "invalid"},
			{"text named .jpg", []file{{"text.jpg", []byte("plain text")}}, http.StatusUnprocessableEntity, "invalid"},
			{"truncated", []file{{"cut.jpg", good.data[:len(good.data)/2]}}, http.StatusUnprocessableEntity, "invalid"},
			{"too small", []file{jpegFile(t, "small.jpg", 60, 60, 4)}, http.StatusUnprocessableEntity, "invalid"},
			{"over the size limit", []file{{"big.jpg", append(append([]byte{}, good.data...), make([]byte, 2<<20)...)}}, http.StatusRequestEntityTooLarge, "too_large"},
			{"too many files", []file{good, good, good, good, good, good}, http.StatusRequestEntityTooLarge, "too_large"},
			{"no files", nil, http.StatusUnprocessableEntity, "invalid"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mustAPIError(t, c.uploadAPI(tok, tc.files...), tc.status, tc.code)
			})
		}
		mustAPIError(t, c.uploadAPI(a.token("bea"), good), http.StatusForbidden, "forbidden")
		mustAPIError(t, c.uploadAPI("", good), http.StatusUnauthorized, "unauthorized")
		res := c.request("POST", "/api/v1/uploads", strings.NewReader(`{"files":[]}`),
			map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
		mustAPIError(t, res, http.StatusBadRequest, "invalid")
		if n := a.blobCount(); n != 0 {
			t.Fatalf("refused uploads stored %d blobs", n)
		}

		// A path in the file name is only ever a label.
		up := decode[uploadResp](t, c.uploadAPI(tok, file{"../../../../tmp/evil.jpg", good.data}).mustStatus(t, http.StatusAccepted))
		if up.Images[0].File != "evil.jpg" {
			t.Fatalf("stored name %q", up.Images[0].File)
		}
		if _, err := os.Stat(filepath.Join(os.TempDir(), "evil.jpg")); err == nil {
			t.Fatal("a file was written where the client's name pointed")
		}
		// The same bytes again are recognised.
		up = decode[uploadResp](t, c.uploadAPI(tok, good).mustStatus(t, http.StatusConflict))
		if len(up.Errors) != 1 || up.Errors[0].Code != "conflict" {
			t.Fatalf("re-upload: %+v", up)
		}
	})
}

func TestUploadFormWorksWithoutJavaScript(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("cora", app.RoleContributor)
	c := a.client()
	c.signIn("cora")
	page := c.get("/contribute/upload").mustStatus(t, http.StatusOK).mustContain(t, `enctype="multipart/form-data"`, `name="files"`, "Drag photos here")
	// The token the page's own form and script carry (not another page's).
	pageToken := csrfMeta.FindStringSubmatch(page.body)
	if pageToken == nil || pageToken[1] == "" || !strings.Contains(page.body, `name="_csrf" value="`+pageToken[1]+`"`) {
		t.Fatalf("the upload page carries no CSRF token:\n%s", page.body)
	}

	// Without the CSRF token: refused, nothing stored.
	ct, body := multipartBody(t, nil, jpegFile(t, "a.jpg", 300, 200, 5))
	c.request("POST", "/contribute/upload", body, map[string]string{"Content-Type": ct}).mustStatus(t, http.StatusForbidden)
	if n := a.blobCount(); n != 0 {
		t.Fatalf("a post without CSRF stored %d blobs", n)
	}
	// With the token in the form, as the plain form sends it.
	ct, body = multipartBody(t, map[string]string{"_csrf": pageToken[1]}, jpegFile(t, "a.jpg", 300, 200, 5), file{"b.txt", []byte("nope")})
	c.request("POST", "/contribute/upload", body, map[string]string{"Content-Type": ct}).
		mustStatus(t, http.StatusOK).mustContain(t, "a.jpg", "accepted", "b.txt", "not a JPEG")
	// The page's script sends each file to the API with the same token in a header.
	ct, body = multipartBody(t, nil, jpegFile(t, "c.jpg", 300, 200, 7))
	c.request("POST", "/api/v1/uploads", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": pageToken[1]}).
		mustStatus(t, http.StatusAccepted)
	// A buyer never gets as far as the form being read.
	a.user("bea", app.RoleBuyer)
	b := a.client()
	b.signIn("bea")
	ct, body = multipartBody(t, map[string]string{"_csrf": b.csrf()}, jpegFile(t, "c.jpg", 300, 200, 6))
	b.request("POST", "/contribute/upload", body, map[string]string{"Content-Type": ct}).mustStatus(t, http.StatusForbidden)
	b.get("/contribute/upload").mustStatus(t, http.StatusForbidden)
}

func TestContributorDescribesAndSubmitsThroughThePages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		c := a.client()
		c.signIn("cora")
		up := decode[uploadResp](t, c.uploadAPI(a.token("cora"), jpegFile(t, "kite.jpg", 400, 300, 7)))
		id := up.Images[0].ID
		c.get("/contribute/images/"+id).mustStatus(t, http.StatusOK).mustContain(t, "Processing", `http-equiv="refresh"`)
		a.process()
		c.get("/contribute/images?status=draft").mustStatus(t, http.StatusOK).mustContain(t, "kite.jpg", "Drafts <span class=\"count\">1</span>")
		edit := c.get("/contribute/images/"+id).mustStatus(t, http.StatusOK)
		edit.mustContain(t, `name="title"`, `name="keywords"`, "Save and submit for review")

		form := url.Values{"title": {""}, "keywords": {"kite, bird"}, "category": {"animals"}, "usage": {"commercial"}, "ai_declaration": {"none"}, "action": {"submit"}}
		c.post("/contribute/images/"+id, form).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "Give the image a title.")
		form.Set("title", "Red kite")
		c.post("/contribute/images/"+id, form).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "at least 5 keywords")
		form.Set("keywords", "kite, bird, ridge, sky, flight")
		res := c.post("/contribute/images/"+id, form).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/contribute/images?status=pending" {
			t.Fatalf("after submit: %s", res.location())
		}
		img, err := a.catalog.Image(t.Context(), cora, id)
		if err != nil || img.Status != app.StatusPending || img.Title != "Red kite" {
			t.Fatalf("image %+v %v", img, err)
		}
		c.get("/contribute/images/"+id).mustContain(t, "waiting for review")

		// Someone else's image is not there for them.
		a.user("otto", app.RoleContributor)
		o := a.client()
		o.signIn("otto")
		o.get("/contribute/images/"+id).mustStatus(t, http.StatusNotFound)
		o.post("/contribute/images/"+id, form).mustStatus(t, http.StatusNotFound)
		mustAPIError(t, o.api("PATCH", "/api/v1/images/"+id, a.token("otto"), `{"title":"mine now"}`), http.StatusNotFound, "not_found")
	})
}

func TestBulkEditFromMyImages(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	c := a.client()
	c.signIn("cora")
	tok := a.token("cora")
	var ids []string
	for i := range 2 {
		up := decode[uploadResp](t, c.uploadAPI(tok, jpegFile(t, "p.jpg", 300, 200, int64(30+i))))
		ids = append(ids, up.Images[0].ID)
	}
	a.process()
	form := url.Values{"images": ids, "keywords": {"sunset, beach"}, "category": {"travel"}}
	c.post("/contribute/images/bulk", form).mustStatus(t, http.StatusSeeOther)
	c.get("/contribute/images?status=draft").mustContain(t, "Updated 2 images.")
	for _, id := range ids {
		img, err := a.catalog.Image(t.Context(), cora, id)
		if err != nil || img.Category != "travel" || strings.Join(img.Keywords, ",") != "sunset,beach" {
			t.Fatalf("after bulk edit: %+v %v", img, err)
		}
	}
	c.post("/contribute/images/bulk", url.Values{"images": ids}).mustStatus(t, http.StatusUnprocessableEntity)
}

func TestPublishedImagePagePortfolioAndMedia(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		c := a.client()
		tok := a.token("cora")
		up := decode[uploadResp](t, c.uploadAPI(tok, jpegFile(t, "kite.jpg", 400, 300, 8), jpegFile(t, "draft.jpg", 400, 300, 9)))
		id, draftID := up.Images[0].ID, up.Images[1].ID
		a.process()
		owner := decode[map[string]any](t, c.api("GET", "/api/v1/images/"+draftID, tok, ""))
		draftPreview := owner["preview_url"].(string)
		anon := a.client()
		anon.get(draftPreview).mustStatus(t, http.StatusNotFound)
		// Media files follow the browser session: the owner signs in.
		c.signIn("cora")
		res := c.get(draftPreview).mustStatus(t, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Fatalf("draft preview Cache-Control %q", cc)
		}

		a.publish(cora, id)
		img := decode[map[string]any](t, anon.api("GET", "/api/v1/images/"+id, "", "").mustStatus(t, http.StatusOK))
		for _, private := range []string{"file_name", "file_size", "status_reason", "gps_latitude", "location"} {
			if _, ok := img[private]; ok {
				t.Fatalf("public image JSON shows %s: %v", private, img)
			}
		}
		slug := img["slug"].(string)
		if !strings.HasPrefix(slug, "red-kite-over-the-ridge-") {
			t.Fatalf("slug %q", slug)
		}
		page := anon.get("/images/"+slug).mustStatus(t, http.StatusOK)
		page.mustContain(t, "Red kite over the ridge", `href="/search?q=kite"`, "by <a href=\"/contributors/cora\">cora</a>", "400 × 300")
		if res := anon.get("/images/old-title-"+id).mustStatus(t, http.StatusMovedPermanently); res.location() != "/images/"+slug {
			t.Fatalf("stale slug redirects to %q", res.location())
		}
		anon.get("/images/"+draftID).mustStatus(t, http.StatusNotFound)
		mustAPIError(t, anon.api("GET", "/api/v1/images/"+draftID, "", ""), http.StatusNotFound, "not_found")

		preview := img["preview_url"].(string)
		res = anon.get(preview).mustStatus(t, http.StatusOK)
		if res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("published preview headers %v", res.Header)
		}
		if strings.Contains(res.body, "Exif") || res.Header.Get("Set-Cookie") != "" {
			t.Fatal("preview carries EXIF or sets a cookie")
		}
		anon.get("/media/"+strings.Repeat("a", 64)+"-thumb-v1.jpg").mustStatus(t, http.StatusNotFound)

		home := anon.get("/").mustStatus(t, http.StatusOK).mustContain(t, "Recently added", "Red kite over the ridge", img["thumb_url"].(string))
		if strings.Contains(home.body, draftID) {
			t.Fatal("home page shows a draft")
		}
		folio := anon.get("/contributors/cora").mustStatus(t, http.StatusOK)
		folio.mustContain(t, "Photos by cora", "Red kite over the ridge", "1 published photo")
		if strings.Contains(folio.body, draftID) {
			t.Fatal("portfolio shows a draft")
		}
		anon.get("/contributors/nobody").mustStatus(t, http.StatusNotFound)
		a.user("bea", app.RoleBuyer)
		anon.get("/contributors/bea").mustStatus(t, http.StatusNotFound)
	})
}
