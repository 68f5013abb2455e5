package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

// StripeConfig configures the Stripe provider.
type StripeConfig struct {
	SecretKey     string // sk_... (or a restricted rk_... key allowed to create Checkout Sessions)
	WebhookSecret string // whsec_..., the signing secret of the webhook endpoint
	// APIURL replaces Stripe's API base URL; empty means Stripe's. Tests
	// point it at a local stand-in.
	APIURL string
	// HTTPClient makes the API calls; nil means a client with a 30 s
	// timeout, so that a hung connection cannot hold a buyer's request for
	// the library's default of 80 s.
	HTTPClient *http.Client
}

// stripeHTTPTimeout bounds one API call when StripeConfig.HTTPClient is nil.
const stripeHTTPTimeout = 30 * time.Second

// Stripe is the Provider backed by Stripe Checkout. It holds its own API
// client, so two Stripe values with different keys (or a test's stand-in
// next to the real API) never share state: nothing here touches
// stripe-go's package-level key or backends.
type Stripe struct {
	client        *stripe.Client
	webhookSecret string
}

var _ Provider = (*Stripe)(nil)

// NewStripe returns the Stripe provider. Both keys are required: without
// the secret key no checkout can be opened, and without the webhook
// secret no payment could ever be confirmed, so a half-configured
// provider is refused at start-up rather than failing on the first order.
func NewStripe(c StripeConfig) (*Stripe, error) {
	if c.SecretKey == "" {
		return nil, errors.New("stripe: missing secret key")
	}
	if c.WebhookSecret == "" {
		return nil, errors.New("stripe: missing webhook signing secret")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: stripeHTTPTimeout}
	}
	cfg := &stripe.BackendConfig{
		HTTPClient: hc,
		// Errors are returned to the caller, which logs them with the
		// order's context; the library's default logger would print them
		// a second time on stderr, outside the application's logs.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	backends := stripe.NewBackendsWithConfig(cfg)
	if c.APIURL != "" {
		// Only the API backend is overridden: the Connect, Uploads and
		// MeterEvents backends are never used here and keep Stripe's URLs.
		apiCfg := *cfg
		apiCfg.URL = stripe.String(c.APIURL)
		backends.API = stripe.GetBackendWithConfig(stripe.APIBackend, &apiCfg)
	}
	return &Stripe{
		client:        stripe.NewClient(c.SecretKey, stripe.WithBackends(backends)),
		webhookSecret: c.WebhookSecret,
	}, nil
}

// Name is "stripe", the provider's name in configuration and in its
// webhook URL (/webhooks/stripe).
func (s *Stripe) Name() string { return "stripe" }

// CreateCheckout opens a Stripe Checkout Session in payment mode, one line
// item per CheckoutLine priced inline (no Stripe Products or Prices to keep
// in sync with the catalogue). The order ID travels both as
// client_reference_id and as metadata order_id so that webhook events can
// be matched back to the order. The request's IdempotencyKey is sent as
// Stripe's Idempotency-Key, so a retried call returns the first session;
// the library's own network retries reuse that key too.
func (s *Stripe) CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	// Refused locally: Stripe would reject these too, but only after a
	// round trip, and a session without an order ID could never be
	// matched to its order.
	if req.OrderID == "" {
		return Checkout{}, errors.New("stripe: create checkout session: missing order ID")
	}
	if len(req.Lines) == 0 {
		return Checkout{}, errors.New("stripe: create checkout session: no lines")
	}

	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(req.OrderID),
		SuccessURL:        stripe.String(req.SuccessURL),
		CancelURL:         stripe.String(req.CancelURL),
		Metadata:          map[string]string{"order_id": req.OrderID},
	}
	for _, l := range req.Lines {
		params.LineItems = append(params.LineItems, &stripe.CheckoutSessionCreateLineItemParams{
			PriceData: &stripe.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:   stripe.String(req.Currency),
				UnitAmount: stripe.Int64(l.AmountCents),
				ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{
					Name: stripe.String(l.Name),
				},
			},
			Quantity: stripe.Int64(l.Quantity),
		})
	}
	if req.Description != "" {
		// The payment's description is what Stripe shows on the receipt
		// and in the dashboard.
		params.PaymentIntentData = &stripe.CheckoutSessionCreatePaymentIntentDataParams{
			Description: stripe.String(req.Description),
		}
	}
	if req.IdempotencyKey != "" {
		// Without one the library makes up a key per call, which still
		// protects its own retries but not a retry of the whole call.
		params.SetIdempotencyKey(req.IdempotencyKey)
	}

	sess, err := s.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return Checkout{}, fmt.Errorf("stripe: create checkout session: %w", err)
	}
	if sess.ID == "" || sess.URL == "" {
		return Checkout{}, fmt.Errorf("stripe: create checkout session: answer has no session ID or URL (id %q)", sess.ID)
	}
	return Checkout{SessionID: sess.ID, URL: sess.URL}, nil
}

// Stripe event types that Snapshop acts on.
const (
	stripeSessionCompleted          = "checkout.session.completed"
	stripeSessionAsyncPaymentOK     = "checkout.session.async_payment_succeeded"
	stripeSessionAsyncPaymentFailed = "checkout.session.async_payment_failed"
	stripeSessionExpired            = "checkout.session.expired"
)

// stripeSession is the part of a Checkout Session object that ParseEvent
// reads. It is decoded here rather than into stripe.CheckoutSession
// because events may be rendered in an API version other than the
// library's (see ParseEvent): these fields have kept their shape across
// versions, while the full struct could fail to decode on a field
// Snapshop never reads.
type stripeSession struct {
	ID                string            `json:"id"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
	AmountTotal       int64             `json:"amount_total"`
	Currency          string            `json:"currency"`
	PaymentStatus     string            `json:"payment_status"`
}

// ParseEvent verifies a Stripe webhook delivery against the
// Stripe-Signature header (HMAC with the webhook secret, timestamp within
// five minutes) and maps its Checkout Session events to Snapshop's:
//
//   - checkout.session.completed with payment_status "paid" and
//     checkout.session.async_payment_succeeded: EventPaid;
//   - checkout.session.async_payment_failed and checkout.session.expired:
//     EventFailed;
//   - checkout.session.completed with any other payment_status, and every
//     other event type: EventIgnored.
//
// A signature, header or timestamp failure wraps ErrBadSignature; a
// verified payload that does not decode, or a paid or failed event that
// names no order or session, wraps ErrBadEvent.
func (s *Stripe) ParseEvent(payload []byte, header http.Header) (Event, error) {
	// The API-version check is skipped: stripe-go refuses events rendered
	// in another release train than its own (e.g. an endpoint still on
	// "...clover" while the library is on "dahlia"), which would reject
	// every delivery after either side upgrades. The few session fields
	// read here are stable across versions and are decoded by hand.
	ev, err := webhook.ConstructEventWithOptions(payload, header.Get("Stripe-Signature"), s.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		if errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) ||
			errors.Is(err, webhook.ErrNoValidSignature) || errors.Is(err, webhook.ErrTooOld) {
			return Event{}, fmt.Errorf("stripe: %w: %w", ErrBadSignature, err)
		}
		// The signature is checked before anything is decoded, so any
		// other error is about a verified but unreadable payload.
		return Event{}, fmt.Errorf("stripe: %w: %w", ErrBadEvent, err)
	}
	if ev.ID == "" {
		// Events are acted on once by ID; one without an ID cannot be.
		return Event{}, fmt.Errorf("stripe: %w: event has no id", ErrBadEvent)
	}

	out := Event{ID: ev.ID, Type: EventIgnored}
	t := string(ev.Type)
	switch t {
	case stripeSessionCompleted, stripeSessionAsyncPaymentOK, stripeSessionAsyncPaymentFailed, stripeSessionExpired:
	default:
		return out, nil
	}

	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return Event{}, fmt.Errorf("stripe: %w: %s event %s has no data.object", ErrBadEvent, t, ev.ID)
	}
	var sess stripeSession
	if err := json.Unmarshal(ev.Data.Raw, &sess); err != nil {
		return Event{}, fmt.Errorf("stripe: %w: %s event %s: %w", ErrBadEvent, t, ev.ID, err)
	}
	out.SessionID = sess.ID
	out.OrderID = sess.ClientReferenceID
	if out.OrderID == "" {
		// CreateCheckout sets both; metadata is the fallback so that a
		// session opened by other tooling that sets only metadata still
		// finds its order.
		out.OrderID = sess.Metadata["order_id"]
	}
	out.AmountCents = sess.AmountTotal
	out.Currency = sess.Currency

	switch t {
	case stripeSessionCompleted:
		// "unpaid" means a delayed method (bank debit and the like) is
		// still settling: async_payment_succeeded or _failed follows.
		// "no_payment_required" cannot arise for a non-empty order and
		// is not treated as money received.
		if sess.PaymentStatus == string(stripe.CheckoutSessionPaymentStatusPaid) {
			out.Type = EventPaid
		}
	case stripeSessionAsyncPaymentOK:
		out.Type = EventPaid
	case stripeSessionAsyncPaymentFailed, stripeSessionExpired:
		out.Type = EventFailed
	}
	if out.Type != EventIgnored && (out.OrderID == "" || out.SessionID == "") {
		return Event{}, fmt.Errorf("stripe: %w: %s event %s names no order or session", ErrBadEvent, t, ev.ID)
	}
	return out, nil
}
