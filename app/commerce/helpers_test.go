package commerce_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

type env struct {
	db      *store.DB
	svc     *commerce.Service
	ledger  *ledger.Ledger
	sandbox *commerce.Sandbox
	contrib *app.User
	other   *app.User
	buyer   *app.User
	buyer2  *app.User
	admin   *app.User
	n       int
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	return newEnvWith(t, db, nil)
}

// newEnvWith is newEnv with a run-time policy source (nil: none).
func newEnvWith(t *testing.T, db *store.DB, policy func(context.Context) app.Policy) *env {
	t.Helper()
	e := &env{db: db, ledger: ledger.New(db), sandbox: commerce.NewSandbox(testSecret, "http://shop.test")}
	svc, err := commerce.NewService(db, e.ledger, commerce.Options{
		Prices:   app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000},
		Provider: e.sandbox,
		Signer:   commerce.NewSigner(testSecret),
		BaseURL:  "http://shop.test",
		Logger:   storetest.Logger(t),
		Policy:   policy,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	mk := func(name string, role app.Role) *app.User { return storetest.User(t, db, name, role) }
	e.contrib, e.other = mk("cora", app.RoleContributor), mk("otto", app.RoleContributor)
	e.buyer, e.buyer2, e.admin = mk("bea", app.RoleBuyer), mk("bob", app.RoleBuyer), mk("ada", app.RoleAdmin)
	t.Cleanup(func() {
		// Every scenario ends with balanced books.
		if err := e.ledger.Verify(context.Background()); err != nil {
			t.Errorf("ledger.Verify: %v", err)
		}
	})
	return e
}

// image inserts an image of owner in status st, with its own standard price
// (0: the platform's).
func (e *env) image(t *testing.T, owner *app.User, st app.ImageStatus, price int64) *app.Image {
	t.Helper()
	e.n++
	img := &app.Image{
		ContributorID: owner.ID, Status: st, Title: fmt.Sprintf("Photo %d", e.n),
		SHA256: fmt.Sprintf("%064d", e.n), FileSize: 1000, Format: "jpeg", OriginalKey: fmt.Sprintf("originals/%d", e.n),
		Width: 100, Height: 100, PriceCents: price,
	}
	if err := e.db.CreateImage(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	return img
}

// fund tops up a buyer's wallet with a pack through the sandbox card page.
func (e *env) fund(t *testing.T, u *app.User, pack string) {
	t.Helper()
	ctx := context.Background()
	r, err := e.svc.TopUp(ctx, u, "topup-"+app.RandomToken(6), pack)
	if err != nil {
		t.Fatalf("top up: %v", err)
	}
	if _, err := e.svc.SandboxPay(ctx, u, r.Order.ProviderSession, "4242 4242 4242 4242"); err != nil {
		t.Fatalf("pay top-up: %v", err)
	}
}

func (e *env) wallet(t *testing.T, u *app.User) int64 {
	t.Helper()
	b, err := e.ledger.WalletBalance(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) earnings(t *testing.T, u *app.User) ledger.Earnings {
	t.Helper()
	b, err := e.ledger.ContributorEarnings(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// count returns the rows of a table.
func (e *env) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := e.db.DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func buy(img *app.Image, tier app.LicenseTier) commerce.Line {
	return commerce.Line{ImageID: img.PublicID, License: tier}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// policyVar is a run-time policy a test changes as an admin would.
type policyVar struct {
	mu sync.Mutex
	p  app.Policy
}

func (v *policyVar) get(context.Context) app.Policy {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.p
}

func (v *policyVar) set(p app.Policy) {
	v.mu.Lock()
	v.p = p
	v.mu.Unlock()
}
