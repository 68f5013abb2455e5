package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// httpLoad is one run of the load generator against one route.
type httpLoad struct {
	addr     string   // host:port of the server
	paths    []string // requested in turn; each client starts at its own place
	clients  int
	duration time.Duration // how long clients send; ignored when requests > 0
	requests int           // in all, spread over the clients; 0: for duration
}

// httpLoadResult is what one run measured.
type httpLoadResult struct {
	lat     []time.Duration // of every completed request, error or not
	errors  int
	samples map[string]int // error → count, for the report
	bytes   int64          // response bodies
	elapsed time.Duration
}

// run drives the server from l.clients goroutines, each a client with its own keep-alive
// connection, sending one request after another as fast as answers come back (a closed loop,
// like wrk). Every answer but a 200 is an error.
func (l httpLoad) run(ctx context.Context) *httpLoadResult {
	res := &httpLoadResult{samples: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(l.duration)
	for w := range l.clients {
		quota := 0
		if l.requests > 0 {
			quota = l.requests / l.clients
			if w < l.requests%l.clients {
				quota++
			}
			if quota == 0 {
				continue
			}
		}
		wg.Go(func() {
			c := &httpClient{addr: l.addr}
			defer c.close()
			lat := make([]time.Duration, 0, 1024)
			var errs []string
			var bytes int64
			for i := w * len(l.paths) / l.clients; ctx.Err() == nil; i++ {
				if quota > 0 && len(lat) >= quota || quota == 0 && !time.Now().Before(deadline) {
					break
				}
				t0 := time.Now()
				n, err := c.get(ctx, l.paths[i%len(l.paths)])
				lat = append(lat, time.Since(t0))
				bytes += n
				if err != nil {
					if ctx.Err() != nil {
						lat = lat[:len(lat)-1] // cut short by the interruption, not the server
						break
					}
					errs = append(errs, err.Error())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.lat = append(res.lat, lat...)
			res.errors += len(errs)
			for _, e := range errs {
				res.samples[e]++
			}
			res.bytes += bytes
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// httpClient is a browser-like client on one keep-alive connection: it sends the cookies it
// was given back, as a browser does (the CSRF cookie, after the first page), and nothing else.
// It is much cheaper than net/http's Transport, so that the machine's CPUs go to the server.
type httpClient struct {
	addr    string
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	cookies map[string]string
	header  string // the Cookie header line, rebuilt when cookies change
}

// httpTimeout bounds one request, connection included: a server that stops answering fails
// the run instead of hanging it.
const httpTimeout = 30 * time.Second

// get requests path and reads the whole answer, returning the body's size. Anything but a
// 200 is an error, named by its status.
func (c *httpClient) get(ctx context.Context, path string) (int64, error) {
	for attempt := 0; ; attempt++ {
		fresh := c.conn == nil
		if fresh {
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", c.addr)
			if err != nil {
				return 0, fmt.Errorf("connect: %w", err)
			}
			c.conn, c.r, c.w = conn, bufio.NewReaderSize(conn, 32<<10), bufio.NewWriterSize(conn, 4<<10)
		}
		n, err := c.roundTrip(path)
		if err == nil || errors.As(err, new(httpStatusError)) {
			return n, err
		}
		c.close()
		// A kept-alive connection the server closed while idle is retried once on a new
		// one, as browsers do; any other failure is the server's.
		if fresh || attempt > 0 {
			return n, err
		}
	}
}

// httpStatusError is an answer other than 200.
type httpStatusError struct{ status int }

func (e httpStatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status))
}

func (c *httpClient) roundTrip(path string) (int64, error) {
	if err := c.conn.SetDeadline(time.Now().Add(httpTimeout)); err != nil {
		return 0, fmt.Errorf("set deadline: %w", err)
	}
	fmt.Fprintf(c.w, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: snapshop-bench\r\nAccept: */*\r\n%s\r\n", path, c.addr, c.header)
	if err := c.w.Flush(); err != nil {
		return 0, fmt.Errorf("send: %w", err)
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, fmt.Errorf("read answer: %w", err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return n, fmt.Errorf("read body: %w", err)
	}
	c.keepCookies(resp)
	if resp.Close {
		c.close()
	}
	if resp.StatusCode != http.StatusOK {
		return n, httpStatusError{resp.StatusCode}
	}
	return n, nil
}

// keepCookies stores the cookies an answer sets (and forgets those it deletes).
func (c *httpClient) keepCookies(resp *http.Response) {
	set := resp.Cookies()
	if len(set) == 0 {
		return
	}
	if c.cookies == nil {
		c.cookies = map[string]string{}
	}
	changed := false
	for _, ck := range set {
		old, had := c.cookies[ck.Name]
		switch {
		case ck.MaxAge < 0 || ck.Value == "":
			delete(c.cookies, ck.Name)
			changed = changed || had
		case !had || old != ck.Value:
			c.cookies[ck.Name] = ck.Value
			changed = true
		}
	}
	if !changed {
		return // the server refreshed a cookie's expiry: nothing to resend differently
	}
	var b strings.Builder
	for name, v := range c.cookies {
		if b.Len() == 0 {
			b.WriteString("Cookie: ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(name + "=" + v)
	}
	if b.Len() > 0 {
		b.WriteString("\r\n")
	}
	c.header = b.String()
}

func (c *httpClient) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}
