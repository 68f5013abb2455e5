package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser journeys drive a real headless Chromium through the Chrome
// DevTools Protocol (github.com/chromedp/chromedp). This file holds the
// plumbing: finding the browser, one tab per person, steps with a deadline,
// screenshots and the accessibility check on every page a tab lands on.

// stepTimeout bounds one step of a journey (a navigation, a wait for an
// element). Generous, because the box and its two cores are shared; it is
// only ever reached by a step that is going to fail.
const stepTimeout = 30 * time.Second

// browserPath returns the Chromium or Chrome binary to drive: $CHROME_PATH,
// else the first of the usual names on $PATH.
func browserPath() (string, bool) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		return "", false
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// browser is one headless Chromium process for a test.
type browser struct {
	ctx   context.Context // the allocator's: each person gets a tab of their own
	shots *artifacts      // where screenshots go; nil: nowhere

	mu      sync.Mutex
	checked map[string]int // pages that had the accessibility check, by path: how often
}

// startBrowser starts headless Chromium, or skips the test when none is
// installed (CI installs Debian's chromium; see .ci/run).
func startBrowser(t *testing.T) *browser {
	t.Helper()
	path, ok := browserPath()
	if !ok {
		if p := os.Getenv("CHROME_PATH"); p != "" {
			t.Skipf("no browser for the journeys: CHROME_PATH=%s does not exist", p)
		}
		t.Skip("no browser for the journeys: none of chromium, chromium-browser, google-chrome is on PATH; install one (apt-get install chromium) or set CHROME_PATH")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Chromium will not start as root with its sandbox (CI runs as
		// root in a container); it only ever loads this test's own server.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	// The first tab starts the browser, without a deadline: a deadline on
	// the first Run would bind the browser's life to it.
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return &browser{ctx: root, checked: map[string]int{}}
}

// tab is one person's window: a browser context of its own (cookies, storage),
// so the contributor, the admin and the buyer are signed in side by side.
type tab struct {
	t    *testing.T
	who  string
	ctx  context.Context
	base string
	b    *browser
}

func (b *browser) newTab(t *testing.T, who, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, who: who, ctx: ctx, base: base, b: b}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab for the %s: %v", who, err)
	}
	return tb
}

// in returns the tab for use by a subtest: failures go to that subtest.
func (tb *tab) in(t *testing.T) *tab {
	c := *tb
	c.t = t
	return &c
}

// do runs steps with a deadline; on failure it saves a screenshot of the page
// as it was and stops the test.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fail(what, err)
	}
}

// eval evaluates a JavaScript expression (promises awaited) into T.
func eval[T any](tb *tab, what, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is truthy, checked in the page
// every 20 ms: on a timer rather than on DOM mutations, because what a step
// waits for may be a property (focus, a ticked box) that changes no node.
func (tb *tab) waitFor(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(0)) // the step's deadline bounds it
	if _, err := chromedp.Run(ctx, poll); err != nil {
		tb.fail("wait for "+what, err)
	}
}

// fail stops the test with what failed, where, and a screenshot.
func (tb *tab) fail(what string, err error) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	tb.shot("FAILED-" + what)
	tb.t.Fatalf("%s: %s: %v (page %s)", tb.who, what, err, where)
}

// open navigates to a path of the site and checks the page it lands on.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.base+path))
	tb.landed()
}

// follow runs an action that loads a new page (a click on a link or a submit
// button, a key that submits a form), waits for that page's load event and
// checks the page.
func (tb *tab) follow(what string, trigger chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
		tb.fail(what, err)
	}
	tb.landed()
}

// path is the current page's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, "read the location", `location.pathname + location.search`)
}

// landed checks the page the tab is on: an error page is a failure, and
// every page passes the accessibility basics (see journey_a11y_test.go).
func (tb *tab) landed() {
	tb.t.Helper()
	p := tb.path()
	if msg := eval[string](tb, "look for an error page", `document.querySelector(".error-page")?.innerText ?? ""`); msg != "" {
		tb.shot("FAILED-error-page")
		tb.t.Fatalf("%s landed on an error page at %s: %q", tb.who, p, msg)
	}
	for _, problem := range checkAccessibility(tb) {
		tb.t.Errorf("accessibility, %s page %s: %s", tb.who, p, problem)
	}
	tb.b.mu.Lock()
	tb.b.checked[p]++
	tb.b.mu.Unlock()
}

// pagesChecked lists the pages that had the accessibility check.
func (b *browser) pagesChecked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Sorted(maps.Keys(b.checked))
}

// shot saves a full-page screenshot of the tab as an artifact.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if tb.b.shots == nil {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, lossless
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	tb.b.shots.save(tb.t, tb.who+"-"+name, png)
}

// artifacts is where the journeys leave their screenshots: $SNAPSHOP_ARTIFACTS
// (CI keeps ./artifacts), else a temporary directory of the test.
type artifacts struct {
	dir string
	mu  sync.Mutex
	n   int
}

func newArtifacts(t *testing.T) *artifacts {
	t.Helper()
	dir := os.Getenv("SNAPSHOP_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "journeys")
		// A rerun replaces the last run's screenshots rather than mixing with them.
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	t.Logf("journey screenshots go to %s", dir)
	return &artifacts{dir: dir}
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

func (a *artifacts) save(t *testing.T, name string, png []byte) {
	t.Helper()
	a.mu.Lock()
	a.n++
	file := filepath.Join(a.dir, fmt.Sprintf("%02d-%s.png", a.n, strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")))
	a.mu.Unlock()
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Errorf("save screenshot: %v", err)
	}
}
