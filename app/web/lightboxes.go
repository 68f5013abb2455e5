package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/lightbox"
)

const (
	pageLightboxes    = "lightboxes"
	pageLightbox      = "lightbox"
	pageLightboxShare = "lightbox_share"
)

// lightboxURL is a lightbox's page, for its owner.
func lightboxURL(b *app.Lightbox) string { return "/lightboxes/" + b.PublicID }

// shareURL is the absolute address of a share link, as the owner sends it
// to a client: under the configured public URL when there is one.
func (s *Server) shareURL(c echo.Context, token string) string {
	p := "/share/" + url.PathEscape(token)
	if base := strings.TrimRight(s.cfg.BaseURL, "/"); base != "" {
		return base + p
	}
	return absolute(c, p)
}

// returnTo is where a form that saves an image sends the browser afterwards:
// its next field, else the page it came from (a search result, an image
// page), else def.
func returnTo(c echo.Context, def string) string {
	if next := safeNext(c.FormValue("next")); next != "" {
		return next
	}
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		if next := safeNext(ref.RequestURI()); next != "" {
			return next
		}
	}
	return def
}

type lightboxesPage struct {
	Page
	Lightboxes []lightbox.Summary
	MaxBoxes   int // per account
	MaxImages  int // per lightbox
	// The chooser: the image to save (from ?add=), and where to go after.
	Adding *app.Image
	Next   string
	// The create form after a refusal.
	Name   string
	Errors map[string]string
}

// lightboxesList shows the owner's lightboxes and the form to make one.
// With ?add=<image> it is also the chooser that saves that image (what the
// "Save to lightbox" control leads to without script).
func (s *Server) lightboxesList(c echo.Context) error {
	return s.renderLightboxes(c, http.StatusOK, lightboxesPage{})
}

func (s *Server) renderLightboxes(c echo.Context, status int, data lightboxesPage) error {
	ctx := c.Request().Context()
	data.Page = s.page(c, "Your lightboxes")
	var asked []string
	if add := strings.TrimSpace(c.FormValue("add")); add != "" {
		img, err := s.catalog.Image(ctx, nil, add)
		if err != nil {
			return err
		}
		data.Adding, data.Next = img, returnTo(c, imageURL(img))
		asked = []string{img.PublicID}
	}
	list, err := s.lightboxes.List(ctx, data.User, asked...)
	if err != nil {
		return err
	}
	data.Lightboxes = list
	data.MaxBoxes, data.MaxImages = s.lightboxes.Limits()
	return s.renderPage(c, status, pageLightboxes, &data)
}

// lightboxCreate makes a lightbox from the list page's form and, from the
// chooser, saves the image in it at once.
func (s *Server) lightboxCreate(c echo.Context) error {
	ctx, u := c.Request().Context(), currentUser(c)
	name := c.FormValue("name")
	b, err := s.lightboxes.Create(ctx, u, name)
	switch app.ErrorCode(err) {
	case "":
	case app.EInvalid:
		return s.renderLightboxes(c, http.StatusUnprocessableEntity, lightboxesPage{Name: name, Errors: app.ErrorFields(err)})
	case app.EConflict:
		return s.renderLightboxes(c, http.StatusConflict, lightboxesPage{Name: name, Errors: map[string]string{"name": app.ErrorMessage(err)}})
	default:
		return err
	}
	add := strings.TrimSpace(c.FormValue("add"))
	if add == "" {
		s.flash(c, "success", "Lightbox “"+b.Name+"” created. Save images to it from any result or image page.")
		return redirect(c, lightboxURL(b))
	}
	return s.afterSave(c, b.PublicID, add)
}

// afterSave saves an image to a lightbox from a form and goes back.
func (s *Server) afterSave(c echo.Context, boxID, imageID string) error {
	b, img, added, err := s.lightboxes.Add(c.Request().Context(), currentUser(c), boxID, imageID)
	back := "/lightboxes/" + url.PathEscape(boxID)
	switch {
	case app.ErrorCode(err) == app.EConflict:
		s.flash(c, "error", app.ErrorMessage(err))
	case err != nil:
		return err
	case added:
		s.flash(c, "success", "Saved “"+orDefault(img.Title, "Untitled photo")+"” to “"+b.Name+"”.")
	default:
		s.flash(c, "success", "“"+orDefault(img.Title, "Untitled photo")+"” is already in “"+b.Name+"”.")
	}
	return redirect(c, returnTo(c, back))
}

type lightboxPage struct {
	Page
	View     *lightbox.View
	ShareURL string // a new share link, shown once
	Name     string // the rename form after a refusal
	Errors   map[string]string
}

// Last reports whether entry i is the last (its "move down" is disabled).
func (p *lightboxPage) Last(i int) bool { return i == len(p.View.Entries)-1 }

func (s *Server) lightboxShow(c echo.Context) error {
	return s.renderLightbox(c, http.StatusOK, lightboxPage{})
}

func (s *Server) renderLightbox(c echo.Context, status int, data lightboxPage) error {
	v, err := s.lightboxes.Get(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	data.Page, data.View = s.page(c, v.Lightbox.Name), v
	if data.Name == "" {
		data.Name = v.Lightbox.Name
	}
	return s.renderPage(c, status, pageLightbox, &data)
}

func (s *Server) lightboxRename(c echo.Context) error {
	name := c.FormValue("name")
	b, err := s.lightboxes.Rename(c.Request().Context(), currentUser(c), c.Param("id"), name)
	if app.ErrorCode(err) == app.EInvalid {
		return s.renderLightbox(c, http.StatusUnprocessableEntity, lightboxPage{Name: name, Errors: app.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Renamed to “"+b.Name+"”.")
	return redirect(c, lightboxURL(b))
}

func (s *Server) lightboxDelete(c echo.Context) error {
	if err := s.lightboxes.Delete(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "success", "The lightbox was deleted.")
	return redirect(c, "/lightboxes")
}

// lightboxAdd saves an image from the chooser's form.
func (s *Server) lightboxAdd(c echo.Context) error {
	return s.afterSave(c, c.Param("id"), c.FormValue("image_id"))
}

func (s *Server) lightboxRemove(c echo.Context) error {
	b, err := s.lightboxes.Remove(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("image"))
	if err != nil {
		return err
	}
	s.flash(c, "success", "Removed from “"+b.Name+"”.")
	return redirect(c, returnTo(c, lightboxURL(b)))
}

// lightboxMove moves an image one place up or down (the page's buttons).
func (s *Server) lightboxMove(c echo.Context) error {
	delta := 1
	switch c.FormValue("direction") {
	case "up":
		delta = -1
	case "down":
	default:
		return app.Invalid(map[string]string{"direction": "Move up or down."})
	}
	if _, err := s.lightboxes.Step(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("image"), delta); err != nil {
		return err
	}
	return redirect(c, "/lightboxes/"+url.PathEscape(c.Param("id"))+"#image-"+url.PathEscape(c.Param("image")))
}

// lightboxShare makes a new share link and shows it once. It renders rather
// than redirects: the token must not be parked in the session store.
func (s *Server) lightboxShare(c echo.Context) error {
	token, err := s.lightboxes.Share(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderLightbox(c, http.StatusCreated, lightboxPage{ShareURL: s.shareURL(c, token)})
}

func (s *Server) lightboxRevoke(c echo.Context) error {
	if err := s.lightboxes.Revoke(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "success", "Sharing stopped: the link no longer opens this lightbox.")
	return redirect(c, "/lightboxes/"+url.PathEscape(c.Param("id")))
}

// lightboxCart puts the images the client approved into the cart.
func (s *Server) lightboxCart(c echo.Context) error {
	res, err := s.lightboxes.AddApprovedToCart(c.Request().Context(), currentUser(c), c.Param("id"))
	if app.ErrorCode(err) == app.EConflict {
		s.flash(c, "error", app.ErrorMessage(err))
		return redirect(c, "/lightboxes/"+url.PathEscape(c.Param("id")))
	}
	if err != nil {
		return err
	}
	return s.flashCartResult(c, res)
}

// flashCartResult tells the owner what went into the cart and what did
// not, and shows the cart (or the lightbox, if nothing went in).
func (s *Server) flashCartResult(c echo.Context, res *lightbox.CartResult) error {
	var msg strings.Builder
	switch len(res.Added) {
	case 0:
		msg.WriteString("No approved image was added to your cart.")
	case 1:
		msg.WriteString("Added 1 approved image to your cart at the standard licence.")
	default:
		msg.WriteString("Added " + strconv.Itoa(len(res.Added)) + " approved images to your cart at the standard licence.")
	}
	for _, sk := range res.Skipped {
		msg.WriteString(" Skipped “" + orDefault(sk.Image.Title, "Untitled photo") + "”: " + sk.Reason)
	}
	kind := "success"
	if len(res.Added) == 0 {
		kind = "error"
	}
	s.flash(c, kind, msg.String())
	if len(res.Added) == 0 {
		return redirect(c, "/lightboxes/"+url.PathEscape(c.Param("id")))
	}
	return redirect(c, "/cart")
}

type sharePage struct {
	Page
	Token    string
	Shared   *lightbox.Shared
	Saved    string            // the image just marked
	Errors   map[string]string // image ID → why its mark was refused
	Comments map[string]string // image ID → the comment refused, to edit
	Max      int
}

// shareView is a shared lightbox as the client sees it: no account needed,
// only the link. Nothing on it may be indexed or leak the link onwards.
func (s *Server) shareView(c echo.Context) error {
	return s.renderShare(c, http.StatusOK, sharePage{Saved: c.QueryParam("saved")})
}

func (s *Server) renderShare(c echo.Context, status int, data sharePage) error {
	token := c.Param("token")
	sh, err := s.lightboxes.SharedView(c.Request().Context(), token)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Referrer-Policy", "no-referrer")
	data.Page, data.Token, data.Shared, data.Max = s.page(c, sh.Lightbox.Name), token, sh, app.ClientCommentMax
	return s.renderPage(c, status, pageLightboxShare, &data)
}

// shareMark records the client's verdict on one image.
func (s *Server) shareMark(c echo.Context) error {
	token, image := c.Param("token"), c.Param("image")
	_, err := s.lightboxes.Mark(c.Request().Context(), token, image, c.FormValue("mark"), c.FormValue("comment"))
	if app.ErrorCode(err) == app.EInvalid {
		return s.renderShare(c, http.StatusUnprocessableEntity, sharePage{
			Errors:   map[string]string{image: firstMessage(err)},
			Comments: map[string]string{image: c.FormValue("comment")},
		})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/share/"+url.PathEscape(token)+"?saved="+url.QueryEscape(image)+"#image-"+url.PathEscape(image))
}

// limitShareWrites bounds what anyone holding a share link can write: the
// client IP's allowance of marks.
func (s *Server) limitShareWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if !s.shareLimiter.Allow(ip) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(s.shareLimiter.Wait(ip).Seconds())+1))
			return app.Errorf(app.ETooMany, "Too many changes from your network. Wait a minute and try again.")
		}
		return next(c)
	}
}
