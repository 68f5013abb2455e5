package commerce

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/store"
)

// Options configure the Service.
type Options struct {
	Prices         app.Prices
	DefaultShareBP int64         // contributors' share of a sale without their own; 0 means 6000 (60 %)
	PayoutMinCents int64         // the balance a contributor needs to request a payout; 0 means $25
	CardFee        Fee           // what the card processor charges a payment; zero means 2.9 % + 30¢
	Packs          []Pack        // wallet top-ups on offer; nil means DefaultPacks
	DownloadTTL    time.Duration // how long a download link works; 0 means 10 minutes
	Provider       Provider      // card payments
	Signer         *Signer       // download links
	BaseURL        string        // absolute links in API answers and checkout return URLs
	Logger         *slog.Logger

	// Policy, when set, is the run-time policy admins may change: its
	// non-zero prices, share and payout threshold take over from Prices,
	// DefaultShareBP and PayoutMinCents, which stay the defaults. It is
	// called once per operation, so it should be cheap (cached).
	Policy func(context.Context) app.Policy
}

// Fee is a card processor's price: a percentage (in basis points) plus a
// fixed amount per charge.
type Fee struct {
	BP    int64
	Fixed int64
}

// Of returns the fee on a charge of amount, rounded half up to the cent.
func (f Fee) Of(amount int64) int64 { return (amount*f.BP+5_000)/10_000 + f.Fixed }

// Pack is a wallet top-up on offer: pay PriceCents once by card, receive
// PriceCents+BonusCents to spend. One card fee per top-up instead of one per
// image is what makes $1–5 images affordable.
type Pack struct {
	ID         string
	PriceCents int64
	BonusCents int64
}

// DefaultPacks are $10, $25 (+$2.50) and $50 (+$7.50).
func DefaultPacks() []Pack {
	return []Pack{{"10", 1000, 0}, {"25", 2500, 250}, {"50", 5000, 750}}
}

// Service sells licences and wallet top-ups.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	o      Options
	log    *slog.Logger
}

// NewService returns the commerce service.
func NewService(db *store.DB, l *ledger.Ledger, o Options) (*Service, error) {
	if o.Provider == nil || o.Signer == nil {
		return nil, errors.New("commerce: a payment provider and a link signer are required")
	}
	if o.Prices.StandardCents <= 0 || o.Prices.ExtendedCents < o.Prices.StandardCents {
		return nil, fmt.Errorf("commerce: bad default prices %+v", o.Prices)
	}
	o.DefaultShareBP = cmp.Or(o.DefaultShareBP, 6000)
	o.PayoutMinCents = cmp.Or(o.PayoutMinCents, 2500)
	if o.CardFee == (Fee{}) {
		o.CardFee = Fee{BP: 290, Fixed: 30}
	}
	if o.Packs == nil {
		o.Packs = DefaultPacks()
	}
	o.DownloadTTL = cmp.Or(o.DownloadTTL, 10*time.Minute)
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, ledger: l, o: o, log: o.Logger}, nil
}

// policy returns the policy in force: the configured values with the
// run-time policy's fields over them. A zero (or nonsensical negative) field
// means "the configured default", so a policy stored before a field existed,
// or a partial one, never prices anything at zero. Operations read it once
// and pass it down, so that one order is priced and split under one policy
// even if an admin changes it meanwhile.
func (s *Service) policy(ctx context.Context) app.Policy {
	p := app.Policy{Prices: s.o.Prices, ShareBP: s.o.DefaultShareBP, PayoutMinCents: s.o.PayoutMinCents}
	if s.o.Policy == nil {
		return p
	}
	rt := s.o.Policy(ctx)
	over := func(dst *int64, v int64) {
		if v > 0 {
			*dst = v
		}
	}
	over(&p.Prices.StandardCents, rt.Prices.StandardCents)
	over(&p.Prices.ExtendedCents, rt.Prices.ExtendedCents)
	over(&p.Prices.MinCents, rt.Prices.MinCents)
	over(&p.Prices.MaxCents, rt.Prices.MaxCents)
	over(&p.ShareBP, rt.ShareBP)
	over(&p.PayoutMinCents, rt.PayoutMinCents)
	return p
}

// Prices returns the platform's prices in force.
func (s *Service) Prices(ctx context.Context) app.Prices { return s.policy(ctx).Prices }

// Packs returns the wallet top-ups on offer.
func (s *Service) Packs() []Pack { return slices.Clone(s.o.Packs) }

// PayoutMinCents is the balance a contributor needs to request a payout now.
func (s *Service) PayoutMinCents(ctx context.Context) int64 { return s.policy(ctx).PayoutMinCents }

// Ledger returns the books the service posts to.
func (s *Service) Ledger() *ledger.Ledger { return s.ledger }

// Line is an image × licence a buyer asks for.
type Line struct {
	ImageID string          `json:"image_id"` // the image's public ID
	License app.LicenseTier `json:"license"`
}

// QuoteLine is a line priced and checked.
type QuoteLine struct {
	Image   *app.Image
	License app.LicenseTier
	Price   int64
	Held    bool   // the buyer already holds this licence: not charged again
	Problem string // why it cannot be bought ("" when it can)
}

// Quote is a priced list of lines.
type Quote struct {
	Lines      []QuoteLine
	TotalCents int64 // of the lines that can be bought and are not held
}

// Buyable returns the lines that will be charged.
func (q *Quote) Buyable() []QuoteLine {
	var out []QuoteLine
	for _, l := range q.Lines {
		if l.Problem == "" && !l.Held {
			out = append(out, l)
		}
	}
	return out
}

// maxLines bounds one order.
const maxLines = 100

// quote prices lines for buyer, flagging those already held and those that
// cannot be bought (own images, images not on sale). Unknown images and
// tiers are errors: the request is wrong, not the catalogue. The images are
// read in one query, however many lines there are. Prices come from prices.
func (s *Service) quote(ctx context.Context, buyer *app.User, lines []Line, prices app.Prices) (*Quote, error) {
	if len(lines) > maxLines {
		return nil, app.Invalid(map[string]string{"items": fmt.Sprintf("An order holds at most %d items.", maxLines)})
	}
	publicIDs := make([]string, len(lines))
	for i, l := range lines {
		publicIDs[i] = strings.TrimSpace(l.ImageID)
	}
	imgs, err := s.db.ImagesByPublicIDs(ctx, publicIDs)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*app.Image, len(imgs))
	for i := range imgs {
		byID[imgs[i].PublicID] = &imgs[i]
	}
	priced := make([]pricedLine, 0, len(lines))
	for i, l := range lines {
		tier, ok := app.ParseLicenseTier(string(l.License))
		if !ok {
			return nil, app.Invalid(map[string]string{fmt.Sprintf("items[%d].license", i): fmt.Sprintf("Unknown licence %q: choose standard or extended.", l.License)})
		}
		img := byID[publicIDs[i]]
		if img == nil {
			return nil, app.Invalid(map[string]string{fmt.Sprintf("items[%d].image_id", i): fmt.Sprintf("No image %q.", l.ImageID)})
		}
		priced = append(priced, pricedLine{img, tier})
	}
	return s.price(ctx, buyer, priced, prices)
}

// pricedLine is a line whose image has been read.
type pricedLine struct {
	image *app.Image
	tier  app.LicenseTier
}

// price turns lines into a quote at prices: the same line twice is one line.
func (s *Service) price(ctx context.Context, buyer *app.User, lines []pricedLine, prices app.Prices) (*Quote, error) {
	q := &Quote{}
	seen := map[pricedLine]bool{}
	ids := make([]int64, 0, len(lines))
	for _, l := range lines {
		if seen[l] {
			continue
		}
		seen[l] = true
		ql := QuoteLine{Image: l.image, License: l.tier, Price: prices.Price(l.image, l.tier)}
		switch {
		case l.image.ContributorID == buyer.ID:
			ql.Problem = "This is your own image."
		case !l.image.Status.Public():
			ql.Problem = "This image is not for sale."
		}
		q.Lines = append(q.Lines, ql)
		ids = append(ids, l.image.ID)
	}
	held, err := s.db.HeldLicenses(ctx, buyer.ID, ids)
	if err != nil {
		return nil, err
	}
	for i := range q.Lines {
		l := &q.Lines[i]
		l.Held = slices.Contains(held[l.Image.ID], l.License)
		if l.Problem == "" && !l.Held {
			q.TotalCents += l.Price
		}
	}
	return q, nil
}

// OrderRequest is what POST /api/v1/orders carries.
type OrderRequest struct {
	Items   []Line            `json:"items"`
	Payment app.PaymentMethod `json:"payment"`
}

// hash fingerprints a request, so that a key reused for a different
// request is told apart from a replay.
func (r OrderRequest) hash(kind app.OrderKind) string {
	lines := make([]string, len(r.Items))
	for i, l := range r.Items {
		lines[i] = strings.TrimSpace(l.ImageID) + "/" + strings.ToLower(strings.TrimSpace(string(l.License)))
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(string(kind) + "|" + string(r.Payment) + "|" + strings.Join(lines, ",")))
	return hex.EncodeToString(sum[:])
}

// OrderResult is a created (or replayed) order.
type OrderResult struct {
	Order    *app.Order
	Replayed bool // an earlier request with the same key made it; nothing new happened
}

var errKeyTaken = errors.New("commerce: idempotency key taken")

// checkKey validates an idempotency key.
func checkKey(key string) error {
	if key == "" {
		return app.Invalid(map[string]string{"Idempotency-Key": "A money-moving request needs an Idempotency-Key header: a unique value per order, reused only to retry it."})
	}
	if len(key) > 200 {
		return app.Invalid(map[string]string{"Idempotency-Key": "At most 200 characters."})
	}
	return nil
}

// replay answers a request whose key already made an order.
func replay(o *app.Order, hash string) (*OrderResult, error) {
	if o.RequestHash != hash {
		return nil, app.Errorf(app.EConflict, "This Idempotency-Key was already used for a different request.")
	}
	return &OrderResult{Order: o, Replayed: true}, nil
}

// CreateOrder buys licences. From the wallet the order is paid at once, in
// one database transaction with its licences and ledger entries; by card it
// is pending until the provider says it was paid. A key already used by
// this buyer returns the order it made, and moves no money.
func (s *Service) CreateOrder(ctx context.Context, buyer *app.User, key string, req OrderRequest) (*OrderResult, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	pay, ok := app.ParsePaymentMethod(string(req.Payment))
	if !ok {
		return nil, app.Invalid(map[string]string{"payment": `Choose "wallet" or "card".`})
	}
	req.Payment = pay
	hash := req.hash(app.OrderLicenses)
	if o, err := s.db.OrderByKey(ctx, buyer.ID, key); err == nil {
		return s.resume(ctx, o, hash)
	} else if app.ErrorCode(err) != app.ENotFound {
		return nil, err
	}
	pol := s.policy(ctx)
	q, err := s.checkedQuote(ctx, buyer, req.Items, pol.Prices)
	if err != nil {
		// A concurrent request with this key may have bought these very
		// lines since the look-up above: then this is its replay.
		if o, kerr := s.db.OrderByKey(ctx, buyer.ID, key); kerr == nil {
			return s.resume(ctx, o, hash)
		}
		return nil, err
	}
	o := &app.Order{
		BuyerID: buyer.ID, Kind: app.OrderLicenses, Status: app.OrderPending, Payment: pay,
		TotalCents: q.TotalCents, Currency: app.Currency, IdempotencyKey: key, RequestHash: hash,
	}
	items, err := s.items(ctx, q.Lines, pol.ShareBP)
	if err != nil {
		return nil, err
	}
	if pay == app.PayWallet {
		now := time.Now().UTC()
		o.Status, o.PaidAt = app.OrderPaid, &now
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateOrder(ctx, o, items); err != nil {
			if app.ErrorCode(err) == app.EConflict {
				return errKeyTaken
			}
			return err
		}
		if pay != app.PayWallet {
			return nil
		}
		return s.fulfil(ctx, o, items, false)
	})
	if errors.Is(err, errKeyTaken) {
		// A concurrent request with the same key won: answer with its order.
		existing, lerr := s.db.OrderByKey(ctx, buyer.ID, key)
		if lerr != nil {
			return nil, lerr
		}
		return s.resume(ctx, existing, hash)
	}
	if err != nil {
		return nil, err
	}
	if pay == app.PayCard {
		if err := s.openCheckout(ctx, o, items); err != nil {
			return nil, err
		}
	}
	s.log.InfoContext(ctx, "order created", "order", o.PublicID, "buyer", buyer.PublicID, "payment", pay, "status", o.Status, "total_cents", o.TotalCents, "items", len(items))
	return &OrderResult{Order: o}, nil
}

// checkedQuote prices an order's lines, refusing any that cannot be bought
// or are already held.
func (s *Service) checkedQuote(ctx context.Context, buyer *app.User, lines []Line, prices app.Prices) (*Quote, error) {
	if len(lines) == 0 {
		return nil, app.Invalid(map[string]string{"items": "The order is empty: add at least one image."})
	}
	q, err := s.quote(ctx, buyer, lines, prices)
	if err != nil {
		return nil, err
	}
	for _, l := range q.Lines {
		switch {
		case l.Problem != "":
			return nil, app.Errorf(app.EConflict, "%s cannot be bought: %s", title(l.Image), l.Problem)
		case l.Held:
			return nil, app.Errorf(app.EConflict, "You already hold a %s licence for %s.", l.License, title(l.Image))
		}
	}
	return q, nil
}

// resume answers a replayed request, opening the card checkout if a crash
// came between creating the order and opening it.
func (s *Service) resume(ctx context.Context, o *app.Order, hash string) (*OrderResult, error) {
	r, err := replay(o, hash)
	if err != nil {
		return nil, err
	}
	if o.Payment == app.PayCard && o.Status == app.OrderPending && o.CheckoutURL == "" {
		items, err := s.db.OrderItems(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		if err := s.openCheckout(ctx, o, items); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func title(img *app.Image) string {
	if img.Title == "" {
		return "Image " + img.PublicID
	}
	return fmt.Sprintf("%q", img.Title)
}

// items turns priced lines into order items with their splits; defaultShare
// is the share of contributors without their own.
func (s *Service) items(ctx context.Context, lines []QuoteLine, defaultShare int64) ([]app.OrderItem, error) {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.Image.ContributorID
	}
	contributors, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load contributors: %w", err)
	}
	out := make([]app.OrderItem, 0, len(lines))
	for _, l := range lines {
		share := cmp.Or(contributors[l.Image.ContributorID].ShareBP, defaultShare)
		c, p := app.SplitCents(l.Price, share)
		out = append(out, app.OrderItem{
			ImageID: l.Image.ID, ContributorID: l.Image.ContributorID, License: l.License,
			PriceCents: l.Price, ShareBP: share, ContributorCents: c, PlatformCents: p,
		})
	}
	return out, nil
}

// fulfil issues an order's licences, posts the sale and counts the sales,
// in the transaction in ctx. From the wallet, a licence the buyer already
// holds fails the whole order (nothing is charged). By card the money is
// already taken, so such an item's price is kept in the buyer's wallet.
func (s *Service) fulfil(ctx context.Context, o *app.Order, items []app.OrderItem, byCard bool) error {
	var sold []app.OrderItem
	var credit int64
	for _, it := range items {
		lic := &app.License{
			Code: NewLicenseCode(), OrderID: o.ID, OrderItemID: it.ID, BuyerID: o.BuyerID,
			ImageID: it.ImageID, Tier: it.License, PriceCents: it.PriceCents,
		}
		err := s.licenseSavepoint(ctx, lic)
		if app.ErrorCode(err) == app.EConflict {
			if !byCard {
				return app.Errorf(app.EConflict, "You already hold a %s licence for one of these images.", it.License)
			}
			credit += it.PriceCents
			continue
		}
		if err != nil {
			return err
		}
		sold = append(sold, it)
	}
	if err := s.ledger.Sale(ctx, o, sold, credit); err != nil {
		return err
	}
	sales := make(map[int64]int64, len(sold))
	for _, it := range sold {
		sales[it.ImageID]++
	}
	if err := s.db.AddSales(ctx, sales); err != nil {
		return err
	}
	for _, it := range sold {
		if err := s.db.RemoveFromCart(ctx, o.BuyerID, it.ImageID, it.License); err != nil {
			return err
		}
	}
	return nil
}

// licenseSavepoint creates a licence inside a savepoint, so that on
// PostgreSQL a conflict (already held) does not abort the transaction
// around it.
func (s *Service) licenseSavepoint(ctx context.Context, lic *app.License) error {
	return s.db.Savepoint(ctx, func(ctx context.Context) error { return s.db.CreateLicense(ctx, lic) })
}

// openCheckout asks the provider for a payment page for a pending card order.
func (s *Service) openCheckout(ctx context.Context, o *app.Order, items []app.OrderItem) error {
	req := CheckoutRequest{
		OrderID: o.PublicID, Currency: o.Currency, IdempotencyKey: "checkout-" + o.PublicID,
		SuccessURL: s.o.BaseURL + "/orders/" + o.PublicID,
		CancelURL:  s.o.BaseURL + "/orders/" + o.PublicID + "?cancelled=1",
	}
	if o.Kind == app.OrderTopUp {
		req.Description = "Snapshop wallet top-up"
		req.Lines = []CheckoutLine{{Name: "Wallet top-up " + app.Dollars(o.CreditCents), AmountCents: o.TotalCents, Quantity: 1}}
	} else {
		req.Description = "Snapshop licences"
		for _, it := range items {
			req.Lines = append(req.Lines, CheckoutLine{Name: it.License.Name() + " — image", AmountCents: it.PriceCents, Quantity: 1})
		}
	}
	co, err := s.o.Provider.CreateCheckout(ctx, req)
	if err != nil {
		return app.Unavailable(fmt.Errorf("open %s checkout for order %s: %w", s.o.Provider.Name(), o.PublicID, err))
	}
	if err := s.db.SetOrderCheckout(ctx, o.ID, s.o.Provider.Name(), co.SessionID, co.URL); err != nil {
		return err
	}
	o.Provider, o.ProviderSession, o.CheckoutURL = s.o.Provider.Name(), co.SessionID, co.URL
	return nil
}

// TopUp starts a wallet top-up: an order paid by card, credited to the
// wallet (with the pack's bonus) when the provider says it was paid.
func (s *Service) TopUp(ctx context.Context, buyer *app.User, key, packID string) (*OrderResult, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(s.o.Packs, func(p Pack) bool { return p.ID == packID })
	if i < 0 {
		return nil, app.Invalid(map[string]string{"pack": "Choose one of the top-up amounts on offer."})
	}
	pack := s.o.Packs[i]
	hash := OrderRequest{Payment: app.PayCard, Items: []Line{{ImageID: "pack-" + pack.ID}}}.hash(app.OrderTopUp)
	if o, err := s.db.OrderByKey(ctx, buyer.ID, key); err == nil {
		return s.resume(ctx, o, hash)
	} else if app.ErrorCode(err) != app.ENotFound {
		return nil, err
	}
	o := &app.Order{
		BuyerID: buyer.ID, Kind: app.OrderTopUp, Status: app.OrderPending, Payment: app.PayCard,
		TotalCents: pack.PriceCents, CreditCents: pack.PriceCents + pack.BonusCents, Currency: app.Currency,
		IdempotencyKey: key, RequestHash: hash,
	}
	if err := s.db.CreateOrder(ctx, o, nil); err != nil {
		if app.ErrorCode(err) == app.EConflict {
			existing, lerr := s.db.OrderByKey(ctx, buyer.ID, key)
			if lerr != nil {
				return nil, lerr
			}
			return s.resume(ctx, existing, hash)
		}
		return nil, err
	}
	if err := s.openCheckout(ctx, o, nil); err != nil {
		return nil, err
	}
	return &OrderResult{Order: o}, nil
}

// HandleEvent acts on a verified provider notification, at most once per
// event ID and at most once per order: a replayed, reordered or duplicated
// notification changes nothing. A payment whose amount or currency differs
// from the order's is refused (and logged), never credited.
func (s *Service) HandleEvent(ctx context.Context, provider string, ev Event) error {
	if ev.Type == EventIgnored {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		fresh, err := s.db.RecordPaymentEvent(ctx, provider, ev.ID, ev.OrderID, string(ev.Type))
		if err != nil || !fresh {
			return err
		}
		o, err := s.db.OrderForUpdate(ctx, ev.OrderID)
		if app.ErrorCode(err) == app.ENotFound {
			return app.Errorf(app.ENotFound, "No order %q.", ev.OrderID)
		}
		if err != nil {
			return err
		}
		if o.Provider != provider || (o.ProviderSession != "" && ev.SessionID != o.ProviderSession) {
			return app.Errorf(app.EInvalid, "The notification does not match the order's checkout.")
		}
		if o.Status != app.OrderPending {
			s.log.InfoContext(ctx, "payment event for a settled order ignored", "order", o.PublicID, "status", o.Status, "event", ev.ID, "type", ev.Type)
			return nil
		}
		switch ev.Type {
		case EventFailed:
			_, err := s.db.MoveOrder(ctx, o.ID, app.OrderPending, app.OrderFailed, 0)
			return err
		case EventPaid:
			if ev.AmountCents != o.TotalCents || !strings.EqualFold(ev.Currency, o.Currency) {
				s.log.ErrorContext(ctx, "payment amount does not match the order", "order", o.PublicID, "paid", ev.AmountCents, "currency", ev.Currency, "total", o.TotalCents)
				return app.Errorf(app.EInvalid, "The amount paid does not match the order.")
			}
			return s.settleCard(ctx, o)
		}
		return nil
	})
}

// settleCard marks a card order paid and delivers it, in the transaction in ctx.
func (s *Service) settleCard(ctx context.Context, o *app.Order) error {
	o.FeeCents = s.o.CardFee.Of(o.TotalCents)
	moved, err := s.db.MoveOrder(ctx, o.ID, app.OrderPending, app.OrderPaid, o.FeeCents)
	if err != nil || !moved {
		return err
	}
	o.Status = app.OrderPaid
	if o.Kind == app.OrderTopUp {
		return s.ledger.TopUp(ctx, o)
	}
	items, err := s.db.OrderItems(ctx, o.ID)
	if err != nil {
		return err
	}
	if err := s.db.SetItemFees(ctx, allocate(o.FeeCents, items)); err != nil {
		return err
	}
	return s.fulfil(ctx, o, items, true)
}

// allocate splits a fee over items in proportion to their prices; the
// rounding remainder goes to the last item, so the parts sum to the fee.
func allocate(fee int64, items []app.OrderItem) map[int64]int64 {
	out := make(map[int64]int64, len(items))
	var total, given int64
	for _, it := range items {
		total += it.PriceCents
	}
	for i, it := range items {
		part := fee * it.PriceCents / max(total, 1)
		if i == len(items)-1 {
			part = fee - given
		}
		out[it.ID] = part
		given += part
	}
	return out
}

// Order returns one of the buyer's orders (admins may see any) with its items.
func (s *Service) Order(ctx context.Context, viewer *app.User, publicID string) (*app.Order, []app.OrderItem, error) {
	o, err := s.db.OrderByPublicID(ctx, publicID)
	if err != nil {
		return nil, nil, err
	}
	if o.BuyerID != viewer.ID && !viewer.Can(app.RoleAdmin) {
		return nil, nil, app.Errorf(app.ENotFound, "No such order.")
	}
	items, err := s.db.OrderItems(ctx, o.ID)
	if err != nil {
		return nil, nil, err
	}
	return o, items, nil
}

// Orders returns a buyer's orders, newest first.
func (s *Service) Orders(ctx context.Context, buyer *app.User, limit, offset int) ([]app.Order, int64, error) {
	return s.db.ListOrders(ctx, store.OrderFilter{BuyerID: buyer.ID, Limit: limit, Offset: offset})
}

// Refund reverses a paid licence order (an admin's decision): a reversing
// ledger transaction, the licences revoked, the money back where it came
// from. Refunding twice is an EConflict.
func (s *Service) Refund(ctx context.Context, admin *app.User, orderID string) (*app.Order, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.EForbidden, "Only admins may refund orders.")
	}
	var out *app.Order
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, err := s.db.OrderForUpdate(ctx, orderID)
		if err != nil {
			return err
		}
		if o.Kind != app.OrderLicenses {
			return app.Errorf(app.EConflict, "Only licence orders can be refunded.")
		}
		moved, err := s.db.MoveOrder(ctx, o.ID, app.OrderPaid, app.OrderRefunded, 0)
		if err != nil {
			return err
		}
		if !moved {
			return app.Errorf(app.EConflict, "Only a paid order can be refunded; this one is %s.", o.Status)
		}
		o.Status = app.OrderRefunded
		lics, err := s.db.ListLicenses(ctx, store.LicenseFilter{BuyerID: o.BuyerID, OrderID: o.ID})
		if err != nil {
			return err
		}
		items, err := s.db.OrderItems(ctx, o.ID)
		if err != nil {
			return err
		}
		licensed := map[int64]bool{}
		for _, l := range lics {
			licensed[l.OrderItemID] = true
		}
		var sold []app.OrderItem
		for _, it := range items {
			if licensed[it.ID] {
				sold = append(sold, it)
			}
		}
		if err := s.ledger.Refund(ctx, o, sold); err != nil {
			return err
		}
		if err := s.db.RevokeOrderLicenses(ctx, o.ID); err != nil {
			return err
		}
		sales := make(map[int64]int64, len(sold))
		for _, it := range sold {
			sales[it.ImageID]--
		}
		if err := s.db.AddSales(ctx, sales); err != nil {
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "order refunded", "order", orderID, "admin", admin.PublicID)
	return out, nil
}
