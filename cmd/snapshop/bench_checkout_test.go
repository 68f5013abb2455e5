package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkoutSummary is what one database's lines of `bench checkout` output report.
type checkoutSummary struct {
	purchases, errors int
	verified          bool
	licences, orders  int
	walletsOK         bool
}

// parseBenchCheckout reads the per-database lines of the output.
func parseBenchCheckout(t *testing.T, out, name string) checkoutSummary {
	t.Helper()
	var s checkoutSummary
	counts := regexp.MustCompile(`(?m)^` + name + `: ([\d,]+) purchases, ([\d,]+) errors in \S+: \S+ purchases/s; latency p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$`).FindStringSubmatch(out)
	if counts == nil {
		t.Fatalf("no purchase line for %s:\n%s", name, out)
	}
	s.purchases, _ = strconv.Atoi(strings.ReplaceAll(counts[1], ",", ""))
	s.errors, _ = strconv.Atoi(strings.ReplaceAll(counts[2], ",", ""))
	s.verified = regexp.MustCompile(`(?m)^` + name + `: ledger.Verify passed$`).MatchString(out)
	books := regexp.MustCompile(`(?m)^` + name + `: ([\d,]+) licences and ([\d,]+) licence orders for [\d,]+ purchases; wallets hold \S+ = \S+ funded − \S+ spent \((ok|FAILED)\)$`).FindStringSubmatch(out)
	if books == nil {
		t.Fatalf("no books line for %s:\n%s", name, out)
	}
	s.licences, _ = strconv.Atoi(strings.ReplaceAll(books[1], ",", ""))
	s.orders, _ = strconv.Atoi(strings.ReplaceAll(books[2], ",", ""))
	s.walletsOK = books[3] == "ok"
	return s
}

// TestBenchCheckoutSmall runs `snapshop bench checkout` through the command dispatch at a tiny
// scale, on SQLite and, when SNAPSHOP_TEST_POSTGRES is set, on PostgreSQL, and reads back
// from its output that every purchase was made, none failed and the books balance.
func TestBenchCheckoutSmall(t *testing.T) {
	dir := t.TempDir()
	e, stdout, stderr := testEnv(benchSearchVars(), "")
	args := []string{"bench", "checkout", "--buyers", "4", "--purchases", "42", "--images", "100", "--sqlite-dir", dir}
	if err := run(context.Background(), args, e); err != nil {
		t.Fatalf("bench checkout: %v\n%s\n%s", err, stdout, stderr)
	}
	out := stdout.String()
	names := []string{"sqlite"}
	if os.Getenv("SNAPSHOP_TEST_POSTGRES") != "" {
		names = append(names, "postgres")
	} else if !strings.Contains(out, "postgres: skipped") {
		t.Errorf("PostgreSQL is not said to be skipped:\n%s", out)
	}
	for _, name := range names {
		s := parseBenchCheckout(t, out, name)
		want := checkoutSummary{purchases: 42, verified: true, licences: 42, orders: 42, walletsOK: true}
		if s != want {
			t.Errorf("%s: got %+v, want %+v\n%s", name, s, want, out)
		}
	}
	for _, row := range []string{"purchases/s", "p50 (ms)", "p90 (ms)", "p99 (ms)", "ledger.Verify", "licences = purchases", "wallets = funded − spent"} {
		if !strings.Contains(out, row) {
			t.Errorf("the table lacks %q:\n%s", row, out)
		}
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a check failed:\n%s", out)
	}
	// The SQLite database is removed, even from a directory given with --sqlite-dir.
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left behind in --sqlite-dir: %v", left)
	}
	t.Log("\n" + out)
}

// TestBenchCheckoutDuration buys for a short time instead of a count.
func TestBenchCheckoutDuration(t *testing.T) {
	e, stdout, stderr := testEnv(nil, "")
	args := []string{"--buyers", "3", "--duration", "150ms", "--images", "50"}
	if err := runBenchCheckout(context.Background(), args, e); err != nil {
		t.Fatalf("bench checkout: %v\n%s\n%s", err, stdout, stderr)
	}
	s := parseBenchCheckout(t, stdout.String(), "sqlite")
	if s.purchases == 0 || s.errors != 0 || !s.verified || s.licences != s.purchases || s.orders != s.purchases || !s.walletsOK {
		t.Errorf("got %+v\n%s", s, stdout)
	}
}

// TestBenchCheckoutInterrupted cancels the context while the buyers buy: the command returns
// promptly with the cancellation and leaves no database behind.
func TestBenchCheckoutInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	e, stdout, _ := testEnv(nil, "")
	start := time.Now()
	err := runBenchCheckout(ctx, []string{"--buyers", "2", "--duration", "1m", "--images", "1000", "--sqlite-dir", dir}, e)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error\n%s", err, stdout)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to stop", d)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left behind in --sqlite-dir: %v", left)
	}
}

func TestBenchCheckoutBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--buyers", "0"}, {"--images", "0"}, {"--duration", "0s"}, {"--purchases", "-1"},
		{"--duration", "1s", "--purchases", "10"},              // one or the other
		{"--buyers", "2", "--images", "3", "--purchases", "8"}, // 4 each, but only 3 images
		{"--postgres", "::not a url::", "--purchases", "1", "--images", "1", "--buyers", "1"},
		{"--nope"}, {"extra"},
	} {
		e, _, _ := testEnv(nil, "")
		if err := runBenchCheckout(context.Background(), args, e); !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	e, _, stderr := testEnv(nil, "")
	if err := run(context.Background(), []string{"bench", "checkout", "-h"}, e); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	for _, f := range []string{"buyers", "duration", "purchases", "images", "postgres", "sqlite-dir"} {
		if !strings.Contains(stderr.String(), "-"+f) {
			t.Errorf("help lacks --%s:\n%s", f, stderr)
		}
	}
}

func TestBenchCheckoutQuotas(t *testing.T) {
	o := benchCheckoutOptions{buyers: 4, purchases: 42, images: 100}
	total := 0
	for i := range o.buyers {
		total += o.quota(i)
	}
	if total != 42 || o.quota(0) != 11 || o.quota(3) != 10 || o.perBuyer() != 11 {
		t.Errorf("quotas of 42 over 4 buyers: total %d, first %d, last %d, most %d", total, o.quota(0), o.quota(3), o.perBuyer())
	}
	if o := (benchCheckoutOptions{buyers: 4, images: 100}); o.quota(0) != 0 || o.perBuyer() != 100 {
		t.Errorf("buying for a duration: quota %d, most %d", o.quota(0), o.perBuyer())
	}
	for c, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", -250: "-$2.50"} {
		if got := benchDollars(c); got != want {
			t.Errorf("benchDollars(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestCheckoutStatement(t *testing.T) {
	for in, want := range map[string]string{
		"UPDATE ledger_accounts SET balance_cents = balance_cents + 120\n\t\tWHERE id = 4 AND (kind NOT IN ('wallet', 'payouts') OR balance_cents + 120 >= 0)": "UPDATE ledger_accounts SET balance_cents = balance_cents + ? WHERE id = ? AND (kind NOT IN (?, ?) OR balance_cents + ? >= ?)",
		"SELECT * FROM t1 WHERE x IN (1,22,333) AND y = -5.5": "SELECT * FROM t1 WHERE x IN (?,?,?) AND y = -?.?",
	} {
		if got := checkoutStatement(in); got != want {
			t.Errorf("checkoutStatement(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
