package commerce_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

func TestWalletTopUpAndPurchase(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "25")
		if got := e.wallet(t, e.buyer); got != 2750 {
			t.Fatalf("wallet after the $25 pack = %d, want 2750 (with the $2.50 bonus)", got)
		}
		a := e.image(t, e.contrib, app.StatusApproved, 0) // platform price: $3
		b := e.image(t, e.other, app.StatusApproved, 499) // own price: $4.99
		r, err := e.svc.CreateOrder(ctx, e.buyer, "k1", commerce.OrderRequest{
			Payment: app.PayWallet, Items: []commerce.Line{buy(a, app.LicenseStandard), buy(b, app.LicenseStandard)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Order.Status != app.OrderPaid || r.Order.TotalCents != 799 || r.Replayed {
			t.Fatalf("order %+v, want paid at once for 799", r.Order)
		}
		if got := e.wallet(t, e.buyer); got != 2750-799 {
			t.Errorf("wallet = %d, want %d", got, 2750-799)
		}
		// 60 %: 300 → 180 + 120; 499 → 299 + 200 (the odd cent to the platform).
		if got := e.earnings(t, e.contrib).BalanceCents; got != 180 {
			t.Errorf("contributor a earned %d, want 180", got)
		}
		if got := e.earnings(t, e.other).BalanceCents; got != 299 {
			t.Errorf("contributor b earned %d, want 299", got)
		}
		lics, err := e.svc.Licenses(ctx, e.buyer, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(lics) != 2 {
			t.Fatalf("%d licences, want 2", len(lics))
		}
		for _, l := range lics {
			if commerce.NormalizeLicenseCode(l.License.Code) != l.License.Code || l.DownloadURL == "" {
				t.Errorf("licence %+v: want a well-formed code and a download link", l.License)
			}
		}
		img, err := db.ImageByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if img.Sales != 1 {
			t.Errorf("image sales = %d, want 1", img.Sales)
		}

		// An extended licence of a ($30) is more than the wallet holds.
		orders := e.count(t, "orders")
		_, err = e.svc.CreateOrder(ctx, e.buyer, "k2", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(a, app.LicenseExtended)}})
		wantCode(t, err, app.EPayment)
		if e.count(t, "orders") != orders || e.wallet(t, e.buyer) != 2750-799 {
			t.Error("a refused purchase left an order or moved money")
		}
	})
}

func TestOrderIdempotency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		req := commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}
		first, err := e.svc.CreateOrder(ctx, e.buyer, "same-key", req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.CreateOrder(ctx, e.buyer, "same-key", req)
		if err != nil {
			t.Fatal(err)
		}
		if again.Order.PublicID != first.Order.PublicID || !again.Replayed {
			t.Fatalf("replay gave order %s (replayed %v), want %s", again.Order.PublicID, again.Replayed, first.Order.PublicID)
		}
		if got := e.wallet(t, e.buyer); got != 700 {
			t.Errorf("wallet = %d after a replay, want 700 (charged once)", got)
		}
		other := e.image(t, e.contrib, app.StatusApproved, 0)
		_, err = e.svc.CreateOrder(ctx, e.buyer, "same-key", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(other, app.LicenseStandard)}})
		wantCode(t, err, app.EConflict)
		_, err = e.svc.CreateOrder(ctx, e.buyer, "", req)
		wantCode(t, err, app.EInvalid)
		// Keys are per buyer: another buyer's same key is a new order.
		e.fund(t, e.buyer2, "10")
		r2, err := e.svc.CreateOrder(ctx, e.buyer2, "same-key", req)
		if err != nil || r2.Replayed {
			t.Fatalf("another buyer's key: %v, replayed %v", err, r2 != nil && r2.Replayed)
		}
	})
}

func TestConcurrentReplaysMakeOneOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		req := commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}
		ids := make([]string, 20)
		errs := make([]error, 20)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				r, err := e.svc.CreateOrder(context.Background(), e.buyer, "replayed", req)
				errs[i] = err
				if err == nil {
					ids[i] = r.Order.PublicID
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("replay %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Fatalf("replay %d made order %s, another made %s", i, ids[i], ids[0])
			}
		}
		if n := e.count(t, "orders"); n != 2 { // the top-up and the one order
			t.Errorf("%d orders, want 2", n)
		}
		if got := e.wallet(t, e.buyer); got != 700 {
			t.Errorf("wallet = %d, want 700", got)
		}
	})
}

func TestConcurrentPurchasesNeverOverdrawTheWallet(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fund(t, e.buyer, "10") // $10: three $3 images, not four
		const n = 50
		imgs := make([]*app.Image, n)
		for i := range imgs {
			imgs[i] = e.image(t, e.contrib, app.StatusApproved, 0)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.svc.CreateOrder(context.Background(), e.buyer, fmt.Sprintf("buy-%d", i),
					commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(imgs[i], app.LicenseStandard)}})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch app.ErrorCode(err) {
			case "":
				ok++
			case app.EPayment:
			default:
				t.Errorf("purchase failed with %v, want success or payment_required", err)
			}
		}
		if ok != 3 {
			t.Errorf("%d purchases succeeded, want 3", ok)
		}
		if got := e.wallet(t, e.buyer); got != 100 {
			t.Errorf("wallet = %d, want 100", got)
		}
		if got := e.count(t, "licenses"); got != 3 {
			t.Errorf("%d licences, want 3", got)
		}
		if got := e.earnings(t, e.contrib).BalanceCents; got != 3*180 {
			t.Errorf("contributor earned %d, want %d", got, 3*180)
		}
	})
}

func TestBadOrdersMoveNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "50")
		e.fund(t, e.contrib, "10")
		ok := e.image(t, e.other, app.StatusApproved, 0)
		own := e.image(t, e.contrib, app.StatusApproved, 0)
		removed := e.image(t, e.other, app.StatusRemoved, 0)
		pending := e.image(t, e.other, app.StatusPending, 0)
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "held", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(ok, app.LicenseStandard)}}); err != nil {
			t.Fatal(err)
		}
		before := [3]int64{e.count(t, "orders"), e.count(t, "ledger_entries"), e.wallet(t, e.buyer)}
		cases := []struct {
			name  string
			buyer *app.User
			req   commerce.OrderRequest
			code  string
		}{
			{"unknown licence", e.buyer, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: ok.PublicID, License: "lifetime"}}}, app.EInvalid},
			{"unknown image", e.buyer, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: "nosuchimage0000", License: app.LicenseStandard}}}, app.EInvalid},
			{"empty", e.buyer, commerce.OrderRequest{Payment: app.PayWallet}, app.EInvalid},
			{"unknown payment", e.buyer, commerce.OrderRequest{Payment: "cheque", Items: []commerce.Line{buy(ok, app.LicenseExtended)}}, app.EInvalid},
			{"own image", e.contrib, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(own, app.LicenseStandard)}}, app.EConflict},
			{"removed image", e.buyer, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(removed, app.LicenseStandard)}}, app.EConflict},
			{"unapproved image", e.buyer, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(pending, app.LicenseStandard)}}, app.EConflict},
			{"already licensed", e.buyer, commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(ok, app.LicenseStandard)}}, app.EConflict},
			{"already licensed by card", e.buyer, commerce.OrderRequest{Payment: app.PayCard, Items: []commerce.Line{buy(ok, app.LicenseStandard)}}, app.EConflict},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.CreateOrder(ctx, c.buyer, fmt.Sprintf("bad-%d", i), c.req)
				wantCode(t, err, c.code)
				after := [3]int64{e.count(t, "orders"), e.count(t, "ledger_entries"), e.wallet(t, e.buyer)}
				if after != before {
					t.Errorf("orders, ledger entries, wallet went from %v to %v", before, after)
				}
			})
		}
		// The extended licence of an image held at standard is a new licence.
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "upgrade", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(ok, app.LicenseExtended)}}); err != nil {
			t.Fatalf("extended after standard: %v", err)
		}
	})
}

func TestCardOrderThroughWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		r, err := e.svc.CreateOrder(ctx, e.buyer, "card-1", commerce.OrderRequest{Payment: app.PayCard, Items: []commerce.Line{buy(img, app.LicenseExtended)}})
		if err != nil {
			t.Fatal(err)
		}
		o := r.Order
		if o.Status != app.OrderPending || !strings.HasPrefix(o.CheckoutURL, "http://shop.test/checkout/sandbox/") {
			t.Fatalf("card order %+v: want pending with a sandbox checkout URL", o)
		}
		paid := commerce.Event{ID: "evt_1", Type: commerce.EventPaid, SessionID: o.ProviderSession, OrderID: o.PublicID, AmountCents: o.TotalCents, Currency: "usd"}
		payload, header, err := e.sandbox.Sign(paid)
		if err != nil {
			t.Fatal(err)
		}

		// Tampered: the amount changed after signing.
		tampered := []byte(strings.Replace(string(payload), `"amount_cents":3000`, `"amount_cents":1`, 1))
		if string(tampered) == string(payload) {
			t.Fatal("tampering did not change the payload")
		}
		wantCode(t, e.svc.Webhook(ctx, "sandbox", tampered, header), app.EInvalid)
		// Signed with another server's key.
		forger := commerce.NewSandbox([]byte("another secret another secret 00"), "http://shop.test")
		fp, fh, _ := forger.Sign(paid)
		wantCode(t, e.svc.Webhook(ctx, "sandbox", fp, fh), app.EInvalid)
		// For an order that does not exist.
		ghost := paid
		ghost.ID, ghost.OrderID = "evt_ghost", "nosuchorder0000"
		gp, gh, _ := e.sandbox.Sign(ghost)
		wantCode(t, e.svc.Webhook(ctx, "sandbox", gp, gh), app.ENotFound)
		// For another provider.
		wantCode(t, e.svc.Webhook(ctx, "stripe", payload, header), app.ENotFound)
		if n := e.count(t, "licenses"); n != 0 {
			t.Fatalf("%d licences before a valid payment", n)
		}

		// The real one, delivered three times.
		for range 3 {
			if err := e.svc.Webhook(ctx, "sandbox", payload, header); err != nil {
				t.Fatal(err)
			}
		}
		got, items, err := e.svc.Order(ctx, e.buyer, o.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != app.OrderPaid || got.FeeCents != 117 { // 2.9 % of $30 + 30¢
			t.Fatalf("after payment: status %s fee %d, want paid with fee 117", got.Status, got.FeeCents)
		}
		if len(items) != 1 || items[0].FeeCents != 117 {
			t.Fatalf("after payment: items %+v, want the one item carrying the whole fee", items)
		}
		if n := e.count(t, "licenses"); n != 1 {
			t.Errorf("%d licences, want 1", n)
		}
		if got := e.earnings(t, e.contrib).BalanceCents; got != 1800 {
			t.Errorf("contributor earned %d, want 1800 (60 %% of $30; the card fee is the platform's)", got)
		}
		// A late "failed" for the same order, with a new event ID: ignored.
		late := paid
		late.ID, late.Type = "evt_2", commerce.EventFailed
		lp, lh, _ := e.sandbox.Sign(late)
		if err := e.svc.Webhook(ctx, "sandbox", lp, lh); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := e.svc.Order(ctx, e.buyer, o.PublicID); got.Status != app.OrderPaid {
			t.Errorf("a late failure moved a paid order to %s", got.Status)
		}
		// Nobody else sees the order.
		_, _, err = e.svc.Order(ctx, e.buyer2, o.PublicID)
		wantCode(t, err, app.ENotFound)
	})
}

func TestSandboxDeclineAndCardRaces(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		r, err := e.svc.CreateOrder(ctx, e.buyer, "card-declined", commerce.OrderRequest{Payment: app.PayCard, Items: []commerce.Line{buy(img, app.LicenseStandard)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SandboxPay(ctx, e.buyer, r.Order.ProviderSession, "4000 0000 0000 0002")
		wantCode(t, err, app.EPayment)
		_, err = e.svc.SandboxPay(ctx, e.buyer2, r.Order.ProviderSession, "4242424242424242")
		wantCode(t, err, app.ENotFound)
		if n := e.count(t, "ledger_entries"); n != 0 {
			t.Errorf("a declined card left %d ledger entries", n)
		}

		// Two card checkouts of the same licence, both paid: the second
		// payment cannot buy the licence again, so it stays in the wallet.
		r1, err := e.svc.CreateOrder(ctx, e.buyer, "card-a", commerce.OrderRequest{Payment: app.PayCard, Items: []commerce.Line{buy(img, app.LicenseStandard)}})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := e.svc.CreateOrder(ctx, e.buyer, "card-b", commerce.OrderRequest{Payment: app.PayCard, Items: []commerce.Line{buy(img, app.LicenseStandard)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*commerce.OrderResult{r1, r2} {
			if _, err := e.svc.SandboxPay(ctx, e.buyer, r.Order.ProviderSession, "4242424242424242"); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count(t, "licenses"); n != 1 {
			t.Errorf("%d licences, want 1", n)
		}
		if got := e.wallet(t, e.buyer); got != 300 {
			t.Errorf("wallet = %d, want the second payment's 300 kept there", got)
		}
	})
}

func TestRefund(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		r, err := e.svc.CreateOrder(ctx, e.buyer, "to-refund", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Refund(ctx, e.buyer, r.Order.PublicID)
		wantCode(t, err, app.EForbidden)
		if _, err := e.svc.Refund(ctx, e.admin, r.Order.PublicID); err != nil {
			t.Fatal(err)
		}
		if got := e.wallet(t, e.buyer); got != 1000 {
			t.Errorf("wallet after refund = %d, want 1000", got)
		}
		if got := e.earnings(t, e.contrib).BalanceCents; got != 0 {
			t.Errorf("contributor balance after refund = %d, want 0", got)
		}
		lics, err := e.svc.Licenses(ctx, e.buyer, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(lics) != 1 || lics[0].License.Valid() || lics[0].DownloadURL != "" {
			t.Fatalf("after refund: %+v, want one revoked licence with no download link", lics)
		}
		_, err = e.svc.Refund(ctx, e.admin, r.Order.PublicID)
		wantCode(t, err, app.EConflict)
		// The refunded licence can be bought again.
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "rebuy", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}); err != nil {
			t.Fatalf("rebuy after refund: %v", err)
		}
		// Entries are append-only.
		if err := db.DB().Exec("UPDATE ledger_entries SET amount_cents = 1").Error; err == nil {
			t.Error("the database let a ledger entry be edited")
		}
		if err := db.DB().Exec("DELETE FROM ledger_entries").Error; err == nil {
			t.Error("the database let a ledger entry be deleted")
		}
	})
}

func TestVerifyCatchesUnbalancedBooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		if err := e.ledger.Verify(ctx); err != nil {
			t.Fatal(err)
		}
		// A cached balance that drifts from its entries is caught.
		if err := db.DB().Exec("UPDATE ledger_accounts SET balance_cents = balance_cents + 1 WHERE kind = 'wallet'").Error; err != nil {
			t.Fatal(err)
		}
		if err := e.ledger.Verify(ctx); err == nil || !strings.Contains(err.Error(), "wallet") {
			t.Fatalf("Verify = %v, want the drifted wallet named", err)
		}
		if err := db.DB().Exec("UPDATE ledger_accounts SET balance_cents = balance_cents - 1 WHERE kind = 'wallet'").Error; err != nil {
			t.Fatal(err)
		}
		// So is a transaction that does not sum to zero (written behind
		// the ledger's back).
		var acct int64
		db.DB().Raw("SELECT id FROM ledger_accounts WHERE kind = 'fees'").Scan(&acct)
		db.DB().Exec("INSERT INTO ledger_transactions (kind, reference, memo, created_at) VALUES ('credit', 'bogus', '', ?)", time.Now().UTC())
		var tx int64
		db.DB().Raw("SELECT id FROM ledger_transactions WHERE reference = 'bogus'").Scan(&tx)
		if err := db.DB().Exec("INSERT INTO ledger_entries (transaction_id, account_id, amount_cents, created_at) VALUES (?, ?, 5, ?)", tx, acct, time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.DB().Exec("UPDATE ledger_accounts SET balance_cents = balance_cents + 5 WHERE id = ?", acct).Error; err != nil {
			t.Fatal(err)
		}
		if err := e.ledger.Verify(ctx); err == nil || !strings.Contains(err.Error(), "sums to 5") {
			t.Fatalf("Verify = %v, want the unbalanced transaction named", err)
		}
		// Leave the books balanced for the cleanup check.
		db.DB().Exec("INSERT INTO ledger_entries (transaction_id, account_id, amount_cents, created_at) VALUES (?, ?, -5, ?)", tx, acct, time.Now().UTC())
		db.DB().Exec("UPDATE ledger_accounts SET balance_cents = balance_cents - 5 WHERE id = ?", acct)
	})
}

func TestPayouts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		_, err := e.svc.RequestPayout(ctx, e.contrib)
		wantCode(t, err, app.EConflict) // nothing earned yet
		e.fund(t, e.buyer, "50")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		// Extended, $30: the contributor's $18 is under the $25 threshold.
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "p1", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseExtended)}}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RequestPayout(ctx, e.contrib)
		wantCode(t, err, app.EConflict)
		img2 := e.image(t, e.contrib, app.StatusApproved, 0)
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "p2", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img2, app.LicenseStandard)}}); err != nil {
			t.Fatal(err)
		}
		// Exactly at... $18 + $1.80 = $19.80: still under. One more extended.
		img3 := e.image(t, e.contrib, app.StatusApproved, 0)
		e.fund(t, e.buyer, "10")
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "p3", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img3, app.LicenseExtended)}}); err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.RequestPayout(ctx, e.contrib)
		if err != nil {
			t.Fatal(err)
		}
		if p.AmountCents != 1800+180+1800 {
			t.Errorf("payout of %d, want the whole balance %d", p.AmountCents, 1800+180+1800)
		}
		if got := e.earnings(t, e.contrib); got.BalanceCents != 0 || got.PendingCents != p.AmountCents {
			t.Errorf("after the request: %+v", got)
		}
		_, err = e.svc.RequestPayout(ctx, e.contrib)
		wantCode(t, err, app.EConflict)
		_, err = e.svc.MarkPayoutPaid(ctx, e.contrib, p.PublicID)
		wantCode(t, err, app.EForbidden)
		if _, err := e.svc.MarkPayoutPaid(ctx, e.admin, p.PublicID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.MarkPayoutPaid(ctx, e.admin, p.PublicID)
		wantCode(t, err, app.EConflict)
		if got := e.earnings(t, e.contrib); got.PendingCents != 0 {
			t.Errorf("after payment: %+v", got)
		}
		earn, err := e.svc.Earnings(ctx, e.contrib, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(earn.Sales) != 3 {
			t.Fatalf("%d sale lines, want 3", len(earn.Sales))
		}
		for _, s := range earn.Sales {
			if s.ContributorCents+s.PlatformCents != s.PriceCents {
				t.Errorf("sale line %+v does not add up", s)
			}
		}
	})
}

func TestDownloadLinks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "dl", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}); err != nil {
			t.Fatal(err)
		}
		lics, err := e.svc.Licenses(ctx, e.buyer, 0, 0)
		if err != nil || len(lics) != 1 {
			t.Fatalf("licences: %v %v", lics, err)
		}
		u, err := url.Parse(lics[0].DownloadURL)
		if err != nil {
			t.Fatal(err)
		}
		code := strings.TrimPrefix(u.Path, "/downloads/")
		exp, sig := u.Query().Get("expires"), u.Query().Get("sig")
		d, err := e.svc.AuthorizeDownload(ctx, e.buyer, code, exp, sig)
		if err != nil {
			t.Fatal(err)
		}
		if d.Image.ID != img.ID {
			t.Errorf("download of image %d, want %d", d.Image.ID, img.ID)
		}
		flipped := []byte(sig)
		flipped[0] ^= 1
		signer := commerce.NewSigner(testSecret)
		pastExp, pastSig := signer.Sign(code, e.buyer.ID, time.Now().Add(-time.Minute))
		otherExp, otherSig := signer.Sign(code, e.buyer2.ID, time.Now().Add(time.Minute))
		cases := []struct {
			name           string
			user           *app.User
			code, exp, sig string
			want           string
		}{
			{"forged signature", e.buyer, code, exp, string(flipped), app.EForbidden},
			{"later expiry, old signature", e.buyer, code, fmt.Sprint(time.Now().Add(time.Hour).Unix()), sig, app.EForbidden},
			{"unknown code", e.buyer, "SNAP-0000-0000-0000", exp, sig, app.EForbidden},
			{"expired", e.buyer, code, pastExp, pastSig, app.EGone},
			{"someone else's link", e.buyer2, code, exp, sig, app.EForbidden},
			{"signed for someone else", e.buyer2, code, otherExp, otherSig, app.EForbidden},
			{"signed out", nil, code, exp, sig, app.EForbidden},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.AuthorizeDownload(ctx, c.user, c.code, c.exp, c.sig)
				wantCode(t, err, c.want)
			})
		}
	})
}

func TestCart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		a := e.image(t, e.contrib, app.StatusApproved, 0)
		b := e.image(t, e.other, app.StatusApproved, 250)
		own := e.image(t, e.buyer2, app.StatusApproved, 0)
		for _, l := range []commerce.Line{buy(a, app.LicenseStandard), buy(b, app.LicenseStandard), buy(a, app.LicenseStandard)} {
			if err := e.svc.AddToCart(ctx, e.buyer, l); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, e.svc.AddToCart(ctx, e.buyer2, buy(own, app.LicenseStandard)), app.EConflict)
		q, err := e.svc.Cart(ctx, e.buyer)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Lines) != 2 || q.TotalCents != 550 {
			t.Fatalf("cart %d lines for %d, want 2 for 550", len(q.Lines), q.TotalCents)
		}
		r, err := e.svc.CheckoutCart(ctx, e.buyer, "cart-1", app.PayWallet)
		if err != nil {
			t.Fatal(err)
		}
		if r.Order.TotalCents != 550 || r.Order.Status != app.OrderPaid {
			t.Fatalf("cart order %+v", r.Order)
		}
		if q, _ := e.svc.Cart(ctx, e.buyer); len(q.Lines) != 0 {
			t.Errorf("cart still holds %d lines after checkout", len(q.Lines))
		}
		again, err := e.svc.CheckoutCart(ctx, e.buyer, "cart-1", app.PayWallet)
		if err != nil || again.Order.PublicID != r.Order.PublicID {
			t.Fatalf("replayed checkout: %v", err)
		}
		// A line already licensed is flagged and not charged.
		if err := e.svc.AddToCart(ctx, e.buyer, buy(a, app.LicenseStandard)); err != nil {
			t.Fatal(err)
		}
		q, err = e.svc.Cart(ctx, e.buyer)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Lines) != 1 || !q.Lines[0].Held || q.TotalCents != 0 {
			t.Fatalf("cart with a held line: %+v total %d", q.Lines, q.TotalCents)
		}
		_, err = e.svc.CheckoutCart(ctx, e.buyer, "cart-2", app.PayWallet)
		wantCode(t, err, app.EInvalid)
	})
}

func TestSplitOddCentAndShareOverride(t *testing.T) {
	for _, c := range []struct{ price, bp, contrib, platform int64 }{
		{300, 6000, 180, 120},
		{299, 6000, 179, 120},
		{1, 6000, 0, 1},
		{499, 5000, 249, 250},
		{3000, 8000, 2400, 600},
	} {
		if c1, p1 := app.SplitCents(c.price, c.bp); c1 != c.contrib || p1 != c.platform {
			t.Errorf("SplitCents(%d, %d) = %d, %d; want %d, %d", c.price, c.bp, c1, p1, c.contrib, c.platform)
		}
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := db.DB().Exec("UPDATE users SET share_bp = 8000 WHERE id = ?", e.other.ID).Error; err != nil {
			t.Fatal(err)
		}
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.other, app.StatusApproved, 0)
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "share", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}); err != nil {
			t.Fatal(err)
		}
		if got := e.earnings(t, e.other).BalanceCents; got != 240 {
			t.Errorf("80 %% contributor earned %d of 300, want 240", got)
		}
	})
}

func TestRuntimePolicyOverridesTheConfiguredValues(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var pol policyVar
		e := newEnvWith(t, db, pol.get)
		ctx := context.Background()
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		offers := func() map[app.LicenseTier]int64 {
			t.Helper()
			list, err := e.svc.Offers(ctx, e.buyer, img)
			if err != nil {
				t.Fatal(err)
			}
			out := map[app.LicenseTier]int64{}
			for _, o := range list {
				out[o.Tier] = o.Price
			}
			return out
		}
		// An empty policy leaves the configured values.
		if got := offers(); got[app.LicenseStandard] != 300 || got[app.LicenseExtended] != 3000 {
			t.Fatalf("offers under an empty policy: %v", got)
		}
		if got := e.svc.PayoutMinCents(ctx); got != 2500 {
			t.Fatalf("payout threshold under an empty policy: %d", got)
		}

		// Non-zero fields override; the zero ones (extended) keep the default.
		pol.set(app.Policy{Prices: app.Prices{StandardCents: 500}, ShareBP: 5000})
		if got := offers(); got[app.LicenseStandard] != 500 || got[app.LicenseExtended] != 3000 {
			t.Fatalf("offers under StandardCents 500: %v", got)
		}
		if got := e.svc.Prices(ctx); got.StandardCents != 500 || got.ExtendedCents != 3000 || got.MinCents != 100 {
			t.Fatalf("Prices = %+v", got)
		}
		e.fund(t, e.buyer, "10")
		r, err := e.svc.CreateOrder(ctx, e.buyer, "pol", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Order.TotalCents != 500 {
			t.Fatalf("order total %d, want the policy's 500", r.Order.TotalCents)
		}
		if got := e.earnings(t, e.contrib).BalanceCents; got != 250 {
			t.Fatalf("contributor earned %d of 500, want 250 at the policy's 50 %%", got)
		}

		// $2.50 is under the configured $25 threshold, over a $2 one.
		_, err = e.svc.RequestPayout(ctx, e.contrib)
		wantCode(t, err, app.EConflict)
		pol.set(app.Policy{PayoutMinCents: 200})
		if got := e.svc.PayoutMinCents(ctx); got != 200 {
			t.Fatalf("payout threshold %d, want the policy's 200", got)
		}
		earn, err := e.svc.Earnings(ctx, e.contrib, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !earn.CanRequest {
			t.Fatal("Earnings says a payout cannot be requested above the policy's threshold")
		}
		p, err := e.svc.RequestPayout(ctx, e.contrib)
		if err != nil {
			t.Fatalf("payout above the policy's threshold: %v", err)
		}
		if p.AmountCents != 250 {
			t.Fatalf("payout of %d, want 250", p.AmountCents)
		}
	})
}

func TestLicenseCodesAndVerification(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := commerce.NewLicenseCode()
		if seen[c] || commerce.NormalizeLicenseCode(c) != c {
			t.Fatalf("code %q repeated or not normal", c)
		}
		seen[c] = true
	}
	if got := commerce.NormalizeLicenseCode(" snap-7k3m-q9tw-x2hd "); got != "SNAP-7K3M-Q9TW-X2HD" {
		t.Errorf("normalised to %q", got)
	}
	if got := commerce.NormalizeLicenseCode("SNAP-7K3M-Q9TW-X2H"); got != "" {
		t.Errorf("short code normalised to %q", got)
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.fund(t, e.buyer, "10")
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		if _, err := e.svc.CreateOrder(ctx, e.buyer, "v", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{buy(img, app.LicenseStandard)}}); err != nil {
			t.Fatal(err)
		}
		lics, _ := e.svc.Licenses(ctx, e.buyer, 0, 0)
		v, err := e.svc.Verify(ctx, strings.ToLower(lics[0].License.Code))
		if err != nil {
			t.Fatal(err)
		}
		if v.Buyer.ID != e.buyer.ID || v.Image.ID != img.ID || v.License.Tier != app.LicenseStandard {
			t.Errorf("verification %+v", v)
		}
		_, err = e.svc.Verify(ctx, "SNAP-0000-0000-0000")
		wantCode(t, err, app.ENotFound)
	})
}
