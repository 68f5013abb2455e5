package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func decode[T any](t *testing.T, r *response) T {
	t.Helper()
	var v T
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON\n%s", ct, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func mustAPIError(t *testing.T, r *response, status int, code string) {
	t.Helper()
	r.mustStatus(t, status)
	e := decode[apiError](t, r)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("error body %s, want code %q and a message", r.body, code)
	}
}

func TestAPITokenLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		ann := a.user("ann", app.RoleContributor)
		c := a.client()

		res := c.api("POST", "/api/v1/tokens", "", `{"login":"ann@example.com","password":"ann-password"}`).mustStatus(t, http.StatusCreated)
		token := decode[struct {
			Token string `json:"token"`
		}](t, res).Token
		if token == "" {
			t.Fatal("no token in response")
		}

		me := decode[map[string]string](t, c.api("GET", "/api/v1/me", token, "").mustStatus(t, http.StatusOK))
		want := map[string]string{"id": ann.PublicID, "username": "ann", "email": "ann@example.com", "role": "contributor"}
		for k, v := range want {
			if me[k] != v {
				t.Fatalf("me[%s] = %q, want %q (all: %v)", k, me[k], v, me)
			}
		}

		// Bearer requests need no CSRF token, even for DELETE.
		c.api("DELETE", "/api/v1/tokens/current", token, "").mustStatus(t, http.StatusNoContent)
		mustAPIError(t, c.api("GET", "/api/v1/me", token, ""), http.StatusUnauthorized, "unauthorized")
	})
}

func TestAPIRefusesBadCredentials(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		a.user("ann", app.RoleBuyer)
		c := a.client()
		mustAPIError(t, c.api("GET", "/api/v1/me", "", ""), http.StatusUnauthorized, "unauthorized")
		mustAPIError(t, c.api("GET", "/api/v1/me", "snap_notarealtoken", ""), http.StatusUnauthorized, "unauthorized")
		mustAPIError(t, c.request("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Basic YW5uOnB3"}), http.StatusUnauthorized, "unauthorized")
		mustAPIError(t, c.api("POST", "/api/v1/tokens", "", `{"login":"ann","password":"wrong password"}`), http.StatusUnauthorized, "unauthorized")
		mustAPIError(t, c.api("POST", "/api/v1/tokens", "", `{"login":"ann"`), http.StatusBadRequest, "invalid")
		mustAPIError(t, c.api("POST", "/api/v1/tokens", "", ``), http.StatusBadRequest, "invalid")
		mustAPIError(t, c.api("POST", "/api/v1/tokens", "", `{}`), http.StatusUnprocessableEntity, "invalid")
		mustAPIError(t, c.api("POST", "/api/v1/tokens", "", `{"login":"ann","password":"`+strings.Repeat("x", 2<<20)+`"}`), http.StatusRequestEntityTooLarge, "too_large")
		mustAPIError(t, c.api("GET", "/api/v1/nothing-here", "", ""), http.StatusNotFound, "not_found")
	})
}

func TestAPIWithBrowserSessionNeedsCSRFHeader(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	c := a.client()
	c.signIn("ann")
	// Reads work with the session cookie alone.
	me := decode[map[string]string](t, c.api("GET", "/api/v1/me", "", "").mustStatus(t, http.StatusOK))
	if me["username"] != "ann" {
		t.Fatalf("me = %v", me)
	}
	// A cookie-authenticated write without the header is refused.
	mustAPIError(t, c.api("POST", "/api/v1/tokens", "", `{"login":"ann","password":"ann-password"}`), http.StatusForbidden, "forbidden")
	res := c.request("POST", "/api/v1/tokens", strings.NewReader(`{"login":"ann","password":"ann-password"}`),
		map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf()})
	res.mustStatus(t, http.StatusCreated)
	// The session cannot revoke "the current token": there is none.
	res = c.request("DELETE", "/api/v1/tokens/current", nil, map[string]string{"X-CSRF-Token": c.csrf()})
	mustAPIError(t, res, http.StatusUnauthorized, "unauthorized")
}

func TestAccountPageManagesTokens(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	ann := a.user("ann", app.RoleBuyer)
	a.user("bob", app.RoleBuyer)
	c := a.client()
	c.signIn("ann")
	res := c.post("/account/tokens", map[string][]string{"name": {"upload script"}}).mustStatus(t, http.StatusCreated)
	res.mustContain(t, "copy it now", "upload script")
	tokens, err := a.auth.Tokens(t.Context(), ann.ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens: %v %v", tokens, err)
	}
	// Someone else cannot revoke it.
	bob := a.client()
	bob.signIn("bob")
	bob.post("/account/tokens/"+tokens[0].PublicID+"/revoke", nil).mustStatus(t, http.StatusNotFound)
	c.post("/account/tokens/"+tokens[0].PublicID+"/revoke", nil).mustStatus(t, http.StatusSeeOther)
	c.get("/account").mustContain(t, "was revoked", "You have no API tokens.")
}
