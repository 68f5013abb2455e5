package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/snapshop/snapshop/media/xmp"
)

// The steps the journeys are written in: what a person does on a page, and
// what they then expect to see.

// journeyPhoto is how the contributor describes one photo.
type journeyPhoto struct {
	title, description, category, price string
	keywords                            []string
}

// signUp creates an account on /signup and lands on the account page.
func (tb *tab) signUp(role, email, username, password string) {
	tb.t.Helper()
	tb.open("/signup")
	tb.do("fill in the sign-up form",
		chromedp.Click(chromedp.CSS(`input[name=role][value=`+role+`]`)),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	tb.shot("sign-up")
	tb.follow("create the account", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	tb.expectPath("/account")
	tb.expectText("main", email)
}

// signIn signs in on /login.
func (tb *tab) signIn(login, password string) {
	tb.t.Helper()
	tb.open("/login")
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	)
	tb.follow("sign in", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	tb.expectText(".site-nav", login)
}

func (tb *tab) expectPath(want string) {
	tb.t.Helper()
	if got, _, _ := strings.Cut(tb.path(), "?"); got != want {
		tb.fail("expect to be on "+want, fmt.Errorf("on %s", got))
	}
}

func (tb *tab) expectPathPrefix(want string) {
	tb.t.Helper()
	if got := tb.path(); !strings.HasPrefix(got, want) {
		tb.fail("expect to be on "+want+"…", fmt.Errorf("on %s", got))
	}
}

// expectText checks that the first element matching sel shows want.
func (tb *tab) expectText(sel, want string) {
	tb.t.Helper()
	js := fmt.Sprintf(`document.querySelector(%s)?.innerText ?? "(nothing matches on the page)"`, jsonString(sel))
	if got := eval[string](tb, "read "+sel, js); !strings.Contains(got, want) {
		tb.fail(fmt.Sprintf("expect %q in %s", want, sel), fmt.Errorf("it says %q", got))
	}
}

// expectExactText checks that the first element matching sel shows want and
// nothing else.
func (tb *tab) expectExactText(sel, want string) {
	tb.t.Helper()
	js := fmt.Sprintf(`document.querySelector(%s)?.innerText.trim() ?? "(nothing matches on the page)"`, jsonString(sel))
	if got := eval[string](tb, "read "+sel, js); got != want {
		tb.fail(fmt.Sprintf("expect %q in %s", want, sel), fmt.Errorf("it says %q", got))
	}
}

// expectResults checks the search page's count and its results' titles.
func (tb *tab) expectResults(total int, titles ...string) {
	tb.t.Helper()
	word := "photos"
	if total == 1 {
		word = "photo"
	}
	tb.expectText(".results-head [role=status]", fmt.Sprintf("%d %s", total, word))
	got := slices.Sorted(slices.Values(eval[[]string](tb, "read the results", `[...document.querySelectorAll(".image-grid .image-card-title")].map((a) => a.innerText)`)))
	if want := slices.Sorted(slices.Values(titles)); !slices.Equal(got, want) {
		tb.fail("expect the results", fmt.Errorf("got %q, want %q", got, want))
	}
}

// throttleUploads limits the upload requests' throughput to bytesPerSecond
// (0: no limit), through Chrome's network emulation for that URL only.
func (tb *tab) throttleUploads(bytesPerSecond float64) {
	tb.t.Helper()
	var rules []*network.Conditions
	if bytesPerSecond > 0 {
		rules = append(rules, &network.Conditions{URLPattern: tb.base + "/api/v1/uploads", DownloadThroughput: -1, UploadThroughput: bytesPerSecond})
	}
	tb.do("throttle uploads", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
		return err
	}))
}

// dropFiles drops files from disk on the element matching sel, as someone
// dragging them from a file manager: Chrome's own drag events
// (Input.dispatchDragEvent: dragEnter, dragOver, drop) carrying the files,
// so the page's drop handler gets a real DataTransfer holding File objects
// read from disk. (Building the DataTransfer in page JavaScript would test
// the same handler, but not the browser's drag and drop.)
func (tb *tab) dropFiles(sel string, paths []string) {
	tb.t.Helper()
	type point struct {
		X float64 `json:"x"`
		Y float64 `json:"y"`
	}
	at := eval[point](tb, "find "+sel, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		el.scrollIntoView({ block: "center" });
		const r = el.getBoundingClientRect();
		return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
	})()`, jsonString(sel)))
	data := &input.DragData{Items: []*input.DragDataItem{}, Files: paths, DragOperationsMask: 1} // 1: copy
	tb.do("drop the files on "+sel, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
			if _, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at.X, Y: at.Y, Data: data}); err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
		}
		return nil
	}))
}

// openWhen opens a page that refreshes itself until it is ready (the edit
// page while the photo is processed), and waits for ready to hold.
func (tb *tab) openWhen(what, path, ready string) {
	tb.t.Helper()
	tb.open(path)
	deadline := time.Now().Add(stepTimeout)
	for {
		// A check that meets the refresh half-way fails: not ready yet.
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready))
		if err == nil && ok {
			cancel()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			tb.fail("wait for "+what, context.DeadlineExceeded)
		}
		// The page's own refresh; if it came between the check and now,
		// the check after this wait (at most 5 s) sees its result.
		_, _ = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Func(func(context.Context, *chromedp.Target) error { return nil })))
		cancel()
	}
	tb.landed()
}

// describe fills in the edit form of a photo.
func (tb *tab) describe(p journeyPhoto) {
	tb.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS("#title"), p.title),
		chromedp.SendKeys(chromedp.CSS("#keywords"), strings.Join(p.keywords, ", ")),
		chromedp.SetValue(chromedp.CSS("#category"), p.category),
		chromedp.Click(chromedp.CSS(`input[name=usage][value=commercial]`)),
		chromedp.Click(chromedp.CSS(`input[name=ai_declaration][value=none]`)),
	}
	if p.description != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS("#description"), p.description))
	}
	if p.price != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS("#price"), p.price))
	}
	tb.do("describe "+p.title, steps...)
}

// queue is the review queue's images, in order.
func (tb *tab) queue() []string {
	tb.t.Helper()
	return eval[[]string](tb, "read the queue", `[...document.querySelectorAll("[data-review-item]")].map((li) => li.dataset.image)`)
}

// current waits until the review queue's current item is the image id.
func (tb *tab) current(id string) {
	tb.t.Helper()
	tb.waitFor("item "+id+" to be current", fmt.Sprintf(`document.querySelector("[data-review-item].is-current")?.dataset.image === %s`, jsonString(id)))
}

// tabTo presses Tab until the element matching sel has the focus.
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	js := fmt.Sprintf(`document.activeElement.matches(%s)`, jsonString(sel))
	for range 30 {
		if eval[bool](tb, "check the focus", js) {
			return
		}
		tb.do("press Tab", chromedp.KeyEvent("\t"))
	}
	tb.fail("tab to "+sel, fmt.Errorf("30 presses of Tab did not reach it"))
}

// downloadOriginal follows the receipt's "Download original" link as the
// browser would, with the browser's cookies, and returns the file. (Chrome
// would save an attachment to disk; fetching it from Go with the same
// cookies gives the same bytes and lets the test read the headers.)
func (tb *tab) downloadOriginal() []byte {
	tb.t.Helper()
	link := eval[string](tb, "read the download link", `document.querySelector("a[download][href*='/downloads/']")?.href ?? ""`)
	if link == "" {
		tb.fail("find the download link", fmt.Errorf("no Download original link"))
	}
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{link}})
	if err != nil {
		tb.fail("read the cookies", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		tb.t.Fatal(err)
	}
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.t.Fatalf("download %s: %v", link, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.t.Fatalf("download %s: %v", link, err)
	}
	if res.StatusCode != http.StatusOK {
		tb.t.Fatalf("download %s: %d %s", link, res.StatusCode, body)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		tb.t.Errorf("download Content-Disposition %q, want an attachment", cd)
	}
	if ct := res.Header.Get("Content-Type"); ct != "image/jpeg" {
		tb.t.Errorf("download Content-Type %q, want image/jpeg", ct)
	}
	return body
}

// checkLicensedOriginal checks that a downloaded original is the upload,
// byte for byte, with exactly one thing added: an XMP APP1 segment naming the
// licence and the licensee.
func checkLicensedOriginal(t *testing.T, got, upload []byte, licence, buyer string) {
	t.Helper()
	if before, err := xmp.Extract(bytes.NewReader(upload), "jpeg"); err != nil || before != nil {
		t.Fatalf("the upload already has XMP (%v): the check needs one without", err)
	}
	packet, err := xmp.Extract(bytes.NewReader(got), "jpeg")
	if err != nil || packet == nil {
		t.Fatalf("no XMP in the download (%v)", err)
	}
	for _, want := range []string{licence, "<snapshop:Licensee>" + buyer + "</snapshop:Licensee>"} {
		if !bytes.Contains(packet, []byte(want)) {
			t.Errorf("the download's XMP lacks %q:\n%s", want, packet)
		}
	}
	// The APP1 segment as JPEG writes it: marker, length (counting itself),
	// the XMP signature, the packet.
	const signature = "http://ns.adobe.com/xap/1.0/\x00"
	segment := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(2+len(signature)+len(packet))) //nolint:gosec // a packet Extract returned fits a segment
	segment = append(append(segment, signature...), packet...)
	at := bytes.Index(got, segment)
	if at < 0 {
		t.Fatal("the download's XMP is not one APP1 segment")
	}
	rest := append(append([]byte(nil), got[:at]...), got[at+len(segment):]...)
	if !bytes.Equal(rest, upload) {
		t.Fatalf("the download minus its XMP segment (%d bytes) is not the upload (%d bytes)", len(rest), len(upload))
	}
	t.Logf("download: the %d-byte upload plus a %d-byte XMP segment at byte %d", len(upload), len(segment), at)
}

// jsonString quotes s for JavaScript.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
