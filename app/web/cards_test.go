package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// A result card shows its image as it is now: the title, the link made
// from it, and the price.
func TestCardsFollowTheirImage(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	kite := a.publishAs(cora, 1, 400, 300, "Red kite over the ridge", "animals", "kite", "bird", "ridge", "sky", "raptor")
	a.synced()
	anon := a.client()
	card := func(path string) string {
		t.Helper()
		body := anon.get(path).mustStatus(t, http.StatusOK).body
		i := strings.Index(body, `<li class="image-card">`)
		if i < 0 {
			t.Fatalf("GET %s: no result card", path)
		}
		return body[i : i+strings.Index(body[i:], "</li>")]
	}
	for _, path := range []string{"/search?q=kite", "/"} {
		got := card(path)
		for _, want := range []string{`alt="Red kite over the ridge"`, "/images/red-kite-over-the-ridge-" + kite, "$3", `href="/search?like=` + kite + `"`, `data-image-id="` + kite + `"`} {
			if !strings.Contains(got, want) {
				t.Errorf("GET %s: card lacks %q:\n%s", path, want, got)
			}
		}
		if strings.Contains(got, "csrf") || strings.Contains(got, "cora") {
			t.Errorf("GET %s: a card holds something of the request or its people:\n%s", path, got)
		}
	}

	// A new title shows at once, in the card's text, alt and link.
	img, err := a.db.ImageByPublicID(t.Context(), kite)
	if err != nil {
		t.Fatal(err)
	}
	img.Title = "Red kite above the valley"
	if err := a.db.SaveImage(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	a.synced()
	got := card("/search?q=kite")
	if !strings.Contains(got, `alt="Red kite above the valley"`) || !strings.Contains(got, "/images/red-kite-above-the-valley-"+kite) || strings.Contains(got, "ridge") {
		t.Errorf("after a new title the card shows:\n%s", got)
	}

	// So does a new default price.
	ada := a.client()
	a.user("ada", app.RoleAdmin)
	ada.signIn("ada")
	ada.post("/admin/settings", url.Values{
		"standard": {"4"}, "extended": {"40"}, "min_price": {"1"}, "max_price": {"100"},
		"share": {"65"}, "payout_min": {"20"}, "max_upload": {"2"}, "max_pending": {"10"},
	}).mustStatus(t, http.StatusSeeOther)
	for _, path := range []string{"/search?q=kite", "/"} {
		if got := card(path); !strings.Contains(got, `<span class="price">$4</span>`) {
			t.Errorf("GET %s: after a new default price the card shows:\n%s", path, got)
		}
	}
}

// Cards are written in Go, not by html/template: whatever a title holds, a
// browser must read it back as the same text, in the card's text and in
// every attribute, and find no element it did not put there.
func TestCardsEscapeWhatTheyShow(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	kite := a.publishAs(cora, 1, 400, 300, "Red kite over the ridge", "animals", "kite", "bird", "ridge", "sky", "raptor")
	titles := []string{
		`Kite <script>alert(1)</script>`,
		`Kite" onmouseover="alert(1)`,
		`Kite ' and & and <b>bold</b>`,
		"Kite — Überflug über den Grat",
		`Kite </a></li><li class="image-card"><a href="//evil.example">`,
	}
	for _, title := range titles {
		img, err := a.db.ImageByPublicID(t.Context(), kite)
		if err != nil {
			t.Fatal(err)
		}
		img.Title = title
		if err := a.db.SaveImage(t.Context(), img); err != nil {
			t.Fatal(err)
		}
		a.synced()
		for _, path := range []string{"/search?q=kite", "/"} {
			body := a.client().get(path).mustStatus(t, http.StatusOK).body
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var cards []*html.Node
			var walk func(n *html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && n.Data == "li" && attr(n, "class") == "image-card" {
					cards = append(cards, n)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			if len(cards) != 1 {
				t.Errorf("title %q, GET %s: %d cards, want 1", title, path, len(cards))
				continue
			}
			seen := map[string]int{}
			var check func(n *html.Node)
			check = func(n *html.Node) {
				if n.Type == html.ElementNode {
					seen[n.Data]++
					switch {
					case n.Data == "img" && attr(n, "alt") != title:
						t.Errorf("title %q, GET %s: alt %q", title, path, attr(n, "alt"))
					case n.Data == "form" && attr(n, "data-image-title") != title:
						t.Errorf("title %q, GET %s: data-image-title %q", title, path, attr(n, "data-image-title"))
					case n.Data == "a" && attr(n, "class") == "image-card-title" && textContent(n) != title:
						t.Errorf("title %q, GET %s: card title %q", title, path, textContent(n))
					}
					for _, at := range n.Attr {
						if strings.HasPrefix(at.Key, "on") {
							t.Errorf("title %q, GET %s: attribute %s on <%s>", title, path, at.Key, n.Data)
						}
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					check(c)
				}
			}
			check(cards[0])
			// The card's own elements, and nothing a title brought.
			want := map[string]int{"li": 1, "a": 3, "img": 1, "div": 1, "span": 4, "form": 1, "input": 1, "button": 1}
			for el, n := range seen {
				if el != "mark" && want[el] != n {
					t.Errorf("title %q, GET %s: %d <%s> elements in the card, want %d", title, path, n, el, want[el])
				}
			}
		}
	}
}

// textContent is the text of n and its descendants.
func textContent(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textContent(c))
	}
	return b.String()
}
