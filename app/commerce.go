package app

import (
	"fmt"
	"strings"
	"time"
)

// LicenseTier is what a buyer may do with an image.
type LicenseTier string

// Licence tiers.
const (
	LicenseStandard LicenseTier = "standard"
	LicenseExtended LicenseTier = "extended"
)

// LicenseTiers lists the tiers, cheapest first.
func LicenseTiers() []LicenseTier { return []LicenseTier{LicenseStandard, LicenseExtended} }

// ParseLicenseTier returns the tier named s.
func ParseLicenseTier(s string) (LicenseTier, bool) {
	switch t := LicenseTier(strings.ToLower(strings.TrimSpace(s))); t {
	case LicenseStandard, LicenseExtended:
		return t, true
	}
	return "", false
}

// Name is the tier's display name.
func (t LicenseTier) Name() string {
	switch t {
	case LicenseStandard:
		return "Standard licence"
	case LicenseExtended:
		return "Extended licence"
	}
	return string(t)
}

// Summary is the tier's terms in one line.
func (t LicenseTier) Summary() string {
	switch t {
	case LicenseStandard:
		return "Web use without limit, up to 500,000 printed copies, no merchandise."
	case LicenseExtended:
		return "Everything in standard, plus unlimited printed copies and merchandise for sale."
	}
	return ""
}

// Terms are the tier's terms in plain language, as written on certificates
// and into delivered files.
func (t LicenseTier) Terms() []string {
	common := []string{
		"You may use the image in any medium, worldwide, for as long as you like, after modifying it or not.",
		"You may not resell or share the image file itself, or use it in a trademark or logo.",
		"Editorial images may not be used to advertise or promote anything.",
	}
	switch t {
	case LicenseStandard:
		return append([]string{
			"Websites, social media, apps and video: unlimited views.",
			"Print: up to 500,000 copies in all (packaging, books, magazines, flyers).",
			"Not for merchandise: no products for sale where the image is the main value (posters, mugs, T-shirts).",
		}, common...)
	case LicenseExtended:
		return append([]string{
			"Everything the standard licence allows.",
			"Print: unlimited copies.",
			"Merchandise: products for sale where the image is the main value (posters, mugs, T-shirts, templates).",
		}, common...)
	}
	return nil
}

// OrderKind says what an order buys.
type OrderKind string

// Order kinds.
const (
	OrderLicenses OrderKind = "licenses" // licences for images
	OrderTopUp    OrderKind = "topup"    // money for the buyer's wallet
)

// OrderStatus is where an order is in its life: pending → paid or failed;
// paid → refunded.
type OrderStatus string

// Order statuses.
const (
	OrderPending  OrderStatus = "pending"  // waiting for a card payment
	OrderPaid     OrderStatus = "paid"     // paid: licences issued or wallet credited
	OrderFailed   OrderStatus = "failed"   // declined or abandoned; nothing moved
	OrderRefunded OrderStatus = "refunded" // paid, then reversed by an admin
)

// PaymentMethod is how an order is paid.
type PaymentMethod string

// Payment methods.
const (
	PayWallet PaymentMethod = "wallet"
	PayCard   PaymentMethod = "card"
)

// ParsePaymentMethod returns the method named s.
func ParsePaymentMethod(s string) (PaymentMethod, bool) {
	switch m := PaymentMethod(strings.ToLower(strings.TrimSpace(s))); m {
	case PayWallet, PayCard:
		return m, true
	}
	return "", false
}

// Currency is the one currency Snapshop sells in, ISO 4217 lower case.
const Currency = "usd"

// Order is one purchase: licences for images, or a wallet top-up.
type Order struct {
	ID              int64
	PublicID        string
	BuyerID         int64
	Kind            OrderKind
	Status          OrderStatus
	Payment         PaymentMethod
	TotalCents      int64 // what the buyer pays
	CreditCents     int64 // top-ups: what the wallet receives (total plus any bonus)
	FeeCents        int64 // the card processor's fee, once paid
	Currency        string
	IdempotencyKey  string
	RequestHash     string // of the request that created it: a key reused for another request is refused
	Provider        string // card orders: the payment provider's name
	ProviderSession string // card orders: the provider's checkout session
	CheckoutURL     string // card orders: where the buyer pays
	CreatedAt       time.Time
	UpdatedAt       time.Time
	PaidAt          *time.Time
}

// OrderItem is one image × licence in an order, with its price split.
type OrderItem struct {
	ID               int64
	OrderID          int64
	ImageID          int64
	ContributorID    int64
	License          LicenseTier
	PriceCents       int64
	ShareBP          int64 `gorm:"column:share_bp"` // the contributor's share in basis points (6000 = 60 %)
	ContributorCents int64
	PlatformCents    int64
	FeeCents         int64 // this item's part of the card fee (0 from the wallet)
	CreatedAt        time.Time
}

// License is the right to use one image at one tier, bought by one buyer.
type License struct {
	ID          int64
	Code        string // human-readable and unique, e.g. SNAP-7K3M-Q9TW-X2HD
	OrderID     int64
	OrderItemID int64
	BuyerID     int64
	ImageID     int64
	Tier        LicenseTier `gorm:"column:tier"`
	PriceCents  int64
	CreatedAt   time.Time
	RevokedAt   *time.Time // refunded: the licence no longer holds
}

// Valid reports whether the licence still holds.
func (l *License) Valid() bool { return l.RevokedAt == nil }

// CartItem is an image × licence a buyer means to buy.
type CartItem struct {
	ID        int64
	BuyerID   int64
	ImageID   int64
	License   LicenseTier
	CreatedAt time.Time
}

// SplitCents divides a price between contributor and platform: the
// contributor gets shareBP basis points rounded down, the platform the rest,
// so an odd cent always goes to the platform.
func SplitCents(price, shareBP int64) (contributor, platform int64) {
	contributor = price * shareBP / 10_000
	return contributor, price - contributor
}

// Dollars writes an amount of cents for messages: 1234 → "$12.34",
// -300 → "-$3.00".
func Dollars(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// Prices are the platform's licence prices and the bounds on what a
// contributor may ask.
type Prices struct {
	StandardCents int64 // a standard licence, for images without their own price
	ExtendedCents int64 // an extended licence, for images without their own price
	MinCents      int64 // the lowest standard price a contributor may set
	MaxCents      int64 // the highest
}

// Price is what a licence for img costs. A contributor's own standard price
// scales the extended price by the platform's ratio of the two, rounded to
// the cent.
func (p Prices) Price(img *Image, tier LicenseTier) int64 {
	std := p.StandardCents
	if img.PriceCents > 0 {
		std = img.PriceCents
	}
	if tier != LicenseExtended {
		return std
	}
	if img.PriceCents <= 0 || p.StandardCents <= 0 {
		return p.ExtendedCents
	}
	return (std*p.ExtendedCents + p.StandardCents/2) / p.StandardCents
}
