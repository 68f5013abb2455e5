package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/xmp"
)

// fundWallet tops up a user's wallet with a pack through the services.
func (a *testApp) fundWallet(u *app.User, pack string) {
	a.t.Helper()
	ctx := context.Background()
	r, err := a.commerce.TopUp(ctx, u, "fund-"+app.RandomToken(6), pack)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.commerce.SandboxPay(ctx, u, r.Order.ProviderSession, commerce.SandboxCardApproved); err != nil {
		a.t.Fatal(err)
	}
}

type orderResp struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	TotalCents  int64  `json:"total_cents"`
	CheckoutURL string `json:"checkout_url"`
	Error       *struct{ Code, Message string }
}

type licensesResp struct {
	Licenses []struct {
		Code        string `json:"code"`
		ImageID     string `json:"image_id"`
		License     string `json:"license"`
		DownloadURL string `json:"download_url"`
	} `json:"licenses"`
}

var hiddenKey = regexp.MustCompile(`name="key" value="([^"]+)"`)

// TestBuyerJourney walks a designer through the pages: top up by sandbox
// card (declined, then paid), buy now from the image page, download the
// original with the licence in its XMP, verify the licence publicly; and
// the contributor sees the sale.
func TestBuyerJourney(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		a.user("bob", app.RoleBuyer)
		id := a.publishAs(cora, 7, 400, 300, "Lighthouse at dusk", "travel", "lighthouse", "dusk", "sea", "coast", "evening")
		bea := a.client()
		bea.signIn("bea")

		// Image page: both licences with prices, and buy buttons.
		img, err := a.catalog.Image(t.Context(), nil, id)
		if err != nil {
			t.Fatal(err)
		}
		page := bea.get("/images/"+img.Slug()).mustStatus(t, http.StatusOK).mustContain(t, "Standard licence", "$3", "Extended licence", "$30", "Buy now")

		// Top up: the pack form goes to the sandbox card page.
		w := bea.get("/wallet").mustStatus(t, http.StatusOK)
		key := hiddenKey.FindStringSubmatch(w.body)
		if key == nil {
			t.Fatal("no idempotency key on the wallet page")
		}
		res := bea.post("/wallet/topup", url.Values{"pack": {"25"}, "key": {key[1] + "-25"}}).mustStatus(t, http.StatusSeeOther)
		checkout := res.location()
		if !strings.HasPrefix(checkout, "/checkout/sandbox/") {
			t.Fatalf("top-up redirected to %q, want the sandbox card page", checkout)
		}
		bea.get(checkout).mustStatus(t, http.StatusOK).mustContain(t, "4242 4242 4242 4242", "$25")
		bea.post(checkout, url.Values{"card": {"4000 0000 0000 0002"}}).mustStatus(t, http.StatusPaymentRequired).mustContain(t, "declined")
		bea.post(checkout, url.Values{"card": {"1234"}}).mustStatus(t, http.StatusUnprocessableEntity)
		// Someone else cannot see or pay this checkout.
		bob := a.client()
		bob.signIn("bob")
		bob.get(checkout).mustStatus(t, http.StatusNotFound)
		bea.post(checkout, url.Values{"card": {"4242 4242 4242 4242"}}).mustStatus(t, http.StatusSeeOther)
		tok := a.token("bea")
		wallet := decode[struct {
			BalanceCents int64 `json:"balance_cents"`
		}](t, bea.api("GET", "/api/v1/me/wallet", tok, ""))
		if wallet.BalanceCents != 2750 {
			t.Fatalf("wallet %d after the $25 pack, want 2750", wallet.BalanceCents)
		}

		// Buy now, from the wallet.
		buyKey := hiddenKey.FindStringSubmatch(page.body)
		if buyKey == nil {
			t.Fatal("no idempotency key in the image page's buy form")
		}
		res = bea.post("/images/"+id+"/buy", url.Values{"license": {"standard"}, "payment": {"wallet"}, "key": {buyKey[1]}}).mustStatus(t, http.StatusSeeOther)
		orderPath := res.location()
		if !strings.HasPrefix(orderPath, "/orders/") {
			t.Fatalf("buy now redirected to %q", orderPath)
		}
		// The same form submitted twice is one order.
		bea.post("/images/"+id+"/buy", url.Values{"license": {"standard"}, "payment": {"wallet"}, "key": {buyKey[1]}}).mustStatus(t, http.StatusSeeOther)
		bea.get(orderPath).mustStatus(t, http.StatusOK).mustContain(t, "paid", "Download original", "SNAP-")
		bob.get(orderPath).mustStatus(t, http.StatusNotFound)

		lics := decode[licensesResp](t, bea.api("GET", "/api/v1/me/licenses", tok, ""))
		if len(lics.Licenses) != 1 || lics.Licenses[0].ImageID != id || lics.Licenses[0].License != "standard" {
			t.Fatalf("licences %+v", lics)
		}
		code := lics.Licenses[0].Code
		dl, err := url.Parse(lics.Licenses[0].DownloadURL)
		if err != nil || dl.Host == "" {
			t.Fatalf("download URL %q is not absolute", lics.Licenses[0].DownloadURL)
		}

		// The download: the upload's bytes with the licence XMP added.
		got := bea.get(dl.RequestURI()).mustStatus(t, http.StatusOK)
		if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, code) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if got.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(got.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("download headers %v", got.Header)
		}
		packet, err := xmp.Extract(strings.NewReader(got.body), "jpeg")
		if err != nil || !bytes.Contains(packet, []byte(code)) || !bytes.Contains(packet, []byte("bea")) {
			t.Fatalf("delivered XMP %q (%v): want the licence code and the licensee", packet, err)
		}
		orig := a.original(img)
		added, err := xmp.AddedLen("jpeg", packet)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.body) != len(orig)+added || !strings.HasSuffix(got.body, string(orig[len(orig)-1000:])) {
			t.Errorf("delivered %d bytes, want the %d-byte original plus the %d-byte XMP segment", len(got.body), len(orig), added)
		}
		if stripped := strings.Replace(got.body, string(segmentOf(packet)), "", 1); stripped != string(orig) {
			t.Error("removing the licence segment does not give back the contributor's upload byte for byte")
		}

		// Links are the buyer's own, signed, and short-lived.
		bob.get(dl.RequestURI()).mustStatus(t, http.StatusForbidden)
		if res := a.client().get(dl.RequestURI()); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") || strings.Contains(res.body, "JFIF") {
			t.Errorf("signed out, a download link: %d to %q, want a sign-in redirect and no file", res.StatusCode, res.location())
		}
		q := dl.Query()
		q.Set("expires", fmt.Sprint(1<<40))
		bea.get(dl.Path+"?"+q.Encode()).mustStatus(t, http.StatusForbidden)
		bea.get("/downloads/SNAP-0000-0000-0000?expires=1&sig=00").mustStatus(t, http.StatusForbidden)

		// Public verification, and the printable certificate for the buyer.
		a.client().get("/licenses/"+code).mustStatus(t, http.StatusOK).mustContain(t, "valid Snapshop licence", "bea", "Lighthouse at dusk", "Standard licence")
		a.client().get("/licenses/SNAP-0000-0000-0000").mustStatus(t, http.StatusNotFound)
		bea.get("/licenses/"+code+"/certificate").mustStatus(t, http.StatusOK).mustContain(t, "Licence certificate", "500,000")
		bob.get("/licenses/"+code+"/certificate").mustStatus(t, http.StatusNotFound)

		// The contributor sees the sale line and the exact share.
		co := a.client()
		co.signIn("cora")
		co.get("/contribute/earnings").mustStatus(t, http.StatusOK).mustContain(t, "Lighthouse at dusk", "$1.80", "$1.20")
		csv := co.get("/contribute/earnings.csv").mustStatus(t, http.StatusOK)
		if !strings.Contains(csv.body, ",standard,300,0,120,180,paid") {
			t.Errorf("earnings CSV lacks the sale line:\n%s", csv.body)
		}
		earn := decode[struct {
			BalanceCents int64 `json:"balance_cents"`
		}](t, co.api("GET", "/api/v1/me/earnings", a.token("cora"), ""))
		if earn.BalanceCents != 180 {
			t.Errorf("earnings balance %d, want 180", earn.BalanceCents)
		}
	})
}

// original returns an image's stored original.
func (a *testApp) original(img *app.Image) []byte {
	a.t.Helper()
	obj, err := a.blobs.Open(a.t.Context(), img.OriginalKey)
	if err != nil {
		a.t.Fatal(err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		a.t.Fatal(err)
	}
	return b
}

// segmentOf is the JPEG APP1 segment that carries packet.
func segmentOf(packet []byte) []byte {
	const ns = "http://ns.adobe.com/xap/1.0/\x00"
	n := 2 + len(ns) + len(packet)
	return append(append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, ns...), packet...)
}

func TestOrdersAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		a.user("bob", app.RoleBuyer)
		a.user("ada", app.RoleAdmin)
		id := a.publishAs(cora, 3, 400, 300, "Harbour", "travel", "harbour", "boats", "quay", "sea", "town")
		a.fundWallet(bea, "10")
		c := a.client()
		tok := a.token("bea")
		body := fmt.Sprintf(`{"items":[{"image_id":%q,"license":"standard"}],"payment":"wallet"}`, id)
		post := func(key, body string) *response {
			h := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + tok}
			if key != "" {
				h["Idempotency-Key"] = key
			}
			return c.request("POST", "/api/v1/orders", strings.NewReader(body), h)
		}
		first := decode[orderResp](t, post("order-1", body).mustStatus(t, http.StatusCreated))
		if first.Status != "paid" || first.TotalCents != 300 || first.CheckoutURL != "" {
			t.Fatalf("wallet order %+v", first)
		}
		replay := post("order-1", body).mustStatus(t, http.StatusOK)
		if decode[orderResp](t, replay).ID != first.ID || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatal("a replay did not return the first order")
		}
		for name, tc := range map[string]struct {
			key, body string
			status    int
		}{
			"no key":           {"", body, http.StatusUnprocessableEntity},
			"key reused":       {"order-1", strings.Replace(body, "standard", "extended", 1), http.StatusConflict},
			"unknown licence":  {"o2", strings.Replace(body, "standard", "platinum", 1), http.StatusUnprocessableEntity},
			"unknown image":    {"o3", `{"items":[{"image_id":"nope","license":"standard"}],"payment":"wallet"}`, http.StatusUnprocessableEntity},
			"empty":            {"o4", `{"items":[],"payment":"wallet"}`, http.StatusUnprocessableEntity},
			"already licensed": {"o5", body, http.StatusConflict},
			"not enough money": {"o6", strings.Replace(body, "standard", "extended", 1), http.StatusPaymentRequired},
			"not JSON":         {"o7", `{"items":`, http.StatusBadRequest},
		} {
			t.Run(name, func(t *testing.T) {
				res := post(tc.key, tc.body).mustStatus(t, tc.status)
				if e := decode[orderResp](t, res).Error; e == nil || e.Code == "" || e.Message == "" {
					t.Errorf("error body %s", res.body)
				}
			})
		}
		c.api("POST", "/api/v1/orders", "", body).mustStatus(t, http.StatusUnauthorized)

		// By card: pending, with a checkout URL on this server.
		card := decode[orderResp](t, post("card-1", strings.Replace(strings.Replace(body, "wallet", "card", 1), "standard", "extended", 1)).mustStatus(t, http.StatusCreated))
		if card.Status != "pending" || !strings.HasPrefix(card.CheckoutURL, a.srv.URL+"/checkout/sandbox/") {
			t.Fatalf("card order %+v", card)
		}
		c.api("GET", "/api/v1/orders/"+card.ID, tok, "").mustStatus(t, http.StatusOK).mustContain(t, `"status":"pending"`, `"license":"extended"`)
		c.api("GET", "/api/v1/orders/"+card.ID, a.token("bob"), "").mustStatus(t, http.StatusNotFound)

		// Webhooks: unsigned or tampered ones are refused and change nothing.
		c.request("POST", "/webhooks/sandbox", strings.NewReader(`{"id":"evt","type":"paid","order":"`+card.ID+`"}`), nil).mustStatus(t, http.StatusUnprocessableEntity)
		c.request("POST", "/webhooks/nosuch", strings.NewReader(`{}`), nil).mustStatus(t, http.StatusNotFound)
		c.api("GET", "/api/v1/orders/"+card.ID, tok, "").mustContain(t, `"status":"pending"`)

		// Refunds are for admins.
		c.api("POST", "/api/v1/admin/orders/"+first.ID+"/refund", tok, "").mustStatus(t, http.StatusForbidden)
		c.api("POST", "/api/v1/admin/orders/"+first.ID+"/refund", a.token("ada"), "").mustStatus(t, http.StatusOK).mustContain(t, `"status":"refunded"`)
		c.api("POST", "/api/v1/admin/orders/"+first.ID+"/refund", a.token("ada"), "").mustStatus(t, http.StatusConflict)
		lics := decode[licensesResp](t, c.api("GET", "/api/v1/me/licenses", tok, ""))
		if len(lics.Licenses) != 1 || lics.Licenses[0].DownloadURL != "" {
			t.Errorf("after refund: %+v, want the licence without a download link", lics)
		}
	})
}

func TestCartPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		one := a.publishAs(cora, 1, 400, 300, "One", "travel", "one", "a", "b", "c", "d")
		two := a.publishAs(cora, 2, 300, 400, "Two", "travel", "two", "a", "b", "c", "d")
		a.fundWallet(bea, "10")
		c := a.client()
		c.signIn("bea")
		for _, l := range []url.Values{{"image_id": {one}, "license": {"standard"}}, {"image_id": {two}, "license": {"standard"}}} {
			c.post("/cart/add", l).mustStatus(t, http.StatusSeeOther)
		}
		cart := c.get("/cart").mustStatus(t, http.StatusOK).mustContain(t, "One", "Two", "$6", "Pay $6 from wallet")
		key := hiddenKey.FindStringSubmatch(cart.body)
		c.post("/cart/checkout", url.Values{"payment": {"wallet"}, "key": {key[1]}}).mustStatus(t, http.StatusSeeOther)
		c.get("/cart").mustContain(t, "Your cart is empty")
		// The contributor cannot put their own image in a cart.
		co := a.client()
		co.signIn("cora")
		co.post("/cart/add", url.Values{"image_id": {one}, "license": {"standard"}}).mustStatus(t, http.StatusSeeOther)
		co.get("/cart").mustContain(t, "Your cart is empty")
		// Signed out: the cart is behind sign-in.
		res := a.client().get("/cart")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("signed-out cart: %d %s", res.StatusCode, res.location())
		}
	})
}

func TestContributorSetsPriceWithinBounds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		id := a.publishAs(cora, 5, 400, 300, "Priced", "travel", "a", "b", "c", "d", "e")
		tok := a.token("cora")
		c := a.client()
		c.api("PATCH", "/api/v1/images/"+id, tok, `{"price_cents": 50}`).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "price")
		c.api("PATCH", "/api/v1/images/"+id, tok, `{"price_cents": 1000001}`).mustStatus(t, http.StatusUnprocessableEntity)
		c.api("PATCH", "/api/v1/images/"+id, tok, `{"price_cents": 450}`).mustStatus(t, http.StatusOK)
		// Another contributor cannot price it.
		a.user("otto", app.RoleContributor)
		c.api("PATCH", "/api/v1/images/"+id, a.token("otto"), `{"price_cents": 9000}`).mustStatus(t, http.StatusNotFound)
		img, err := a.catalog.Image(t.Context(), nil, id)
		if err != nil {
			t.Fatal(err)
		}
		if img.PriceCents != 450 {
			t.Fatalf("price %d, want 450", img.PriceCents)
		}
		// The image page shows the contributor's price, and the extended
		// licence scaled by the platform's ratio (×10).
		b := a.client()
		b.signIn("bea")
		b.get("/images/"+img.Slug()).mustStatus(t, http.StatusOK).mustContain(t, "$4.50", "$45")
		// The form takes dollars.
		co := a.client()
		co.signIn("cora")
		form := url.Values{"title": {"Priced"}, "keywords": {"a, b, c, d, e"}, "category": {"travel"}, "usage": {"commercial"}, "ai_declaration": {"none"}, "price": {"abc"}}
		co.post("/contribute/images/"+id, form).mustStatus(t, http.StatusUnprocessableEntity).mustContain(t, "like 4.99")
		form.Set("price", "$5.25")
		co.post("/contribute/images/"+id, form).mustStatus(t, http.StatusSeeOther)
		if img, _ = a.catalog.Image(t.Context(), nil, id); img.PriceCents != 525 {
			t.Errorf("price %d after the form, want 525", img.PriceCents)
		}
	})
}
