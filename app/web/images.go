package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/search"
)

const (
	pageImage     = "image"
	pagePortfolio = "portfolio"
)

// thumbURL and previewURL are the public addresses of an image's derivatives
// ("" until they exist). Their names derive from the file's content hash.
func thumbURL(img *app.Image) string {
	if img.ThumbKey == "" {
		return ""
	}
	return "/media/" + catalog.DerivativeName(img.SHA256, "thumb")
}

func previewURL(img *app.Image) string {
	if img.PreviewKey == "" {
		return ""
	}
	return "/media/" + catalog.DerivativeName(img.SHA256, "preview")
}

// imageURL is an image's page.
func imageURL(img *app.Image) string { return "/images/" + img.Slug() }

type imagePage struct {
	Page
	Image       *app.Image
	Contributor *app.User
	PreviewURL  string
	PriceCents  int64
	IsOwner     bool
	RelatedURL  string // its "More like this" cards, fetched after the page
	Offers      []commerce.Offer
	Key         string // idempotency key of the buy forms
}

// imagePageHandler shows an image. The slug's words are decoration: the
// public ID at its end finds the image, and any other spelling redirects to
// the canonical one.
func (s *Server) imagePageHandler(c echo.Context) error {
	slug := c.Param("slug")
	d, err := s.catalog.Detail(c.Request().Context(), currentUser(c), app.PublicIDFromSlug(slug))
	if err != nil {
		return err
	}
	if canonical := d.Image.Slug(); slug != canonical {
		return c.Redirect(http.StatusMovedPermanently, "/images/"+canonical)
	}
	u := currentUser(c)
	data := imagePage{
		Page: s.page(c, orDefault(d.Image.Title, "Untitled photo")), Image: d.Image, Contributor: d.Contributor,
		PreviewURL: previewURL(d.Image), PriceCents: s.catalog.PriceCents(d.Image), IsOwner: u != nil && u.ID == d.Image.ContributorID,
	}
	if d.Image.Status.Public() {
		offers, err := s.commerce.Offers(c.Request().Context(), u, d.Image)
		if err != nil {
			return err
		}
		data.Offers, data.Key = offers, newFormKey()
		if !data.IsOwner && s.pageViews != nil {
			s.pageViews.Record(d.Image.ID)
		}
		data.RelatedURL = "/images/" + d.Image.PublicID + "/related"
	}
	return s.renderPage(c, http.StatusOK, pageImage, &data)
}

// relatedCount is how many "More like this" cards an image page shows.
const relatedCount = 8

// relatedCards answers an image page's request for its "More like this"
// cards, an HTML fragment. Ranking them is most of the CPU an image page
// with them would cost (1 of 1.8 ms at 100,000 images, snapshop bench
// http), so the page asks after it has shown the photo and its licences.
// The cards are the same for everyone; the viewer's browser keeps them a
// few minutes (not shared caches: responses may set cookies).
func (s *Server) relatedCards(c echo.Context) error {
	img, err := s.catalog.Image(c.Request().Context(), nil, c.Param("id"))
	if err != nil {
		return err
	}
	related, err := s.related(c, img, relatedCount)
	if err != nil {
		return err
	}
	cards := s.cardGrid(related, nil)
	if cards == "" {
		cards = `<p class="muted">No other photos are like this one yet.</p>`
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	return c.HTMLBlob(http.StatusOK, []byte(cards))
}

// likeOf is img as "more like this" starts from it.
func likeOf(img *app.Image) *search.Like {
	return &search.Like{
		ID: uint32(img.ID), Keywords: img.Keywords, Category: img.Category, Colors: img.Colors, // #nosec G115 -- image IDs fit the index's
		PHash: uint64(img.PHash), // #nosec G115 -- the stored bits are the hash
	}
}

// related returns published images like img: sharing keywords, category and
// colours, never img itself, its near-identical copies, or two copies of
// one photo.
func (s *Server) related(c echo.Context, img *app.Image, limit int) ([]app.Image, error) {
	ctx := c.Request().Context()
	ids, err := s.search.Related(ctx, search.RelatedRequest{Like: *likeOf(img), Limit: limit})
	if errors.Is(err, search.ErrNotReady) {
		return nil, nil // a page without suggestions beats no page
	}
	if err != nil {
		return nil, err
	}
	all := make([]int64, len(ids))
	for i, id := range ids {
		all[i] = int64(id)
	}
	return s.catalog.PublishedCards(ctx, all)
}

const portfolioPerPage = 48

type portfolioPage struct {
	Page
	Contributor *app.User
	Images      []app.Image
	Total       int64
	PageNum     int
	PrevURL     string
	NextURL     string
}

func (s *Server) portfolio(c echo.Context) error {
	pageNum := max(atoiDefault(c.QueryParam("page"), 1), 1)
	u, list, err := s.catalog.Portfolio(c.Request().Context(), c.Param("username"), portfolioPerPage, (pageNum-1)*portfolioPerPage)
	if err != nil {
		return err
	}
	data := portfolioPage{Page: s.page(c, u.Username+"’s photos"), Contributor: u, Images: list.Images, Total: list.Total, PageNum: pageNum}
	base := "/contributors/" + url.PathEscape(u.Username) + "?page="
	if pageNum > 1 {
		data.PrevURL = base + strconv.Itoa(pageNum-1)
	}
	if int64(pageNum*portfolioPerPage) < list.Total {
		data.NextURL = base + strconv.Itoa(pageNum+1)
	}
	return s.renderPage(c, http.StatusOK, pagePortfolio, &data)
}

// mediaFile serves a thumbnail or watermarked preview. Published images'
// files are cached by anyone for a year (their names change with their
// content); an unpublished image's are for its owner only.
func (s *Server) mediaFile(c echo.Context) error {
	obj, public, err := s.catalog.Derivative(c.Request().Context(), currentUser(c), c.Param("name"))
	if errors.Is(err, blob.ErrNotFound) {
		return app.Errorf(app.ENotFound, "No such file.")
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.Response().Header()
	if public {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, max-age=600")
	}
	h.Set(echo.HeaderContentType, "image/jpeg")
	info := obj.Info()
	http.ServeContent(c.Response(), c.Request(), "", info.ModTime, obj)
	return nil
}

// imageJSON is an image as the API shows it. Owner-only fields are omitted
// for everyone else; GPS and place names are never shown.
type imageJSON struct {
	ID              string      `json:"id"`
	Slug            string      `json:"slug"`
	URL             string      `json:"url"`
	Status          string      `json:"status"`
	StatusReason    string      `json:"status_reason,omitempty"`
	RejectReasons   []string    `json:"reject_reasons,omitempty"`
	AppealedAt      *time.Time  `json:"appealed_at,omitempty"`
	Title           string      `json:"title"`
	Description     string      `json:"description"`
	Keywords        []string    `json:"keywords"`
	Category        string      `json:"category"`
	Usage           string      `json:"usage"`
	ModelRelease    bool        `json:"model_release"`
	PropertyRelease bool        `json:"property_release"`
	AIDeclaration   string      `json:"ai_declaration"`
	Width           int         `json:"width"`
	Height          int         `json:"height"`
	Orientation     string      `json:"orientation"`
	Megapixels      float64     `json:"megapixels"`
	Colors          []string    `json:"colors"`
	Palette         []string    `json:"palette"`
	ThumbURL        string      `json:"thumb_url"`
	PreviewURL      string      `json:"preview_url"`
	EXIF            exifJSON    `json:"exif"`
	Contributor     contribJSON `json:"contributor"`
	CreatedAt       time.Time   `json:"created_at"`
	SubmittedAt     *time.Time  `json:"submitted_at,omitempty"`
	FileName        string      `json:"file_name,omitempty"`
	FileSize        int64       `json:"file_size,omitempty"`
	Format          string      `json:"format,omitempty"`
}

type exifJSON struct {
	Camera       string     `json:"camera,omitempty"`
	Lens         string     `json:"lens,omitempty"`
	FocalLength  float64    `json:"focal_length_mm,omitempty"`
	Aperture     float64    `json:"aperture,omitempty"`
	ExposureTime string     `json:"exposure_time,omitempty"`
	ISO          int        `json:"iso,omitempty"`
	TakenAt      *time.Time `json:"taken_at,omitempty"`
}

type contribJSON struct {
	Username string `json:"username"`
	URL      string `json:"url"`
}

func toImageJSON(d *catalog.Detail, viewer *app.User) imageJSON {
	img := d.Image
	j := imageJSON{
		ID: img.PublicID, Slug: img.Slug(), URL: imageURL(img), Status: string(img.Status),
		Title: img.Title, Description: img.Description, Keywords: nonNil(img.Keywords), Category: img.Category,
		Usage: string(img.Usage), ModelRelease: img.ModelRelease, PropertyRelease: img.PropertyRelease,
		AIDeclaration: string(img.AI), Width: img.Width, Height: img.Height, Orientation: string(img.Orientation),
		Megapixels: round1(img.Megapixels), Colors: nonNil(img.Colors), Palette: nonNil(img.Palette),
		ThumbURL: thumbURL(img), PreviewURL: previewURL(img),
		EXIF: exifJSON{
			Camera: cameraName(img), Lens: img.Lens, FocalLength: img.FocalLength, Aperture: img.Aperture,
			ExposureTime: img.ExposureTime, ISO: img.ISO, TakenAt: img.TakenAt,
		},
		Contributor: contribJSON{Username: d.Contributor.Username, URL: "/contributors/" + d.Contributor.Username},
		CreatedAt:   img.CreatedAt,
	}
	if viewer != nil && (viewer.ID == img.ContributorID || viewer.Can(app.RoleAdmin)) {
		j.StatusReason, j.SubmittedAt = img.StatusReason, img.SubmittedAt
		j.RejectReasons, j.AppealedAt = img.RejectReasons, img.AppealedAt
		j.FileName, j.FileSize, j.Format = img.FileName, img.FileSize, img.Format
	}
	return j
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// cameraName joins make and model, without repeating a make the model
// already starts with ("Canon Canon EOS R5").
func cameraName(img *app.Image) string {
	switch {
	case img.CameraModel == "":
		return img.CameraMake
	case img.CameraMake == "" || len(img.CameraModel) >= len(img.CameraMake) && equalFoldPrefix(img.CameraModel, img.CameraMake):
		return img.CameraModel
	}
	return img.CameraMake + " " + img.CameraModel
}

func equalFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (s *Server) apiImage(c echo.Context) error {
	d, err := s.catalog.Detail(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toImageJSON(d, currentUser(c)))
}

// imagePatch is the body of PATCH /api/v1/images/{id}: every field optional.
type imagePatch struct {
	Title           *string            `json:"title"`
	Description     *string            `json:"description"`
	Keywords        *[]string          `json:"keywords"`
	Category        *string            `json:"category"`
	Usage           *app.Usage         `json:"usage"`
	ModelRelease    *bool              `json:"model_release"`
	PropertyRelease *bool              `json:"property_release"`
	AIDeclaration   *app.AIDeclaration `json:"ai_declaration"`
	PriceCents      *int64             `json:"price_cents"` // standard licence; 0: the platform's
}

func (s *Server) apiPatchImage(c echo.Context) error {
	var p imagePatch
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	ctx, u := c.Request().Context(), currentUser(c)
	if _, err := s.catalog.Describe(ctx, u, c.Param("id"), catalog.Description{
		Title: p.Title, Description: p.Description, Keywords: p.Keywords, Category: p.Category, Usage: p.Usage,
		ModelRelease: p.ModelRelease, PropertyRelease: p.PropertyRelease, AI: p.AIDeclaration, PriceCents: p.PriceCents,
	}); err != nil {
		return err
	}
	return s.apiImage(c)
}

func (s *Server) apiSubmitImage(c echo.Context) error {
	if _, err := s.catalog.Submit(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return s.apiImage(c)
}

type imageListJSON struct {
	Images []imageJSON `json:"images"`
	Total  int64       `json:"total"`
	Page   int         `json:"page"`
}

// apiMyImages lists the caller's own images, optionally of one status.
func (s *Server) apiMyImages(c echo.Context) error {
	st := app.ImageStatus(c.QueryParam("status"))
	if st != "" && !validStatus(st) {
		return app.Invalid(map[string]string{"status": fmt.Sprintf("Unknown status %q.", st)})
	}
	pageNum := max(atoiDefault(c.QueryParam("page"), 1), 1)
	u := currentUser(c)
	list, _, err := s.catalog.MyImages(c.Request().Context(), u, st, 100, (pageNum-1)*100)
	if err != nil {
		return err
	}
	out := imageListJSON{Images: make([]imageJSON, 0, len(list.Images)), Total: list.Total, Page: pageNum}
	for i := range list.Images {
		out.Images = append(out.Images, toImageJSON(&catalog.Detail{Image: &list.Images[i], Contributor: u}, u))
	}
	return c.JSON(http.StatusOK, out)
}
