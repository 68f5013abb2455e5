package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
)

func signupForm(email, username, password, role string) url.Values {
	return url.Values{"email": {email}, "username": {username}, "password": {password}, "role": {role}}
}

func TestSignUpSignInAccountSignOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		c := a.client()

		res := c.post("/signup", signupForm("Ann@Example.com", "ann", "correct horse", "contributor")).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/account" {
			t.Fatalf("sign-up redirects to %q", res.location())
		}
		c.get("/account").mustStatus(t, http.StatusOK).mustContain(t, "Welcome to Snapshop, ann.", "ann@example.com", "Contributor", "Sign out")
		// The flash shows once.
		if strings.Contains(c.get("/account").body, "Welcome to Snapshop") {
			t.Fatal("flash message shown twice")
		}

		c.post("/logout", nil).mustStatus(t, http.StatusSeeOther)
		c.get("/").mustContain(t, "You have signed out.", `href="/login"`)
		res = c.get("/account").mustStatus(t, http.StatusSeeOther)
		if res.location() != "/login?next=%2Faccount" {
			t.Fatalf("signed-out account page redirects to %q", res.location())
		}

		for _, login := range []string{"ann", "ann@example.com"} {
			res = c.post("/login", url.Values{"login": {login}, "password": {"correct horse"}, "next": {"/account"}}).mustStatus(t, http.StatusSeeOther)
			if res.location() != "/account" {
				t.Fatalf("sign-in redirects to %q", res.location())
			}
			c.get("/account").mustStatus(t, http.StatusOK).mustContain(t, "ann@example.com")
			c.post("/logout", nil).mustStatus(t, http.StatusSeeOther)
		}
	})
}

func TestSignUpRefusesInvalidAndDuplicateAccounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("ann", app.RoleBuyer)
		c := a.client()
		cases := []struct {
			name    string
			form    url.Values
			message string
		}{
			{"duplicate email", signupForm("ANN@example.com", "someone", "correct horse", "buyer"), "is already taken"},
			{"duplicate username", signupForm("new@example.com", "Ann", "correct horse", "buyer"), "is already taken"},
			{"bad email", signupForm("not-an-email", "newbie", "correct horse", "buyer"), "Enter a valid email address"},
			{"short password", signupForm("new@example.com", "newbie", "short", "buyer"), "at least 8 characters"},
			{"bad username", signupForm("new@example.com", "a b", "correct horse", "buyer"), "lowercase letters"},
			{"admin role", signupForm("new@example.com", "newbie", "correct horse", "admin"), "buy or to sell"},
			{"everything missing", url.Values{}, "Enter your email address"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := c.post("/signup", tc.form).mustStatus(t, http.StatusUnprocessableEntity)
				res.mustContain(t, tc.message, `aria-invalid="true"`, "Please correct the fields")
				if pw := tc.form.Get("password"); pw != "" && strings.Contains(res.body, pw) {
					t.Fatal("the password was echoed back into the form")
				}
				if em := tc.form.Get("email"); em != "" {
					res.mustContain(t, `value="`+em+`"`) // the user's input is kept
				}
			})
		}
		if n := countUsers(t, a); n != 1 {
			t.Fatalf("%d users after refused sign-ups, want 1", n)
		}
	})
}

func TestWrongPasswordGetsOneGenericMessage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("ann", app.RoleBuyer)
		c := a.client()
		wrong := c.post("/login", url.Values{"login": {"ann"}, "password": {"not her password"}}).mustStatus(t, http.StatusUnauthorized)
		unknown := c.post("/login", url.Values{"login": {"nobody"}, "password": {"whatever123"}}).mustStatus(t, http.StatusUnauthorized)
		const msg = "Incorrect email, username or password."
		wrong.mustContain(t, msg, `value="ann"`)
		unknown.mustContain(t, msg)
		if strings.Contains(c.get("/").body, "Sign out") {
			t.Fatal("signed in after a wrong password")
		}
	})
}

func TestRepeatedWrongPasswordsThrottleTheAccount(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	c := a.client()
	for range 5 {
		c.post("/login", url.Values{"login": {"ann"}, "password": {"guess guess"}}).mustStatus(t, http.StatusUnauthorized)
	}
	c.post("/login", url.Values{"login": {"ann"}, "password": {"ann-password"}}).
		mustStatus(t, http.StatusTooManyRequests).mustContain(t, "Too many failed sign-in attempts")
}

func TestSignInIsRateLimitedPerIP(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite), func(c *web.Config) { c.SignInBurst = 3 })
	a.user("ann", app.RoleBuyer)
	c := a.client()
	token := c.csrf()
	for i := range 3 {
		res := c.postRaw("/login", url.Values{"_csrf": {token}, "login": {"user" + string(rune('a'+i))}, "password": {"whatever123"}})
		res.mustStatus(t, http.StatusUnauthorized)
	}
	// Different accounts, same address: the per-IP limit applies.
	res := c.postRaw("/login", url.Values{"_csrf": {token}, "login": {"ann"}, "password": {"ann-password"}}).mustStatus(t, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	c.postRaw("/signup", url.Values{"_csrf": {token}}).mustStatus(t, http.StatusTooManyRequests)
	c.api("POST", "/api/v1/tokens", "", `{"login":"ann","password":"ann-password"}`).mustStatus(t, http.StatusTooManyRequests)
}

func TestPostsWithoutAValidCSRFTokenAreRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("ann", app.RoleBuyer)
		c := a.client()
		c.get("/signup") // has the CSRF cookie, as a browser would

		form := signupForm("new@example.com", "newbie", "correct horse", "buyer")
		c.postRaw("/signup", form).mustStatus(t, http.StatusForbidden).mustContain(t, "did not come from this site")
		form.Set("_csrf", "forged-token-forged-token-forged")
		c.postRaw("/signup", form).mustStatus(t, http.StatusForbidden)
		// A same-origin fetch header alone does not stand in for the token.
		req := c.request("POST", "/signup", strings.NewReader(signupForm("new@example.com", "newbie", "correct horse", "buyer").Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
		req.mustStatus(t, http.StatusForbidden)
		if n := countUsers(t, a); n != 1 {
			t.Fatalf("a post without a valid CSRF token created an account: %d users", n)
		}

		// Sign-in and sign-out are protected too.
		c.postRaw("/login", url.Values{"login": {"ann"}, "password": {"ann-password"}}).mustStatus(t, http.StatusForbidden)
		c.signIn("ann")
		c.postRaw("/logout", nil).mustStatus(t, http.StatusForbidden)
		c.get("/account").mustStatus(t, http.StatusOK) // still signed in
	})
}

func TestRolesGuardTheAdminArea(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		for name, role := range map[string]app.Role{"bea": app.RoleBuyer, "cal": app.RoleContributor, "ada": app.RoleAdmin} {
			a.user(name, role)
		}
		anon := a.client()
		res := anon.get("/admin/users").mustStatus(t, http.StatusSeeOther)
		if !strings.HasPrefix(res.location(), "/login?next=") {
			t.Fatalf("anonymous visitor sent to %q", res.location())
		}
		for _, name := range []string{"bea", "cal"} {
			c := a.client()
			c.signIn(name)
			c.get("/admin/users").mustStatus(t, http.StatusForbidden).mustContain(t, "have access")
			c.get("/admin").mustStatus(t, http.StatusForbidden)
			if strings.Contains(c.get("/").body, `href="/admin"`) {
				t.Fatalf("%s sees the admin link", name)
			}
		}
		admin := a.client()
		admin.signIn("ada")
		admin.get("/admin/users").mustStatus(t, http.StatusOK).mustContain(t, "bea@example.com", "cal@example.com", "3 accounts")
		admin.get("/admin/users?role=contributor").mustStatus(t, http.StatusOK).mustContain(t, "cal@example.com", "1 account")
		admin.get("/admin/users?q=be").mustStatus(t, http.StatusOK).mustContain(t, "bea@example.com")
		admin.get("/").mustContain(t, `href="/admin"`)
		// An admin can do what a buyer can.
		admin.get("/account").mustStatus(t, http.StatusOK)
	})
}

func TestSignInNeverRedirectsOffSite(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/account"} {
		c := a.client()
		res := c.post("/login", url.Values{"login": {"ann"}, "password": {"ann-password"}, "next": {next}}).mustStatus(t, http.StatusSeeOther)
		if res.location() != "/account" {
			t.Fatalf("next=%q redirected to %q", next, res.location())
		}
	}
	c := a.client()
	res := c.post("/login", url.Values{"login": {"ann"}, "password": {"ann-password"}, "next": {"/search?q=cats"}})
	if res.location() != "/search?q=cats" {
		t.Fatalf("local next lost: %q", res.location())
	}
}

func TestSessionCookies(t *testing.T) {
	for _, tc := range []struct {
		base   string
		secure bool
	}{{"http://snapshop.test", false}, {"https://snapshop.example", true}} {
		t.Run(tc.base, func(t *testing.T) {
			a := newTestApp(t, storetest.New(t, store.SQLite), func(c *web.Config) { c.BaseURL = tc.base })
			a.user("ann", app.RoleBuyer)
			c := a.client()
			res := c.post("/login", url.Values{"login": {"ann"}, "password": {"ann-password"}})
			var found bool
			for _, ck := range res.Cookies() {
				if ck.Name != "snapshop_session" {
					continue
				}
				found = true
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tc.secure {
					t.Fatalf("session cookie HttpOnly=%v SameSite=%v Secure=%v", ck.HttpOnly, ck.SameSite, ck.Secure)
				}
			}
			if !found {
				t.Fatal("no session cookie after sign-in")
			}
			if tc.secure != (res.Header.Get("Strict-Transport-Security") != "") {
				t.Fatalf("HSTS header %q for %s", res.Header.Get("Strict-Transport-Security"), tc.base)
			}
		})
	}
}

// Sessions live in the database, so a second server process on the same
// database honours a cookie the first one set.
func TestSessionsAreSharedBetweenServers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		first := newTestApp(t, db)
		first.user("ann", app.RoleBuyer)
		c := first.client()
		c.signIn("ann")
		second := newTestApp(t, db)
		u1, _ := url.Parse(first.srv.URL)
		u2, _ := url.Parse(second.srv.URL)
		c.http.Jar.SetCookies(u2, c.http.Jar.Cookies(u1))
		c.app = second
		c.get("/account").mustStatus(t, http.StatusOK).mustContain(t, "ann@example.com")
	})
}
