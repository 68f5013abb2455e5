package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/media"
	"github.com/snapshop/snapshop/media/xmp"
)

// download streams a licensed original. The link's signature, expiry and
// owner are checked before a byte is read; the file is the contributor's
// upload byte for byte, with one XMP block added that names the licence,
// the licensee and the terms. It is an attachment that no browser renders
// in the site's origin (FACTS.md: originals are never re-encoded, so they
// may carry anything).
func (s *Server) download(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.commerce.AuthorizeDownload(ctx, currentUser(c), c.Param("code"), c.QueryParam("expires"), c.QueryParam("sig"))
	if err != nil {
		return err
	}
	obj, err := s.catalog.OpenOriginal(ctx, d.Image)
	if err != nil {
		return err
	}
	defer obj.Close()
	packet, err := xmp.Packet(licenseFields(d, s.cfg.BaseURL))
	if err != nil {
		return fmt.Errorf("licence XMP for %s: %w", d.License.Code, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, cmp.Or(media.Format(d.Image.Format).ContentType(), "image/jpeg"))
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, downloadName(d)))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	err = xmp.Embed(c.Response(), obj, d.Image.Format, packet)
	if errors.Is(err, xmp.ErrUnsupported) {
		// WebP cannot take XMP without changing the contributor's bytes:
		// deliver it untouched (the licence page and certificate still
		// hold). Embed refuses before reading or writing anything.
		_, err = io.Copy(c.Response(), obj)
	}
	if err != nil {
		// Headers are gone: all we can do is log and cut the stream short,
		// which the client sees as a failed download.
		s.log.ErrorContext(ctx, "download interrupted", "licence", d.License.Code, "err", err)
		return nil
	}
	s.log.InfoContext(ctx, "original downloaded", "licence", d.License.Code, "image", d.Image.PublicID, "buyer", d.Buyer.PublicID)
	return nil
}

// comp sends a signed-in user the watermarked preview of a published image
// to try in a layout: no licence, no original. The preview is re-encoded on
// the server and size-capped, so it is built in memory with one XMP block
// saying what it is; a failure is then still a clean error page.
func (s *Server) comp(c echo.Context) error {
	ctx := c.Request().Context()
	img, obj, err := s.catalog.Comp(ctx, currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	defer obj.Close()
	packet, err := xmp.Packet(compFields(img, s.cfg.BaseURL))
	if err != nil {
		return fmt.Errorf("comp XMP for %s: %w", img.PublicID, err)
	}
	var buf bytes.Buffer
	if err := xmp.Embed(&buf, obj, "jpeg", packet); err != nil {
		return fmt.Errorf("comp of %s: %w", img.PublicID, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="snapshop-comp-%s.jpg"`, img.PublicID))
	h.Set("Cache-Control", "private, no-store")
	s.log.InfoContext(ctx, "comp downloaded", "image", img.PublicID, "user", currentUser(c).PublicID)
	return c.Blob(http.StatusOK, "image/jpeg", buf.Bytes())
}

// compFields is what a comp says about itself: a comp for layouts, not a
// licence (xmpRights:Marked stays unwritten: a comp is neither licensed
// nor public domain).
func compFields(img *app.Image, baseURL string) xmp.Fields {
	page := baseURL + imageURL(img)
	return xmp.Fields{
		Title:        img.Title,
		Rights:       "Unlicensed comp from Snapshop. Licence it at " + page,
		UsageTerms:   "Comp for layout and mock-up only. Not licensed: do not publish, print or distribute it. Buy a licence at " + page + " to use the image.",
		WebStatement: page,
		Snapshop: []xmp.Property{
			{Name: "Comp", Value: "True"},
			{Name: "ImageID", Value: img.PublicID},
		},
	}
}

// licenseFields is what a delivered file says about its licence.
func licenseFields(d *commerce.Download, baseURL string) xmp.Fields {
	terms := d.License.Tier.Name() + ": " + d.License.Tier.Summary()
	return xmp.Fields{
		Title:        d.Image.Title,
		Rights:       fmt.Sprintf("Licensed to %s under Snapshop %s %s", d.Buyer.Username, d.License.Tier.Name(), d.License.Code),
		UsageTerms:   terms,
		WebStatement: baseURL + "/licenses/" + d.License.Code,
		Marked:       true,
		Snapshop: []xmp.Property{
			{Name: "LicenseCode", Value: d.License.Code},
			{Name: "LicenseTier", Value: string(d.License.Tier)},
			{Name: "Licensee", Value: d.Buyer.Username},
			{Name: "IssuedAt", Value: d.License.CreatedAt.UTC().Format(time.RFC3339)},
			{Name: "ImageID", Value: d.Image.PublicID},
		},
	}
}

func downloadName(d *commerce.Download) string {
	ext := map[string]string{"png": ".png", "webp": ".webp"}[d.Image.Format]
	if ext == "" {
		ext = ".jpg"
	}
	name := app.Slugify(d.Image.Title, 60)
	if name == "" {
		name = "image"
	}
	return "snapshop-" + name + "-" + d.License.Code + ext
}
