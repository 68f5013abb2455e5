package web

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
)

// requestDeadline bounds the work a request may wait on — database calls
// above all. A database that stops answering (a hung server, a network that
// drops packets) would otherwise hold every request, and a pooled
// connection with it, until the client gives up; with a deadline the
// request fails as EUnavailable (503 and Retry-After) and frees its
// connection. It is longer than SQLite's 10 s busy timeout, so a request
// that queues behind writers still gets its turn.
const requestDeadline = 15 * time.Second

// streamingRoutes send originals, up to the upload limit, to clients that
// may be slow: a deadline would cut such a download off (reads from object
// storage follow the request's context). Uploads are exempt likewise (see
// uploadRoutes): their bodies are read under the request's context.
var streamingRoutes = map[string]bool{
	"/downloads/:code":           true,
	"/admin/images/:id/original": true,
}

// deadline gives every other request a context that ends after
// requestDeadline.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if streamingRoutes[c.Path()] || uploadRoutes[c.Path()] {
			return next(c)
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), requestDeadline)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}
