package web

import (
	"html"
	"html/template"
	"net/url"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/search"
)

// Result cards are written here, in Go, rather than by html/template. A
// search page shows 48 of them, and html/template's escaping of their
// links, attributes and forms (a reflective call per escaper per action,
// some 2,000 a page) was nearly half of the page's CPU in snapshop bench
// http at 100,000 images; keeping rendered cards helped little, since a big
// catalogue's searches rarely show the same cards twice. Everything taken
// from an image passes through html.EscapeString, and every attribute is
// quoted, which is what html/template would do in these contexts; the
// cards' own tests feed them markup.

// cardGrid is imgs' result cards as a grid ("" for none). decorate, if
// given, returns a card's title as HTML (highlighted for a search) and
// whether to mark it "New".
func (s *Server) cardGrid(imgs []app.Image, decorate func(*app.Image) (title template.HTML, isNew bool)) template.HTML {
	if len(imgs) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(1024 * len(imgs))
	b.WriteString(`<ul class="image-grid">`)
	for i := range imgs {
		var title template.HTML
		isNew := false
		if decorate != nil {
			title, isNew = decorate(&imgs[i])
		}
		s.writeCard(&b, &imgs[i], title, isNew)
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String()) // #nosec G203 -- every value in it is escaped
}

// writeCard writes img's result card: its thumbnail, title (title, if
// given, is the title already as HTML), a "New" badge, price, "More like
// this" and "Save to lightbox".
func (s *Server) writeCard(b *strings.Builder, img *app.Image, title template.HTML, isNew bool) {
	page := html.EscapeString(imageURL(img))
	alt := html.EscapeString(img.Title)
	b.WriteString(`<li class="image-card"><a href="`)
	b.WriteString(page)
	b.WriteString(`"><img src="`)
	b.WriteString(html.EscapeString(thumbURL(img)))
	b.WriteString(`" alt="`)
	b.WriteString(alt)
	b.WriteString(`" loading="lazy" width="400" height="300"></a><div class="image-card-body"><a href="`)
	b.WriteString(page)
	b.WriteString(`" class="image-card-title">`)
	if title != "" {
		b.WriteString(string(title))
	} else {
		b.WriteString(alt)
	}
	b.WriteString(`</a>`)
	if isNew {
		b.WriteString(` <span class="badge badge-new">New</span>`)
	}
	b.WriteString(` <span class="price">`)
	b.WriteString(html.EscapeString(money(s.catalog.PriceCents(img))))
	b.WriteString(`</span> <a href="`)
	b.WriteString(html.EscapeString(likeURL(img)))
	b.WriteString(`" class="more-like">More like this<span class="visually-hidden">: `)
	b.WriteString(alt)
	b.WriteString(`</span></a>`)
	writeLightboxAdd(b, img)
	b.WriteString(`</div></li>`)
}

// highlightHTML is a title's fragments as HTML, the words searched for
// marked.
func highlightHTML(frags []search.Fragment) template.HTML {
	var b strings.Builder
	for _, f := range frags {
		if f.Match {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(f.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(f.Text))
		}
	}
	return template.HTML(b.String()) // #nosec G203 -- every fragment is escaped
}

// lightboxAddHTML is an image's "Save to lightbox" control. Without script
// it opens the chooser on /lightboxes (after signing in); app.js turns it
// into a menu of the viewer's lightboxes that saves and removes in place
// through the API. It holds nothing of the viewer: a GET form, no token.
func lightboxAddHTML(img app.Image) template.HTML {
	var b strings.Builder
	writeLightboxAdd(&b, &img)
	return template.HTML(b.String()) // #nosec G203 -- every value is escaped
}

func writeLightboxAdd(b *strings.Builder, img *app.Image) {
	id := html.EscapeString(img.PublicID)
	title := html.EscapeString(orDefault(img.Title, "Untitled photo"))
	b.WriteString(`<form class="lightbox-add" action="/lightboxes" method="get" data-lightbox-add data-image-id="`)
	b.WriteString(id)
	b.WriteString(`" data-image-title="`)
	b.WriteString(title)
	b.WriteString(`"><input type="hidden" name="add" value="`)
	b.WriteString(id)
	b.WriteString(`"><button type="submit" class="link-button">Save to lightbox<span class="visually-hidden">: `)
	b.WriteString(title)
	b.WriteString(`</span></button><span class="lightbox-status" role="status"></span></form>`)
}

// likeURL is the search for images like img.
func likeURL(img *app.Image) string { return "/search?like=" + url.QueryEscape(img.PublicID) }
