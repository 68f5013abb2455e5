package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/media/synth"
)

// TestRealBinary builds the snapshop command once and, for each dialect,
// kills it with SIGKILL in the middle of uploads, checkouts and indexing,
// starts it again on the same data, and checks that nothing is half done;
// then cuts it off from its database and checks that it says so and
// recovers by itself.
func TestRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly: skipped under -short")
	}
	bin := buildSnapshop(t, t.TempDir())
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, bin, dialect string)
	}{
		{"kill-during-uploads", testKillDuringUploads},
		{"kill-during-checkouts", testKillDuringCheckouts},
		{"kill-during-indexing", testKillDuringIndexing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dialect := range storetest.Dialects() {
				t.Run(dialect, func(t *testing.T) { tc.fn(t, bin, dialect) })
			}
		})
	}
	t.Run("database-outage", func(t *testing.T) { testDatabaseOutage(t, bin) })
}

// testKillDuringUploads: four clients upload photos; once half are accepted
// the server is killed while its workers are making derivatives. After a
// restart, and the clients retrying some of what was never answered, every
// photo accepted or retried is in the catalogue exactly once and fully
// processed, and every stored blob belongs to an image.
func testKillDuringUploads(t *testing.T, bin, dialect string) {
	d := newDeployment(t, bin, dialect, map[string]string{"SNAPSHOP_WORKERS": "2"})
	srv := d.startReady()
	db := d.openDB()
	_, token := d.account(db, "cora", app.RoleContributor)

	const total, perRequest, clients = 40, 2, 4
	photos := distinctPhotos(t, total)
	sums := map[string]int{}
	for i, b := range photos {
		sum := sha256.Sum256(b)
		sums[hex.EncodeToString(sum[:])] = i
	}
	name := func(i int) string { return fmt.Sprintf("photo-%02d.jpg", i) }

	// answered[i]: the server said it has photo i (202, or 409 for a photo it
	// already has).
	var mu sync.Mutex
	answered := make([]bool, total)
	var accepted counter
	var kill sync.Once
	c := newClient(srv.base, token)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for first := w * perRequest; first < total; first += clients * perRequest {
				files := map[string][]byte{}
				for i := first; i < first+perRequest && i < total; i++ {
					files[name(i)] = photos[i]
				}
				body, ct := multipartFiles(files)
				r, err := c.do(http.MethodPost, "/api/v1/uploads", body, map[string]string{"Content-Type": ct})
				if err != nil {
					return // killed: the rest is retried after the restart
				}
				var out uploadAnswer
				if r.status != http.StatusAccepted || json.Unmarshal(r.body, &out) != nil || len(out.Images) != len(files) {
					t.Errorf("upload: %d %s", r.status, r.body)
					return
				}
				mu.Lock()
				for _, img := range out.Images {
					answered[fileIndex(t, img.File)] = true
				}
				mu.Unlock()
				for range out.Images {
					if accepted.inc() == total/2 {
						kill.Do(srv.kill)
					}
				}
			}
		})
	}
	wg.Wait()
	kill.Do(srv.kill)
	if t.Failed() {
		return
	}
	logState(t, "after SIGKILL", db, d)
	// On PostgreSQL too the interrupted jobs must resume at once, not when
	// the dead workers' two-minute leases run out.

	srv = d.startReady()
	c = newClient(srv.base, token)
	// The clients retry half of what went unanswered; the other half they
	// abandon (a closed browser tab), so their blobs, if written, must be
	// swept unless the upload was committed.
	abandoned := map[int]bool{}
	for i := range total {
		if answered[i] {
			continue
		}
		if i%2 == 0 {
			abandoned[i] = true
			continue
		}
		body, ct := multipartFiles(map[string][]byte{name(i): photos[i]})
		r, err := c.do(http.MethodPost, "/api/v1/uploads", body, map[string]string{"Content-Type": ct})
		if err != nil {
			t.Fatalf("retry upload %d: %v", i, err)
		}
		// 409: the upload was stored before the crash, only its answer lost.
		if r.status != http.StatusAccepted && r.status != http.StatusConflict {
			t.Fatalf("retry upload %d: %d %s", i, r.status, r.body)
		}
	}
	srv.eventually("every upload to be processed", 60*time.Second, func() bool {
		jobs, err := db.JobCounts(context.Background())
		return err == nil && jobs[app.JobQueued]+jobs[app.JobRunning] == 0
	})
	if dialect == store.Postgres {
		// The periodic sweep leaves intents an hour for uploads that may be
		// in flight in other processes; none is, so sweep now.
		sweepBlobIntents(t, d, db)
	}
	logState(t, fmt.Sprintf("after restart (%d unanswered uploads abandoned)", len(abandoned)), db, d)

	// Every photo once, processed, with its blobs; nothing else stored.
	var rows []struct {
		PublicID, SHA256, Status, OriginalKey, ThumbKey, PreviewKey string
	}
	if err := db.DB().Raw("SELECT public_id, sha256, status, original_key, thumb_key, preview_key FROM images").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var bad problems
	seen := map[string]bool{}
	referenced := map[string]string{}
	for _, r := range rows {
		if _, ok := sums[r.SHA256]; !ok {
			bad.add("image %s holds a file nobody uploaded", r.PublicID)
		}
		if seen[r.SHA256] {
			bad.add("photo %d is in the catalogue twice", sums[r.SHA256])
		}
		seen[r.SHA256] = true
		if r.Status != string(app.StatusDraft) || r.ThumbKey == "" || r.PreviewKey == "" {
			bad.add("image %s (photo %d) is %s, thumb %q, preview %q", r.PublicID, sums[r.SHA256], r.Status, r.ThumbKey, r.PreviewKey)
		}
		for _, k := range []string{r.OriginalKey, r.ThumbKey, r.PreviewKey} {
			if k != "" {
				referenced[k] = r.PublicID
			}
		}
	}
	for sum, i := range sums {
		if !seen[sum] && !abandoned[i] {
			bad.add("photo %d is not in the catalogue", i)
		}
	}
	stored := blobKeys(t, d)
	for k := range stored {
		if referenced[k] == "" {
			bad.add("orphan blob %s", k)
		}
	}
	for k, id := range referenced {
		if !stored[k] {
			bad.add("image %s lacks its blob %s", id, k)
		}
	}
	if n := scalar[int64](t, db, "SELECT COUNT(*) FROM jobs"); n != 0 {
		bad.add("%d jobs left (failed ones included)", n)
	}
	if n := scalar[int64](t, db, "SELECT COUNT(*) FROM blob_intents"); n != 0 {
		bad.add("%d blob intents left", n)
	}
	if err := bad.err(); err != nil {
		t.Fatal(err)
	}
}

// distinctPhotos returns n different JPEGs: one synthetic photo (slow to
// render under the race detector) with a different corner mark each.
func distinctPhotos(t *testing.T, n int) [][]byte {
	t.Helper()
	base := synth.Photo(800, 600, 7000)
	out := make([][]byte, n)
	for i := range out {
		img := image.NewNRGBA(base.Rect)
		copy(img.Pix, base.Pix)
		mark := color.NRGBA{R: uint8(i * 37), G: uint8(i * 91), B: uint8(255 - i*13), A: 255} //nolint:gosec // any colour will do
		draw.Draw(img, image.Rect(0, 0, 40, 40), &image.Uniform{C: mark}, image.Point{}, draw.Src)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		out[i] = buf.Bytes()
	}
	return out
}

type uploadAnswer struct {
	Images []struct {
		ID   string `json:"id"`
		File string `json:"file"`
	} `json:"images"`
}

func fileIndex(t *testing.T, file string) int {
	t.Helper()
	var i int
	if _, err := fmt.Sscanf(file, "photo-%02d.jpg", &i); err != nil {
		t.Fatalf("file name %q: %v", file, err)
	}
	return i
}

// logState records where a crash left things, for the report.
func logState(t *testing.T, when string, db *store.DB, d *deployment) {
	t.Helper()
	var statuses []struct {
		Status string
		N      int64
	}
	if err := db.DB().Raw("SELECT status, COUNT(*) AS n FROM images GROUP BY status ORDER BY status").Scan(&statuses).Error; err != nil {
		t.Fatal(err)
	}
	jobs, err := db.JobCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	temps, _ := filepath.Glob(filepath.Join(d.dataDir(), "blobs", ".tmp", "*"))
	t.Logf("%s: images %v, jobs %v, blob intents %d, blobs %d, unfinished blob writes %d", when, statuses, jobs,
		scalar[int64](t, db, "SELECT COUNT(*) FROM blob_intents"), len(blobKeys(t, d)), len(temps))
}

func localBlobs(t *testing.T, d *deployment) *blob.Local {
	t.Helper()
	b, err := blob.NewLocal(filepath.Join(d.dataDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// blobKeys lists the stored blobs (not writes in progress).
func blobKeys(t *testing.T, d *deployment) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	err := localBlobs(t, d).Walk(context.Background(), "", func(i blob.Info) error {
		keys[i.Key] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// sweepBlobIntents runs the orphan-blob sweep with no grace period.
func sweepBlobIntents(t *testing.T, d *deployment, db *store.DB) {
	t.Helper()
	svc, err := catalog.NewService(db, localBlobs(t, d), catalog.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.SweepBlobIntents(context.Background(), time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("swept %d orphan blobs", n)
}

// testKillDuringCheckouts: six buyers each place twelve orders of two
// licences, alternately from their wallet and by card (the card payment
// arriving as a signed webhook), all at once; the server is killed half-way.
// The books must hold at the moment of the crash, and after a restart with
// every client retrying with the same Idempotency-Key (and the provider
// redelivering its notifications) every order is paid exactly once.
func testKillDuringCheckouts(t *testing.T, bin, dialect string) {
	d := newDeployment(t, bin, dialect, nil)
	srv := d.startReady()
	db := d.openDB()
	cfg := d.config()
	secret, err := cfg.LoadSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	sandbox := commerce.NewSandbox(secret, "")

	const buyers, ordersEach, perOrder = 6, 12, 2
	contrib := storetest.User(t, db, "cora", app.RoleContributor)
	images := make([]*app.Image, ordersEach*perOrder)
	for i := range images {
		images[i] = approvedImage(t, db, contrib, i, fmt.Sprintf("Harbour %d", i))
	}
	const topUp = "50" // $50 + $7.50 bonus: enough for the six wallet orders
	tokens := make([]string, buyers)
	ids := make([]int64, buyers)
	for b := range buyers {
		u, token := d.account(db, fmt.Sprintf("buyer%d", b), app.RoleBuyer)
		tokens[b], ids[b] = token, u.ID
		fundWallet(t, db, sandbox, u, topUp)
	}

	type orderState struct {
		id, session string
		total       int64
		created     bool // the server answered the order
		notified    bool // the server answered the card payment's notification
	}
	orders := make([][]orderState, buyers)
	orderBody := func(j int) string {
		pay := "wallet"
		if j%2 == 1 {
			pay = "card"
		}
		return fmt.Sprintf(`{"payment":%q,"items":[{"image_id":%q,"license":"standard"},{"image_id":%q,"license":"standard"}]}`,
			pay, images[j*perOrder].PublicID, images[j*perOrder+1].PublicID)
	}
	key := func(b, j int) string { return fmt.Sprintf("crash-test-%d-%d", b, j) }
	var replays counter
	// place creates (or replays) order j of buyer b and pays it by card when
	// it is a card order; it returns false when the server did not answer.
	place := func(c *client, b, j int) bool {
		st := &orders[b][j]
		if !st.created {
			r, err := c.postJSON("/api/v1/orders", orderBody(j), map[string]string{"Idempotency-Key": key(b, j)})
			if err != nil {
				return false
			}
			var o struct {
				ID          string `json:"id"`
				Status      string `json:"status"`
				TotalCents  int64  `json:"total_cents"`
				CheckoutURL string `json:"checkout_url"`
			}
			if (r.status != http.StatusCreated && r.status != http.StatusOK) || json.Unmarshal(r.body, &o) != nil {
				t.Errorf("buyer %d order %d: %d %s", b, j, r.status, r.body)
				return false
			}
			st.id, st.total, st.session, st.created = o.ID, o.TotalCents, path.Base(o.CheckoutURL), true
			if r.status == http.StatusOK {
				replays.inc() // made before the crash, its answer lost
			}
		}
		if j%2 == 1 && !st.notified {
			if st.session == "" || st.session == "." {
				return true // already paid: a replay shows no checkout
			}
			r, err := notifyPaid(c, sandbox, "evt_crash_"+key(b, j), st.session, st.id, st.total)
			if err != nil {
				return false
			}
			if r.status != http.StatusOK {
				t.Errorf("buyer %d order %d notification: %d %s", b, j, r.status, r.body)
				return false
			}
			st.notified = true
		}
		return true
	}

	var done counter
	var kill sync.Once
	var wg sync.WaitGroup
	for b := range buyers {
		orders[b] = make([]orderState, ordersEach)
		c := newClient(srv.base, tokens[b])
		wg.Go(func() {
			for j := range ordersEach {
				if !place(c, b, j) {
					return
				}
				if done.inc() == buyers*ordersEach/2 {
					kill.Do(srv.kill)
				}
			}
		})
	}
	wg.Wait()
	kill.Do(srv.kill)
	if t.Failed() {
		return
	}
	t.Logf("at the crash: %s", orderSummary(t, db))
	if err := checkBooks(t, db); err != nil {
		t.Fatalf("books after SIGKILL: %v", err)
	}

	srv = d.startReady()
	for b := range buyers {
		c := newClient(srv.base, tokens[b])
		for j := range ordersEach {
			if !place(c, b, j) {
				t.Fatalf("buyer %d order %d: no answer after restart", b, j)
			}
		}
	}
	// The provider delivers at least once: every notification again, with
	// its own event ID and with a new one, changes nothing.
	c := newClient(srv.base, "")
	for b := range buyers {
		for j := 1; j < ordersEach; j += 2 {
			st := orders[b][j]
			session := cardSession(t, db, st.id)
			for _, ev := range []string{"evt_crash_" + key(b, j), "evt_again_" + key(b, j)} {
				r, err := notifyPaid(c, sandbox, ev, session, st.id, st.total)
				if err != nil || r.status != http.StatusOK {
					t.Fatalf("redelivered notification: %v %d %s", err, r.status, r.body)
				}
			}
		}
	}
	t.Logf("after the restart: %s; %d retried orders were replays of orders made before the crash", orderSummary(t, db), replays.n)
	if err := checkBooks(t, db); err != nil {
		t.Fatalf("books after restart: %v", err)
	}

	// Every order exactly once, paid, with its two licences.
	var bad problems
	credit, price := int64(5750), int64(300)
	for b := range buyers {
		var rows []struct {
			IdempotencyKey, Status, Payment string
			TotalCents                      int64
		}
		if err := db.DB().Raw("SELECT idempotency_key, status, payment, total_cents FROM orders WHERE buyer_id = ? AND kind = 'licenses'", ids[b]).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != ordersEach {
			bad.add("buyer %d has %d licence orders, want %d", b, len(rows), ordersEach)
		}
		var spent int64
		for _, r := range rows {
			if r.Status != string(app.OrderPaid) {
				bad.add("buyer %d order %s is %s", b, r.IdempotencyKey, r.Status)
			}
			if r.Payment == string(app.PayWallet) {
				spent += r.TotalCents
			}
		}
		if n := scalar[int64](t, db, "SELECT COUNT(*) FROM licenses WHERE buyer_id = ? AND revoked_at IS NULL", ids[b]); n != ordersEach*perOrder {
			bad.add("buyer %d holds %d licences, want %d", b, n, ordersEach*perOrder)
		}
		want := credit - spent
		if spent != ordersEach/2*perOrder*price {
			bad.add("buyer %d spent %d from the wallet, want %d", b, spent, ordersEach/2*perOrder*price)
		}
		if got := scalar[int64](t, db, "SELECT balance_cents FROM ledger_accounts WHERE kind = 'wallet' AND owner_id = ?", ids[b]); got != want {
			bad.add("buyer %d wallet holds %d, want %d", b, got, want)
		}
	}
	if n := scalar[int64](t, db, "SELECT COUNT(*) FROM images WHERE sales <> ?", buyers); n != 0 {
		bad.add("%d images do not count %d sales", n, buyers)
	}
	if err := bad.err(); err != nil {
		t.Fatal(err)
	}
}

// approvedImage inserts a published image, as if uploaded, processed and
// approved (commerce needs only the row).
func approvedImage(t *testing.T, db *store.DB, owner *app.User, n int, title string) *app.Image {
	t.Helper()
	return insertImage(t, db, owner, n, title, app.StatusApproved)
}

func insertImage(t *testing.T, db *store.DB, owner *app.User, n int, title string, status app.ImageStatus) *app.Image {
	t.Helper()
	img := newImage(owner, n, title, status)
	if err := db.CreateImage(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	return img
}

// newImage is the n-th image of a fake catalogue, in the given status.
func newImage(owner *app.User, n int, title string, status app.ImageStatus) *app.Image {
	sum := fmt.Sprintf("%064x", n+1)
	now := time.Now().UTC()
	img := &app.Image{
		ContributorID: owner.ID, Status: status, Title: title, Keywords: app.StringList{"harbour", "boats"},
		Category: "travel", Usage: app.UsageCommercial, AI: app.AINone,
		SHA256: sum, FileSize: 1000, Format: "jpeg", OriginalKey: "originals/" + sum[:2] + "/" + sum,
		Width: 1200, Height: 800, Orientation: app.Landscape, Megapixels: 0.96,
		Colors: app.StringList{}, Palette: app.StringList{},
	}
	if status == app.StatusApproved {
		img.ReviewedAt = &now
	}
	return img
}

// fundWallet tops up a buyer's wallet with a pack, paid by card, through
// the commerce service on the shared database.
func fundWallet(t *testing.T, db *store.DB, sandbox *commerce.Sandbox, u *app.User, pack string) {
	t.Helper()
	ctx := context.Background()
	svc, err := commerce.NewService(db, ledger.New(db), commerce.Options{
		Prices:   app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000},
		Provider: sandbox, Signer: commerce.NewSigner([]byte("unused for top-ups")),
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.TopUp(ctx, u, "fund-"+u.Username, pack)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	err = svc.HandleEvent(ctx, sandbox.Name(), commerce.Event{
		ID: "evt_fund_" + u.Username, Type: commerce.EventPaid, SessionID: o.ProviderSession,
		OrderID: o.PublicID, AmountCents: o.TotalCents, Currency: o.Currency,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notifyPaid delivers the sandbox's signed "paid" notification for an order.
func notifyPaid(c *client, sandbox *commerce.Sandbox, eventID, session, orderID string, total int64) (response, error) {
	payload, header, err := sandbox.Sign(commerce.Event{
		ID: eventID, Type: commerce.EventPaid, SessionID: session, OrderID: orderID, AmountCents: total, Currency: app.Currency,
	})
	if err != nil {
		return response{}, err
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k := range header {
		h[k] = header.Get(k)
	}
	return c.do(http.MethodPost, "/webhooks/sandbox", bytes.NewReader(payload), h)
}

func cardSession(t *testing.T, db *store.DB, orderID string) string {
	t.Helper()
	return scalar[string](t, db, "SELECT provider_session FROM orders WHERE public_id = ?", orderID)
}

func orderSummary(t *testing.T, db *store.DB) string {
	t.Helper()
	var rows []struct {
		Kind, Payment, Status string
		N                     int64
	}
	if err := db.DB().Raw("SELECT kind, payment, status, COUNT(*) AS n FROM orders GROUP BY kind, payment, status ORDER BY kind, payment, status").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("orders %v, licences %d, ledger transactions %d", rows,
		scalar[int64](t, db, "SELECT COUNT(*) FROM licenses"), scalar[int64](t, db, "SELECT COUNT(*) FROM ledger_transactions"))
}

// checkBooks checks that orders, licences and the ledger agree: a paid
// licence order has a licence per item and one sale transaction; an unpaid
// one has neither; a paid top-up has one top-up transaction, an unpaid one
// none; no transaction names an order that does not exist; and
// ledger.Verify holds (every transaction sums to zero, every balance is
// the sum of its entries).
func checkBooks(t *testing.T, db *store.DB) error {
	t.Helper()
	var rows []struct {
		PublicID, Kind, Status string
		Items, Licenses        int64
		Sales, TopUps          int64
	}
	err := db.DB().Raw(`SELECT o.public_id, o.kind, o.status,
		(SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id) AS items,
		(SELECT COUNT(*) FROM licenses l WHERE l.order_id = o.id) AS licenses,
		(SELECT COUNT(*) FROM ledger_transactions x WHERE x.kind = 'sale' AND x.reference = o.public_id) AS sales,
		(SELECT COUNT(*) FROM ledger_transactions x WHERE x.kind = 'topup' AND x.reference = o.public_id) AS top_ups
		FROM orders o`).Scan(&rows).Error
	if err != nil {
		return err
	}
	var bad problems
	for _, o := range rows {
		paid := o.Status == string(app.OrderPaid)
		switch {
		case o.Kind == string(app.OrderTopUp) && paid != (o.TopUps == 1):
			bad.add("top-up %s is %s with %d top-up transactions", o.PublicID, o.Status, o.TopUps)
		case o.Kind == string(app.OrderLicenses) && paid && (o.Licenses != o.Items || o.Sales != 1):
			bad.add("paid order %s has %d licences for %d items and %d sale transactions", o.PublicID, o.Licenses, o.Items, o.Sales)
		case o.Kind == string(app.OrderLicenses) && !paid && (o.Licenses != 0 || o.Sales != 0):
			bad.add("%s order %s has %d licences and %d sale transactions", o.Status, o.PublicID, o.Licenses, o.Sales)
		}
	}
	stray := scalar[int64](t, db, "SELECT COUNT(*) FROM ledger_transactions x WHERE x.kind IN ('sale', 'topup') AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.public_id = x.reference)")
	if stray != 0 {
		bad.add("%d ledger transactions name no order", stray)
	}
	if err := ledger.New(db).Verify(context.Background()); err != nil {
		bad.add("ledger.Verify: %v", err)
	}
	return bad.err()
}

// testKillDuringIndexing kills the server three times while its search
// index is being written — during the first build of a 1,500-image index,
// while admins approve and take down images through the API, and during a
// rebuild asked for by `snapshop reindex` — and checks that after each
// restart the index converges to the database (the search API finds every
// published image and nothing else), by tailing the change log after the
// second and while rebuilding after the third, which leaves one index
// directory.
func testKillDuringIndexing(t *testing.T, bin, dialect string) {
	d := newDeployment(t, bin, dialect, nil)
	d.run("migrate")
	db := d.openDB()
	contrib := storetest.User(t, db, "cora", app.RoleContributor)
	_, adminToken := d.account(db, "ada", app.RoleAdmin)
	const published, pending, takeDowns = 1500, 100, 30
	var approved, queued []*app.Image
	// One transaction: on PostgreSQL 1,600 commits take seconds.
	err := db.InTx(context.Background(), func(ctx context.Context) error {
		for i := range published + pending {
			st := app.StatusApproved
			if i >= published {
				st = app.StatusPending
			}
			img := newImage(contrib, i, fmt.Sprintf("Lighthouse %d", i), st)
			if err := db.CreateImage(ctx, img); err != nil {
				return err
			}
			if st == app.StatusApproved {
				approved = append(approved, img)
			} else {
				queued = append(queued, img)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	indexDir := filepath.Join(d.dataDir(), "index")

	// 1. Killed while building its first index.
	srv := d.start()
	srv.eventually("the first index build to start", 30*time.Second, func() bool { return len(indexGenerations(t, indexDir)) > 0 })
	srv.kill()
	t.Logf("killed during the first build: generations %v, CURRENT written: %v", indexGenerations(t, indexDir), fileExists(filepath.Join(indexDir, "CURRENT")))

	// 2. Killed while admins approve and take down images.
	srv = d.startReady()
	actions := make([]string, 0, pending+takeDowns) // API paths, done in any order
	for _, img := range queued {
		actions = append(actions, "/api/v1/admin/images/"+img.PublicID+"/approve")
	}
	for _, img := range approved[:takeDowns] {
		actions = append(actions, "/api/v1/admin/images/"+img.PublicID+"/remove")
	}
	doneActions := make([]bool, len(actions))
	act := func(c *client, i int) bool {
		r, err := c.postJSON(actions[i], `{"reason":"crash test"}`, nil)
		if err != nil {
			return false
		}
		// 409: done before the crash, its answer lost.
		if r.status != http.StatusOK && r.status != http.StatusConflict {
			t.Errorf("POST %s: %d %s", actions[i], r.status, r.body)
			return false
		}
		doneActions[i] = true
		return true
	}
	var done counter
	var kill sync.Once
	var wg sync.WaitGroup
	const clients = 4
	for w := range clients {
		c := newClient(srv.base, adminToken)
		wg.Go(func() {
			for i := w; i < len(actions); i += clients {
				if !act(c, i) {
					return
				}
				if done.inc() == len(actions)/2 {
					kill.Do(srv.kill)
				}
			}
		})
	}
	wg.Wait()
	kill.Do(srv.kill)
	if t.Failed() {
		return
	}

	// Restarted: the remaining actions, then the index must converge by
	// tailing the change log from where the killed process left it.
	srv = d.startReady()
	c := newClient(srv.base, adminToken)
	for i := range actions {
		if !doneActions[i] && !act(c, i) {
			t.Fatalf("POST %s: no answer after restart", actions[i])
		}
	}
	if n := expectConverged(t, srv, db); n != published+pending-takeDowns {
		t.Fatalf("%d images published, want %d", n, published+pending-takeDowns)
	}

	// 3. Killed during a rebuild.
	d.run("reindex")
	srv.eventually("the rebuild to start", 30*time.Second, func() bool { return srv.sawLog("search: rebuild requested") })
	srv.kill()
	t.Logf("killed during a rebuild: generations %v, rebuilt index swapped in: %v", indexGenerations(t, indexDir), srv.sawLog("swapped in rebuilt index"))

	// Restarted, with changes arriving while it rebuilds again.
	srv = d.start()
	c = newClient(srv.base, adminToken)
	const reinstated = 10
	for _, img := range approved[:reinstated] {
		r, err := c.postJSON("/api/v1/admin/images/"+img.PublicID+"/reinstate", "", nil)
		if err != nil || r.status != http.StatusOK {
			t.Fatalf("reinstate %s: %v %d %s", img.PublicID, err, r.status, r.body)
		}
	}
	srv.waitReady()
	if n := expectConverged(t, srv, db); n != published+pending-takeDowns+reinstated {
		t.Fatalf("%d images published, want %d", n, published+pending-takeDowns+reinstated)
	}
	if gens := indexGenerations(t, indexDir); len(gens) != 1 {
		t.Fatalf("index directories left: %v", gens)
	}
}

// expectConverged waits until the search API finds exactly the published
// images — the index's total included, since results are filtered by the
// database before they are shown — and returns how many there are.
func expectConverged(t *testing.T, srv *server, db *store.DB) int {
	t.Helper()
	var ids []string
	if err := db.DB().Raw("SELECT public_id FROM images WHERE status = ?", app.StatusApproved).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var last string
	defer func() {
		if t.Failed() {
			t.Logf("last seen: %s", last)
		}
	}()
	srv.eventually("the index to converge to the database", 60*time.Second, func() bool {
		total, found := searchAll(t, newClient(srv.base, ""))
		missing, extra := 0, 0
		for id := range want {
			if !found[id] {
				missing++
			}
		}
		for id := range found {
			if !want[id] {
				extra++
			}
		}
		last = fmt.Sprintf("index total %d, %d hits, %d published images missing, %d others found", total, len(found), missing, extra)
		return total == len(want) && missing == 0 && extra == 0
	})
	t.Logf("converged: %s", last)
	return len(want)
}

// searchAll pages through every search result: the index's total and the
// image IDs the API returns.
func searchAll(t *testing.T, c *client) (int, map[string]bool) {
	t.Helper()
	found := map[string]bool{}
	total := -1
	for page := 1; ; page++ {
		r := c.mustGet(t, fmt.Sprintf("/api/v1/search?sort=newest&per_page=100&page=%d", page))
		if r.status != http.StatusOK {
			t.Fatalf("search page %d: %d %s", page, r.status, r.body)
		}
		var res struct {
			Total int `json:"total"`
			Hits  []struct {
				ID string `json:"id"`
			} `json:"hits"`
		}
		if err := json.Unmarshal(r.body, &res); err != nil {
			t.Fatal(err)
		}
		if total < 0 {
			total = res.Total
		}
		for _, h := range res.Hits {
			found[h.ID] = true
		}
		if page*100 >= res.Total {
			return total, found
		}
	}
}

// indexGenerations lists the index directories under dir.
func indexGenerations(t *testing.T, dir string) []string {
	t.Helper()
	gens, err := filepath.Glob(filepath.Join(dir, "gen-*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range gens {
		gens[i] = filepath.Base(g)
	}
	return gens
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
