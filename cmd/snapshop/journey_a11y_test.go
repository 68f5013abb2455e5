package main

import (
	_ "embed"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The accessibility basics every page of the journeys must pass, checked in
// the page itself after it loads:
//
//   - every input, select and textarea (but hidden inputs and buttons) has a
//     name: a <label> (for= or wrapping it) with text, aria-label, or
//     aria-labelledby pointing at text;
//   - every <img> has an alt attribute (alt="" marks a decorative one);
//   - at most one <h1>, the first heading is the <h1>, and no heading skips
//     a level on the way down (h2 → h4);
//   - text has a contrast ratio of at least 4.5:1 against what is behind it
//     (3:1 for large text: 24 px, or 18.66 px bold), WCAG 2.2 § 1.4.3.
//
// Contrast is computed from the computed colours: the text colour (its alpha
// times the opacity of its ancestors) over the background colours of the
// element and its ancestors, composited down to the first opaque one (white
// if none is). Text that is not rendered (display: none, visibility: hidden,
// opacity 0, inside a closed <details>), clipped to a pixel (visually hidden
// for screen readers), in a disabled control or over a background image
// (which no colour can stand for) is skipped. Rendering the colours through a
// 1×1 canvas turns any CSS colour syntax into sRGB bytes.
//
//go:embed testdata/a11y.js
var a11yScript string

// checkAccessibility returns the accessibility problems of the tab's page.
func checkAccessibility(tb *tab) []string {
	tb.t.Helper()
	return eval[[]string](tb, "check accessibility", a11yScript)
}

// The check must catch each kind of problem and pass what is fine.
func TestAccessibilityCheckCatchesTheBasics(t *testing.T) {
	b := startBrowser(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(a11yFixture))
	}))
	t.Cleanup(srv.Close)
	tb := b.newTab(t, "checker", srv.URL)
	tb.do("open the fixture", chromedp.Navigate(srv.URL))
	got := checkAccessibility(tb)
	want := []string{
		`input#bad-input has no label`,
		`select[name=bad] has no label`,
		`textarea#empty-label has no label`,
		`input#dangling has no label`,
		`img[src=/no-alt.png] has no alt attribute`,
		`a second h1: "Another title"`,
		`h4 "Skipped" follows h2: a heading level is skipped`,
		`p#grey "Grey on white" has contrast 2.85:1 (rgb(153, 153, 153) on rgb(255, 255, 255)), below 4.5:1`,
		// Black at 40 % over white is #999 over white.
		`span#faded "Faded" has contrast 2.85:1 (rgb(0, 0, 0) at 40% on rgb(255, 255, 255)), below 4.5:1`,
		// Half-transparent red over white.
		`p#light-on-tint "Pale on tint" has contrast 3.04:1 (rgb(255, 255, 255) on rgb(204, 127, 127)), below 4.5:1`,
		`h2#big-pale "Large pale heading" has contrast 2.46:1 (rgb(153, 153, 153) on rgb(238, 238, 238)), below 3:1`,
		`input#pale-hint placeholder "4242 4242 4242 4242" has contrast 1.61:1 (rgb(204, 204, 204) on rgb(255, 255, 255)), below 4.5:1`,
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missed: %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("false alarm: %s", g)
		}
	}
	if t.Failed() {
		t.Logf("the check said:\n%s", strings.Join(got, "\n"))
	}
}

// a11yFixture has one of each problem, and next to it the same thing done
// right (which must pass).
const a11yFixture = `<!doctype html><html lang="en"><head><title>Fixture</title>
<style>
  body { font: 16px sans-serif; color: #222; background: #fff; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .tint { background: rgba(153, 0, 0, 0.5); }
  #pale-hint::placeholder { color: #ccc; }
  #dark-hint::placeholder { color: #595959; }
</style></head><body>
<h1>Title</h1>
<form>
  <label for="good-input">Name</label><input id="good-input">
  <label>Wrapped <input name="wrapped"></label>
  <label for="hidden-label" class="visually-hidden">Search</label><input id="hidden-label" type="search">
  <input aria-label="Quantity" type="number">
  <span id="lbl">Colour</span><select aria-labelledby="lbl"><option>Red</option></select>
  <input type="hidden" name="token"><input type="submit" value="Send"><button>Go</button>
  <input id="bad-input">
  <select name="bad"><option>x</option></select>
  <label for="empty-label"> </label><textarea id="empty-label"></textarea>
  <input id="dangling" aria-labelledby="nowhere">
  <input id="pale-hint" aria-label="Card" placeholder="4242 4242 4242 4242">
  <input id="dark-hint" aria-label="Card" placeholder="1234">
  <input id="typed-in" aria-label="Expiry" placeholder="12/34" value="01/30" style="background: #fff">
  <details><summary>More</summary><label><input type="checkbox" name="in-details"> Tick</label></details>
</form>
<img src="/logo.png" alt=""><img src="/photo.png" alt="A photo"><img src="/no-alt.png">
<h2>Section</h2>
<h3>Sub</h3>
<h2>Next section</h2>
<h4>Skipped</h4>
<div hidden><h6>Not rendered, not counted</h6></div>
<h1>Another title</h1>
<p id="grey" style="color: #999">Grey on white</p>
<p style="color: #767676">Grey enough on white</p>
<p><span id="faded" style="opacity: .4; color: #000">Faded</span></p>
<p class="tint" id="light-on-tint" style="color: #fff">Pale on tint</p>
<p style="background: #333; color: #fff">Light on dark</p>
<h2 id="big-pale" style="font-size: 32px; color: #999; background: #eee">Large pale heading</h2>
<p style="font-size: 32px; color: #949494">Large grey, 3:1 is enough</p>
<p style="background-image: linear-gradient(#000, #000); color: #111">Over an image: not judged</p>
<p style="visibility: hidden; color: #eee">Invisible</p>
<p style="display: none; color: #eee">Not displayed</p>
<span class="visually-hidden" style="color: #eee">For screen readers</span>
<details><summary>Closed</summary><p style="color: #eee">Inside a closed details</p></details>
<button disabled style="color: #aaa">Disabled</button>
</body></html>`
