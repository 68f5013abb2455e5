package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/static"
	"github.com/snapshop/snapshop/views"
)

// Every request but downloads and uploads gets a deadline, and a request
// that fails because something it waited on missed it is a 503 with
// Retry-After, not a 500.
func TestRequestsHaveADeadlineAndMissingItIsUnavailable(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	accounts, err := auth.NewService(db, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{BaseURL: "http://x.test", Views: views.FS, Static: static.FS, Logger: slog.New(slog.DiscardHandler)},
		Services{Auth: accounts, Sessions: db.Sessions(), Health: db})
	if err != nil {
		t.Fatal(err)
	}
	deadlineOf := func(path string) (time.Time, bool) {
		var d time.Time
		var ok bool
		c := s.echo.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
		c.SetPath(path)
		err := s.deadline(func(c echo.Context) error {
			d, ok = c.Request().Context().Deadline()
			return nil
		})(c)
		if err != nil {
			t.Fatal(err)
		}
		return d, ok
	}
	if d, ok := deadlineOf("/images/:slug"); !ok || time.Until(d) > requestDeadline {
		t.Fatalf("image page: deadline %v %v", d, ok)
	}
	for path := range streamingRoutes {
		if _, ok := deadlineOf(path); ok {
			t.Fatalf("%s has a deadline: a slow download would be cut off", path)
		}
	}
	for path := range uploadRoutes {
		if _, ok := deadlineOf(path); ok {
			t.Fatalf("%s has a deadline: a slow upload would be cut off", path)
		}
	}

	late := func(echo.Context) error { return fmt.Errorf("load things: %w", context.DeadlineExceeded) }
	s.echo.GET("/test/late", late)
	s.echo.GET("/api/v1/test/late", late)
	for path, want := range map[string]string{"/test/late": "briefly unavailable", "/api/v1/test/late": `"code":"unavailable"`} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), want) {
			t.Fatalf("%s: %d, Retry-After %q:\n%s", path, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
}
