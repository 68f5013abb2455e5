package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	c := a.client()
	css := regexp.MustCompile(`href="(/static/css/[^"]+)"`).FindStringSubmatch(c.get("/").body)[1]
	for _, p := range []string{"/", "/login", "/no/such/page", "/api/v1/me", "/healthz", css} {
		res := c.get(p)
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") == "" ||
			h.Get("X-Request-Id") == "" {
			t.Errorf("%s (%d) lacks security headers: %v", p, res.StatusCode, h)
		}
	}
}

func TestStaticAssetsAreHashedAndCachedForAYear(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	c := a.client()
	home := c.get("/").body
	for _, re := range []string{`href="(/static/css/app\.[0-9a-f]{10}\.css)"`, `src="(/static/js/app\.[0-9a-f]{10}\.js)"`} {
		m := regexp.MustCompile(re).FindStringSubmatch(home)
		if m == nil {
			t.Fatalf("home page has no asset matching %s", re)
		}
		res := c.get(m[1]).mustStatus(t, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Fatalf("%s: Cache-Control %q", m[1], cc)
		}
		if res.Header.Get("Set-Cookie") != "" {
			t.Fatalf("%s sets a cookie: static files must not touch sessions", m[1])
		}
	}
	if cc := c.get("/static/css/app.css").mustStatus(t, http.StatusOK).Header.Get("Cache-Control"); cc != "no-cache" {
		t.Fatalf("unhashed name: Cache-Control %q", cc)
	}
	for _, p := range []string{"/static/css/app.0000000000.css", "/static/embed.go", "/static/../go.mod", "/static/%2e%2e/views/embed.go"} {
		if res := c.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, res.StatusCode)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	a := newTestApp(t, db)
	a.user("ann", app.RoleBuyer)
	c := a.client()
	c.get("/healthz").mustStatus(t, http.StatusOK)
	res := c.get("/readyz").mustStatus(t, http.StatusOK)
	var r struct {
		Database string
		Search   struct {
			State string
			Lag   int64
		}
	}
	if err := json.Unmarshal([]byte(res.body), &r); err != nil || r.Database != "ok" || r.Search.State != "ready" {
		t.Fatalf("readyz body %s", res.body)
	}
	c.signIn("ann")

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	c.get("/healthz").mustStatus(t, http.StatusOK)
	res = c.get("/readyz").mustStatus(t, http.StatusServiceUnavailable)
	if !strings.Contains(res.body, "unreachable") {
		t.Fatalf("readyz body %s", res.body)
	}
	// A page that needs the database says so, rather than failing blankly.
	c.get("/account").mustStatus(t, http.StatusServiceUnavailable).mustContain(t, "briefly unavailable")
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	c := a.client()
	c.get("/")
	c.get("/")
	c.get("/no/such/page")
	body := c.get("/metrics").mustStatus(t, http.StatusOK).body
	for _, want := range []string{
		`snapshop_http_requests_total{method="GET",route="/",status="200"} 2`,
		`snapshop_http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="+Inf"} 2`,
		`status="404"`,
		"go_goroutines",
		"snapshop_images_decoding 0",
		"snapshop_http_requests_computing 0",
		"snapshop_http_requests_queued 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `route="/no/such/page"`) {
		t.Error("unmatched paths become metric labels: unbounded cardinality")
	}
}

func TestUnknownPagesGetAFriendly404(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	c := a.client()
	c.signIn("ann")
	c.get("/no/such/page").mustStatus(t, http.StatusNotFound).mustContain(t, "couldn’t find that page", "search the catalogue", "ann")
	// A method no route takes is "not found" too (the page group's catch-all
	// route answers it), never a server error.
	c.request("PUT", "/", nil, map[string]string{"X-CSRF-Token": c.csrf()}).
		mustStatus(t, http.StatusNotFound).mustContain(t, "couldn’t find that page")
}
