package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

const (
	pageHome   = "home"
	pageSearch = "search"
)

type homePage struct {
	Page
	Recent []app.Image
}

func (s *Server) home(c echo.Context) error {
	recent, err := s.catalog.Recent(c.Request().Context(), 12)
	if err != nil {
		return err
	}
	data := homePage{Page: s.page(c, "Stock photos for a few dollars each"), Recent: recent}
	return s.renderPage(c, http.StatusOK, pageHome, &data)
}

type searchPage struct {
	Page
	Terms string
}

// search answers the header's search box. The catalogue and its index arrive
// with uploads and search; until then every search honestly finds nothing.
func (s *Server) search(c echo.Context) error {
	data := searchPage{Page: s.page(c, "Search"), Terms: strings.TrimSpace(c.QueryParam("q"))}
	return s.renderPage(c, http.StatusOK, pageSearch, &data)
}
