package commerce

import (
	"context"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// Receipt is an order as its buyer keeps it: who bought what, at which
// licence and price, under which licence code, paid how.
type Receipt struct {
	Order *app.Order
	Buyer *app.User
	Lines []ReceiptLine
	// CreditedCents is what a card order charged for lines whose licence
	// the buyer already held by the time it was paid: kept in their
	// wallet, not spent.
	CreditedCents int64
}

// ReceiptLine is one image × licence of an order.
type ReceiptLine struct {
	Item  app.OrderItem
	Image *app.Image // nil if the image row is gone
	// License is the licence the line issued: nil while the order is
	// unpaid, and for a line credited to the wallet instead.
	License *HeldLicense
}

// Paid reports whether the order was paid (and so is a receipt), even if it
// was refunded since.
func (r *Receipt) Paid() bool {
	return r.Order.Status == app.OrderPaid || r.Order.Status == app.OrderRefunded
}

// BonusCents is what a top-up credited beyond its price.
func (r *Receipt) BonusCents() int64 { return max(r.Order.CreditCents-r.Order.TotalCents, 0) }

// Receipt returns an order for its buyer (or an admin) with its lines and
// their licences.
func (s *Service) Receipt(ctx context.Context, viewer *app.User, publicID string) (*Receipt, error) {
	o, items, err := s.Order(ctx, viewer, publicID)
	if err != nil {
		return nil, err
	}
	buyer := viewer
	if o.BuyerID != viewer.ID {
		if buyer, err = s.db.UserByID(ctx, o.BuyerID); err != nil {
			return nil, err
		}
	}
	// The items name every image the licences do: one read of them serves
	// both.
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ImageID
	}
	imgs, err := s.Images(ctx, ids)
	if err != nil {
		return nil, err
	}
	list, err := s.db.ListLicenses(ctx, store.LicenseFilter{BuyerID: o.BuyerID, OrderID: o.ID})
	if err != nil {
		return nil, err
	}
	lics := s.held(list, imgs)
	byItem := make(map[int64]*HeldLicense, len(lics))
	for i := range lics {
		byItem[lics[i].License.OrderItemID] = &lics[i]
	}
	r := &Receipt{Order: o, Buyer: buyer, Lines: make([]ReceiptLine, len(items))}
	for i, it := range items {
		r.Lines[i] = ReceiptLine{Item: it, Image: imgs[it.ImageID], License: byItem[it.ID]}
		if r.Paid() && r.Lines[i].License == nil {
			r.CreditedCents += it.PriceCents
		}
	}
	return r, nil
}

// LicenseRecord is one licence as the buyer's records list it.
type LicenseRecord struct {
	License       app.License
	Image         *app.Image // nil if the image row is gone
	OrderPublicID string
}

// recordChunk bounds the IDs of one query: a buyer's licences can outnumber
// what one IN list may hold.
const recordChunk = 500

// LicenseRecords returns every licence a buyer ever bought, valid or
// refunded, newest first, with its image and order: the buyer's books.
func (s *Service) LicenseRecords(ctx context.Context, buyer *app.User) ([]LicenseRecord, error) {
	lics, err := s.db.ListLicenses(ctx, store.LicenseFilter{BuyerID: buyer.ID})
	if err != nil {
		return nil, err
	}
	out := make([]LicenseRecord, 0, len(lics))
	for start := 0; start < len(lics); start += recordChunk {
		chunk := lics[start:min(start+recordChunk, len(lics))]
		imageIDs, orderIDs := make([]int64, len(chunk)), make([]int64, len(chunk))
		for i, l := range chunk {
			imageIDs[i], orderIDs[i] = l.ImageID, l.OrderID
		}
		imgs, err := s.Images(ctx, imageIDs)
		if err != nil {
			return nil, err
		}
		orders, err := s.db.OrdersByIDs(ctx, orderIDs)
		if err != nil {
			return nil, err
		}
		orderIDOf := make(map[int64]string, len(orders))
		for _, o := range orders {
			orderIDOf[o.ID] = o.PublicID
		}
		for _, l := range chunk {
			out = append(out, LicenseRecord{License: l, Image: imgs[l.ImageID], OrderPublicID: orderIDOf[l.OrderID]})
		}
	}
	return out, nil
}
