package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/lightbox"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/searchsync"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/static"
	"github.com/snapshop/snapshop/views"
)

// testApp is a whole web server on a fresh database, reached over real HTTP
// through httptest, as a browser or script would.
type testApp struct {
	t          *testing.T
	db         *store.DB
	auth       *auth.Service
	catalog    *catalog.Service
	search     *searchsync.Service
	views      *catalog.ViewCounter
	commerce   *commerce.Service
	moderation *moderation.Service
	lightboxes *lightbox.Service
	settings   *moderation.Settings
	web        *web.Server
	blobs      *blob.Local
	srv        *httptest.Server
}

var testSecret = []byte("web-test-secret-web-test-secret-")

// configure edits the web config before the server is built.
type configure func(*web.Config)

func newTestApp(t *testing.T, db *store.DB, opts ...configure) *testApp {
	t.Helper()
	accounts, err := auth.NewService(db, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	settings := moderation.NewSettings(db, app.Policy{
		Prices:  app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000},
		ShareBP: 6000, PayoutMinCents: 2500, MaxUploadBytes: 2 << 20, MaxPending: 20,
	}, time.Millisecond, storetest.Logger(t))
	images, err := catalog.NewService(db, blobs, catalog.Options{
		Limits: catalog.Limits{
			MaxFileBytes: 2 << 20, MinPixels: 10_000, MaxPixels: 4_000_000,
			MaxFiles: 5, MaxDrafts: 50, MaxPending: 20,
		},
		TempDir: t.TempDir(),
		Policy:  settings.Policy,
		Logger:  storetest.Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{
		BaseURL:     "http://snapshop.test",
		Views:       views.FS,
		Static:      static.FS,
		SignInBurst: 1000, // tests sign in often from one address
		Logger:      storetest.Logger(t),
	}
	for _, o := range opts {
		o(&cfg)
	}
	index := searchsync.New(db, searchsync.Options{Dir: t.TempDir(), Poll: 20 * time.Millisecond, SuggestEvery: time.Millisecond, Logger: storetest.Logger(t)})
	runCtx, stopIndex := context.WithCancel(context.Background())
	indexDone := make(chan error, 1)
	go func() { indexDone <- index.Run(runCtx) }()
	t.Cleanup(func() {
		stopIndex()
		if err := <-indexDone; err != nil {
			t.Error(err)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); index.Status().State != searchsync.StateReady; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("search index not ready")
		}
	}
	views := &catalog.ViewCounter{DB: db}
	books := ledger.New(db)
	shop, err := commerce.NewService(db, books, commerce.Options{
		Prices:   app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000},
		Policy:   settings.Policy,
		Provider: commerce.NewSandbox(testSecret, ""),
		Signer:   commerce.NewSigner(testSecret),
		BaseURL:  cfg.BaseURL,
		Logger:   storetest.Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := books.Verify(context.Background()); err != nil && app.ErrorCode(err) != app.EUnavailable {
			t.Errorf("ledger.Verify: %v", err)
		}
	})
	admin := moderation.NewService(db, images, shop, settings, moderation.Options{Logger: storetest.Logger(t)})
	boxes := lightbox.NewService(db, shop, lightbox.Options{Logger: storetest.Logger(t)})
	s, err := web.New(cfg, web.Services{Auth: accounts, Catalog: images, Search: index, Views: views, Commerce: shop, Moderation: admin, Lightboxes: boxes, Sessions: db.Sessions(), Health: db})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testApp{t: t, db: db, auth: accounts, catalog: images, search: index, views: views, commerce: shop, moderation: admin, lightboxes: boxes, settings: settings, web: s, blobs: blobs, srv: srv}
}

// synced brings the search index up to date with the database.
func (a *testApp) synced() {
	a.t.Helper()
	if err := a.search.Sync(a.t.Context()); err != nil {
		a.t.Fatal(err)
	}
}

// process runs image-processing workers until no job is left.
func (a *testApp) process() {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &catalog.Workers{Catalog: a.catalog, DB: a.db, Count: 2, Poll: 10 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			a.t.Error(err)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		counts, err := a.db.JobCounts(ctx)
		if err != nil {
			a.t.Fatal(err)
		}
		if counts[app.JobQueued]+counts[app.JobRunning] == 0 {
			return
		}
	}
	a.t.Fatal("jobs still pending after 30s")
}

// user creates an account directly through the service.
func (a *testApp) user(name string, role app.Role) *app.User {
	a.t.Helper()
	u, err := a.auth.CreateUser(a.t.Context(), auth.NewAccount{
		Email: name + "@example.com", Username: name, Password: name + "-password", Role: role,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	app  *testApp
	http *http.Client
}

func (a *testApp) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &client{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	*http.Response
	body string
}

func (r *response) location() string { return r.Header.Get("Location") }

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Response: res, body: string(b)}
}

func (c *client) request(method, path string, body io.Reader, header map[string]string) *response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.app.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

func (c *client) get(path string) *response { c.t.Helper(); return c.request("GET", path, nil, nil) }

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// csrf returns the token the pages give their forms and scripts, as a
// browser would see it.
func (c *client) csrf() string {
	c.t.Helper()
	m := csrfMeta.FindStringSubmatch(c.get("/").body)
	if m == nil {
		c.t.Fatal("no CSRF token on the home page")
	}
	return m[1]
}

// post submits a form with the page's CSRF token, like a browser.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	form = cloneValues(form)
	form.Set("_csrf", c.csrf())
	return c.postRaw(path, form)
}

// postRaw submits a form exactly as given (no CSRF token added).
func (c *client) postRaw(path string, form url.Values) *response {
	c.t.Helper()
	return c.request("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// signIn signs the client in as name (made by testApp.user).
func (c *client) signIn(name string) {
	c.t.Helper()
	res := c.post("/login", url.Values{"login": {name}, "password": {name + "-password"}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: status %d\n%s", name, res.StatusCode, res.body)
	}
}

// api sends a JSON request with an optional bearer token.
func (c *client) api(method, path, token, body string) *response {
	c.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return c.request(method, path, r, h)
}

func (r *response) mustStatus(t *testing.T, want int) *response {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
	return r
}

func (r *response) mustContain(t *testing.T, parts ...string) *response {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Fatalf("%s %s: body lacks %q\n%s", r.Request.Method, r.Request.URL.Path, p, r.body)
		}
	}
	return r
}

func countUsers(t *testing.T, a *testApp) int64 {
	t.Helper()
	list, err := a.auth.ListUsers(t.Context(), "", "", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	return list.Total
}
