package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/synth"
)

// When SNAPSHOP_TEST_BE_MAIN is set, the test binary is the snapshop command:
// the tests below run it as a child process to test signals and exit codes.
func TestMain(m *testing.M) {
	if os.Getenv("SNAPSHOP_TEST_BE_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testEnv runs commands with only the given environment variables.
func testEnv(vars map[string]string, stdin string) (env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return env{
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
	}, &stdout, &stderr
}

// databaseVars points a command at a fresh data directory, and at a fresh
// PostgreSQL schema when the tests run against PostgreSQL.
func databaseVars(t *testing.T, dialect string) map[string]string {
	vars := map[string]string{"SNAPSHOP_DATA": t.TempDir(), "SNAPSHOP_LOG_LEVEL": "warn"}
	if dialect == "postgres" {
		vars["DATABASE_URL"] = storetest.PostgresURL(t)
	}
	return vars
}

func TestInvalidConfigurationStopsWithOneLine(t *testing.T) {
	cases := map[string]struct {
		args []string
		vars map[string]string
	}{
		"bad addr":        {[]string{"serve", "--addr", "nonsense"}, nil},
		"bad log format":  {[]string{"serve"}, map[string]string{"SNAPSHOP_LOG_FORMAT": "xml"}},
		"bad database":    {[]string{"migrate"}, map[string]string{"DATABASE_URL": "mysql://db/x"}},
		"unknown flag":    {[]string{"serve", "--colour"}, nil},
		"unknown command": {[]string{"fly"}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, _, _ := testEnv(tc.vars, "")
			err := run(t.Context(), tc.args, e)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error (exit 2)", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestUserCreateMakesTheFirstAdmin(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			vars := databaseVars(t, dialect)
			e, stdout, _ := testEnv(vars, "s3cret-admin-pass\n")
			err := run(t.Context(), []string{"user", "create", "--username", "Root", "--email", "root@example.com", "--role", "admin"}, e)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout.String(), `created admin "root"`) {
				t.Fatalf("stdout: %s", stdout)
			}
			// The same again is refused with the reason, and exit code 2.
			e, _, _ = testEnv(vars, "")
			err = run(t.Context(), []string{"user", "create", "--username", "root", "--email", "other@example.com", "--password", "another-pass", "--role", "admin"}, e)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "username: is already taken") {
				t.Fatalf("duplicate: %v", err)
			}
			e, _, _ = testEnv(vars, "")
			err = run(t.Context(), []string{"user", "create", "--username", "x", "--email", "x@example.com", "--password", "p", "--role", "king"}, e)
			if !errors.As(err, &ue) {
				t.Fatalf("bad role: %v", err)
			}
		})
	}
}

func TestMigrateReportsTheSchemaVersion(t *testing.T) {
	e, stdout, _ := testEnv(map[string]string{"SNAPSHOP_DATA": t.TempDir()}, "")
	if err := run(t.Context(), []string{"migrate"}, e); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`sqlite schema is at version [1-9]`).MatchString(stdout.String()) {
		t.Fatalf("stdout: %q", stdout)
	}
}

// startMain runs the whole program in-process on a free port.
func startMain(t *testing.T, cfg config.Config) (*Main, *syncBuffer, func() error) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	m := NewMain(cfg, stdout, stderr)
	m.AuthOptions = auth.Options{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server stopped before it was ready: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("server not ready after 30s\n%s", stderr)
	}
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	return m, stdout, stop
}

func TestEndToEndSignUpOnARealServer(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			vars := databaseVars(t, dialect)
			cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			cfg.Addr = "127.0.0.1:0"
			cfg.Demo = true
			m, stdout, stop := startMain(t, cfg)
			base := "http://" + m.Addr()

			// The data directory now holds the database and a secret key.
			if dialect == "sqlite" {
				for _, f := range []string{"snapshop.db", "secret.key"} {
					if _, err := os.Stat(filepath.Join(cfg.DataDir, f)); err != nil {
						t.Fatalf("data dir lacks %s: %v", f, err)
					}
				}
			}
			if !strings.Contains(stdout.String(), "demo-admin") {
				t.Fatalf("demo credentials not printed: %s", stdout)
			}

			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			home := get(t, hc, base+"/")
			token := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindStringSubmatch(home)
			if token == nil {
				t.Fatalf("no CSRF token on the home page:\n%s", home)
			}
			res, err := hc.PostForm(base+"/signup", url.Values{
				"_csrf": {token[1]}, "email": {"zoe@example.com"}, "username": {"zoe"},
				"password": {"a long enough password"}, "role": {"buyer"},
			})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			// The client followed the 303 to the account page.
			if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/account" || !strings.Contains(string(body), "zoe@example.com") {
				t.Fatalf("after sign-up: %d at %s\n%s", res.StatusCode, res.Request.URL, body)
			}
			if got := get(t, hc, base+"/readyz"); !strings.Contains(got, `"database":"ok"`) {
				t.Fatalf("readyz: %s", got)
			}
			if err := stop(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if _, err := hc.Get(base + "/healthz"); err == nil {
				t.Fatal("server still answering after shutdown")
			}
		})
	}
}

func get(t *testing.T, hc *http.Client, u string) string {
	t.Helper()
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The real process: started with flags, stopped by SIGTERM, exits 0 after
// letting the in-flight request finish.
func TestProcessShutsDownGracefullyOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-format", "json")
	cmd.Env = append(os.Environ(), "SNAPSHOP_TEST_BE_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	addrRE := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)
	var addr string
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("process exited before listening")
			}
			if m := addrRE.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-deadline:
			t.Fatal("process did not start listening")
		}
	}
	if got := get(t, http.DefaultClient, "http://"+addr+"/healthz"); !strings.Contains(got, "ok") {
		t.Fatalf("healthz: %s", got)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var sawStopped bool
	for l := range lines {
		if strings.Contains(l, `"msg":"stopped"`) {
			sawStopped = true
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if !sawStopped {
		t.Fatal(`no "stopped" log line`)
	}
}

func TestProcessExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		line string
	}{
		{[]string{"serve", "--addr", "bogus"}, 2, `snapshop: invalid configuration: addr "bogus"`},
		{[]string{"teleport"}, 2, `snapshop: unknown command "teleport"`},
	} {
		cmd := exec.Command(os.Args[0], tc.args...)
		cmd.Env = append(os.Environ(), "SNAPSHOP_TEST_BE_MAIN=1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
			t.Fatalf("%v: err %v, want exit %d", tc.args, err, tc.code)
		}
		if !strings.Contains(string(out), tc.line) {
			t.Fatalf("%v: output %q lacks %q", tc.args, out, tc.line)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Two servers on one PostgreSQL database, each with its own search index:
// what changes through one becomes searchable through the other.
func TestTwoServersOnOneDatabaseConverge(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("needs PostgreSQL (" + storetest.EnvPostgres + "): several servers share a database only there")
	}
	dbURL := storetest.PostgresURL(t)
	start := func() *Main {
		vars := map[string]string{"DATABASE_URL": dbURL, "SNAPSHOP_DATA": t.TempDir(), "SNAPSHOP_LOG_LEVEL": "warn", "SNAPSHOP_MIN_MEGAPIXELS": "0.01"}
		cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
		if err != nil {
			t.Fatal(err)
		}
		cfg.Addr = "127.0.0.1:0"
		m, _, _ := startMain(t, cfg)
		return m
	}
	a, b := start(), start()
	baseA, baseB := "http://"+a.Addr(), "http://"+b.Addr()

	e, _, _ := testEnv(map[string]string{"DATABASE_URL": dbURL, "SNAPSHOP_DATA": t.TempDir()}, "")
	for _, u := range [][]string{{"cora", "contributor"}, {"ada", "admin"}} {
		if err := run(t.Context(), []string{"user", "create", "--username", u[0], "--email", u[0] + "@example.com", "--role", u[1], "--password", u[0] + "-password"}, e); err != nil {
			t.Fatal(err)
		}
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	call := func(method, url, token, contentType string, body io.Reader) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, url, body)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	_, tok := call("POST", baseA+"/api/v1/tokens", "", "application/json", strings.NewReader(`{"login":"cora","password":"cora-password"}`))
	token := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(tok)[1]

	photo, err := synth.JPEG(200, 150, 7, 85)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("files", "harbour.jpg")
	_, _ = fw.Write(photo)
	_ = mw.Close()
	status, up := call("POST", baseA+"/api/v1/uploads", token, mw.FormDataContentType(), &body)
	if status != http.StatusAccepted {
		t.Fatalf("upload through A: %d %s", status, up)
	}
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(up)[1]
	waitUntil(t, "processing", func() bool {
		_, img := call("GET", baseA+"/api/v1/images/"+id, token, "", nil)
		return strings.Contains(img, `"status":"draft"`)
	})
	patch := `{"title":"Fishing boats at dawn","keywords":["boats","harbour","dawn","fishing","sea"],"category":"travel","usage":"commercial","ai_declaration":"none"}`
	if status, out := call("PATCH", baseA+"/api/v1/images/"+id, token, "application/json", strings.NewReader(patch)); status != http.StatusOK {
		t.Fatalf("describe through A: %d %s", status, out)
	}
	if status, out := call("POST", baseA+"/api/v1/images/"+id+"/submit", token, "", nil); status != http.StatusOK {
		t.Fatalf("submit through A: %d %s", status, out)
	}
	approve(t, dbURL, id)

	searchB := func(q string) string { _, out := call("GET", baseB+"/api/v1/search?q="+q, "", "", nil); return out }
	waitUntil(t, "B to find the published image", func() bool { return strings.Contains(searchB("boats"), `"total":1`) })
	if status, out := call("PATCH", baseA+"/api/v1/images/"+id, token, "application/json", strings.NewReader(`{"title":"Zeppelin over the harbour"}`)); status != http.StatusOK {
		t.Fatalf("edit through A: %d %s", status, out)
	}
	waitUntil(t, "B to find the new title", func() bool { return strings.Contains(searchB("zeppelin"), `"total":1`) })
	if _, out := call("GET", baseA+"/api/v1/search?q=zeppelin", "", "", nil); !strings.Contains(out, `"total":1`) {
		t.Fatalf("A does not find its own change: %s", out)
	}
}

// approve publishes an image as an admin would (the admin API comes with
// moderation), through the catalogue service on the shared database.
func approve(t *testing.T, dbURL, id string) {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{Dialect: store.Postgres, DSN: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := db.UserByUsername(t.Context(), "ada")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := catalog.NewService(db, nil, catalog.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Approve(t.Context(), admin, id); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
