package web_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

var receiptTotal = regexp.MustCompile(`<strong class="receipt-total">([^<]+)</strong>`)

// TestReceiptsAndLicenceCSVMatchTheLedger: a buyer's orders — by wallet,
// by card, one refunded, a top-up — each have a receipt whose total is the
// order's, listing every licence code; /licenses links every paid order's
// receipt; the CSV of licences adds up to what the books say was spent, with
// the refunded licence marked and a formula-like title defused.
func TestReceiptsAndLicenceCSVMatchTheLedger(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		ctx := t.Context()
		cora := a.user("cora", app.RoleContributor)
		bea := a.user("bea", app.RoleBuyer)
		a.user("bob", app.RoleBuyer)
		ada := a.user("ada", app.RoleAdmin)
		harbour := a.publishAs(cora, 21, 400, 300, "Harbour", "travel", "harbour", "boats", "quay", "sea", "town")
		formula := a.publishAs(cora, 22, 400, 300, "=HYPERLINK(\"http://evil.example\")", "travel", "sunset", "sea", "evening", "sky", "calm")
		lighthouse := a.publishAs(cora, 23, 400, 300, "Lighthouse", "travel", "lighthouse", "coast", "tower", "sea", "light")
		dunes := a.publishAs(cora, 24, 400, 300, "Dunes", "travel", "dunes", "sand", "desert", "wind", "heat")
		a.fundWallet(bea, "50")

		order := func(key string, pay app.PaymentMethod, lines ...commerce.Line) *app.Order {
			t.Helper()
			r, err := a.commerce.CreateOrder(ctx, bea, key, commerce.OrderRequest{Payment: pay, Items: lines})
			if err != nil {
				t.Fatal(err)
			}
			if pay == app.PayCard {
				o, err := a.commerce.SandboxPay(ctx, bea, r.Order.ProviderSession, commerce.SandboxCardApproved)
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			return r.Order
		}
		two := order("two", app.PayWallet, commerce.Line{ImageID: harbour, License: app.LicenseStandard}, commerce.Line{ImageID: formula, License: app.LicenseExtended})
		refunded := order("refunded", app.PayWallet, commerce.Line{ImageID: lighthouse, License: app.LicenseStandard})
		card := order("card", app.PayCard, commerce.Line{ImageID: dunes, License: app.LicenseStandard})
		if _, err := a.commerce.Refund(ctx, ada, refunded.PublicID); err != nil {
			t.Fatal(err)
		}
		held, err := a.commerce.Licenses(ctx, bea, 0, 0)
		if err != nil || len(held) != 4 {
			t.Fatalf("licences: %d (%v), want 4", len(held), err)
		}
		orders, _, err := a.commerce.Orders(ctx, bea, 100, 0)
		if err != nil || len(orders) != 4 {
			t.Fatalf("orders: %d (%v), want 3 and the top-up", len(orders), err)
		}

		c := a.client()
		c.signIn("bea")
		tok := a.token("bea")
		list := c.get("/licenses").mustStatus(t, http.StatusOK).mustContain(t, `href="/licenses.csv"`)
		for _, o := range orders {
			if o.Status != app.OrderPaid && o.Status != app.OrderRefunded {
				t.Fatalf("order %s is %s", o.PublicID, o.Status)
			}
			// Listed with its receipt...
			list.mustContain(t, `<a class="link" href="/orders/`+o.PublicID+`">Receipt`)
			// ...whose total is the order's, as the API tells it.
			api := decode[struct {
				TotalCents int64 `json:"total_cents"`
			}](t, c.api("GET", "/api/v1/orders/"+o.PublicID, tok, "").mustStatus(t, http.StatusOK))
			receipt := c.get("/orders/"+o.PublicID).mustStatus(t, http.StatusOK).mustContain(t, "Receipt", o.PublicID, "bea@example.com", "data-print")
			if m := receiptTotal.FindStringSubmatch(receipt.body); m == nil || moneyCents(t, m[1]) != api.TotalCents {
				t.Errorf("receipt %s total %v, want %d cents", o.PublicID, m, api.TotalCents)
			}
			for _, h := range held {
				if h.License.OrderID == o.ID {
					receipt.mustContain(t, h.License.Code, h.License.Tier.Name())
				}
			}
			switch o.PublicID {
			case two.PublicID:
				receipt.mustContain(t, "Harbour", "Snapshop wallet balance")
			case refunded.PublicID:
				receipt.mustContain(t, `<span class="badge badge-refunded">refunded</span>`, "This order was refunded")
			case card.PublicID:
				receipt.mustContain(t, "Dunes", "Card processing fees are paid by Snapshop")
			default:
				receipt.mustContain(t, "Receipt for a wallet top-up", "including a bonus of $7.50")
			}
		}
		// An admin sees the buyer's receipt, naming the buyer; anyone else, nothing.
		admin := a.client()
		admin.signIn("ada")
		admin.get("/orders/"+two.PublicID).mustStatus(t, http.StatusOK).mustContain(t, "bea@example.com")
		bob := a.client()
		bob.signIn("bob")
		bob.get("/orders/"+two.PublicID).mustStatus(t, http.StatusNotFound)

		// The CSV: every licence once, prices in cents, refunded ones marked.
		res := c.get("/licenses.csv").mustStatus(t, http.StatusOK)
		if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(cd, "attachment") {
			t.Fatalf("CSV headers %q %q", ct, cd)
		}
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"code", "image_id", "image_title", "license", "purchased_at", "price_cents", "order_id", "status"}; !slices.Equal(rows[0], want) {
			t.Fatalf("CSV header %v", rows[0])
		}
		if len(rows) != 1+len(held) {
			t.Fatalf("CSV has %d licences, want %d", len(rows)-1, len(held))
		}
		orderOf := map[int64]string{}
		for _, o := range orders {
			orderOf[o.ID] = o.PublicID
		}
		var validCents int64
		for _, h := range held {
			i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == h.License.Code })
			if i < 0 {
				t.Fatalf("licence %s missing from the CSV", h.License.Code)
			}
			r := rows[i]
			status := "valid"
			if !h.License.Valid() {
				status = "refunded"
			}
			at, err := time.Parse(time.RFC3339, r[4])
			if r[1] != h.Image.PublicID || r[3] != string(h.License.Tier) || r[5] != strconv.FormatInt(h.License.PriceCents, 10) ||
				r[6] != orderOf[h.License.OrderID] || r[7] != status || err != nil || !strings.HasSuffix(r[4], "Z") || !at.Equal(h.License.CreatedAt.Truncate(time.Second)) {
				t.Errorf("CSV row %v for %+v", r, h.License)
			}
			if r[1] == formula && r[2] != `'=HYPERLINK("http://evil.example")` {
				t.Errorf("a formula title is not defused: %q", r[2])
			}
			if r[1] == lighthouse && status != "refunded" {
				t.Error("the refunded licence is not marked refunded")
			}
			if status == "valid" {
				validCents += h.License.PriceCents
			}
		}

		// What the books say was spent on licences: the wallet's sales less
		// its refunds, plus what the card order charged.
		w := decode[struct {
			Entries []struct {
				Kind        string `json:"kind"`
				AmountCents int64  `json:"amount_cents"`
			}
		}](t, c.api("GET", "/api/v1/me/wallet", tok, "").mustStatus(t, http.StatusOK))
		var spent int64
		for _, e := range w.Entries {
			if e.Kind == string(app.TxSale) || e.Kind == string(app.TxRefund) {
				spent -= e.AmountCents
			}
		}
		if validCents != spent+card.TotalCents || validCents != 300+3000+300 {
			t.Errorf("valid licences in the CSV cost %d cents; the wallet spent %d and the card %d", validCents, spent, card.TotalCents)
		}

		// Others: their own (empty) books; signed out, the sign-in page.
		if body := bob.get("/licenses.csv").mustStatus(t, http.StatusOK).body; strings.Count(body, "\n") != 1 {
			t.Errorf("someone else's CSV:\n%s", body)
		}
		if res := a.client().get("/licenses.csv"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
			t.Errorf("signed out: %d to %q", res.StatusCode, res.location())
		}
	})
}

// moneyCents reads "$12.34" back into cents.
func moneyCents(t *testing.T, s string) int64 {
	t.Helper()
	d, c, _ := strings.Cut(strings.TrimPrefix(s, "$"), ".")
	n, err := strconv.ParseInt(strings.ReplaceAll(d, ",", "")+(c + "00")[:2], 10, 64)
	if err != nil {
		t.Fatalf("money %q: %v", s, err)
	}
	return n
}
