package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// The helpers here run the real snapshop binary as a child process: built
// once by `go build`, started with its own data directory (and PostgreSQL
// schema), killed with SIGKILL and started again on the same data, as an
// orchestrator would after a crash.

// buildSnapshop compiles the command into dir.
func buildSnapshop(t *testing.T, dir string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(dir, "snapshop")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// deployment is one installation of the binary: a data directory, a
// database, and the environment every process of it runs with.
type deployment struct {
	t       *testing.T
	bin     string
	dialect string
	vars    map[string]string
}

// newDeployment prepares a fresh data directory, and a fresh PostgreSQL
// schema for the postgres dialect. extra adds or overrides variables.
func newDeployment(t *testing.T, bin, dialect string, extra map[string]string) *deployment {
	t.Helper()
	vars := map[string]string{
		"SNAPSHOP_DATA":       t.TempDir(),
		"SNAPSHOP_LOG_FORMAT": "json",
		"SNAPSHOP_LOG_LEVEL":  "info",
		// Small synthetic photos are enough to exercise the pipeline.
		"SNAPSHOP_MIN_MEGAPIXELS": "0.01",
		// A killed process never drains; a stopped one need not wait long.
		"SNAPSHOP_SHUTDOWN_TIMEOUT": "2s",
	}
	if _, given := extra["DATABASE_URL"]; dialect == store.Postgres && !given {
		vars["DATABASE_URL"] = storetest.PostgresURL(t)
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &deployment{t: t, bin: bin, dialect: dialect, vars: vars}
}

func (d *deployment) dataDir() string { return d.vars["SNAPSHOP_DATA"] }

// config is the configuration the binary reads from d's environment.
func (d *deployment) config() config.Config {
	d.t.Helper()
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := d.vars[k]; return v, ok })
	if err != nil {
		d.t.Fatal(err)
	}
	return cfg
}

// command is the binary with args, in d's environment and nothing of the
// test's own SNAPSHOP_* or database settings.
func (d *deployment) command(args ...string) *exec.Cmd {
	cmd := exec.Command(d.bin, args...)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SNAPSHOP_") || k == "DATABASE_URL" || strings.HasPrefix(k, "STRIPE_") || strings.HasPrefix(k, "AWS_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	for k, v := range d.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// run runs a one-shot subcommand (migrate, reindex) to completion.
func (d *deployment) run(args ...string) string {
	d.t.Helper()
	out, err := d.command(args...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("snapshop %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// openDB opens the deployment's database from the test, as another process
// would (SQLite in WAL mode allows it beside the server).
func (d *deployment) openDB() *store.DB {
	d.t.Helper()
	cfg := d.config()
	dbc, err := cfg.Database()
	if err != nil {
		d.t.Fatal(err)
	}
	db, err := store.Open(context.Background(), store.Options{Dialect: dbc.Dialect, DSN: dbc.DSN, Logger: storetest.Logger(d.t)})
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { _ = db.Close() })
	return db
}

// account creates a user with an API token, straight in the database.
func (d *deployment) account(db *store.DB, name string, role app.Role) (*app.User, string) {
	d.t.Helper()
	u := storetest.User(d.t, db, name, role)
	accounts, err := auth.NewService(db, auth.Options{})
	if err != nil {
		d.t.Fatal(err)
	}
	token, err := accounts.IssueToken(context.Background(), u, "crash test")
	if err != nil {
		d.t.Fatal(err)
	}
	return u, token
}

// server is `snapshop serve` running as a child process.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	logs   *syncBuffer
	exited chan struct{}
	err    error // how it exited, once exited is closed
}

var listeningRE = regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)

// start runs `snapshop serve` on a free port and waits until it listens
// (not until it is ready: a crash test may want it killed before that).
func (d *deployment) start() *server {
	d.t.Helper()
	cmd := d.command("serve", "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		d.t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	s := &server{t: d.t, cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			_, _ = s.logs.Write([]byte(line + "\n"))
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		s.err = cmd.Wait()
		close(s.exited)
	}()
	d.t.Cleanup(func() {
		s.kill()
		if d.t.Failed() {
			d.t.Logf("server log (last 6 KB):\n%s", tail(s.logs.String(), 6<<10))
		}
	})
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-s.exited:
		d.t.Fatalf("server exited before listening: %v\n%s", s.err, s.logs)
	case <-time.After(60 * time.Second):
		d.t.Fatalf("server not listening after 60s\n%s", s.logs)
	}
	return s
}

// startReady starts the server and waits until /readyz says it can serve.
func (d *deployment) startReady() *server {
	d.t.Helper()
	s := d.start()
	s.waitReady()
	return s
}

// waitReady waits until /readyz answers 200.
func (s *server) waitReady() {
	s.t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second}
	s.eventually("the server to be ready", 60*time.Second, func() bool {
		res, err := hc.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

// kill sends SIGKILL: no shutdown, no deferred function, no flush.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// running reports whether the process is still alive.
func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// sawLog reports whether the server has logged a line containing substr.
func (s *server) sawLog(substr string) bool { return strings.Contains(s.logs.String(), substr) }

// eventually polls cond until it holds, failing the test after limit (a
// bound on a hang, not a performance target) or if the server died.
func (s *server) eventually(what string, limit time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if !s.running() {
			s.t.Fatalf("server exited while waiting for %s: %v", what, s.err)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client calls the server's API with a bearer token. Unlike the helpers in
// main_test.go it returns transport errors: during a crash test they are
// expected.
type client struct {
	base  string
	token string
	hc    *http.Client
}

func newClient(base, token string) *client {
	return &client{base: base, token: token, hc: &http.Client{Timeout: 30 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *client) do(method, path string, body io.Reader, header map[string]string) (response, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, body)
	if err != nil {
		return response{}, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: res.StatusCode, header: res.Header, body: b}, nil
}

func (c *client) postJSON(path, body string, header map[string]string) (response, error) {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return c.do(http.MethodPost, path, strings.NewReader(body), h)
}

// mustGet is a GET that must reach the server.
func (c *client) mustGet(t *testing.T, path string) response {
	t.Helper()
	r, err := c.do(http.MethodGet, path, nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return r
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// counter is a mutex-guarded tally shared by client goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

// scalar runs a one-value query on the deployment's database.
func scalar[T any](t *testing.T, db *store.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.DB().Raw(query, args...).Scan(&v).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// problems collects consistency failures, so that a test reports all of them.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	const max = 20
	list := p
	more := ""
	if len(list) > max {
		more = fmt.Sprintf("\n… and %d more", len(list)-max)
		list = list[:max]
	}
	return errors.New(strings.Join(list, "\n") + more)
}

// multipartFiles builds an upload body with the given files.
func multipartFiles(files map[string][]byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, b := range files {
		fw, _ := mw.CreateFormFile("files", name)
		_, _ = fw.Write(b)
	}
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}
