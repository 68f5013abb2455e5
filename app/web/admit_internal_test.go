package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

// admitting runs requests through Server.admit with n slots, on routes
// named by their pattern.
type admitting struct {
	t *testing.T
	s *Server
	e *echo.Echo
}

func newAdmitting(t *testing.T, n int) *admitting {
	return &admitting{t: t, s: &Server{admission: newAdmission(n), log: slog.New(slog.DiscardHandler)}, e: echo.New()}
}

// serve runs handler for method and route pattern through admit, writing
// to w.
func (a *admitting) serve(ctx context.Context, method, route string, w http.ResponseWriter, handler echo.HandlerFunc) error {
	req := httptest.NewRequestWithContext(ctx, method, "/", nil)
	c := a.e.NewContext(req, w)
	c.SetPath(route)
	return a.s.admit(handler)(c)
}

// waitFor waits until n requests are queued.
func (a *admitting) waitFor(n int64) {
	a.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); a.s.admission.waiting.Load() != n; {
		if time.Now().After(deadline) {
			a.t.Fatalf("%d requests waiting, want %d", a.s.admission.waiting.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAdmissionQueuesInArrivalOrder(t *testing.T) {
	a := newAdmitting(t, 1)
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.serve(t.Context(), http.MethodGet, "/search", httptest.NewRecorder(), func(c echo.Context) error {
			<-release
			return c.String(http.StatusOK, "first")
		})
	}()
	a.waitFor(0)
	for len(a.s.admission.slots) != 1 {
		time.Sleep(time.Millisecond)
	}

	// Five more arrive one after another while the slot is taken.
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			_ = a.serve(t.Context(), http.MethodGet, "/search", httptest.NewRecorder(), func(c echo.Context) error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return c.NoContent(http.StatusOK)
			})
		})
		a.waitFor(int64(i + 1))
	}
	// Requests with bodies, and files, do not queue.
	for _, r := range []struct{ method, route string }{{http.MethodPost, "/search"}, {http.MethodGet, "/static/*"}, {http.MethodGet, "/downloads/:code"}} {
		rec := httptest.NewRecorder()
		if err := a.serve(t.Context(), r.method, r.route, rec, func(c echo.Context) error { return c.NoContent(http.StatusAccepted) }); err != nil || rec.Code != http.StatusAccepted {
			t.Errorf("%s %s while the slot is taken: %v, %d", r.method, r.route, err, rec.Code)
		}
	}
	close(release)
	<-done
	wg.Wait()
	if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
		t.Errorf("served in the order %v, want arrival order", order)
	}
}

func TestAdmissionGivesUpAtTheDeadline(t *testing.T) {
	a := newAdmitting(t, 1)
	a.s.admission.slots <- struct{}{} // taken
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	ran := false
	err := a.serve(ctx, http.MethodGet, "/search", httptest.NewRecorder(), func(echo.Context) error { ran = true; return nil })
	if app.ErrorCode(err) != app.EUnavailable || ran {
		t.Fatalf("past its deadline in the queue: %v (handler ran: %v), want unavailable", err, ran)
	}
	if n := a.s.admission.waiting.Load(); n != 0 {
		t.Errorf("%d still counted as waiting", n)
	}
}

// blockingWriter is a client that does not read: its writes wait.
type blockingWriter struct {
	header  http.Header
	writing chan struct{}
	unblock chan struct{}
	got     []byte
}

func (w *blockingWriter) Header() http.Header { return w.header }
func (w *blockingWriter) WriteHeader(int)     {}
func (w *blockingWriter) Write(p []byte) (int, error) {
	close(w.writing)
	<-w.unblock
	w.got = append(w.got, p...)
	return len(p), nil
}

func TestSlowClientsHoldNoSlot(t *testing.T) {
	a := newAdmitting(t, 1)
	slow := &blockingWriter{header: http.Header{}, writing: make(chan struct{}), unblock: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- a.serve(t.Context(), http.MethodGet, "/search", slow, func(c echo.Context) error {
			return c.HTML(http.StatusOK, "<p>a page</p>")
		})
	}()
	<-slow.writing // the response is being written, and the client does not read
	rec := httptest.NewRecorder()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := a.serve(ctx, http.MethodGet, "/search", rec, func(c echo.Context) error { return c.String(http.StatusOK, "next") }); err != nil || rec.Body.String() != "next" {
		t.Fatalf("while a slow client reads: %v, %q", err, rec.Body.String())
	}
	close(slow.unblock)
	if err := <-done; err != nil || string(slow.got) != "<p>a page</p>" {
		t.Fatalf("the slow client got %q (%v)", slow.got, err)
	}
}

func TestAdmissionSurvivesPanics(t *testing.T) {
	a := newAdmitting(t, 1)
	rec := httptest.NewRecorder()
	var res *echo.Response
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		_ = a.serve(t.Context(), http.MethodGet, "/search", rec, func(c echo.Context) error {
			res = c.Response()
			c.Response().WriteHeader(http.StatusOK)
			panic("boom")
		})
	}()
	if len(a.s.admission.slots) != 0 {
		t.Error("a panicking request kept its slot")
	}
	if res.Writer != http.ResponseWriter(rec) || res.Committed {
		t.Error("after a panic the response is not the client's again, or counts as sent")
	}
}
