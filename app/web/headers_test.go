package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
)

// securityHeaderProblems lists what a response lacks of the headers every
// response must carry: a CSP that forbids framing, nosniff, X-Frame-Options,
// a Referrer-Policy, and HSTS exactly when the site is served over https.
func securityHeaderProblems(h http.Header, https bool) []string {
	var out []string
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src ") || !strings.Contains(csp, "frame-ancestors 'none'") {
		out = append(out, "Content-Security-Policy "+csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		out = append(out, "X-Content-Type-Options "+h.Get("X-Content-Type-Options"))
	}
	if h.Get("X-Frame-Options") != "DENY" {
		out = append(out, "X-Frame-Options "+h.Get("X-Frame-Options"))
	}
	if rp := h.Get("Referrer-Policy"); rp == "" || strings.Contains(rp, "unsafe-url") {
		out = append(out, "Referrer-Policy "+rp)
	}
	if hsts := h.Get("Strict-Transport-Security"); https != strings.HasPrefix(hsts, "max-age=") {
		out = append(out, "Strict-Transport-Security "+hsts)
	}
	return out
}

func checkSecurityHeaders(t *testing.T, what string, res *response, https bool) {
	t.Helper()
	if p := securityHeaderProblems(res.Header, https); len(p) > 0 {
		t.Errorf("%s (%d) lacks security headers: %v", what, res.StatusCode, p)
	}
}

// TestSecurityHeadersOnEveryResponse checks the responses the matrix does
// not make (TestAuthorizationMatrix checks every one it makes): unknown
// paths under each prefix, a wrong method, a body too large, a rate limit,
// a forged webhook, and the 503s of a database that is gone — over http,
// and with HSTS over https.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	for _, https := range []bool{false, true} {
		db := storetest.New(t, store.SQLite)
		a := newTestApp(t, db, func(c *web.Config) {
			if https {
				c.BaseURL = "https://snapshop.test"
			}
			c.SignInBurst = 2
		})
		a.user("ann", app.RoleBuyer)
		ann := a.client()
		ann.signIn("ann")
		c := a.client()
		for _, p := range []string{"/", "/no/such/page", "/static/nope.css", "/static/../go.mod", "/media/nope.jpg",
			"/media/../../etc/passwd", "/api/v1/nope", "/api/v1/me", "/admin", "/healthz", "/readyz", "/metrics"} {
			checkSecurityHeaders(t, "GET "+p, c.get(p), https)
		}
		checkSecurityHeaders(t, "PUT /login", c.request("PUT", "/login", nil, nil), https)
		checkSecurityHeaders(t, "DELETE /search", c.request("DELETE", "/search", nil, nil), https)
		big := bytes.Repeat([]byte("a"), 2<<20)
		checkSecurityHeaders(t, "POST /login (2 MB)", c.request("POST", "/login", bytes.NewReader(big), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}).mustStatus(t, http.StatusRequestEntityTooLarge), https)
		checkSecurityHeaders(t, "POST /webhooks/sandbox", c.request("POST", "/webhooks/sandbox", strings.NewReader("{}"), nil), https)
		token := c.csrf()
		c.postRaw("/login", map[string][]string{"_csrf": {token}, "login": {"ann"}, "password": {"wrong-password"}})
		checkSecurityHeaders(t, "POST /login (rate limited)", c.postRaw("/login", map[string][]string{"_csrf": {token}}).mustStatus(t, http.StatusTooManyRequests), https)

		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		checkSecurityHeaders(t, "GET /readyz (database gone)", c.get("/readyz").mustStatus(t, http.StatusServiceUnavailable), https)
		checkSecurityHeaders(t, "GET /account (database gone)", ann.get("/account").mustStatus(t, http.StatusServiceUnavailable), https)
		checkSecurityHeaders(t, "GET /api/v1/me (database gone)", c.api("GET", "/api/v1/me", "snap_whatever", "").mustStatus(t, http.StatusServiceUnavailable), https)
	}
}
