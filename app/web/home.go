package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

const pageHome = "home"

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
