package lightbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/lightbox"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

func TestCreateRenameDelete(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		for name, bad := range map[string]string{
			"empty": "  ", "too long": strings.Repeat("é", app.LightboxNameMax+1), "two lines": "spring\ncampaign",
		} {
			_, err := e.svc.Create(ctx, e.owner, bad)
			wantCode(t, err, app.EInvalid)
			if app.ErrorFields(err)["name"] == "" {
				t.Errorf("%s name: no message for the field", name)
			}
		}
		exact := strings.Repeat("é", app.LightboxNameMax)
		if _, err := e.svc.Create(ctx, e.owner, exact); err != nil {
			t.Fatalf("a %d-character name: %v", app.LightboxNameMax, err)
		}
		b, err := e.svc.Create(ctx, e.owner, "  Spring campaign ")
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "Spring campaign" || len(b.PublicID) != 16 {
			t.Fatalf("created %+v", b)
		}
		list, err := e.svc.List(ctx, e.owner)
		if err != nil || len(list) != 2 || list[0].Lightbox.PublicID != b.PublicID {
			t.Fatalf("list %+v %v, want the newest first", list, err)
		}
		if _, err := e.svc.Rename(ctx, e.owner, b.PublicID, "Autumn"); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.svc.Get(ctx, e.owner, b.PublicID); v.Lightbox.Name != "Autumn" {
			t.Fatalf("renamed to %q", v.Lightbox.Name)
		}
		if err := e.svc.Delete(ctx, e.owner, b.PublicID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Get(ctx, e.owner, b.PublicID)
		wantCode(t, err, app.ENotFound)
		if _, err := e.svc.Create(ctx, nil, "Anonymous"); app.ErrorCode(err) != app.EUnauthorized {
			t.Fatalf("anonymous create: %v", err)
		}
	})
}

// TestOnlyTheOwnerReachesALightbox: every method answers someone else
// exactly as for a lightbox that does not exist.
func TestOnlyTheOwnerReachesALightbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		img := e.image(t, e.contrib, app.StatusApproved, 0)
		b := e.box(t, e.owner, "Mine", img)
		admin := storetest.User(t, db, "ada", app.RoleAdmin)
		for _, u := range []*app.User{e.other, admin} {
			for _, id := range []string{b.PublicID, "nosuchlightbox12"} {
				calls := map[string]func() error{
					"Get":    func() error { _, err := e.svc.Get(ctx, u, id); return err },
					"Rename": func() error { _, err := e.svc.Rename(ctx, u, id, "Theirs"); return err },
					"Delete": func() error { return e.svc.Delete(ctx, u, id) },
					"Add":    func() error { _, _, _, err := e.svc.Add(ctx, u, id, img.PublicID); return err },
					"Remove": func() error { _, err := e.svc.Remove(ctx, u, id, img.PublicID); return err },
					"Move":   func() error { _, err := e.svc.Move(ctx, u, id, img.PublicID, 1); return err },
					"Share":  func() error { _, err := e.svc.Share(ctx, u, id); return err },
					"Revoke": func() error { return e.svc.Revoke(ctx, u, id) },
					"Cart":   func() error { _, err := e.svc.AddApprovedToCart(ctx, u, id); return err },
				}
				for name, call := range calls {
					err := call()
					if app.ErrorCode(err) != app.ENotFound || app.ErrorMessage(err) != "No such lightbox." {
						t.Errorf("%s by %s on %s: %v, want the not-found of a missing lightbox", name, u.Username, id, err)
					}
				}
			}
		}
		if list, _ := e.svc.List(ctx, e.other); len(list) != 0 {
			t.Errorf("another user's list shows %d lightboxes", len(list))
		}
		if got := e.order(t, e.owner, b); len(got) != 1 || got[0] != img.Title {
			t.Errorf("after the others tried: %v", got)
		}
	})
}

func TestAddOnlyPublishedAndOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		pub := e.image(t, e.contrib, app.StatusApproved, 0)
		draft := e.image(t, e.contrib, app.StatusDraft, 0)
		b := e.box(t, e.owner, "Box")
		if _, _, added, err := e.svc.Add(ctx, e.owner, b.PublicID, pub.PublicID); err != nil || !added {
			t.Fatalf("first add: %v %v", added, err)
		}
		if _, _, added, err := e.svc.Add(ctx, e.owner, b.PublicID, pub.PublicID); err != nil || added {
			t.Fatalf("second add: added=%v %v, want an idempotent no-op", added, err)
		}
		for _, id := range []string{draft.PublicID, "nosuchimage00000", ""} {
			_, _, _, err := e.svc.Add(ctx, e.owner, b.PublicID, id)
			wantCode(t, err, app.ENotFound)
		}
		list, err := e.svc.List(ctx, e.owner, pub.PublicID, draft.PublicID)
		if err != nil || len(list) != 1 || list[0].Count != 1 || !slices.Equal(list[0].Holds, []string{pub.PublicID}) {
			t.Fatalf("list %+v %v", list, err)
		}
		// Taken down: out of the view and the count, back when reinstated.
		e.setStatus(t, pub, app.StatusRemoved)
		if got := e.order(t, e.owner, b); len(got) != 0 {
			t.Fatalf("a removed image still shows: %v", got)
		}
		if list, _ := e.svc.List(ctx, e.owner); list[0].Count != 0 {
			t.Errorf("count %d with the only image taken down", list[0].Count)
		}
		e.setStatus(t, pub, app.StatusApproved)
		if got := e.order(t, e.owner, b); len(got) != 1 {
			t.Fatalf("a reinstated image does not show: %v", got)
		}
		if _, err := e.svc.Remove(ctx, e.owner, b.PublicID, pub.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Remove(ctx, e.owner, b.PublicID, pub.PublicID); err != nil {
			t.Fatalf("removing again: %v, want a no-op", err)
		}
		if got := e.order(t, e.owner, b); len(got) != 0 {
			t.Fatalf("after removal: %v", got)
		}
	})
}

func TestLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{MaxLightboxes: 2, MaxImages: 2})
		ctx := context.Background()
		a, b, c := e.image(t, e.contrib, app.StatusApproved, 0), e.image(t, e.contrib, app.StatusApproved, 0), e.image(t, e.contrib, app.StatusApproved, 0)
		full := e.box(t, e.owner, "One", a, b)
		e.box(t, e.owner, "Two")
		_, err := e.svc.Create(ctx, e.owner, "Three")
		wantCode(t, err, app.EConflict)
		if !strings.Contains(app.ErrorMessage(err), "2 lightboxes") {
			t.Errorf("message %q does not say the limit", app.ErrorMessage(err))
		}
		if _, err := e.svc.Create(ctx, e.other, "Theirs"); err != nil {
			t.Fatalf("the limit is per account: %v", err)
		}
		_, _, _, err = e.svc.Add(ctx, e.owner, full.PublicID, c.PublicID)
		wantCode(t, err, app.EConflict)
		if !strings.Contains(app.ErrorMessage(err), "2 images") {
			t.Errorf("message %q does not say the limit", app.ErrorMessage(err))
		}
		if _, _, added, err := e.svc.Add(ctx, e.owner, full.PublicID, a.PublicID); err != nil || added {
			t.Fatalf("adding an image already in a full lightbox: %v %v, want a no-op", added, err)
		}
	})
}

func TestMoveKeepsTheOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		var imgs []*app.Image
		for range 4 {
			imgs = append(imgs, e.image(t, e.contrib, app.StatusApproved, 0))
		}
		b := e.box(t, e.owner, "Order", imgs...)
		want := func(titles ...string) {
			t.Helper()
			if got := e.order(t, e.owner, b); !slices.Equal(got, titles) {
				t.Fatalf("order %v, want %v", got, titles)
			}
		}
		want("Photo 1", "Photo 2", "Photo 3", "Photo 4")
		if at, err := e.svc.Step(ctx, e.owner, b.PublicID, imgs[2].PublicID, -1); err != nil || at != 2 {
			t.Fatalf("step up: %d %v", at, err)
		}
		want("Photo 1", "Photo 3", "Photo 2", "Photo 4")
		if at, err := e.svc.Step(ctx, e.owner, b.PublicID, imgs[0].PublicID, -1); err != nil || at != 1 {
			t.Fatalf("step the first up: %d %v, want it to stay first", at, err)
		}
		if at, err := e.svc.Move(ctx, e.owner, b.PublicID, imgs[0].PublicID, 99); err != nil || at != 4 {
			t.Fatalf("move to the end: %d %v", at, err)
		}
		want("Photo 3", "Photo 2", "Photo 4", "Photo 1")
		// A hidden image does not count as a place: stepping over it takes
		// one move, and it keeps its place among its neighbours.
		e.setStatus(t, imgs[1], app.StatusRemoved)
		want("Photo 3", "Photo 4", "Photo 1")
		if _, err := e.svc.Step(ctx, e.owner, b.PublicID, imgs[3].PublicID, -1); err != nil {
			t.Fatal(err)
		}
		want("Photo 4", "Photo 3", "Photo 1")
		e.setStatus(t, imgs[1], app.StatusApproved)
		want("Photo 4", "Photo 3", "Photo 2", "Photo 1")
		_, err := e.svc.Step(ctx, e.owner, b.PublicID, e.image(t, e.contrib, app.StatusApproved, 0).PublicID, 1)
		wantCode(t, err, app.ENotFound)
	})
}

func TestTotalsPerLicence(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		platform := e.image(t, e.contrib, app.StatusApproved, 0)  // $3 / $30
		own := e.image(t, e.contrib, app.StatusApproved, 450)     // $4.50 / $45
		gone := e.image(t, e.contrib, app.StatusApproved, 10_000) // taken down below: not counted
		b := e.box(t, e.owner, "Priced", platform, own, gone)
		e.setStatus(t, gone, app.StatusRemoved)
		v, err := e.svc.Get(ctx, e.owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if v.StandardCents != 750 || v.ExtendedCents != 7500 {
			t.Fatalf("totals %d standard, %d extended; want 750 and 7500", v.StandardCents, v.ExtendedCents)
		}
		if v.Entries[1].Standard != 450 || v.Entries[1].Extended != 4500 {
			t.Errorf("own-priced image at %d/%d", v.Entries[1].Standard, v.Entries[1].Extended)
		}
		empty, err := e.svc.Get(ctx, e.owner, e.box(t, e.owner, "Empty").PublicID)
		if err != nil || empty.StandardCents != 0 || empty.ExtendedCents != 0 || len(empty.Entries) != 0 {
			t.Fatalf("empty lightbox %+v %v", empty, err)
		}
	})
}

func TestShareLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		a, hidden := e.image(t, e.contrib, app.StatusApproved, 0), e.image(t, e.contrib, app.StatusApproved, 0)
		outside := e.image(t, e.contrib, app.StatusApproved, 0)
		b := e.box(t, e.owner, "For the client", a, hidden)
		e.setStatus(t, hidden, app.StatusRemoved)

		token, err := e.svc.Share(ctx, e.owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 26 { // 128 bits in base32
			t.Fatalf("token %q is too short", token)
		}
		var stored struct{ ShareHash *string }
		if err := db.DB().Table("lightboxes").Select("share_hash").Where("id = ?", b.ID).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if stored.ShareHash == nil || *stored.ShareHash != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %v, want only the token's SHA-256", stored.ShareHash)
		}
		sv, err := e.svc.SharedView(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if sv.Owner != "bea" || len(sv.Entries) != 1 || sv.Entries[0].Image.PublicID != a.PublicID {
			t.Fatalf("shared view %+v: want only the published image", sv)
		}

		// Marks: bounded, only on images shown, and the owner sees them.
		_, err = e.svc.Mark(ctx, token, a.PublicID, "maybe", "")
		wantCode(t, err, app.EInvalid)
		_, err = e.svc.Mark(ctx, token, a.PublicID, "approved", strings.Repeat("x", app.ClientCommentMax+1))
		wantCode(t, err, app.EInvalid)
		for _, id := range []string{hidden.PublicID, outside.PublicID} {
			_, err = e.svc.Mark(ctx, token, id, "approved", "")
			wantCode(t, err, app.ENotFound)
		}
		if _, err := e.svc.Mark(ctx, token, a.PublicID, "approved", strings.Repeat("é", app.ClientCommentMax)); err != nil {
			t.Fatalf("a %d-character comment: %v", app.ClientCommentMax, err)
		}
		if _, err := e.svc.Mark(ctx, token, a.PublicID, "rejected", " Too dark for the cover. "); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.Get(ctx, e.owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		if it := v.Entries[0].Item; it.ClientMark != app.MarkRejected || it.ClientComment != "Too dark for the cover." || it.MarkedAt == nil || v.Marked != 1 || v.Approved != 0 {
			t.Fatalf("owner sees %+v (marked %d, approved %d)", it, v.Marked, v.Approved)
		}

		// A new link replaces the old one; revoking ends it. Every dead
		// token answers exactly as one that never existed.
		newer, err := e.svc.Share(ctx, e.owner, b.PublicID)
		if err != nil || newer == token {
			t.Fatalf("new link %q %v", newer, err)
		}
		if _, err := e.svc.SharedView(ctx, newer); err != nil {
			t.Fatal(err)
		}
		never := app.RandomToken(20)
		for name, tok := range map[string]string{"replaced": token, "never issued": never, "empty": "", "huge": strings.Repeat("a", 5000)} {
			_, err := e.svc.SharedView(ctx, tok)
			if app.ErrorCode(err) != app.ENotFound || app.ErrorMessage(err) != "No such lightbox." {
				t.Errorf("%s token: %v", name, err)
			}
			_, err = e.svc.Mark(ctx, tok, a.PublicID, "approved", "")
			wantCode(t, err, app.ENotFound)
		}
		if err := e.svc.Revoke(ctx, e.owner, b.PublicID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SharedView(ctx, newer)
		if app.ErrorCode(err) != app.ENotFound || app.ErrorMessage(err) != "No such lightbox." {
			t.Errorf("revoked token: %v", err)
		}
		if err := e.svc.Revoke(ctx, e.owner, b.PublicID); err != nil {
			t.Errorf("revoking twice: %v", err)
		}
		// The marks stay with the owner.
		if v, _ := e.svc.Get(ctx, e.owner, b.PublicID); v.Entries[0].Item.ClientMark != app.MarkRejected {
			t.Error("revoking the link lost the client's marks")
		}
	})
}

func TestSuspendedOwnersLinkIsGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		b := e.box(t, e.owner, "Box", e.image(t, e.contrib, app.StatusApproved, 0))
		token, err := e.svc.Share(ctx, e.owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		e.owner.Status = app.UserSuspended
		if err := db.SaveUserAccess(ctx, e.owner); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SharedView(ctx, token)
		wantCode(t, err, app.ENotFound)
	})
}

func TestAddApprovedToCart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, lightbox.Options{})
		ctx := context.Background()
		// The owner is a contributor here, so that one of the approved
		// images is their own.
		owner := e.contrib
		other := storetest.User(t, db, "otto", app.RoleContributor)
		approved := e.image(t, other, app.StatusApproved, 0)
		approved2 := e.image(t, other, app.StatusApproved, 450)
		held := e.image(t, other, app.StatusApproved, 0)
		mine := e.image(t, owner, app.StatusApproved, 0)
		rejected := e.image(t, other, app.StatusApproved, 0)
		unmarked := e.image(t, other, app.StatusApproved, 0)
		takenDown := e.image(t, other, app.StatusApproved, 0)
		b := e.box(t, owner, "Campaign", approved, approved2, held, mine, rejected, unmarked, takenDown)

		_, err := e.svc.AddApprovedToCart(ctx, owner, b.PublicID)
		wantCode(t, err, app.EConflict) // nothing approved yet

		token, err := e.svc.Share(ctx, owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		for img, mark := range map[*app.Image]string{approved: "approved", approved2: "approved", held: "approved", mine: "approved", rejected: "rejected", takenDown: "approved"} {
			if _, err := e.svc.Mark(ctx, token, img.PublicID, mark, ""); err != nil {
				t.Fatal(err)
			}
		}
		e.setStatus(t, takenDown, app.StatusRemoved)
		e.buy(t, owner, held)

		res, err := e.svc.AddApprovedToCart(ctx, owner, b.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		var added, skipped []string
		for _, img := range res.Added {
			added = append(added, img.PublicID)
		}
		for _, s := range res.Skipped {
			skipped = append(skipped, s.Image.PublicID)
			if s.Reason == "" {
				t.Errorf("%s skipped without a reason", s.Image.Title)
			}
		}
		if !slices.Equal(added, []string{approved.PublicID, approved2.PublicID}) || !slices.Equal(skipped, []string{held.PublicID, mine.PublicID}) {
			t.Fatalf("added %v, skipped %v", added, skipped)
		}
		cart, err := e.commerce.Cart(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		var inCart []string
		for _, l := range cart.Lines {
			if l.License != app.LicenseStandard {
				t.Errorf("%s in the cart at %s", l.Image.Title, l.License)
			}
			inCart = append(inCart, l.Image.PublicID)
		}
		slices.Sort(inCart)
		want := []string{approved.PublicID, approved2.PublicID}
		slices.Sort(want)
		if !slices.Equal(inCart, want) || cart.TotalCents != 750 {
			t.Fatalf("cart %v (total %d), want exactly the approved images for 750", inCart, cart.TotalCents)
		}
		// Again: the cart does not grow.
		if _, err := e.svc.AddApprovedToCart(ctx, owner, b.PublicID); err != nil {
			t.Fatal(err)
		}
		if cart, _ := e.commerce.Cart(ctx, owner); len(cart.Lines) != 2 {
			t.Errorf("cart has %d lines after adding twice", len(cart.Lines))
		}
	})
}

// buy gives u a standard licence for img, paid from a topped-up wallet.
func (e *env) buy(t *testing.T, u *app.User, img *app.Image) {
	t.Helper()
	ctx := context.Background()
	r, err := e.commerce.TopUp(ctx, u, "topup-"+app.RandomToken(6), "10")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.commerce.SandboxPay(ctx, u, r.Order.ProviderSession, commerce.SandboxCardApproved); err != nil {
		t.Fatal(err)
	}
	req := commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: img.PublicID, License: app.LicenseStandard}}}
	if _, err := e.commerce.CreateOrder(ctx, u, "buy-"+app.RandomToken(6), req); err != nil {
		t.Fatal(err)
	}
}
