package commerce

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
)

// Sandbox is the built-in payment provider: a fake card page served by this
// server. Card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.
// Its notifications are signed like Stripe's (a timestamp and an HMAC of
// timestamp and payload) with a key derived from the server's secret, and
// go through the same webhook path as a real provider's.
type Sandbox struct {
	key     []byte
	baseURL string
	now     func() time.Time
}

// SandboxSignatureHeader carries a sandbox notification's signature.
const SandboxSignatureHeader = "Snapshop-Signature"

// sandboxTolerance is how old a signed notification may be.
const sandboxTolerance = 5 * time.Minute

// NewSandbox returns the sandbox provider of a server at baseURL.
func NewSandbox(secret []byte, baseURL string) *Sandbox {
	return &Sandbox{key: derive(secret, "snapshop sandbox payments v1"), baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}
}

// Name implements Provider.
func (*Sandbox) Name() string { return "sandbox" }

// CreateCheckout implements Provider: the session is the fake card page.
// The session ID is derived from the idempotency key, so a retry opens the
// same page.
func (s *Sandbox) CreateCheckout(_ context.Context, req CheckoutRequest) (Checkout, error) {
	if req.OrderID == "" || req.Total() <= 0 {
		return Checkout{}, fmt.Errorf("sandbox: checkout needs an order and a positive amount")
	}
	key := cmp.Or(req.IdempotencyKey, req.OrderID+app.RandomToken(8))
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("session\x00" + key))
	id := "cs_sbx_" + hex.EncodeToString(m.Sum(nil))[:24]
	return Checkout{SessionID: id, URL: s.baseURL + "/checkout/sandbox/" + id}, nil
}

// sandboxEvent is a sandbox notification's payload.
type sandboxEvent struct {
	ID          string    `json:"id"`
	Type        EventType `json:"type"`
	SessionID   string    `json:"session"`
	OrderID     string    `json:"order"`
	AmountCents int64     `json:"amount_cents"`
	Currency    string    `json:"currency"`
}

// Sign returns a signed notification of ev, as the sandbox's card page sends it.
func (s *Sandbox) Sign(ev Event) (payload []byte, header http.Header, err error) {
	payload, err = json.Marshal(sandboxEvent(ev))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: encode event: %w", err)
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	header = http.Header{}
	header.Set(SandboxSignatureHeader, "t="+ts+",v1="+s.mac(ts, payload))
	return payload, header, nil
}

func (s *Sandbox) mac(ts string, payload []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(payload)
	return hex.EncodeToString(m.Sum(nil))
}

// ParseEvent implements Provider.
func (s *Sandbox) ParseEvent(payload []byte, header http.Header) (Event, error) {
	var ts, sig string
	for _, part := range strings.Split(header.Get(SandboxSignatureHeader), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return Event{}, fmt.Errorf("%w: missing or malformed %s header", ErrBadSignature, SandboxSignatureHeader)
	}
	if !hmac.Equal([]byte(s.mac(ts, payload)), []byte(sig)) {
		return Event{}, ErrBadSignature
	}
	if age := s.now().Sub(time.Unix(t, 0)); age > sandboxTolerance || age < -sandboxTolerance {
		return Event{}, fmt.Errorf("%w: timestamp outside the %s tolerance", ErrBadSignature, sandboxTolerance)
	}
	var ev sandboxEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrBadEvent, err)
	}
	if ev.ID == "" || ev.OrderID == "" || ev.SessionID == "" {
		return Event{}, fmt.Errorf("%w: an event needs an id, an order and a session", ErrBadEvent)
	}
	switch ev.Type {
	case EventPaid, EventFailed:
	default:
		ev.Type = EventIgnored
	}
	return Event(ev), nil
}

// Test cards of the sandbox.
const (
	SandboxCardApproved = "4242424242424242"
	SandboxCardDeclined = "4000000000000002"
)

// SandboxPay is the fake card page's form being submitted for a checkout
// session: the approving card pays, and the payment arrives as a signed
// notification through HandleEvent, exactly as a real provider's webhook
// would; the declining card is refused (EPayment) and the page stays open.
// It returns the order as it is afterwards.
func (s *Service) SandboxPay(ctx context.Context, buyer *app.User, sessionID, card string) (*app.Order, error) {
	sb, o, err := s.sandboxOrder(ctx, buyer, sessionID)
	if err != nil {
		return nil, err
	}
	if o.Status != app.OrderPending {
		return o, nil
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, card)
	ev := Event{ID: "evt_sbx_" + app.RandomToken(10), SessionID: sessionID, OrderID: o.PublicID, AmountCents: o.TotalCents, Currency: o.Currency}
	switch digits {
	case SandboxCardApproved:
		ev.Type = EventPaid
	case SandboxCardDeclined:
		// Like a hosted checkout, a declined card leaves the session open
		// for another card; only its expiry fails the order.
		return o, app.Errorf(app.EPayment, "Your card was declined. Nothing was charged; try another card.")
	default:
		return nil, app.Invalid(map[string]string{"card": "This is the sandbox: use 4242 4242 4242 4242 to pay or 4000 0000 0000 0002 to be declined."})
	}
	payload, header, err := sb.Sign(ev)
	if err != nil {
		return nil, err
	}
	verified, err := sb.ParseEvent(payload, header)
	if err != nil {
		return nil, err
	}
	if err := s.HandleEvent(ctx, sb.Name(), verified); err != nil {
		return nil, err
	}
	return s.db.OrderByPublicID(ctx, o.PublicID)
}

// SandboxCheckout returns the pending order behind a sandbox session, for
// the card page to show.
func (s *Service) SandboxCheckout(ctx context.Context, buyer *app.User, sessionID string) (*app.Order, error) {
	_, o, err := s.sandboxOrder(ctx, buyer, sessionID)
	return o, err
}

// sandboxOrder finds the buyer's order behind a sandbox session; anyone
// else's is not found.
func (s *Service) sandboxOrder(ctx context.Context, buyer *app.User, sessionID string) (*Sandbox, *app.Order, error) {
	sb, ok := s.o.Provider.(*Sandbox)
	if !ok {
		return nil, nil, app.Errorf(app.ENotFound, "The sandbox card page is off: this server takes real payments.")
	}
	o, err := s.db.OrderBySession(ctx, sb.Name(), sessionID)
	if err != nil {
		return nil, nil, err
	}
	if o.BuyerID != buyer.ID {
		return nil, nil, app.Errorf(app.ENotFound, "No such checkout.")
	}
	return sb, o, nil
}

// Webhook verifies and acts on a provider's notification. Bad signatures
// and unknown providers are refused without touching anything.
func (s *Service) Webhook(ctx context.Context, provider string, payload []byte, header http.Header) error {
	if provider != s.o.Provider.Name() {
		return app.Errorf(app.ENotFound, "No payment provider %q here.", provider)
	}
	ev, err := s.o.Provider.ParseEvent(payload, header)
	if err != nil {
		s.log.WarnContext(ctx, "payment notification refused", "provider", provider, "err", err)
		return &app.Error{Code: app.EInvalid, Message: "The notification could not be verified.", Err: err}
	}
	return s.HandleEvent(ctx, provider, ev)
}
