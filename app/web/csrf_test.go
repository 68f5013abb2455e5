package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/views"
)

// csrfRefusal is what the CSRF check says, and nothing else does.
const csrfRefusal = "did not come from this site"

// TestEveryStateChangingRouteNeedsTheCSRFToken sends every POST, PUT,
// PATCH and DELETE route of the route table, as someone allowed to use it
// (by authzMatrix) and signed in with a browser session, without the CSRF
// token and then with a forged one: each is refused with the CSRF check's
// 403 before its handler runs. Forms carry the token in _csrf, scripts in
// X-CSRF-Token; the API's bearer tokens need none (no cookie can send
// them), and the payment webhook is signed by the provider instead.
func TestEveryStateChangingRouteNeedsTheCSRFToken(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	fx := authzFixtures(a)
	names := [identities]string{"", "bob", "otto", "cora", "ada"}
	sessions := [identities]*client{}
	for who := buyer; who < identities; who++ {
		sessions[who] = a.client()
		sessions[who].signIn(names[who])
	}

	var checked int
	for _, r := range a.web.Routes() {
		method, pattern, _ := strings.Cut(r, " ")
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		spec, ok := authzMatrix[r]
		if !ok {
			t.Fatalf("%s: not in authzMatrix", r)
		}
		target := fx.Replace(spec.path)
		if pattern == "/webhooks/:provider" {
			// The documented exception: no session, no token; an unsigned
			// notification is refused by its signature check instead.
			res := a.client().request(method, target, strings.NewReader(`{"id":"evt_x","type":"paid"}`), map[string]string{"Content-Type": "application/json"})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s unsigned: status %d, want 422", r, res.StatusCode)
			}
			continue
		}
		// Someone the route lets through, so that only the token is missing
		// (an admin where everyone is refused for another reason, such as
		// a sign-in's wrong password).
		who := admin
	pick:
		for _, refused := range [][]int{{401, 403, 404}, {401, 403}} {
			for _, w := range []int{admin, owner, other, buyer} {
				if !slices.Contains(refused, spec.want[w]) {
					who = w
					break pick
				}
			}
		}
		c := sessions[who]
		c.get("/") // the CSRF cookie, as a browser has it
		for _, token := range []string{"", "forged-token-forged-token-forged"} {
			var res *response
			if strings.HasPrefix(pattern, "/api/") {
				h := map[string]string{"Content-Type": "application/json"}
				if token != "" {
					h["X-CSRF-Token"] = token
				}
				body := fx.Replace(spec.body)
				if body == "" {
					body = "{}"
				}
				res = c.request(method, target, strings.NewReader(body), h)
			} else {
				form := url.Values{}
				for k, vs := range spec.form {
					for _, v := range vs {
						form.Add(k, fx.Replace(v))
					}
				}
				if token != "" {
					form.Set("_csrf", token)
				}
				res = c.postRaw(target, form)
			}
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, csrfRefusal) {
				t.Errorf("%s as %s with token %q: status %d, want the CSRF check's 403\n%.300s", r, identityNames[who], token, res.StatusCode, res.body)
			}
		}
		checked++
	}
	if checked < 60 {
		t.Errorf("only %d state-changing routes checked", checked)
	}
	// Still signed in: the refused sign-out did nothing.
	sessions[buyer].get("/account").mustStatus(t, http.StatusOK)
}

var (
	formTag    = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	postMethod = regexp.MustCompile(`(?i)\bmethod\s*=\s*"?post\b`)
)

// TestEveryPostFormCarriesTheCSRFToken checks forms two ways: in the
// template sources, every <form method="post"> includes the csrf partial
// before it closes; and on every page the route table serves, for every
// identity, every post form holds a _csrf field with the page's own token.
func TestEveryPostFormCarriesTheCSRFToken(t *testing.T) {
	var forms int
	err := fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := fs.ReadFile(views.FS, p)
		if err != nil {
			return err
		}
		src := string(b)
		for _, loc := range formTag.FindAllStringIndex(src, -1) {
			if !postMethod.MatchString(src[loc[0]:loc[1]]) {
				continue
			}
			forms++
			rest := src[loc[1]:]
			end := strings.Index(rest, "</form>")
			if end < 0 {
				t.Errorf("%s: a post form never closes", p)
				continue
			}
			if !strings.Contains(rest[:end], `{{template "csrf"`) {
				line := strings.Count(src[:loc[0]], "\n") + 1
				t.Errorf("%s:%d: a post form without {{template \"csrf\" …}}", p, line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if forms < 30 {
		t.Errorf("only %d post forms in the templates", forms)
	}

	a := newTestApp(t, storetest.New(t, store.SQLite))
	fx := authzFixtures(a)
	names := [identities]string{"", "bob", "otto", "cora", "ada"}
	sessions := [identities]*client{a.client()}
	for who := buyer; who < identities; who++ {
		sessions[who] = a.client()
		sessions[who].signIn(names[who])
	}
	rendered := 0
	var pages []string
	for _, r := range a.web.Routes() {
		method, pattern, _ := strings.Cut(r, " ")
		if method != http.MethodGet || strings.HasPrefix(pattern, "/api/") {
			continue
		}
		pages = append(pages, r)
	}
	slices.Sort(pages)
	for _, r := range pages {
		target := fx.Replace(authzMatrix[r].path)
		for who := anon; who < identities; who++ {
			res := sessions[who].get(target)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			rendered += checkFormTokens(t, r+" as "+identityNames[who], res.body)
		}
	}
	if rendered < 40 {
		t.Errorf("only %d post forms seen on rendered pages", rendered)
	}
}

// checkFormTokens checks that every post form of a page carries the
// page's CSRF token, and returns how many there were.
func checkFormTokens(t *testing.T, page, body string) int {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	var meta string
	var forms [][]*html.Node
	var walk func(n *html.Node, form *[]*html.Node)
	walk = func(n *html.Node, form *[]*html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				if attr(n, "name") == "csrf-token" {
					meta = attr(n, "content")
				}
			case "form":
				if strings.EqualFold(attr(n, "method"), "post") {
					forms = append(forms, []*html.Node{n})
					form = &forms[len(forms)-1]
				}
			case "input":
				if form != nil && attr(n, "name") == "_csrf" {
					*form = append(*form, n)
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, form)
		}
	}
	walk(doc, nil)
	for _, f := range forms {
		if len(f) < 2 || meta == "" || attr(f[1], "value") != meta {
			t.Errorf("%s: a post form to %q without the page's CSRF token", page, attr(f[0], "action"))
		}
	}
	return len(forms)
}
