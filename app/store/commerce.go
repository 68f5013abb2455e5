package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

// CreateOrder inserts an order with its items, filling IDs and timestamps.
// A buyer's idempotency key already used is an EConflict (the unique index
// decides, so concurrent replays cannot both insert).
func (db *DB) CreateOrder(ctx context.Context, o *app.Order, items []app.OrderItem) error {
	now := time.Now().UTC()
	if o.PublicID == "" {
		o.PublicID = app.NewPublicID()
	}
	o.CreatedAt, o.UpdatedAt = now, now
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Create(o).Error; err != nil {
			return fmt.Errorf("create order: %w", translate(err))
		}
		for i := range items {
			items[i].OrderID = o.ID
			items[i].CreatedAt = now
		}
		if len(items) > 0 {
			if err := db.conn(ctx).Create(&items).Error; err != nil {
				return fmt.Errorf("create order items: %w", translate(err))
			}
		}
		return nil
	})
}

// OrderByKey returns a buyer's order made with an idempotency key.
func (db *DB) OrderByKey(ctx context.Context, buyerID int64, key string) (*app.Order, error) {
	return takeOne[app.Order](db.conn(ctx), "order", "buyer_id = ? AND idempotency_key = ?", buyerID, key)
}

// OrderByPublicID returns an order.
func (db *DB) OrderByPublicID(ctx context.Context, publicID string) (*app.Order, error) {
	return takeOne[app.Order](db.conn(ctx), "order", "public_id = ?", publicID)
}

// OrderForUpdate returns an order and, on PostgreSQL, locks it until the
// transaction in ctx ends.
func (db *DB) OrderForUpdate(ctx context.Context, publicID string) (*app.Order, error) {
	return takeOne[app.Order](db.forUpdate(db.conn(ctx)), "order", "public_id = ?", publicID)
}

// OrderItems returns an order's items in the order they were added.
func (db *DB) OrderItems(ctx context.Context, orderID int64) ([]app.OrderItem, error) {
	var out []app.OrderItem
	if err := db.conn(ctx).Where("order_id = ?", orderID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load order items: %w", translate(err))
	}
	return out, nil
}

// SetOrderCheckout records the card checkout opened for a pending order.
func (db *DB) SetOrderCheckout(ctx context.Context, orderID int64, provider, session, url string) error {
	err := db.conn(ctx).Model(&app.Order{}).Where("id = ?", orderID).Updates(map[string]any{
		"provider": provider, "provider_session": session, "checkout_url": url, "updated_at": time.Now().UTC(),
	}).Error
	if err != nil {
		return fmt.Errorf("record checkout: %w", translate(err))
	}
	return nil
}

// MoveOrder changes an order's status from one to another, returning false
// (and changing nothing) when it is no longer in the from status: the
// compare-and-set that makes settling an order happen once.
func (db *DB) MoveOrder(ctx context.Context, orderID int64, from, to app.OrderStatus, feeCents int64) (bool, error) {
	now := time.Now().UTC()
	set := map[string]any{"status": to, "updated_at": now}
	if to == app.OrderPaid {
		set["paid_at"] = now
		set["fee_cents"] = feeCents
	}
	res := db.conn(ctx).Model(&app.Order{}).Where("id = ? AND status = ?", orderID, from).Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("move order to %s: %w", to, translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// SetItemFees records each item's part of a card fee, item ID → cents.
func (db *DB) SetItemFees(ctx context.Context, fees map[int64]int64) error {
	ids := slices.Sorted(maps.Keys(fees))
	for chunk := range slices.Chunk(ids, idsPerStatement) {
		byID, args := caseByID(chunk, fees)
		if err := db.conn(ctx).Exec("UPDATE order_items SET fee_cents = "+byID+" WHERE id IN ?", append(args, chunk)...).Error; err != nil {
			return fmt.Errorf("record item fees: %w", translate(err))
		}
	}
	return nil
}

// OrderFilter narrows ListOrders.
type OrderFilter struct {
	BuyerID       int64             // 0: any
	Kind          app.OrderKind     // "": any
	Statuses      []app.OrderStatus // empty: any
	Limit, Offset int
}

// ListOrders returns orders, newest first, and how many match.
func (db *DB) ListOrders(ctx context.Context, f OrderFilter) ([]app.Order, int64, error) {
	q := db.conn(ctx).Model(&app.Order{})
	if f.BuyerID != 0 {
		q = q.Where("buyer_id = ?", f.BuyerID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count orders: %w", translate(err))
	}
	var out []app.Order
	if err := q.Order("created_at DESC, id DESC").Limit(max(f.Limit, 1)).Offset(f.Offset).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list orders: %w", translate(err))
	}
	return out, total, nil
}

// OrdersByIDs returns the orders with the given internal IDs, in no
// particular order (missing ones are simply absent).
func (db *DB) OrdersByIDs(ctx context.Context, ids []int64) ([]app.Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []app.Order
	if err := db.conn(ctx).Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load orders: %w", translate(err))
	}
	return out, nil
}

// CreateLicense inserts a licence. A valid licence the buyer already holds
// for that image and tier is an EConflict: the partial unique index decides.
func (db *DB) CreateLicense(ctx context.Context, l *app.License) error {
	l.CreatedAt = time.Now().UTC()
	if err := db.conn(ctx).Create(l).Error; err != nil {
		return fmt.Errorf("create licence: %w", translate(err))
	}
	return nil
}

// LicenseByCode returns a licence by its code.
func (db *DB) LicenseByCode(ctx context.Context, code string) (*app.License, error) {
	return takeOne[app.License](db.conn(ctx), "licence", "code = ?", code)
}

// HeldLicenses returns which of the given images the buyer holds a valid
// licence for, at which tiers.
func (db *DB) HeldLicenses(ctx context.Context, buyerID int64, imageIDs []int64) (map[int64][]app.LicenseTier, error) {
	out := map[int64][]app.LicenseTier{}
	if len(imageIDs) == 0 || buyerID == 0 {
		return out, nil
	}
	var rows []struct {
		ImageID int64
		Tier    app.LicenseTier
	}
	err := db.conn(ctx).Model(&app.License{}).Select("image_id, tier").
		Where("buyer_id = ? AND image_id IN ? AND revoked_at IS NULL", buyerID, imageIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load held licences: %w", translate(err))
	}
	for _, r := range rows {
		out[r.ImageID] = append(out[r.ImageID], r.Tier)
	}
	return out, nil
}

// LicenseFilter narrows ListLicenses.
type LicenseFilter struct {
	BuyerID       int64
	OrderID       int64 // 0: any
	Limit, Offset int
}

// ListLicenses returns licences, newest first.
func (db *DB) ListLicenses(ctx context.Context, f LicenseFilter) ([]app.License, error) {
	q := db.conn(ctx).Where("buyer_id = ?", f.BuyerID)
	if f.OrderID != 0 {
		q = q.Where("order_id = ?", f.OrderID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []app.License
	if err := q.Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list licences: %w", translate(err))
	}
	return out, nil
}

// RevokeOrderLicenses revokes every valid licence of an order.
func (db *DB) RevokeOrderLicenses(ctx context.Context, orderID int64) error {
	err := db.conn(ctx).Model(&app.License{}).Where("order_id = ? AND revoked_at IS NULL", orderID).
		Update("revoked_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("revoke licences: %w", translate(err))
	}
	return nil
}

// Cart returns a buyer's cart, oldest line first.
func (db *DB) Cart(ctx context.Context, buyerID int64) ([]app.CartItem, error) {
	var out []app.CartItem
	if err := db.conn(ctx).Where("buyer_id = ?", buyerID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load cart: %w", translate(err))
	}
	return out, nil
}

// AddToCart adds lines to a buyer's cart in one statement; a line already
// there stays as it is.
func (db *DB) AddToCart(ctx context.Context, items ...app.CartItem) error {
	if len(items) == 0 {
		return nil
	}
	now := time.Now().UTC()
	for i := range items {
		items[i].CreatedAt = now
	}
	if err := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&items).Error; err != nil {
		return fmt.Errorf("add to cart: %w", translate(err))
	}
	return nil
}

// RemoveFromCart removes a line from a buyer's cart.
func (db *DB) RemoveFromCart(ctx context.Context, buyerID, imageID int64, tier app.LicenseTier) error {
	err := db.conn(ctx).Where("buyer_id = ? AND image_id = ? AND license = ?", buyerID, imageID, tier).Delete(&app.CartItem{}).Error
	if err != nil {
		return fmt.Errorf("remove from cart: %w", translate(err))
	}
	return nil
}

// RecordPaymentEvent notes that a provider's event has been acted on. It
// returns false when it was already recorded: a replay, to be ignored.
func (db *DB) RecordPaymentEvent(ctx context.Context, provider, eventID, orderID, typ string) (bool, error) {
	ev := paymentEvent{Provider: provider, EventID: eventID, OrderID: orderID, Type: typ, ReceivedAt: time.Now().UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&ev)
	if res.Error != nil {
		return false, fmt.Errorf("record payment event: %w", translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

type paymentEvent struct {
	ID         int64
	Provider   string
	EventID    string
	OrderID    string
	Type       string
	ReceivedAt time.Time
}

func (paymentEvent) TableName() string { return "payment_events" }

// CreatePayout inserts a payout request. A contributor with a request still
// open gets an EConflict (a partial unique index).
func (db *DB) CreatePayout(ctx context.Context, p *app.Payout) error {
	if p.PublicID == "" {
		p.PublicID = app.NewPublicID()
	}
	p.CreatedAt = time.Now().UTC()
	if err := db.conn(ctx).Create(p).Error; err != nil {
		return fmt.Errorf("request payout: %w", translate(err))
	}
	return nil
}

// PayoutByPublicID returns a payout.
func (db *DB) PayoutByPublicID(ctx context.Context, publicID string) (*app.Payout, error) {
	return takeOne[app.Payout](db.conn(ctx), "payout", "public_id = ?", publicID)
}

// MarkPayoutPaid moves a requested payout to paid; false if it was not requested.
func (db *DB) MarkPayoutPaid(ctx context.Context, id int64) (bool, error) {
	now := time.Now().UTC()
	res := db.conn(ctx).Model(&app.Payout{}).Where("id = ? AND status = ?", id, app.PayoutRequested).
		Updates(map[string]any{"status": app.PayoutPaid, "paid_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("mark payout paid: %w", translate(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// ListPayouts returns payouts, newest first: one contributor's (contributorID
// ≠ 0) or everyone's in a status.
func (db *DB) ListPayouts(ctx context.Context, contributorID int64, status app.PayoutStatus, limit int) ([]app.Payout, error) {
	q := db.conn(ctx).Model(&app.Payout{})
	if contributorID != 0 {
		q = q.Where("contributor_id = ?", contributorID)
	}
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var out []app.Payout
	if err := q.Order("created_at DESC, id DESC").Limit(max(limit, 1)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list payouts: %w", translate(err))
	}
	return out, nil
}

// SaleLine is one licence sold, as its contributor sees it.
type SaleLine struct {
	OrderItemID      int64
	OrderPublicID    string
	Status           app.OrderStatus
	ImageID          int64
	ImagePublicID    string
	ImageTitle       string
	License          app.LicenseTier
	PriceCents       int64
	FeeCents         int64
	PlatformCents    int64
	ContributorCents int64
	PaidAt           time.Time
}

// SaleLines returns a contributor's sales of paid (and refunded) orders,
// newest first; limit 0 means all.
func (db *DB) SaleLines(ctx context.Context, contributorID int64, limit, offset int) ([]SaleLine, error) {
	q := `SELECT oi.id AS order_item_id, o.public_id AS order_public_id, o.status, oi.image_id,
		i.public_id AS image_public_id, i.title AS image_title, oi.license, oi.price_cents, oi.fee_cents,
		oi.platform_cents, oi.contributor_cents, o.paid_at
		FROM order_items oi
		JOIN orders o ON o.id = oi.order_id
		JOIN images i ON i.id = oi.image_id
		JOIN licenses l ON l.order_item_id = oi.id
		WHERE oi.contributor_id = ? AND o.status IN ('paid', 'refunded')
		ORDER BY o.paid_at DESC, oi.id DESC`
	args := []any{contributorID}
	if limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, limit, offset)
	}
	var out []SaleLine
	if err := db.conn(ctx).Raw(q, args...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("list sales: %w", translate(err))
	}
	return out, nil
}

// OrderBySession returns the order a provider's checkout session pays.
func (db *DB) OrderBySession(ctx context.Context, provider, session string) (*app.Order, error) {
	return takeOne[app.Order](db.conn(ctx), "checkout", "provider = ? AND provider_session = ?", provider, session)
}
