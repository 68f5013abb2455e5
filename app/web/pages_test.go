package web_test

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/views"
)

// TestEveryPageRenders requests every page template at least once, as the
// visitor who can see it, and checks the basics of accessibility on each. A
// new template without a case here fails the test.
func TestEveryPageRenders(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	a.user("ada", app.RoleAdmin)
	cora := a.user("cora", app.RoleContributor)
	anon := a.client()
	ann := a.client()
	ann.signIn("ann")
	ada := a.client()
	ada.signIn("ada")
	co := a.client()
	co.signIn("cora")
	up := decode[uploadResp](t, co.uploadAPI(a.token("cora"), jpegFile(t, "kite.jpg", 400, 300, 1), jpegFile(t, "draft.jpg", 300, 400, 2), jpegFile(t, "queued.jpg", 400, 400, 3)))
	a.process()
	a.publish(cora, up.Images[0].ID)
	a.submit(cora, up.Images[2].ID)
	published, err := a.catalog.Image(t.Context(), nil, up.Images[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	bea := a.user("bea", app.RoleBuyer)
	a.fundWallet(bea, "10")
	order, err := a.commerce.CreateOrder(t.Context(), bea, "pages", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: published.PublicID, License: app.LicenseStandard}}})
	if err != nil {
		t.Fatal(err)
	}
	held, err := a.commerce.Licenses(t.Context(), bea, 1, 0)
	if err != nil || len(held) != 1 {
		t.Fatalf("licences %v %v", held, err)
	}
	code := held[0].License.Code
	pending, err := a.commerce.TopUp(t.Context(), bea, "pending-topup", "25")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.commerce.AddToCart(t.Context(), bea, commerce.Line{ImageID: published.PublicID, License: app.LicenseExtended}); err != nil {
		t.Fatal(err)
	}
	be := a.client()
	be.signIn("bea")
	if _, _, err := a.moderation.Report(t.Context(), bea, published.PublicID, "metadata", "The bird is a buzzard"); err != nil {
		t.Fatal(err)
	}
	box, err := a.lightboxes.Create(t.Context(), bea, "Kite shoot")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := a.lightboxes.Add(t.Context(), bea, box.PublicID, published.PublicID); err != nil {
		t.Fatal(err)
	}
	shareToken, err := a.lightboxes.Share(t.Context(), bea, box.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.lightboxes.Mark(t.Context(), shareToken, published.PublicID, "approved", "Perfect for the cover"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		c      *client
		path   string
		status int
		want   string
	}{
		"home":                {anon, "/", http.StatusOK, "licensed in a minute"},
		"search":              {anon, "/search?q=red+kites", http.StatusOK, "red kites"},
		"signup":              {anon, "/signup", http.StatusOK, "Create your account"},
		"login":               {anon, "/login", http.StatusOK, "Email or username"},
		"account":             {ann, "/account", http.StatusOK, "API tokens"},
		"error":               {ann, "/no/such/page", http.StatusNotFound, "couldn’t find that page"},
		"admin_users":         {ada, "/admin/users", http.StatusOK, "ann@example.com"},
		"upload":              {co, "/contribute/upload", http.StatusOK, "Drag photos here"},
		"my_images":           {co, "/contribute/images", http.StatusOK, "draft.jpg"},
		"edit_image":          {co, "/contribute/images/" + up.Images[1].ID, http.StatusOK, "Describe your photo"},
		"image":               {anon, "/images/" + published.Slug(), http.StatusOK, "Red kite over the ridge"},
		"portfolio":           {anon, "/contributors/cora", http.StatusOK, "Photos by cora"},
		"cart":                {be, "/cart", http.StatusOK, "Extended licence"},
		"order":               {be, "/orders/" + order.Order.PublicID, http.StatusOK, code},
		"licenses":            {be, "/licenses", http.StatusOK, code},
		"license_verify":      {anon, "/licenses/" + code, http.StatusOK, "valid Snapshop licence"},
		"license_certificate": {be, "/licenses/" + code + "/certificate", http.StatusOK, "What you may do"},
		"wallet":              {be, "/wallet", http.StatusOK, "Balance <strong>$7</strong>"},
		"sandbox_checkout":    {be, pending.Order.CheckoutURL, http.StatusOK, "4242 4242 4242 4242"},
		"earnings":            {co, "/contribute/earnings", http.StatusOK, "$1.80"},
		"admin_payouts":       {ada, "/admin/payouts", http.StatusOK, "Payouts"},
		"admin_dashboard":     {ada, "/admin", http.StatusOK, "1</strong> waiting for review"},
		"admin_review":        {ada, "/admin/review", http.StatusOK, "Missing model release"},
		"admin_reports":       {ada, "/admin/reports", http.StatusOK, "The bird is a buzzard"},
		"admin_orders":        {ada, "/admin/orders", http.StatusOK, order.Order.PublicID},
		"admin_settings":      {ada, "/admin/settings", http.StatusOK, "Payout threshold"},
		"admin_audit":         {ada, "/admin/audit", http.StatusOK, "No entries match"},
		"lightboxes":          {be, "/lightboxes?add=" + published.PublicID, http.StatusOK, "Kite shoot"},
		"lightbox":            {be, "/lightboxes/" + box.PublicID, http.StatusOK, "Perfect for the cover"},
		"lightbox_share":      {anon, "/share/" + shareToken, http.StatusOK, "Shared with you by bea"},
	}
	files, err := fs.Glob(views.FS, "pages/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		tc, ok := cases[name]
		if !ok {
			t.Errorf("page template %s has no render case in this test", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			res := tc.c.get(tc.path).mustStatus(t, tc.status).mustContain(t, tc.want, "</html>")
			// Every page gives its forms and scripts a CSRF token.
			if m := csrfMeta.FindStringSubmatch(res.body); m == nil || m[1] == "" || strings.Contains(res.body, `name="_csrf" value=""`) {
				t.Error("page without a CSRF token")
			}
			for _, problem := range accessibilityProblems(res.body) {
				t.Error(problem)
			}
		})
	}
}

// accessibilityProblems checks what can be checked without a browser: one
// h1 and no skipped heading levels, alt text on every image, a label for
// every form control, a language on the document.
func accessibilityProblems(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"unparseable HTML: " + err.Error()}
	}
	var problems []string
	labels := map[string]bool{}
	var controls []*html.Node
	h1s, lastLevel := 0, 0
	var walk func(n *html.Node, inLabel bool)
	walk = func(n *html.Node, inLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "html":
				if attr(n, "lang") == "" {
					problems = append(problems, "<html> has no lang")
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				level := int(n.Data[1] - '0')
				if level == 1 {
					h1s++
				}
				if level > lastLevel+1 {
					problems = append(problems, "heading <"+n.Data+"> skips a level")
				}
				lastLevel = level
			case "img":
				if _, ok := attrOK(n, "alt"); !ok {
					problems = append(problems, "<img src="+attr(n, "src")+"> has no alt")
				}
			case "label":
				if f := attr(n, "for"); f != "" {
					labels[f] = true
				}
				inLabel = true
			case "input", "select", "textarea":
				typ := attr(n, "type")
				if typ != "hidden" && typ != "submit" && typ != "button" && !inLabel && attr(n, "aria-label") == "" {
					controls = append(controls, n)
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inLabel)
		}
	}
	walk(doc, false)
	for _, n := range controls {
		if id := attr(n, "id"); id == "" || !labels[id] {
			problems = append(problems, "<"+n.Data+" name="+attr(n, "name")+"> has no label")
		}
	}
	if h1s != 1 {
		problems = append(problems, "page has "+string(rune('0'+h1s))+" h1 elements, want 1")
	}
	return problems
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func TestNavigationFitsTheRole(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("ann", app.RoleBuyer)
	anon := a.client().get("/")
	anon.mustContain(t, `href="/login"`, `href="/signup"`, `action="/search"`)
	if strings.Contains(anon.body, "Sign out") {
		t.Fatal("anonymous visitor offered sign-out")
	}
	c := a.client()
	c.signIn("ann")
	page := c.get("/")
	page.mustContain(t, `href="/account"`, "Sign out", `action="/logout"`)
	if strings.Contains(page.body, `href="/signup"`) {
		t.Fatal("signed-in user offered sign-up")
	}
}
