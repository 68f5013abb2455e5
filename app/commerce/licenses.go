package commerce

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/store"
)

// HeldLicense is a licence with what its holder needs to use it.
type HeldLicense struct {
	License     app.License
	Image       *app.Image // nil if the image row is gone
	DownloadURL string     // signed, valid for DownloadTTL
}

// Licenses returns a buyer's licences, newest first, each with a fresh
// download link (valid ones only).
func (s *Service) Licenses(ctx context.Context, buyer *app.User, limit, offset int) ([]HeldLicense, error) {
	lics, err := s.db.ListLicenses(ctx, store.LicenseFilter{BuyerID: buyer.ID, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	return s.withImages(ctx, lics)
}

// OrderLicenses returns the licences an order issued.
func (s *Service) OrderLicenses(ctx context.Context, o *app.Order) ([]HeldLicense, error) {
	lics, err := s.db.ListLicenses(ctx, store.LicenseFilter{BuyerID: o.BuyerID, OrderID: o.ID})
	if err != nil {
		return nil, err
	}
	return s.withImages(ctx, lics)
}

func (s *Service) withImages(ctx context.Context, lics []app.License) ([]HeldLicense, error) {
	ids := make([]int64, len(lics))
	for i, l := range lics {
		ids[i] = l.ImageID
	}
	byID, err := s.Images(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.held(lics, byID), nil
}

// held pairs licences with their images and, for valid ones, download links.
func (s *Service) held(lics []app.License, byID map[int64]*app.Image) []HeldLicense {
	out := make([]HeldLicense, len(lics))
	for i, l := range lics {
		out[i] = HeldLicense{License: l, Image: byID[l.ImageID]}
		if l.Valid() {
			out[i].DownloadURL = s.DownloadURL(&l)
		}
	}
	return out
}

// DownloadURL returns a signed link to a licence's original, as a path on
// this server (the web layer makes it absolute for API clients, from the
// address they called).
func (s *Service) DownloadURL(l *app.License) string {
	exp, sig := s.o.Signer.Sign(l.Code, l.BuyerID, time.Now().Add(s.o.DownloadTTL))
	return "/downloads/" + url.PathEscape(l.Code) + "?expires=" + exp + "&sig=" + sig
}

// Verification is what the public licence page shows.
type Verification struct {
	License app.License
	Image   *app.Image
	Buyer   *app.User
}

// Verify returns a licence by code for the public verification page: who
// licensed which image, at which tier, when, and whether it still holds.
func (s *Service) Verify(ctx context.Context, code string) (*Verification, error) {
	norm := NormalizeLicenseCode(code)
	if norm == "" {
		return nil, app.Errorf(app.ENotFound, "No licence with that code.")
	}
	l, err := s.db.LicenseByCode(ctx, norm)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return nil, app.Errorf(app.ENotFound, "No licence with that code.")
		}
		return nil, err
	}
	img, err := s.db.ImageByID(ctx, l.ImageID)
	if err != nil {
		return nil, err
	}
	buyer, err := s.db.UserByID(ctx, l.BuyerID)
	if err != nil {
		return nil, err
	}
	return &Verification{License: *l, Image: img, Buyer: buyer}, nil
}

// Download is an original on its way to its licensee.
type Download struct {
	License app.License
	Image   *app.Image
	Buyer   *app.User
}

// AuthorizeDownload checks a download link for the user following it: the
// signature (forged → EForbidden), the expiry (→ EGone), that the user is
// the licensee (→ EForbidden) and that the licence still holds (→ EGone).
// Nothing about the licence is revealed before the signature verifies.
func (s *Service) AuthorizeDownload(ctx context.Context, user *app.User, code, exp, sig string) (*Download, error) {
	forged := app.Errorf(app.EForbidden, "This download link is not valid.")
	l, err := s.db.LicenseByCode(ctx, code)
	if app.ErrorCode(err) == app.ENotFound {
		return nil, forged
	}
	if err != nil {
		return nil, err
	}
	switch err := s.o.Signer.Check(l.Code, l.BuyerID, exp, sig, time.Now()); {
	case errors.Is(err, ErrLinkForged):
		return nil, forged
	case errors.Is(err, ErrLinkExpired):
		return nil, app.Errorf(app.EGone, "This download link has expired. Download again from your licences page for a fresh one.")
	}
	if user == nil || user.ID != l.BuyerID {
		return nil, app.Errorf(app.EForbidden, "This download link belongs to another account.")
	}
	if !l.Valid() {
		return nil, app.Errorf(app.EGone, "This licence was refunded and no longer holds.")
	}
	img, err := s.db.ImageByID(ctx, l.ImageID)
	if err != nil {
		return nil, fmt.Errorf("load licensed image: %w", err)
	}
	return &Download{License: *l, Image: img, Buyer: user}, nil
}

// Cart returns a buyer's cart, priced, with lines already licensed or no
// longer for sale flagged (and left out of the total).
func (s *Service) Cart(ctx context.Context, buyer *app.User) (*Quote, error) {
	items, err := s.db.Cart(ctx, buyer.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ImageID
	}
	imgs, err := s.Images(ctx, ids)
	if err != nil {
		return nil, err
	}
	lines := make([]pricedLine, 0, len(items))
	for _, it := range items {
		if img := imgs[it.ImageID]; img != nil {
			lines = append(lines, pricedLine{img, it.License})
		}
	}
	return s.price(ctx, buyer, lines, s.policy(ctx).Prices)
}

// AddToCart adds an image × licence to a buyer's cart. Own images and
// images not for sale are refused; a line already there is left as it is.
func (s *Service) AddToCart(ctx context.Context, buyer *app.User, line Line) error {
	q, err := s.quote(ctx, buyer, []Line{line}, s.policy(ctx).Prices)
	if err != nil {
		return err
	}
	l := q.Lines[0]
	if l.Problem != "" {
		return app.Errorf(app.EConflict, "%s", l.Problem)
	}
	return s.db.AddToCart(ctx, app.CartItem{BuyerID: buyer.ID, ImageID: l.Image.ID, License: l.License})
}

// AddImagesToCart puts images already read into a buyer's cart at one
// licence, all at once. Each comes back as a quote line: added when it has
// no Problem and is not Held, else left out for that reason.
func (s *Service) AddImagesToCart(ctx context.Context, buyer *app.User, imgs []*app.Image, tier app.LicenseTier) ([]QuoteLine, error) {
	lines := make([]pricedLine, len(imgs))
	for i, img := range imgs {
		lines[i] = pricedLine{img, tier}
	}
	q, err := s.price(ctx, buyer, lines, s.policy(ctx).Prices)
	if err != nil {
		return nil, err
	}
	var items []app.CartItem
	for _, l := range q.Lines {
		if l.Problem == "" && !l.Held {
			items = append(items, app.CartItem{BuyerID: buyer.ID, ImageID: l.Image.ID, License: l.License})
		}
	}
	return q.Lines, s.db.AddToCart(ctx, items...)
}

// RemoveFromCart removes an image × licence from a buyer's cart.
func (s *Service) RemoveFromCart(ctx context.Context, buyer *app.User, line Line) error {
	tier, ok := app.ParseLicenseTier(string(line.License))
	if !ok {
		return app.Invalid(map[string]string{"license": "Unknown licence."})
	}
	img, err := s.db.ImageByPublicID(ctx, line.ImageID)
	if err != nil {
		return err
	}
	return s.db.RemoveFromCart(ctx, buyer.ID, img.ID, tier)
}

// CheckoutCart orders every buyable line of the cart in one payment. Lines
// already licensed or no longer for sale are skipped (the cart page shows
// why).
func (s *Service) CheckoutCart(ctx context.Context, buyer *app.User, key string, pay app.PaymentMethod) (*OrderResult, error) {
	q, err := s.Cart(ctx, buyer)
	if err != nil {
		return nil, err
	}
	req := OrderRequest{Payment: pay}
	for _, l := range q.Buyable() {
		req.Items = append(req.Items, Line{ImageID: l.Image.PublicID, License: l.License})
	}
	if len(req.Items) == 0 {
		// A replayed checkout finds the cart emptied by its first run.
		if o, err := s.db.OrderByKey(ctx, buyer.ID, key); err == nil {
			return &OrderResult{Order: o, Replayed: true}, nil
		}
		return nil, app.Invalid(map[string]string{"items": "Your cart has nothing to buy."})
	}
	return s.CreateOrder(ctx, buyer, key, req)
}

// Wallet is a buyer's balance and its movements.
type Wallet struct {
	BalanceCents int64
	Entries      []app.LedgerEntry
}

// Wallet returns a buyer's wallet.
func (s *Service) Wallet(ctx context.Context, buyer *app.User, limit, offset int) (*Wallet, error) {
	b, err := s.ledger.WalletBalance(ctx, buyer.ID)
	if err != nil {
		return nil, err
	}
	es, err := s.ledger.WalletEntries(ctx, buyer.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	return &Wallet{BalanceCents: b, Entries: es}, nil
}

// Earnings are a contributor's balances and sale lines.
type Earnings struct {
	ledger.Earnings
	Sales   []store.SaleLine
	Payouts []app.Payout
	// CanRequest says whether the balance reaches the payout threshold
	// with no request open.
	CanRequest bool
}

// Earnings returns a contributor's earnings; limit 0 means every sale line.
func (s *Service) Earnings(ctx context.Context, contributor *app.User, limit, offset int) (*Earnings, error) {
	e, err := s.ledger.ContributorEarnings(ctx, contributor.ID)
	if err != nil {
		return nil, err
	}
	sales, err := s.db.SaleLines(ctx, contributor.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	payouts, err := s.db.ListPayouts(ctx, contributor.ID, "", 20)
	if err != nil {
		return nil, err
	}
	out := &Earnings{Earnings: e, Sales: sales, Payouts: payouts}
	out.CanRequest = e.BalanceCents >= s.policy(ctx).PayoutMinCents && e.PendingCents == 0
	return out, nil
}

// RequestPayout asks for the contributor's whole balance to be paid out,
// once it reaches the threshold; one request may be open at a time.
func (s *Service) RequestPayout(ctx context.Context, contributor *app.User) (*app.Payout, error) {
	// Read before the transaction: the policy source may query the
	// database itself, and must not do so on the transaction's connection.
	threshold := s.policy(ctx).PayoutMinCents
	var p *app.Payout
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		e, err := s.ledger.ContributorEarnings(ctx, contributor.ID)
		if err != nil {
			return err
		}
		if e.BalanceCents < threshold {
			return app.Errorf(app.EConflict, "Payouts start at %s; your balance is %s.", app.Dollars(threshold), app.Dollars(e.BalanceCents))
		}
		p = &app.Payout{ContributorID: contributor.ID, AmountCents: e.BalanceCents, Status: app.PayoutRequested}
		if err := s.db.CreatePayout(ctx, p); err != nil {
			if app.ErrorCode(err) == app.EConflict {
				return app.Errorf(app.EConflict, "You already have a payout request open.")
			}
			return err
		}
		return s.ledger.RequestPayout(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// MarkPayoutPaid records that an admin paid a requested payout.
func (s *Service) MarkPayoutPaid(ctx context.Context, admin *app.User, payoutID string) (*app.Payout, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.EForbidden, "Only admins may mark payouts paid.")
	}
	var p *app.Payout
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.db.PayoutByPublicID(ctx, payoutID); err != nil {
			return err
		}
		moved, err := s.db.MarkPayoutPaid(ctx, p.ID)
		if err != nil {
			return err
		}
		if !moved {
			return app.Errorf(app.EConflict, "This payout is already paid.")
		}
		p.Status = app.PayoutPaid
		return s.ledger.PayoutPaid(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// PayoutLine is a payout with its contributor, for admins.
type PayoutLine struct {
	app.Payout
	Contributor *app.User
}

// Payouts lists payouts in a status, for admins.
func (s *Service) Payouts(ctx context.Context, status app.PayoutStatus) ([]PayoutLine, error) {
	ps, err := s.db.ListPayouts(ctx, 0, status, 200)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ContributorID
	}
	users, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PayoutLine, len(ps))
	for i, p := range ps {
		out[i] = PayoutLine{Payout: p, Contributor: users[p.ContributorID]}
	}
	return out, nil
}

// Images returns images by internal ID, whatever their status: an order
// shows what was bought even after a takedown.
func (s *Service) Images(ctx context.Context, ids []int64) (map[int64]*app.Image, error) {
	imgs, err := s.db.ImagesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*app.Image, len(imgs))
	for i := range imgs {
		out[imgs[i].ID] = &imgs[i]
	}
	return out, nil
}

// Offer is one licence of an image as a viewer may buy it.
type Offer struct {
	Tier  app.LicenseTier
	Price int64
	Held  bool // the viewer already holds it
}

// Offers returns the licences of an image with their prices, flagging those
// the viewer (nil: signed out) already holds.
func (s *Service) Offers(ctx context.Context, viewer *app.User, img *app.Image) ([]Offer, error) {
	var held map[int64][]app.LicenseTier
	if viewer != nil {
		var err error
		if held, err = s.db.HeldLicenses(ctx, viewer.ID, []int64{img.ID}); err != nil {
			return nil, err
		}
	}
	prices := s.policy(ctx).Prices
	out := make([]Offer, 0, 2)
	for _, t := range app.LicenseTiers() {
		out = append(out, Offer{Tier: t, Price: prices.Price(img, t), Held: slices.Contains(held[img.ID], t)})
	}
	return out, nil
}
