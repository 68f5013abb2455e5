package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

// Page is what every page's data embeds: the frame around the content.
type Page struct {
	Title string
	User  *app.User
	CSRF  string
	Flash *Flash
	Query string // the search box's value
	Path  string // for marking the current navigation item
}

// Flash is a one-time message shown on the next page a user sees.
type Flash struct {
	Kind    string // "success" or "error"
	Message string
}

// base lets renderPage reach the embedded Page of any page data.
func (p *Page) base() *Page { return p }

type pageData interface{ base() *Page }

// page returns the frame for the current request: who is signed in, the CSRF
// token for its forms, and any flash message (taken, so it shows once).
func (s *Server) page(c echo.Context, title string) Page {
	p := Page{
		Title: title,
		User:  currentUser(c),
		Query: c.QueryParam("q"),
		Path:  c.Request().URL.Path,
	}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		p.CSRF = tok
	}
	if s.hasSession(c) {
		ctx := c.Request().Context()
		if msg := s.sessions.PopString(ctx, flashKey); msg != "" {
			p.Flash = &Flash{Kind: s.sessions.PopString(ctx, flashKindKey), Message: msg}
		}
	}
	return p
}

// renderPage renders a page template with status. HTML pages are private to
// their viewer: nothing in between may cache them.
func (s *Server) renderPage(c echo.Context, status int, name string, data pageData) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	b, err := s.views.render(name, data)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, b)
}

// flash sets the message the next page will show.
func (s *Server) flash(c echo.Context, kind, msg string) {
	ctx := c.Request().Context()
	s.sessions.Put(ctx, flashKey, msg)
	s.sessions.Put(ctx, flashKindKey, kind)
}

// redirect answers a form post: 303 sends the browser to GET the target.
func redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}

// templateFuncs are the few helpers templates may call.
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": s.assets.url,
		// price is a standard licence's price, shown on every result card.
		"price":       func(img app.Image) int64 { return s.catalog.PriceCents(&img) },
		"cardGrid":    func(imgs []app.Image) template.HTML { return s.cardGrid(imgs, nil) },
		"lightboxAdd": lightboxAddHTML,
		"date":        func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"datetime": func(t time.Time) string {
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		},
		"isoTime":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"hasPrefix":    strings.HasPrefix,
		"roleName":     roleName,
		"thumbURL":     thumbURL,
		"previewURL":   previewURL,
		"imageURL":     imageURL,
		"editURL":      editURL,
		"cameraName":   cameraName,
		"categoryName": func(slug string) string { n, _ := app.CategoryName(slug); return n },
		"statusLabel":  statusLabel,
		"join":         strings.Join,
		"megapixels":   func(mp float64) string { return fmt.Sprintf("%.1f MP", mp) },
		"megabytes":    func(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) },
		"mpOf":         func(pixels int64) float64 { return float64(pixels) / 1e6 },
		"contains": func(list []string, s string) bool {
			for _, v := range list {
				if v == s {
					return true
				}
			}
			return false
		},
		"searchURL":      func(q string) string { return "/search?q=" + url.QueryEscape(q) },
		"likeURL":        likeURL,
		"money":          money,
		"waitText":       waitText,
		"rejectLabel":    rejectLabel,
		"resubmittable":  app.Resubmittable,
		"reportReasons":  app.ReportReasons,
		"sharePercent":   sharePercent,
		"auditTargetURL": auditTargetURL,
		"auditTargetTypes": func() []string {
			return []string{"image", "user", "report", "order", "payout", "settings"}
		},
		"mbOf": func(n int64) int64 { return n >> 20 },
		"settingsField": func(name, label, value string, e fieldMessage) settingsField {
			return settingsField{Name: name, Label: label, Value: value, Error: e}
		},
		"fieldError": func(errs map[string]string, field string) fieldMessage {
			return fieldMessage{ID: field, Message: errs[field]}
		},
	}
}

// settingsField feeds the settings page's "money-field" template.
type settingsField struct {
	Name, Label, Value string
	Error              fieldMessage
}

// fieldMessage feeds the "field-error" partial: the input's id and its message.
type fieldMessage struct{ ID, Message string }

// money renders cents as dollars: $3, $2.50.
func money(cents int64) string {
	if cents < 0 {
		return "−" + money(-cents)
	}
	if cents%100 == 0 {
		return fmt.Sprintf("$%d", cents/100)
	}
	return fmt.Sprintf("$%d.%02d", cents/100, cents%100)
}

// statusLabel names an image status for its owner.
func statusLabel(s app.ImageStatus) string {
	switch s {
	case app.StatusProcessing:
		return "Processing"
	case app.StatusFailed:
		return "Failed"
	case app.StatusDraft:
		return "Draft"
	case app.StatusPending:
		return "In review"
	case app.StatusApproved:
		return "Published"
	case app.StatusRejected:
		return "Rejected"
	case app.StatusRemoved:
		return "Removed"
	}
	return string(s)
}

func roleName(r app.Role) string {
	switch r {
	case app.RoleBuyer:
		return "Buyer"
	case app.RoleContributor:
		return "Contributor"
	case app.RoleAdmin:
		return "Administrator"
	}
	return string(r)
}
