package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/search"
)

// benchSearchRows are the rows of the summary table, each of which every run must print.
func benchSearchRows() []string {
	return []string{
		"load rate (images/s)", "load time", "size on disk", "peak RSS, build", "peak RSS, open + queries",
		"plain p50 / p99 (ms)", "faceted p50 / p99 (ms)", "date-sorted p50 / p99 (ms)", "suggest p50 / p99 (ms)",
		"faceted q/s (2 goroutines)",
	}
}

func checkBenchSearchTable(t *testing.T, out string, engines ...string) {
	t.Helper()
	for _, want := range append(benchSearchRows(), engines...) {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log("\n" + out)
	}
}

// benchSearchVars points the command at the test PostgreSQL when there is one.
func benchSearchVars() map[string]string {
	if url := os.Getenv("SNAPSHOP_TEST_POSTGRES"); url != "" {
		return map[string]string{"SNAPSHOP_TEST_POSTGRES": url}
	}
	return nil
}

// TestBenchSearchEndToEnd runs the whole benchmark on a small catalogue, against PostgreSQL
// too when SNAPSHOP_TEST_POSTGRES is set. It skips while search.Build is a stub.
func TestBenchSearchEndToEnd(t *testing.T) {
	e, stdout, stderr := testEnv(benchSearchVars(), "")
	args := []string{"--images", "2000", "--queries", "30", "--concurrency", "2", "--duration", "300ms"}
	err := runBenchSearch(context.Background(), args, e)
	if err != nil && strings.Contains(err.Error(), "not implemented") {
		t.Skipf("search is not implemented yet: %v", err)
	}
	if err != nil {
		t.Fatalf("bench search: %v\n%s\n%s", err, stdout, stderr)
	}
	out := stdout.String()
	engines := []string{"snapshop", "sqlite-fts5", "Ours against the faster peer", "The issue's targets", "Slowest queries, snapshop", "pure-Go"}
	if os.Getenv("SNAPSHOP_TEST_POSTGRES") != "" {
		engines = append(engines, "PostgreSQL ")
	}
	checkBenchSearchTable(t, out, engines...)
	t.Log("\n" + out)
}

// TestBenchSearchPeersOnly runs the peers without our index, so that the SQLite (and
// PostgreSQL) side is tested whatever state the engine is in.
func TestBenchSearchPeersOnly(t *testing.T) {
	e, stdout, stderr := testEnv(benchSearchVars(), "")
	args := []string{"--snapshop=false", "--images", "2000", "--queries", "30", "--concurrency", "2", "--duration", "300ms"}
	if err := runBenchSearch(context.Background(), args, e); err != nil {
		t.Fatalf("bench search: %v\n%s\n%s", err, stdout, stderr)
	}
	out := stdout.String()
	checkBenchSearchTable(t, out, "sqlite-fts5", "pure-Go", "FTS5")
	if strings.Contains(out, "no FTS5") {
		t.Fatalf("the SQLite driver has no FTS5:\n%s", out)
	}
	if os.Getenv("SNAPSHOP_TEST_POSTGRES") == "" && !strings.Contains(out, "postgres: skipped") {
		t.Errorf("PostgreSQL is not said to be skipped:\n%s", out)
	}
	// Both peers find what the catalogue holds: most queries match something.
	if !strings.Contains(out, "none found for") {
		t.Errorf("no agreement summary:\n%s", out)
	}
	t.Log("\n" + out)
}

func TestBenchSearchExplicitEmptyPostgresSkipsIt(t *testing.T) {
	e, stdout, _ := testEnv(map[string]string{"SNAPSHOP_TEST_POSTGRES": "postgres://nowhere.invalid/x"}, "")
	args := []string{"--snapshop=false", "--postgres", "", "--images", "200", "--queries", "5", "--duration", "50ms"}
	if err := runBenchSearch(context.Background(), args, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "postgres: skipped") {
		t.Errorf("--postgres \"\" does not skip PostgreSQL:\n%s", stdout)
	}
}

func TestBenchSearchBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--images", "0"}, {"--queries", "0"}, {"--concurrency", "0"}, {"--duration", "0s"}, {"--nope"}, {"extra"}} {
		e, _, _ := testEnv(nil, "")
		if err := runBenchSearch(context.Background(), args, e); !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	e, _, stderr := testEnv(nil, "")
	if err := runBenchSearch(context.Background(), []string{"-h"}, e); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(stderr.String(), "--postgres") && !strings.Contains(stderr.String(), "-postgres") {
		t.Errorf("help lacks --postgres:\n%s", stderr)
	}
	// An existing index directory is refused rather than overwritten.
	dir := t.TempDir()
	if err := os.Mkdir(dir+"/snapshop-index", 0o700); err != nil {
		t.Fatal(err)
	}
	e, _, _ = testEnv(nil, "")
	if err := runBenchSearch(context.Background(), []string{"--dir", dir, "--images", "10"}, e); !errors.As(err, new(usageError)) {
		t.Errorf("existing index dir: got %v, want a usage error", err)
	}
}

func TestFTS5QueryQuotesEveryWord(t *testing.T) {
	for q, want := range map[string]string{
		"sunset beach":        `"sunset" "beach"`,
		`Sunset "OR" -beach*`: `"sunset" "or" "beach"`,
		`a"b NEAR(c)`:         `"a" "b" "near" "c"`,
		"  ":                  "",
		"café 2024":           `"café" "2024"`,
	} {
		if got := fts5Query(q); got != want {
			t.Errorf("fts5Query(%q) = %s, want %s", q, got, want)
		}
	}
}

func TestBenchPrefixEnd(t *testing.T) {
	for p, want := range map[string]string{"sun": "suo", "a": "b", "az": "a{", "": "", "a\xff": "b"} {
		if got := benchPrefixEnd(p); got != want {
			t.Errorf("benchPrefixEnd(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestBenchPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p := benchPercentiles(d)
	if p != [4]time.Duration{100 * time.Millisecond, 180 * time.Millisecond, 198 * time.Millisecond, 200 * time.Millisecond} {
		t.Errorf("got %v", p)
	}
	if benchPercentiles(nil) != [4]time.Duration{} {
		t.Error("empty input")
	}
	if got := benchThousands(1234567); got != "1,234,567" {
		t.Errorf("benchThousands: %s", got)
	}
}

func TestBenchFilterSQL(t *testing.T) {
	if v, arg, err := benchFilterSQL(search.Filters{Category: []string{"food"}}); v != 1 || arg != "food" || err != nil {
		t.Errorf("category: %d %q %v", v, arg, err)
	}
	if v, arg, err := benchFilterSQL(search.Filters{Orientation: []string{"square"}}); v != 2 || arg != "square" || err != nil {
		t.Errorf("orientation: %d %q %v", v, arg, err)
	}
	if _, _, err := benchFilterSQL(search.Filters{Category: []string{"a", "b"}}); err == nil {
		t.Error("two categories are not translated")
	}
}
