package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/moderation"
)

const (
	pageMyImages  = "my_images"
	pageEditImage = "edit_image"
)

const myImagesPerPage = 48

// statusTab is one tab of "My images".
type statusTab struct {
	Status app.ImageStatus // "" for all
	Label  string
	Count  int64
	Active bool
}

type myImagesPage struct {
	Page
	Tabs       []statusTab
	Status     app.ImageStatus
	Images     []app.Image
	Total      int64
	PageNum    int
	PrevURL    string
	NextURL    string
	Categories []app.Category
	Bulk       *catalog.BulkResult
	Errors     map[string]string
	Waits      map[int64]moderation.Wait // pending images' place in the review queue
}

func (s *Server) myImages(c echo.Context) error {
	return s.renderMyImages(c, http.StatusOK, myImagesPage{})
}

func (s *Server) renderMyImages(c echo.Context, status int, data myImagesPage) error {
	st := app.ImageStatus(c.QueryParam("status"))
	if !validStatus(st) {
		st = ""
	}
	pageNum := max(atoiDefault(c.QueryParam("page"), 1), 1)
	u := currentUser(c)
	list, counts, err := s.catalog.MyImages(c.Request().Context(), u, st, myImagesPerPage, (pageNum-1)*myImagesPerPage)
	if err != nil {
		return err
	}
	data.Page = s.page(c, "My images")
	data.Status, data.Images, data.Total, data.PageNum = st, list.Images, list.Total, pageNum
	if data.Waits, err = s.moderation.Waits(c.Request().Context(), list.Images); err != nil {
		return err
	}
	data.Categories = app.Categories()
	var all int64
	for _, n := range counts {
		all += n
	}
	data.Tabs = append(data.Tabs, statusTab{Label: "All", Count: all, Active: st == ""})
	for _, t := range []struct {
		st    app.ImageStatus
		label string
	}{
		{app.StatusDraft, "Drafts"}, {app.StatusProcessing, "Processing"}, {app.StatusPending, "In review"},
		{app.StatusApproved, "Published"}, {app.StatusRejected, "Rejected"}, {app.StatusFailed, "Failed"}, {app.StatusRemoved, "Removed"},
	} {
		if counts[t.st] > 0 || t.st == app.StatusDraft || t.st == st {
			data.Tabs = append(data.Tabs, statusTab{Status: t.st, Label: t.label, Count: counts[t.st], Active: st == t.st})
		}
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if st != "" {
			v.Set("status", string(st))
		}
		return "/contribute/images?" + v.Encode()
	}
	if pageNum > 1 {
		data.PrevURL = link(pageNum - 1)
	}
	if int64(pageNum*myImagesPerPage) < list.Total {
		data.NextURL = link(pageNum + 1)
	}
	return s.renderPage(c, status, pageMyImages, &data)
}

func validStatus(st app.ImageStatus) bool {
	for _, s := range app.ImageStatuses() {
		if s == st {
			return true
		}
	}
	return false
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// bulkEdit applies keywords and/or a category to the selected images.
func (s *Server) bulkEdit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "unreadable form")
	}
	res, err := s.catalog.BulkDescribe(c.Request().Context(), currentUser(c), form["images"],
		catalog.SplitKeywords(form.Get("keywords")), form.Get("category"))
	if app.ErrorCode(err) == app.EInvalid {
		return s.renderMyImages(c, http.StatusUnprocessableEntity, myImagesPage{Errors: app.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Updated %d %s.", len(res.Updated), plural(len(res.Updated), "image", "images"))
	if n := len(res.Skipped); n > 0 {
		msg += fmt.Sprintf(" %d skipped: %s.", n, firstReason(res.Skipped))
	}
	s.flash(c, "success", msg)
	return redirect(c, "/contribute/images?status=draft")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func firstReason(m map[string]string) string {
	for _, r := range m {
		return r
	}
	return ""
}

// imageForm is the description form as posted.
type imageForm struct {
	Title           string
	Description     string
	Keywords        string
	Category        string
	Usage           string
	ModelRelease    bool
	PropertyRelease bool
	AI              string
	Price           string // dollars, e.g. "4.99"; empty: the platform's price
}

func formFromImage(img *app.Image) imageForm {
	return imageForm{
		Title: img.Title, Description: img.Description, Keywords: strings.Join(img.Keywords, ", "),
		Category: img.Category, Usage: string(img.Usage), ModelRelease: img.ModelRelease,
		PropertyRelease: img.PropertyRelease, AI: string(img.AI), Price: dollarsField(img.PriceCents),
	}
}

// dollarsField writes cents for a price input: 499 → "4.99"; 0 → "".
func dollarsField(cents int64) string {
	if cents <= 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// parseDollars reads a price typed by a person: "4.99", "$5", "5". Empty is 0.
func parseDollars(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" && frac == "" {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(cmp.Or(whole, "0"), 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1_000_000 || f < 0 {
		return 0, false
	}
	return w*100 + f, true
}

// Validate checks what the form itself can: that the choices are among the
// offered ones. The description rules are the catalogue's.
func (f *imageForm) Validate() map[string]string {
	errs := map[string]string{}
	if f.Usage != "" && f.Usage != string(app.UsageCommercial) && f.Usage != string(app.UsageEditorial) {
		errs["usage"] = "Choose commercial or editorial."
	}
	if _, ok := parseDollars(f.Price); !ok {
		errs["price"] = "Write the price in dollars, like 4.99."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (f *imageForm) description() catalog.Description {
	kw := catalog.SplitKeywords(f.Keywords)
	usage, ai := app.Usage(f.Usage), app.AIDeclaration(f.AI)
	price, _ := parseDollars(f.Price) // Validate ran first
	return catalog.Description{
		Title: &f.Title, Description: &f.Description, Keywords: &kw, Category: &f.Category,
		Usage: &usage, ModelRelease: &f.ModelRelease, PropertyRelease: &f.PropertyRelease, AI: &ai,
		PriceCents: &price,
	}
}

type editImagePage struct {
	Page
	Image        *app.Image
	Form         imageForm
	Errors       map[string]string
	Categories   []app.Category
	ThumbURL     string
	PreviewURL   string
	Duplicates   []app.Image
	DefaultPrice string
	MinPrice     int64
	MaxPrice     int64
	Wait         *moderation.Wait // while pending: its place in the review queue
}

func (s *Server) editImage(c echo.Context) error {
	img, err := s.catalog.Image(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.ownerOnly(c, img); err != nil {
		return err
	}
	return s.renderEdit(c, http.StatusOK, img, formFromImage(img), nil)
}

// ownerOnly lets the image's owner (or an admin) through; anyone else sees
// nothing there.
func (s *Server) ownerOnly(c echo.Context, img *app.Image) error {
	u := currentUser(c)
	if u == nil || (u.ID != img.ContributorID && !u.Can(app.RoleAdmin)) {
		return app.Errorf(app.ENotFound, "No such image.")
	}
	return nil
}

func (s *Server) renderEdit(c echo.Context, status int, img *app.Image, f imageForm, errs map[string]string) error {
	data := editImagePage{
		Page: s.page(c, "Describe your photo"), Image: img, Form: f, Errors: errs,
		Categories: app.Categories(), ThumbURL: thumbURL(img), PreviewURL: previewURL(img),
		DefaultPrice: money(s.catalog.PriceCents(&app.Image{})),
	}
	data.MinPrice, data.MaxPrice = s.catalog.PriceBounds(c.Request().Context())
	waits, err := s.moderation.Waits(c.Request().Context(), []app.Image{*img})
	if err != nil {
		return err
	}
	if w, ok := waits[img.ID]; ok {
		data.Wait = &w
	}
	return s.renderPage(c, status, pageEditImage, &data)
}

// saveImage saves the description and, if asked, submits the image.
func (s *Server) saveImage(c echo.Context) error {
	f := imageForm{
		Title: c.FormValue("title"), Description: c.FormValue("description"), Keywords: c.FormValue("keywords"),
		Category: c.FormValue("category"), Usage: c.FormValue("usage"), AI: c.FormValue("ai_declaration"),
		ModelRelease: c.FormValue("model_release") == "yes", PropertyRelease: c.FormValue("property_release") == "yes",
		Price: c.FormValue("price"),
	}
	ctx, u, id := c.Request().Context(), currentUser(c), c.Param("id")
	img, err := s.catalog.Image(ctx, u, id)
	if err != nil {
		return err
	}
	if err := s.ownerOnly(c, img); err != nil {
		return err
	}
	if errs := f.Validate(); errs != nil {
		return s.renderEdit(c, http.StatusUnprocessableEntity, img, f, errs)
	}
	saved, err := s.catalog.Describe(ctx, u, id, f.description())
	if fields := app.ErrorFields(err); fields != nil {
		return s.renderEdit(c, http.StatusUnprocessableEntity, img, f, fields)
	}
	if err != nil {
		return err
	}
	if c.FormValue("action") != "submit" {
		s.flash(c, "success", "Saved.")
		return redirect(c, editURL(saved))
	}
	if _, err := s.catalog.Submit(ctx, u, id); err != nil {
		if fields := app.ErrorFields(err); fields != nil {
			return s.renderEdit(c, http.StatusUnprocessableEntity, saved, f, fields)
		}
		if code := app.ErrorCode(err); code == app.ETooMany || code == app.EConflict {
			s.flash(c, "error", app.ErrorMessage(err))
			return redirect(c, editURL(saved))
		}
		return err
	}
	s.flash(c, "success", "Submitted for review. We’ll let you know when a reviewer has looked at it.")
	return redirect(c, "/contribute/images?status=pending")
}

func (s *Server) submitImage(c echo.Context) error {
	img, err := s.catalog.Submit(c.Request().Context(), currentUser(c), c.Param("id"))
	if fields := app.ErrorFields(err); fields != nil {
		s.flash(c, "error", "Complete the description before submitting: "+joinMessages(fields))
		return redirect(c, "/contribute/images/"+c.Param("id"))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Submitted for review.")
	return redirect(c, editURL(img))
}

func joinMessages(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range []string{"title", "keywords", "category", "usage", "ai_declaration"} {
		if v, ok := m[k]; ok {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

func (s *Server) deleteImage(c echo.Context) error {
	if err := s.catalog.Delete(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "success", "The image was deleted.")
	return redirect(c, "/contribute/images")
}
