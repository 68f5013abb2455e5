package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app/searchsync"
)

// healthz says the process is alive; it checks nothing else, so an
// orchestrator does not restart a healthy process because the database is down.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status   string             `json:"status"`
	Database string             `json:"database"`
	Search   *searchsync.Status `json:"search,omitempty"`
}

// readyz says whether this process can serve: the database must answer
// within two seconds, and the search index must be open (a process building
// its first index is not ready). It also reports how many changes the index
// has yet to apply. A load balancer stops sending traffic on 503.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	r := readiness{Status: "ok", Database: "ok"}
	status := http.StatusOK
	if err := s.health.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness check failed", "err", err)
		r.Status, r.Database = "unavailable", "unreachable"
		status = http.StatusServiceUnavailable
	}
	if s.search != nil {
		st := s.search.Status()
		r.Search = &st
		if st.State != searchsync.StateReady {
			r.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, r)
}
