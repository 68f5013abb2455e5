package commerce

import (
	"context"
	"errors"
	"net/http"
)

// Provider takes card payments: it opens a hosted checkout for an order and
// turns the provider's signed notifications into Events. Implementations:
// the built-in sandbox (a fake card page on this server) and Stripe.
type Provider interface {
	// Name is the provider's name in configuration and in webhook URLs
	// (/webhooks/{name}).
	Name() string
	// CreateCheckout opens a hosted payment page for one charge.
	CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	// ParseEvent verifies a notification's signature (from its headers) and
	// decodes it. A bad signature, a stale timestamp or a malformed payload
	// is an error wrapping ErrBadSignature or ErrBadEvent; an event of a
	// type Snapshop does not act on is returned with Type EventIgnored.
	ParseEvent(payload []byte, header http.Header) (Event, error)
}

// CheckoutRequest is one charge to open a payment page for.
type CheckoutRequest struct {
	OrderID     string // the order's public ID, echoed back in events
	Description string // one line the payer sees
	Currency    string // ISO 4217, lower case ("usd")
	Lines       []CheckoutLine
	SuccessURL  string // where the payer lands after paying
	CancelURL   string // where the payer lands after giving up
	// IdempotencyKey makes a retried CreateCheckout return the first
	// session instead of opening a second one.
	IdempotencyKey string
}

// CheckoutLine is one line of a charge.
type CheckoutLine struct {
	Name        string
	AmountCents int64 // unit price
	Quantity    int64
}

// Total is the sum of the lines.
func (r CheckoutRequest) Total() int64 {
	var t int64
	for _, l := range r.Lines {
		t += l.AmountCents * l.Quantity
	}
	return t
}

// Checkout is an opened payment page.
type Checkout struct {
	SessionID string // the provider's ID of the checkout session
	URL       string // where to send the payer
}

// EventType is what a provider's notification means to Snapshop.
type EventType string

// Event types.
const (
	EventPaid    EventType = "paid"    // the charge succeeded
	EventFailed  EventType = "failed"  // the charge was declined or the session expired
	EventIgnored EventType = "ignored" // a notification Snapshop does not act on
)

// Event is a verified provider notification.
type Event struct {
	ID          string // the provider's event ID: each is acted on once
	Type        EventType
	SessionID   string // the checkout session it concerns
	OrderID     string // the order's public ID, as given in CheckoutRequest
	AmountCents int64  // the amount charged (EventPaid)
	Currency    string
}

// Errors of ParseEvent.
var (
	ErrBadSignature = errors.New("commerce: payment notification signature does not verify")
	ErrBadEvent     = errors.New("commerce: malformed payment notification")
)
