package web

import (
	"bytes"
	"net/http"
	"runtime"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

// admission lets a bounded number of page and API requests compute at once
// and queues the rest in arrival order.
//
// Without it every request runs as soon as it arrives, and the Go scheduler
// shares the CPUs among all of them unevenly: at 64 concurrent clients on 2
// CPUs (snapshop bench http, 100,000 images) the search page's p99 was four
// times its median (130 against 33 ms) though no single search took over 3
// ms alone. Admitted in order, a few at a time, every request waits about
// as long as the others: p99 fell to 68 ms at the same rate, and fewer
// pages are half built in memory at once.
//
// A response is written to the client after its slot is given back, so a
// client that reads slowly never holds one. Routes that stream (files,
// originals, CSV exports) are not admitted: they are not buffered.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64
}

// defaultInFlight is how many requests compute at once when the
// configuration says nothing: a few per CPU, so that one waiting on the
// database (PostgreSQL's round trips) leaves the CPU to another.
func defaultInFlight() int { return 4 * runtime.GOMAXPROCS(0) }

func newAdmission(n int) *admission {
	if n <= 0 {
		n = defaultInFlight()
	}
	return &admission{slots: make(chan struct{}, n)}
}

// unadmittedRoutes answer at once: operations must answer under load, and
// files are streamed, not buffered.
var unadmittedRoutes = map[string]bool{
	"/healthz":                true,
	"/readyz":                 true,
	"/metrics":                true,
	"/static/*":               true,
	"/media/:name":            true,
	"/licenses.csv":           true,
	"/earnings.csv":           true,
	"/images/:id/comp":        true,
	"/api/v1/images/:id/comp": true,
}

// admit runs GET requests of pages and the API through the admission
// queue. Requests with bodies (forms, uploads) are not: their bodies
// arrive at the client's pace.
func (s *Server) admit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		path := c.Path()
		if c.Request().Method != http.MethodGet || unadmittedRoutes[path] || streamingRoutes[path] {
			return next(c)
		}
		a := s.admission
		a.waiting.Add(1)
		select {
		case a.slots <- struct{}{}:
			a.waiting.Add(-1)
		case <-c.Request().Context().Done():
			a.waiting.Add(-1)
			return app.Errorf(app.EUnavailable, "The site is busy. Please try again in a moment.")
		}
		res := c.Response()
		client := res.Writer
		buf := &bufferedResponse{header: client.Header()}
		res.Writer = buf
		err := func() error {
			defer func() {
				<-a.slots
				if p := recover(); p != nil {
					// Nothing reached the client: let the panic's error
					// page be written as if nothing had been.
					res.Writer, res.Committed, res.Status, res.Size = client, false, 0, 0
					panic(p)
				}
			}()
			return next(c)
		}()
		res.Writer = client
		if buf.status != 0 {
			client.WriteHeader(buf.status)
		}
		if buf.body.Len() > 0 {
			if _, werr := client.Write(buf.body.Bytes()); werr != nil && err == nil {
				// The client went away; nothing more can be told it.
				s.log.DebugContext(c.Request().Context(), "write response", "err", werr)
			}
		}
		return err
	}
}

// bufferedResponse keeps a response in memory until admit writes it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
