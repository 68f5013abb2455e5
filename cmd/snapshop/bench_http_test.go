package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBenchHTTPEndToEnd runs the whole benchmark on a tiny catalogue: seeding, the real server,
// every route, the report. On PostgreSQL too when SNAPSHOP_TEST_POSTGRES is set.
func TestBenchHTTPEndToEnd(t *testing.T) {
	args := []string{"--images", "300", "--clients", "4", "--requests", "60", "--warmup", "0s"}
	if url := os.Getenv("SNAPSHOP_TEST_POSTGRES"); url != "" {
		args = append(args, "--postgres", url)
	}
	e, stdout, stderr := testEnv(nil, "")
	if err := runBenchHTTP(context.Background(), args, e); err != nil {
		t.Fatalf("bench http: %v\n%s\n%s", err, stdout, stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"Seeded 300 published images", "Server ready on 127.0.0.1:",
		"route", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms/req", "CPUs ours/all", "peak RSS",
		"static asset", "home page", "search page", "search API", "image page", "suggest",
		"The issue's targets (set for 100,000 images and 64 clients; this run differs)",
		"the machine's ceiling", "Server log:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Every route answered every request: 60 each, none failed.
	for _, route := range []string{"static asset", "home page", "search page", "search API", "image page", "suggest"} {
		if !strings.Contains(out, route+": 60 requests") {
			t.Errorf("%s did not complete 60 requests", route)
		}
	}
	if t.Failed() {
		t.Log("\n" + out)
	}
}

// TestBenchHTTPCountsErrors checks the load generator against a server that fails some
// requests: every answer but a 200 is an error, and the run still completes its quota.
func TestBenchHTTPCountsErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		if n.Add(1) == 1 {
			http.SetCookie(w, &http.Cookie{Name: "c", Value: "v1"})
		} else if r.Header.Get("Cookie") != "c=v1" {
			http.Error(w, "lost cookie", http.StatusBadRequest) // a browser sends it back
			return
		}
		_, _ = w.Write([]byte("hello"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	res := httpLoad{addr: addr, paths: []string{"/ok", "/ok", "/bad"}, clients: 1, requests: 30}.run(context.Background())
	if len(res.lat) != 30 || res.errors != 10 {
		t.Fatalf("%d requests, %d errors; want 30 and 10 (samples %v)", len(res.lat), res.errors, res.samples)
	}
	if res.samples["HTTP 503 Service Unavailable"] != 10 {
		t.Errorf("samples: %v", res.samples)
	}
	if res.bytes < 20*5 {
		t.Errorf("%d body bytes", res.bytes)
	}

	// A server that goes away is an error per request, not a hang.
	srv.Close()
	res = httpLoad{addr: addr, paths: []string{"/ok"}, clients: 2, requests: 4}.run(context.Background())
	if res.errors != 4 {
		t.Errorf("closed server: %d errors, want 4", res.errors)
	}
}

func TestBenchHTTPBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--images", "0"}, {"--clients", "0"}, {"--duration", "0s"}, {"--requests", "-1"},
		{"--duration", "1s", "--requests", "5"}, {"--routes", "nope"}, {"--routes", ","}, {"--warmup", "-1s"}, {"extra"},
	} {
		e, _, _ := testEnv(nil, "")
		if err := runBenchHTTP(context.Background(), args, e); !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	e, _, stderr := testEnv(nil, "")
	if err := runBenchHTTP(context.Background(), []string{"-h"}, e); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(stderr.String(), "-clients") {
		t.Errorf("help lacks --clients:\n%s", stderr)
	}
	// An existing data directory is refused rather than overwritten.
	dir := t.TempDir()
	if err := os.Mkdir(dir+"/data", 0o700); err != nil {
		t.Fatal(err)
	}
	e, _, _ = testEnv(nil, "")
	if err := runBenchHTTP(context.Background(), []string{"--dir", dir, "--images", "10"}, e); !errors.As(err, new(usageError)) {
		t.Errorf("existing data dir: got %v, want a usage error", err)
	}
}
