package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

const (
	pageHome   = "home"
	pageSearch = "search"
)

type homePage struct{ Page }

func (s *Server) home(c echo.Context) error {
	data := homePage{Page: s.page(c, "Stock photos for a few dollars each")}
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
