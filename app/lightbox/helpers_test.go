package lightbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/lightbox"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

type env struct {
	db       *store.DB
	svc      *lightbox.Service
	commerce *commerce.Service
	contrib  *app.User
	owner    *app.User // a buyer
	other    *app.User // another buyer
	n        int
}

func newEnv(t *testing.T, db *store.DB, o lightbox.Options) *env {
	t.Helper()
	books := ledger.New(db)
	shop, err := commerce.NewService(db, books, commerce.Options{
		Prices:   app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000},
		Provider: commerce.NewSandbox(testSecret, "http://shop.test"),
		Signer:   commerce.NewSigner(testSecret),
		BaseURL:  "http://shop.test",
		Logger:   storetest.Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Logger = storetest.Logger(t)
	e := &env{db: db, svc: lightbox.NewService(db, shop, o), commerce: shop}
	e.contrib = storetest.User(t, db, "cora", app.RoleContributor)
	e.owner = storetest.User(t, db, "bea", app.RoleBuyer)
	e.other = storetest.User(t, db, "bob", app.RoleBuyer)
	return e
}

// image inserts an image of owner in status st with its own standard price
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

// setStatus changes an image's status behind the services' backs (a
// takedown, say).
func (e *env) setStatus(t *testing.T, img *app.Image, st app.ImageStatus) {
	t.Helper()
	img.Status = st
	if err := e.db.SaveImage(context.Background(), img); err != nil {
		t.Fatal(err)
	}
}

// box creates a lightbox of u holding imgs, in that order.
func (e *env) box(t *testing.T, u *app.User, name string, imgs ...*app.Image) *app.Lightbox {
	t.Helper()
	ctx := context.Background()
	b, err := e.svc.Create(ctx, u, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		if _, _, _, err := e.svc.Add(ctx, u, b.PublicID, img.PublicID); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// order returns the titles in a lightbox, in its order, as its owner sees it.
func (e *env) order(t *testing.T, u *app.User, b *app.Lightbox) []string {
	t.Helper()
	v, err := e.svc.Get(context.Background(), u, b.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(v.Entries))
	for i, en := range v.Entries {
		out[i] = en.Image.Title
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}
