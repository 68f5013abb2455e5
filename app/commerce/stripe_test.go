package commerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"
)

const (
	testStripeKey     = "sk_test_snapshop_123"
	testWebhookSecret = "whsec_test_snapshop_456"
)

// stripeStandIn is a local stand-in for Stripe's API: it records every
// request and answers each with the same status and body.
type stripeStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recordedRequest
}

type recordedRequest struct {
	method, path string
	header       http.Header
	form         url.Values
}

func newStripeStandIn(t *testing.T, status int, body string) *stripeStandIn {
	t.Helper()
	s := &stripeStandIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("stand-in: read body: %v", err)
		}
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			t.Errorf("stand-in: body %q is not a form: %v", raw, err)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, recordedRequest{r.Method, r.URL.Path, r.Header.Clone(), form})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_test_1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *stripeStandIn) requests() []recordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recordedRequest(nil), s.reqs...)
}

func newTestStripe(t *testing.T, apiURL string) *Stripe {
	t.Helper()
	s, err := NewStripe(StripeConfig{
		SecretKey:     testStripeKey,
		WebhookSecret: testWebhookSecret,
		APIURL:        apiURL,
		HTTPClient:    &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		t.Fatalf("NewStripe: %v", err)
	}
	return s
}

func TestNewStripeRequiresKeys(t *testing.T) {
	tests := []struct {
		name    string
		cfg     StripeConfig
		wantErr bool
	}{
		{"both keys", StripeConfig{SecretKey: testStripeKey, WebhookSecret: testWebhookSecret}, false},
		{"no secret key", StripeConfig{WebhookSecret: testWebhookSecret}, true},
		{"no webhook secret", StripeConfig{SecretKey: testStripeKey}, true},
		{"nothing", StripeConfig{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewStripe(tt.cfg)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NewStripe(%+v) = nil error, want an error", tt.cfg)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewStripe: %v", err)
			}
			if got := s.Name(); got != "stripe" {
				t.Errorf("Name() = %q, want %q", got, "stripe")
			}
		})
	}
}

func testCheckoutRequest() CheckoutRequest {
	return CheckoutRequest{
		OrderID:     "ord_42",
		Description: "Snapshop order ord_42",
		Currency:    "usd",
		Lines: []CheckoutLine{
			{Name: "Harbour at dawn — standard licence", AmountCents: 1500, Quantity: 1},
			{Name: "Alpine lake — extended licence", AmountCents: 4400, Quantity: 2},
		},
		SuccessURL:     "https://snapshop.example/orders/ord_42/paid",
		CancelURL:      "https://snapshop.example/cart",
		IdempotencyKey: "checkout-ord_42-attempt-1",
	}
}

func TestStripeCreateCheckout(t *testing.T) {
	api := newStripeStandIn(t, http.StatusOK, `{
		"id": "cs_test_123",
		"object": "checkout.session",
		"amount_total": 10300,
		"client_reference_id": "ord_42",
		"currency": "usd",
		"livemode": false,
		"metadata": {"order_id": "ord_42"},
		"mode": "payment",
		"payment_status": "unpaid",
		"status": "open",
		"url": "https://checkout.example/cs_test_123"
	}`)
	s := newTestStripe(t, api.URL)

	got, err := s.CreateCheckout(context.Background(), testCheckoutRequest())
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	want := Checkout{SessionID: "cs_test_123", URL: "https://checkout.example/cs_test_123"}
	if got != want {
		t.Errorf("CreateCheckout = %+v, want %+v", got, want)
	}

	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("stand-in got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/v1/checkout/sessions" {
		t.Errorf("request = %s %s, want POST /v1/checkout/sessions", r.method, r.path)
	}
	headers := map[string]string{
		"Authorization":   "Bearer " + testStripeKey,
		"Idempotency-Key": "checkout-ord_42-attempt-1",
		"Content-Type":    "application/x-www-form-urlencoded",
	}
	for k, v := range headers {
		if got := r.header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	fields := map[string]string{
		"mode":                                   "payment",
		"client_reference_id":                    "ord_42",
		"metadata[order_id]":                     "ord_42",
		"success_url":                            "https://snapshop.example/orders/ord_42/paid",
		"cancel_url":                             "https://snapshop.example/cart",
		"line_items[0][price_data][currency]":    "usd",
		"line_items[0][price_data][unit_amount]": "1500",
		"line_items[0][price_data][product_data][name]": "Harbour at dawn — standard licence",
		"line_items[0][quantity]":                       "1",
		"line_items[1][price_data][currency]":           "usd",
		"line_items[1][price_data][unit_amount]":        "4400",
		"line_items[1][price_data][product_data][name]": "Alpine lake — extended licence",
		"line_items[1][quantity]":                       "2",
		"payment_intent_data[description]":              "Snapshop order ord_42",
	}
	for k, v := range fields {
		if got := r.form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	for k := range r.form {
		if strings.HasPrefix(k, "line_items[2]") {
			t.Errorf("form has a third line item (%s), want two", k)
		}
	}
}

func TestStripeCreateCheckoutAPIError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantType stripe.ErrorType
	}{
		{
			name:   "card error",
			status: http.StatusPaymentRequired,
			body: `{"error": {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
				"message": "Your card was declined."}}`,
			wantType: stripe.ErrorTypeCard,
		},
		{
			name:   "invalid request",
			status: http.StatusBadRequest,
			body: `{"error": {"type": "invalid_request_error", "param": "line_items[0][price_data][currency]",
				"message": "Invalid currency: usx."}}`,
			wantType: stripe.ErrorTypeInvalidRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newStripeStandIn(t, tt.status, tt.body)
			s := newTestStripe(t, api.URL)

			got, err := s.CreateCheckout(context.Background(), testCheckoutRequest())
			if err == nil {
				t.Fatalf("CreateCheckout = %+v, nil error; want an error", got)
			}
			if !strings.HasPrefix(err.Error(), "stripe: create checkout session: ") {
				t.Errorf("error %q lacks the context prefix", err)
			}
			var serr *stripe.Error
			if !errors.As(err, &serr) {
				t.Fatalf("error %v does not wrap *stripe.Error", err)
			}
			if serr.Type != tt.wantType || serr.HTTPStatusCode != tt.status {
				t.Errorf("stripe error type %q status %d, want %q %d", serr.Type, serr.HTTPStatusCode, tt.wantType, tt.status)
			}
			// 4xx answers are final: the library must not retry them.
			if n := len(api.requests()); n != 1 {
				t.Errorf("stand-in got %d requests, want 1", n)
			}
		})
	}
}

func TestStripeCreateCheckoutRefusesIncompleteRequest(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*CheckoutRequest)
	}{
		{"no order ID", func(r *CheckoutRequest) { r.OrderID = "" }},
		{"no lines", func(r *CheckoutRequest) { r.Lines = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newStripeStandIn(t, http.StatusOK, `{"id":"cs_test_123","object":"checkout.session","url":"https://checkout.example/cs_test_123"}`)
			s := newTestStripe(t, api.URL)
			req := testCheckoutRequest()
			tt.modify(&req)
			if _, err := s.CreateCheckout(context.Background(), req); err == nil {
				t.Error("CreateCheckout succeeded, want an error")
			}
			if n := len(api.requests()); n != 0 {
				t.Errorf("stand-in got %d requests, want none", n)
			}
		})
	}
}

// stripeEvent returns a webhook payload in Stripe's shape: an event whose
// data.object is obj.
func stripeEvent(t *testing.T, id, typ, apiVersion string, obj map[string]any) []byte {
	t.Helper()
	ev := map[string]any{
		"id":               id,
		"object":           "event",
		"api_version":      apiVersion,
		"created":          time.Now().Unix(),
		"data":             map[string]any{"object": obj},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"type":             typ,
	}
	if id == "" {
		delete(ev, "id")
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkoutSessionObject is a Checkout Session as Stripe renders it in
// events, for order orderID ("" for none).
func checkoutSessionObject(orderID, paymentStatus, status string) map[string]any {
	obj := map[string]any{
		"id":                  "cs_test_123",
		"object":              "checkout.session",
		"amount_subtotal":     10300,
		"amount_total":        10300,
		"client_reference_id": nil,
		"currency":            "usd",
		"livemode":            false,
		"metadata":            map[string]any{},
		"mode":                "payment",
		"payment_intent":      "pi_test_789",
		"payment_status":      paymentStatus,
		"status":              status,
		"url":                 nil,
	}
	if orderID != "" {
		obj["client_reference_id"] = orderID
		obj["metadata"] = map[string]any{"order_id": orderID}
	}
	return obj
}

func TestStripeParseEvent(t *testing.T) {
	const apiVersion = stripe.APIVersion
	paid := stripeEvent(t, "evt_paid", "checkout.session.completed", apiVersion,
		checkoutSessionObject("ord_42", "paid", "complete"))
	metadataOnly := checkoutSessionObject("ord_42", "paid", "complete")
	metadataOnly["client_reference_id"] = nil
	wantPaid := func(id string) Event {
		return Event{ID: id, Type: EventPaid, SessionID: "cs_test_123", OrderID: "ord_42", AmountCents: 10300, Currency: "usd"}
	}

	tests := []struct {
		name     string
		payload  []byte
		secret   string              // signing secret; empty: the provider's
		signedAt time.Time           // zero: now
		tamper   func([]byte) []byte // applied after signing
		header   func(http.Header)   // edits the signed header
		want     Event               // when wantErrs is empty
		wantErrs []error             // all must match with errors.Is
	}{
		{
			name:    "completed and paid",
			payload: paid,
			want:    wantPaid("evt_paid"),
		},
		{
			name: "endpoint on another release train",
			payload: stripeEvent(t, "evt_clover", "checkout.session.completed", "2025-09-30.clover",
				checkoutSessionObject("ord_42", "paid", "complete")),
			want: wantPaid("evt_clover"),
		},
		{
			name: "endpoint on a pre-train API version",
			payload: stripeEvent(t, "evt_old", "checkout.session.completed", "2020-08-27",
				checkoutSessionObject("ord_42", "paid", "complete")),
			want: wantPaid("evt_old"),
		},
		{
			name:    "order only in metadata",
			payload: stripeEvent(t, "evt_meta", "checkout.session.completed", apiVersion, metadataOnly),
			want:    wantPaid("evt_meta"),
		},
		{
			name: "completed, async payment pending",
			payload: stripeEvent(t, "evt_pending", "checkout.session.completed", apiVersion,
				checkoutSessionObject("ord_42", "unpaid", "complete")),
			want: Event{ID: "evt_pending", Type: EventIgnored, SessionID: "cs_test_123", OrderID: "ord_42", AmountCents: 10300, Currency: "usd"},
		},
		{
			name: "async payment succeeded",
			payload: stripeEvent(t, "evt_async_ok", "checkout.session.async_payment_succeeded", apiVersion,
				checkoutSessionObject("ord_42", "paid", "complete")),
			want: wantPaid("evt_async_ok"),
		},
		{
			name: "async payment failed",
			payload: stripeEvent(t, "evt_async_failed", "checkout.session.async_payment_failed", apiVersion,
				checkoutSessionObject("ord_42", "unpaid", "complete")),
			want: Event{ID: "evt_async_failed", Type: EventFailed, SessionID: "cs_test_123", OrderID: "ord_42", AmountCents: 10300, Currency: "usd"},
		},
		{
			name: "session expired",
			payload: stripeEvent(t, "evt_expired", "checkout.session.expired", apiVersion,
				checkoutSessionObject("ord_42", "unpaid", "expired")),
			want: Event{ID: "evt_expired", Type: EventFailed, SessionID: "cs_test_123", OrderID: "ord_42", AmountCents: 10300, Currency: "usd"},
		},
		{
			name: "unknown type",
			payload: stripeEvent(t, "evt_customer", "customer.created", apiVersion,
				map[string]any{"id": "cus_test_1", "object": "customer", "email": "buyer@example.com"}),
			want: Event{ID: "evt_customer", Type: EventIgnored},
		},
		{
			name: "paid without order id",
			payload: stripeEvent(t, "evt_orphan", "checkout.session.completed", apiVersion,
				checkoutSessionObject("", "paid", "complete")),
			wantErrs: []error{ErrBadEvent},
		},
		{
			name: "event without id",
			payload: stripeEvent(t, "", "checkout.session.completed", apiVersion,
				checkoutSessionObject("ord_42", "paid", "complete")),
			wantErrs: []error{ErrBadEvent},
		},
		{
			name:     "signed but not JSON",
			payload:  []byte("{not json"),
			wantErrs: []error{ErrBadEvent},
		},
		{
			name:     "wrong secret",
			payload:  paid,
			secret:   "whsec_someone_else",
			wantErrs: []error{ErrBadSignature, webhook.ErrNoValidSignature},
		},
		{
			name:    "amount changed after signing",
			payload: paid,
			tamper: func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"amount_total":10300`), []byte(`"amount_total":1`), 1)
			},
			wantErrs: []error{ErrBadSignature, webhook.ErrNoValidSignature},
		},
		{
			name:     "timestamp too old",
			payload:  paid,
			signedAt: time.Now().Add(-10 * time.Minute),
			wantErrs: []error{ErrBadSignature, webhook.ErrTooOld},
		},
		{
			name:     "missing header",
			payload:  paid,
			header:   func(h http.Header) { h.Del("Stripe-Signature") },
			wantErrs: []error{ErrBadSignature, webhook.ErrNotSigned},
		},
		{
			name:     "garbled header",
			payload:  paid,
			header:   func(h http.Header) { h.Set("Stripe-Signature", "t=yesterday,v1=abc") },
			wantErrs: []error{ErrBadSignature},
		},
	}

	s := newTestStripe(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == "" {
				secret = testWebhookSecret
			}
			signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
				Payload:   tt.payload,
				Secret:    secret,
				Timestamp: tt.signedAt,
			})
			payload := signed.Payload
			if tt.tamper != nil {
				payload = tt.tamper(bytes.Clone(payload))
				if bytes.Equal(payload, signed.Payload) {
					t.Fatal("tamper left the payload unchanged")
				}
			}
			h := http.Header{}
			h.Set("Stripe-Signature", signed.Header)
			if tt.header != nil {
				tt.header(h)
			}

			got, err := s.ParseEvent(payload, h)
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("ParseEvent: %v", err)
				}
				if got != tt.want {
					t.Errorf("ParseEvent = %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseEvent = %+v, nil error; want %v", got, tt.wantErrs)
			}
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("ParseEvent error %q does not wrap %q", err, want)
				}
			}
			// The two kinds are exclusive: a caller answers them differently.
			if errors.Is(err, ErrBadSignature) == errors.Is(err, ErrBadEvent) {
				t.Errorf("ParseEvent error %q should wrap exactly one of ErrBadSignature, ErrBadEvent", err)
			}
		})
	}
}
