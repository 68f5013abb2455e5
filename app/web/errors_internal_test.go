package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/static"
	"github.com/snapshop/snapshop/views"
)

// Server errors — a panic or an unexpected error — become a friendly page (or
// JSON) with a reference, never the error's detail.
func TestServerErrorsAreFriendlyAndLeakNothing(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	accounts, err := auth.NewService(db, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	s, err := New(Config{BaseURL: "http://x.test", Views: views.FS, Static: static.FS, Logger: slog.New(slog.NewTextHandler(&logs, nil))},
		Services{Auth: accounts, Sessions: db.Sessions(), Health: db})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "pq: password authentication failed for user snapshop"
	fail := func(echo.Context) error { return errors.New(secret) }
	boom := func(echo.Context) error { panic(secret) }
	s.echo.GET("/test/fail", fail)
	s.echo.GET("/test/panic", boom)
	s.echo.GET("/api/v1/test/fail", fail)

	for _, path := range []string{"/test/fail", "/test/panic", "/api/v1/test/fail"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
		body := rec.Body.String()
		if strings.Contains(body, secret) {
			t.Fatalf("%s leaks the error: %s", path, body)
		}
		reqID := rec.Header().Get(echo.HeaderXRequestID)
		if strings.HasPrefix(path, "/api/") {
			if !strings.Contains(body, `"code":"internal"`) {
				t.Fatalf("%s: body %s", path, body)
			}
		} else if !strings.Contains(body, "Something went wrong") || !strings.Contains(body, reqID) {
			t.Fatalf("%s: no friendly page with reference %s:\n%s", path, reqID, body)
		}
		if !strings.Contains(logs.String(), reqID) || !strings.Contains(logs.String(), secret) {
			t.Fatalf("%s: error not logged with its request ID:\n%s", path, logs.String())
		}
	}
}
