package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// testDatabaseOutage puts a TCP proxy between the server and PostgreSQL and
// cuts it: every connection dropped, new ones refused, as when the database
// restarts or fails over. While it is cut, /readyz answers 503 (and
// /healthz 200: the process is fine), pages and API calls that need the
// database answer 503 with an error page or JSON and a Retry-After, and
// static files are still served. When the proxy is restored the server
// recovers by itself: it is ready again, serves pages, and its background
// loops (the search indexer) pick up where they left off.
func testDatabaseOutage(t *testing.T, bin string) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("needs PostgreSQL (" + storetest.EnvPostgres + "): the test cuts the network between the server and its database; an embedded SQLite file has no network to cut")
	}
	direct := storetest.PostgresURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	d := newDeployment(t, bin, store.Postgres, map[string]string{"DATABASE_URL": u.String()})
	d.run("migrate")

	// The test's own connection bypasses the proxy.
	db, err := store.Open(context.Background(), store.Options{Dialect: store.Postgres, DSN: direct, Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	contrib := storetest.User(t, db, "cora", app.RoleContributor)
	_, adminToken := d.account(db, "ada", app.RoleAdmin)
	_, buyerToken := d.account(db, "bea", app.RoleBuyer)
	accounts, err := auth.NewService(db, auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.CreateUser(context.Background(), auth.NewAccount{Email: "zoe@example.com", Username: "zoe", Password: "a long enough password", Role: app.RoleBuyer}); err != nil {
		t.Fatal(err)
	}
	published := insertImage(t, db, contrib, 1, "Lighthouse at dusk", app.StatusApproved)
	waiting := insertImage(t, db, contrib, 2, "Lighthouse at dawn", app.StatusPending)
	srv := d.startReady()

	anon := newClient(srv.base, "")
	buyer := newClient(srv.base, buyerToken)
	browser := signIn(t, srv.base, "zoe", "a long enough password")
	home := anon.mustGet(t, "/")
	asset := regexp.MustCompile(`/static/[^"]+\.css`).FindString(string(home.body))
	if home.status != http.StatusOK || asset == "" {
		t.Fatalf("home page: %d, stylesheet %q", home.status, asset)
	}

	type check struct {
		name string
		do   func() (response, error)
		api  bool
	}
	get := func(c *client, path string) func() (response, error) {
		return func() (response, error) { return c.do(http.MethodGet, path, nil, nil) }
	}
	checks := []check{
		{"home page", get(anon, "/"), false},
		{"search page", get(anon, "/search?q=lighthouse"), false},
		{"image page", get(anon, "/images/"+published.Slug()), false},
		{"signed-in account page", get(browser, "/account"), false},
		{"search API", get(anon, "/api/v1/search?q=lighthouse"), true},
		{"API with a token", get(buyer, "/api/v1/me"), true},
		{"API order", func() (response, error) {
			return buyer.postJSON("/api/v1/orders", `{"payment":"wallet","items":[{"image_id":"`+published.PublicID+`","license":"standard"}]}`,
				map[string]string{"Idempotency-Key": "outage-1"})
		}, true},
	}
	for _, ch := range checks {
		if ch.name == "API order" {
			continue // would spend money (and fail: the wallet is empty)
		}
		r, err := ch.do()
		if err != nil || r.status != http.StatusOK {
			t.Fatalf("%s before the outage: %v %d %s", ch.name, err, r.status, tail(string(r.body), 300))
		}
	}

	// expectOutage checks what clients see while the database is out of
	// reach, then restores it and checks that the server recovers.
	expectOutage := func(outage string, restore func()) {
		t.Helper()
		srv.eventually("/readyz to report the database "+outage, 30*time.Second, func() bool {
			r, err := anon.do(http.MethodGet, "/readyz", nil, nil)
			return err == nil && r.status == http.StatusServiceUnavailable && strings.Contains(string(r.body), `"database":"unreachable"`)
		})
		var bad problems
		if r := anon.mustGet(t, "/healthz"); r.status != http.StatusOK {
			bad.add("/healthz: %d", r.status)
		}
		if r := anon.mustGet(t, asset); r.status != http.StatusOK {
			bad.add("static %s: %d", asset, r.status)
		}
		// All at once: while the database hangs, each waits out the
		// server's request deadline.
		type result struct {
			r   response
			err error
		}
		results := make([]result, len(checks))
		var wg sync.WaitGroup
		for i, ch := range checks {
			wg.Go(func() { results[i].r, results[i].err = ch.do() })
		}
		wg.Wait()
		for i, ch := range checks {
			r, err := results[i].r, results[i].err
			switch {
			case err != nil:
				bad.add("%s: %v", ch.name, err)
			case r.status != http.StatusServiceUnavailable:
				bad.add("%s: %d, want 503: %s", ch.name, r.status, tail(string(r.body), 300))
			case r.header.Get("Retry-After") == "":
				bad.add("%s: no Retry-After", ch.name)
			case ch.api && !isUnavailableJSON(r.body):
				bad.add("%s: body %s", ch.name, tail(string(r.body), 300))
			case !ch.api && !strings.Contains(string(r.body), "briefly unavailable"):
				bad.add("%s: not the unavailable page: %s", ch.name, tail(string(r.body), 300))
			}
		}
		if err := bad.err(); err != nil {
			t.Errorf("database %s:\n%v", outage, err)
		}
		// Background loops keep trying a dead database for a while.
		time.Sleep(3 * time.Second)
		if !srv.running() {
			t.Fatalf("the server exited while the database was %s: %v", outage, srv.err)
		}
		restore()
		srv.waitReady()
		for _, ch := range checks[:len(checks)-1] {
			r, err := ch.do()
			if err != nil || r.status != http.StatusOK {
				t.Errorf("%s once the database is back: %v %d %s", ch.name, err, r.status, tail(string(r.body), 300))
			}
		}
	}
	// Down: connections dropped and refused, as when PostgreSQL restarts.
	proxy.cut()
	expectOutage("down", proxy.restore)
	// Hung: connections open but nothing comes back, as when the database
	// host stops answering or the network drops packets.
	proxy.stall()
	expectOutage("hung", proxy.unstall)

	// The indexer survived: an image approved now becomes searchable.
	admin := newClient(srv.base, adminToken)
	if r, err := admin.postJSON("/api/v1/admin/images/"+waiting.PublicID+"/approve", "", nil); err != nil || r.status != http.StatusOK {
		t.Fatalf("approve after the outage: %v %d %s", err, r.status, r.body)
	}
	srv.eventually("the approved image to be searchable", 30*time.Second, func() bool {
		r, err := anon.do(http.MethodGet, "/api/v1/search?q=dawn", nil, nil)
		return err == nil && strings.Contains(string(r.body), waiting.PublicID)
	})
}

func isUnavailableJSON(body []byte) bool {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error.Code == app.EUnavailable
}

// signIn signs in through the form, as a browser would, and returns a
// client carrying the session cookie.
func signIn(t *testing.T, base, login, password string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	res, err := hc.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindSubmatch(page)
	if token == nil {
		t.Fatalf("no CSRF token on the sign-in page")
	}
	res, err = hc.PostForm(base+"/login", url.Values{"_csrf": {string(token[1])}, "login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/login" {
		t.Fatalf("sign in: %d at %s", res.StatusCode, res.Request.URL)
	}
	return &client{base: base, hc: hc}
}

// tcpProxy forwards connections to a target until it is cut.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string

	mu      sync.Mutex
	flowing *sync.Cond // signalled when stalled turns false or the proxy is cut
	stalled bool
	ln      net.Listener
	conns   map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.flowing = sync.NewCond(&p.mu)
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		p.copy(dst, src)
		done <- struct{}{}
	}
	go cp(up, c)
	go cp(c, up)
	<-done
	c.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// copy forwards src to dst, holding what it reads while the proxy is
// stalled.
func (p *tcpProxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitFlowing() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitFlowing blocks while the proxy is stalled; false means it was cut.
func (p *tcpProxy) waitFlowing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.stalled && p.ln != nil {
		p.flowing.Wait()
	}
	return p.ln != nil
}

// stall keeps every connection open but forwards nothing, and accepts new
// ones that go nowhere: a database that hangs, or a network that drops
// packets.
func (p *tcpProxy) stall() {
	p.mu.Lock()
	p.stalled = true
	p.mu.Unlock()
}

// unstall lets data flow again.
func (p *tcpProxy) unstall() {
	p.mu.Lock()
	p.stalled = false
	p.mu.Unlock()
	p.flowing.Broadcast()
}

// track registers a connection pair, or closes it if the proxy was cut
// meanwhile.
func (p *tcpProxy) track(c, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		up.Close()
		return false
	}
	p.conns[c], p.conns[up] = true, true
	return true
}

// cut refuses new connections and drops every open one.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.flowing.Broadcast()
}

// restore listens again on the same address.
func (p *tcpProxy) restore() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	for i := 0; errors.Is(err, syscall.EADDRINUSE) && i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		ln, err = net.Listen("tcp", p.addr)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
