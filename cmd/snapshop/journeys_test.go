package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The journeys of Snapshop's three kinds of users, in a real browser against
// the real program: a contributor uploads and describes two photos, an admin
// approves one and rejects the other from the keyboard, a buyer finds the
// approved one, tops up the wallet by card, buys it and downloads the
// original, and the contributor sees the sale and their exact share. Each
// journey builds on the one before, so they run in order and a failure stops
// the rest. Every page they land on passes the accessibility basics
// (journey_a11y_test.go); screenshots of the key pages go to
// $SNAPSHOP_ARTIFACTS/journeys, or a temporary directory (logged).
//
// The journeys run on SQLite only: what they test is the product in a
// browser, and the store's tests cover both dialects.
func TestBrowserJourneys(t *testing.T) {
	b := startBrowser(t)
	b.shots = newArtifacts(t)
	site := startJourneySite(t)
	paths, uploads := journeyPhotos(t)
	// The photo that sells, at a price whose 60 % is not a whole cent.
	sold := journeyPhoto{
		title: "Fishing boats in the harbour at dawn", category: "travel", price: "3.33",
		description: "Small fishing boats moored in a quiet harbour as the sun comes up.",
		keywords:    []string{"harbour", "boats", "dawn", "fishing", "sea", "coast"},
	}
	refused := journeyPhoto{
		title: "Harbour crane in the mist", category: "industry",
		keywords: []string{"harbour", "crane", "mist", "industry", "port"},
	}
	const rejectNote = "The crane is soft: focus on it, or try a faster shutter."

	t.Cleanup(func() {
		pages := b.pagesChecked()
		t.Logf("%d pages had the accessibility check:\n%s", len(pages), strings.Join(pages, "\n"))
	})
	contributor := b.newTab(t, "contributor", site.base)
	var ids []string // the uploads' public IDs, in the order dropped

	ok := t.Run("1 contributor uploads and describes two photos", func(t *testing.T) {
		tb := contributor.in(t)
		tb.signUp("contributor", "cleo@example.com", "cleo", "cleo's long password")
		tb.follow("go to Upload", chromedp.Click(chromedp.CSS(`.site-nav a[href="/contribute/upload"]`)))
		tb.shot("upload-page")

		// Slow the uploads down (about a second each) so that there is
		// progress to see: a bar part-way, then full.
		tb.throttleUploads(150_000)
		tb.dropFiles("#drop-zone", paths)
		tb.waitFor("an upload to be part-way", `[...document.querySelectorAll("#upload-list progress")].some((bar) => bar.value > 0 && bar.value < bar.max)`)
		tb.shot("upload-progress")
		tb.waitFor("both uploads to be accepted",
			`[...document.querySelectorAll("#upload-list .upload-item")].filter((li) => li.classList.contains("upload-ok")).length === 2`)
		tb.throttleUploads(0)
		if full := eval[bool](tb, "read the progress bars", `[...document.querySelectorAll("#upload-list progress")].every((bar) => bar.value === bar.max)`); !full {
			t.Error("the progress bars of accepted uploads are not full")
		}
		if names := eval[[]string](tb, "read the upload list", `[...document.querySelectorAll("#upload-list .upload-name")].map((s) => s.textContent)`); !slices.Equal(names, []string{"harbour-at-dawn.jpg", "blurry-crane.jpg"}) {
			t.Fatalf("upload list: %q", names)
		}
		tb.landed()
		tb.shot("upload-done")

		links := eval[[]string](tb, "read the describe links", `[...document.querySelectorAll("#upload-list .upload-status a")].map((a) => a.getAttribute("href"))`)
		for i, ph := range []journeyPhoto{sold, refused} {
			if len(links) != 2 || !strings.HasPrefix(links[i], "/contribute/images/") {
				t.Fatalf("describe links: %q", links)
			}
			ids = append(ids, strings.TrimPrefix(links[i], "/contribute/images/"))
			tb.openWhen("the photo to be processed", links[i], `document.getElementById("title") !== null`)
			tb.describe(ph)
			if i == 0 {
				tb.shot("describe-form")
			}
			tb.follow("submit for review", chromedp.Click(chromedp.CSS(`button[name=action][value=submit]`)))
			tb.expectPath("/contribute/images")
			tb.expectText(".flash", "Submitted for review")
		}
		tb.shot("my-images-pending")
	})
	if !ok {
		return
	}

	ok = t.Run("2 admin approves one and rejects the other from the keyboard", func(t *testing.T) {
		tb := b.newTab(t, "admin", site.base)
		tb.signIn(journeyAdmin, journeyAdminPassword)
		tb.follow("go to Admin", chromedp.Click(chromedp.CSS(`.site-nav a[href="/admin"]`)))
		tb.follow("go to the review queue", chromedp.Click(chromedp.CSS(`.admin-nav a[href="/admin/review"]`)))
		if got := tb.queue(); !slices.Equal(got, ids) {
			t.Fatalf("review queue %q, want the two uploads %q, the longest waiting first", got, ids)
		}
		tb.current(ids[0])
		tb.do("press j", chromedp.KeyEvent("j"))
		tb.current(ids[1])
		tb.do("press k", chromedp.KeyEvent("k"))
		tb.current(ids[0])
		tb.shot("review-queue")
		tb.follow("press a", chromedp.KeyEvent("a"))
		tb.expectText(".flash", "Approved")
		if got := tb.queue(); !slices.Equal(got, ids[1:]) {
			t.Fatalf("after approving, the queue is %q, want %q", got, ids[1:])
		}
		tb.current(ids[1])

		// r opens the reject form with the first reason focused; space ticks
		// it, Tab walks to the note and on to the button, Enter sends it.
		tb.do("press r", chromedp.KeyEvent("r"))
		tb.waitFor("the first reason to have focus", `document.activeElement.matches("[data-reject][open] input[name=reasons][value=out_of_focus]")`)
		tb.do("press space", chromedp.KeyEvent(" "))
		tb.waitFor("the reason to be ticked", `document.activeElement.checked`)
		tb.tabTo(`textarea[name=note]`)
		tb.do("type the note", chromedp.KeyEvent(rejectNote))
		tb.tabTo(`button.button-danger`)
		tb.shot("reject-form")
		tb.follow("press Enter", chromedp.KeyEvent("\r"))
		tb.expectText(".flash", "Rejected")
		tb.expectText("main", "The queue is empty")
		tb.shot("review-queue-empty")

		// The contributor sees why.
		cb := contributor.in(t)
		cb.open("/contribute/images/" + ids[1])
		cb.expectText(".edit-preview", "Out of focus")
		cb.expectText(".edit-preview", rejectNote)
		cb.shot("rejected-photo")
	})
	if !ok {
		return
	}

	ok = t.Run("3 buyer finds, pays for and downloads the approved photo", func(t *testing.T) {
		// The index follows the database a moment behind: the buyer comes
		// once the approved photo is searchable.
		site.waitSearchable(t, "harbour", 1+len(catalogueSeed))
		tb := b.newTab(t, "buyer", site.base)
		tb.signUp("buyer", "bob@example.com", "bob", "bob's long password")

		tb.follow("search", chromedp.SendKeys(chromedp.CSS("#site-search"), "harbour\n"))
		tb.expectPath("/search")
		tb.expectResults(3, sold.title, catalogueSeed[0].title, catalogueSeed[1].title)
		tb.shot("search")
		tb.follow("narrow to travel", chromedp.Click(chromedp.CSS(`section[aria-labelledby="facet-category"] a[href*="category=travel"]`)))
		tb.expectResults(2, sold.title, catalogueSeed[0].title)
		tb.follow("narrow to landscape", chromedp.Click(chromedp.CSS(`section[aria-labelledby="facet-orientation"] a[href*="orientation=landscape"]`)))
		tb.expectResults(1, sold.title)
		tb.shot("search-narrowed")

		tb.follow("open the photo", chromedp.Click(chromedp.CSS(`.image-grid .image-card-title`)))
		imagePage := tb.path()
		tb.expectText("h1", sold.title)
		tb.expectText(".licence-option", "$3.33")
		// "More like this" arrives after the page (the other harbour
		// photo), its card with the signed-in buyer's lightbox menu.
		tb.waitFor("the related cards, with lightbox menus", `document.querySelector("[data-related-cards] .image-card select.lightbox-select") !== null && !document.querySelector("section.related").hasAttribute("aria-busy")`)
		tb.expectText("[data-related-cards]", catalogueSeed[0].title)
		tb.shot("image-page")

		tb.follow("go to the wallet", chromedp.Click(chromedp.CSS(`.site-nav a[href="/wallet"]`)))
		tb.expectExactText(".wallet-balance strong", "$0")
		tb.follow("top up $10", chromedp.Click(chromedp.CSS(`form.pack:has(input[name=pack][value="10"]) button`)))
		tb.expectPathPrefix("/checkout/sandbox/")
		tb.do("type the card number", chromedp.SendKeys(chromedp.CSS("#card"), "4242 4242 4242 4242"))
		tb.shot("sandbox-card-page")
		tb.follow("pay", chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)))
		tb.expectPath("/wallet")
		tb.expectExactText(".wallet-balance strong", "$10")
		tb.shot("wallet-topped-up")

		tb.open(imagePage)
		tb.follow("buy now", chromedp.Click(chromedp.CSS(`form[action$="/buy"]:has(input[name=license][value=standard]) button`)))
		tb.expectPathPrefix("/orders/")
		tb.expectText(".flash", "your licences are ready")
		tb.expectText(".receipt-total", "$3.33")
		tb.shot("receipt")
		licence := eval[string](tb, "read the licence code", `document.querySelector(".receipt-lines a[href^='/licenses/'] code").textContent`)

		got := tb.downloadOriginal()
		checkLicensedOriginal(t, got, uploads[0], licence, "bob")
		tb.follow("see all licences", chromedp.Click(chromedp.CSS(`a[href="/licenses"].link`)))
		tb.expectText("main", licence)

		tb.follow("go to the wallet", chromedp.Click(chromedp.CSS(`.site-nav a[href="/wallet"]`)))
		tb.expectExactText(".wallet-balance strong", "$6.67")
	})
	if !ok {
		return
	}

	t.Run("4 contributor sees the sale and the exact share", func(t *testing.T) {
		tb := contributor.in(t)
		tb.open("/contribute/images")
		tb.follow("go to Earnings", chromedp.Click(chromedp.CSS(`.site-nav a[href="/contribute/earnings"]`)))
		// 60 % of $3.33 is 199.8 cents: the contributor gets 199, the odd
		// cent goes to the platform (134), and the card fee of a wallet
		// sale is the platform's too.
		want := []string{sold.title, "Standard licence", "$3.33", "$0", "$1.34", "$1.99"}
		rows := eval[[][]string](tb, "read the sales", `[...document.querySelectorAll("main table tbody tr")].map((tr) => [...tr.cells].slice(1).map((td) => td.textContent.trim()))`)
		if len(rows) != 1 || !slices.Equal(rows[0], want) {
			t.Errorf("sales lines %q, want one: %q", rows, want)
		}
		tb.expectText("main dl.details", "$1.99")
		tb.shot("earnings")
	})
}
