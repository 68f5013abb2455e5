package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/lightbox"
)

type lightboxJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Count     int64      `json:"count"`
	Shared    bool       `json:"shared"`
	SharedAt  *time.Time `json:"shared_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// Contains lists which of the images asked about (?image_id=) the
	// lightbox holds; present only when some were asked about.
	Contains *[]string `json:"contains,omitempty"`
}

func lightboxOut(b *app.Lightbox, count int64) lightboxJSON {
	return lightboxJSON{
		ID: b.PublicID, Name: b.Name, Count: count, Shared: b.Shared(), SharedAt: b.SharedAt,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}
}

type pricesJSON struct {
	StandardCents int64 `json:"standard_cents"`
	ExtendedCents int64 `json:"extended_cents"`
}

type clientMarkJSON struct {
	Mark     string     `json:"mark"` // "", "approved" or "rejected"
	Comment  string     `json:"comment"`
	MarkedAt *time.Time `json:"marked_at,omitempty"`
}

type lightboxImageJSON struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	URL        string         `json:"url"`
	ThumbURL   string         `json:"thumb_url"`
	PreviewURL string         `json:"preview_url"`
	Position   int            `json:"position"` // 1 is first
	Prices     pricesJSON     `json:"prices"`
	Client     clientMarkJSON `json:"client"`
}

type lightboxDetailJSON struct {
	lightboxJSON
	Totals   pricesJSON          `json:"totals"`
	Approved int                 `json:"approved"`
	Images   []lightboxImageJSON `json:"images"`
}

func lightboxDetailOut(v *lightbox.View) lightboxDetailJSON {
	out := lightboxDetailJSON{
		lightboxJSON: lightboxOut(&v.Lightbox, int64(len(v.Entries))),
		Totals:       pricesJSON{StandardCents: v.StandardCents, ExtendedCents: v.ExtendedCents},
		Approved:     v.Approved,
		Images:       make([]lightboxImageJSON, 0, len(v.Entries)),
	}
	for i, e := range v.Entries {
		out.Images = append(out.Images, lightboxImageJSON{
			ID: e.Image.PublicID, Title: e.Image.Title, URL: imageURL(e.Image),
			ThumbURL: thumbURL(e.Image), PreviewURL: previewURL(e.Image), Position: i + 1,
			Prices: pricesJSON{StandardCents: e.Standard, ExtendedCents: e.Extended},
			Client: clientMarkJSON{Mark: string(e.Item.ClientMark), Comment: e.Item.ClientComment, MarkedAt: e.Item.MarkedAt},
		})
	}
	return out
}

// apiLightboxes: GET /api/v1/lightboxes[?image_id=…] — the caller's
// lightboxes, the most recently changed first.
func (s *Server) apiLightboxes(c echo.Context) error {
	asked := c.QueryParams()["image_id"]
	list, err := s.lightboxes.List(c.Request().Context(), currentUser(c), asked...)
	if err != nil {
		return err
	}
	out := struct {
		Lightboxes []lightboxJSON `json:"lightboxes"`
	}{Lightboxes: make([]lightboxJSON, 0, len(list))}
	for _, sum := range list {
		j := lightboxOut(&sum.Lightbox, sum.Count)
		if len(asked) > 0 {
			j.Contains = &sum.Holds
		}
		out.Lightboxes = append(out.Lightboxes, j)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

type lightboxNameRequest struct {
	Name string `json:"name"`
}

func (s *Server) apiCreateLightbox(c echo.Context) error {
	var req lightboxNameRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, err := s.lightboxes.Create(c.Request().Context(), currentUser(c), req.Name)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/lightboxes/"+b.PublicID)
	return c.JSON(http.StatusCreated, lightboxOut(b, 0))
}

func (s *Server) apiLightbox(c echo.Context) error {
	v, err := s.lightboxes.Get(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, lightboxDetailOut(v))
}

func (s *Server) apiRenameLightbox(c echo.Context) error {
	var req lightboxNameRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx, u := c.Request().Context(), currentUser(c)
	if _, err := s.lightboxes.Rename(ctx, u, c.Param("id"), req.Name); err != nil {
		return err
	}
	return s.apiLightbox(c)
}

func (s *Server) apiDeleteLightbox(c echo.Context) error {
	if err := s.lightboxes.Delete(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type lightboxImageRequest struct {
	ImageID  string `json:"image_id"`
	Position int    `json:"position"`
}

type lightboxRefJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type lightboxAddJSON struct {
	Lightbox lightboxRefJSON `json:"lightbox"`
	ImageID  string          `json:"image_id"`
	Added    bool            `json:"added"` // false: it was already there
}

// apiAddToLightbox: POST /api/v1/lightboxes/{id}/images {"image_id"} — 201
// when added, 200 when it was already there.
func (s *Server) apiAddToLightbox(c echo.Context) error {
	var req lightboxImageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	b, img, added, err := s.lightboxes.Add(c.Request().Context(), currentUser(c), c.Param("id"), req.ImageID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	return c.JSON(status, lightboxAddJSON{Lightbox: lightboxRefJSON{ID: b.PublicID, Name: b.Name}, ImageID: img.PublicID, Added: added})
}

// apiRemoveFromLightbox: DELETE /api/v1/lightboxes/{id}/images/{image_id},
// or DELETE …/images with {"image_id"}. 204 whether or not it was there.
func (s *Server) apiRemoveFromLightbox(c echo.Context) error {
	image := c.Param("image")
	if image == "" {
		var req lightboxImageRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		image = req.ImageID
	}
	if image == "" {
		return app.Invalid(map[string]string{"image_id": "Say which image to remove."})
	}
	if _, err := s.lightboxes.Remove(c.Request().Context(), currentUser(c), c.Param("id"), image); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiMoveInLightbox: PATCH /api/v1/lightboxes/{id}/images/{image_id}
// {"position"} — 1 is first; past the end means last.
func (s *Server) apiMoveInLightbox(c echo.Context) error {
	var req lightboxImageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Position < 1 {
		return app.Invalid(map[string]string{"position": "A position from 1 (first)."})
	}
	at, err := s.lightboxes.Move(c.Request().Context(), currentUser(c), c.Param("id"), c.Param("image"), req.Position)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"image_id": c.Param("image"), "position": at})
}

// apiShareLightbox: POST /api/v1/lightboxes/{id}/share — a new link (the
// old one stops working), shown this once.
func (s *Server) apiShareLightbox(c echo.Context) error {
	token, err := s.lightboxes.Share(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]string{"url": s.shareURL(c, token), "token": token})
}

func (s *Server) apiRevokeLightboxShare(c echo.Context) error {
	if err := s.lightboxes.Revoke(c.Request().Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type skippedJSON struct {
	ImageID string `json:"image_id"`
	Reason  string `json:"reason"`
}

// apiLightboxToCart: POST /api/v1/lightboxes/{id}/cart — the approved
// images into the cart at the standard licence.
func (s *Server) apiLightboxToCart(c echo.Context) error {
	res, err := s.lightboxes.AddApprovedToCart(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := struct {
		Added   []string      `json:"added"`
		Skipped []skippedJSON `json:"skipped"`
	}{Added: make([]string, 0, len(res.Added)), Skipped: make([]skippedJSON, 0, len(res.Skipped))}
	for _, img := range res.Added {
		out.Added = append(out.Added, img.PublicID)
	}
	for _, sk := range res.Skipped {
		out.Skipped = append(out.Skipped, skippedJSON{ImageID: sk.Image.PublicID, Reason: sk.Reason})
	}
	return c.JSON(http.StatusOK, out)
}
