package commerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"
)

// fuzzNow is the sandbox's clock in the fuzz targets: fixed, so that a
// timestamp's age is decided by the input alone.
var fuzzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var fuzzSecret = []byte("fuzz-secret-fuzz-secret-fuzz-sec")

// sandboxMAC signs like the sandbox's card page, written out here rather
// than calling Sandbox.mac, so that the target checks the verifier against
// an independent signer: HMAC-SHA256 over "timestamp.payload" with a key
// derived from the server secret for this one purpose.
func sandboxMAC(ts string, payload []byte) string {
	k := hmac.New(sha256.New, fuzzSecret)
	k.Write([]byte("snapshop sandbox payments v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(ts + "."))
	m.Write(payload)
	return hex.EncodeToString(m.Sum(nil))
}

// FuzzSandboxWebhook feeds the sandbox's notification parser any payload
// with either any signature header (signed false) or a genuine signature
// made at now+skew seconds (signed true). It must never panic, and:
//   - an unsigned or wrongly signed payload is refused as ErrBadSignature,
//     before its content is read;
//   - a genuine signature outside the 5-minute tolerance is refused too;
//   - a genuine, fresh signature is never refused as a bad signature; if
//     the payload is then accepted, the event is exactly the payload's,
//     and changing one byte of it, or the timestamp, makes it refused.
func FuzzSandboxWebhook(f *testing.F) {
	good := `{"id":"evt_1","type":"paid","session":"cs_sbx_1","order":"ord_1","amount_cents":300,"currency":"usd"}`
	f.Add([]byte(good), "", true, int64(0), uint16(5))
	f.Add([]byte(good), "", true, int64(-299), uint16(0))
	f.Add([]byte(good), "", true, int64(301), uint16(0))
	f.Add([]byte(`{"id":"evt_2","type":"refund","session":"s","order":"o"}`), "", true, int64(10), uint16(1))
	f.Add([]byte(`{"id":"evt_3","type":"paid","order":"o"}`), "", true, int64(0), uint16(1))
	f.Add([]byte(`not json`), "", true, int64(0), uint16(1))
	f.Add([]byte(good), "t=1772366400,v1=00", false, int64(0), uint16(0))
	f.Add([]byte(good), "v1="+sandboxMAC("1772366400", []byte(good)), false, int64(0), uint16(0))
	f.Add([]byte(good), "t=1772366400,v1=", false, int64(0), uint16(0))
	f.Add([]byte(good), ",,=,t,v1,t==", false, int64(0), uint16(0))
	f.Add([]byte{}, "", false, int64(0), uint16(0))

	sb := NewSandbox(fuzzSecret, "http://snapshop.test")
	sb.now = func() time.Time { return fuzzNow }
	f.Fuzz(func(t *testing.T, payload []byte, sigHeader string, signed bool, skew int64, flip uint16) {
		skew %= 3600
		ts := strconv.FormatInt(fuzzNow.Unix()+skew, 10)
		h := http.Header{}
		if signed {
			h.Set(SandboxSignatureHeader, "t="+ts+",v1="+sandboxMAC(ts, payload))
		} else {
			h.Set(SandboxSignatureHeader, sigHeader)
		}
		ev, err := sb.ParseEvent(payload, h)
		if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrBadEvent) {
			t.Fatalf("error wraps neither ErrBadSignature nor ErrBadEvent: %v", err)
		}
		fresh := skew >= -300 && skew <= 300
		switch {
		case !signed && !errors.Is(err, ErrBadSignature):
			t.Fatalf("a payload without the sandbox's signature was not refused as forged: %+v, %v", ev, err)
		case signed && !fresh && !errors.Is(err, ErrBadSignature):
			t.Fatalf("a signature %ds old was not refused: %+v, %v", -skew, ev, err)
		case signed && fresh && errors.Is(err, ErrBadSignature):
			t.Fatalf("a genuine fresh signature was refused: %v", err)
		}
		if err != nil {
			return
		}

		var want sandboxEvent
		if jerr := json.Unmarshal(payload, &want); jerr != nil {
			t.Fatalf("accepted a payload that is not an event: %v", jerr)
		}
		if want.Type != EventPaid && want.Type != EventFailed {
			want.Type = EventIgnored
		}
		if ev != Event(want) || ev.ID == "" || ev.OrderID == "" || ev.SessionID == "" {
			t.Fatalf("accepted event %+v, the payload says %+v", ev, want)
		}

		tampered := append([]byte(nil), payload...)
		tampered[int(flip)%len(tampered)] ^= 1 << (flip % 8)
		if _, err := sb.ParseEvent(tampered, h); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a payload changed after signing was not refused: %v", err)
		}
		h.Set(SandboxSignatureHeader, "t="+strconv.FormatInt(fuzzNow.Unix()+skew-1, 10)+",v1="+sandboxMAC(ts, payload))
		if _, err := sb.ParseEvent(payload, h); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a signature moved to another timestamp was not refused: %v", err)
		}
	})
}

// FuzzStripeWebhook does the same for Stripe's notifications, signed with
// stripe-go's own test signer: never a panic; unsigned, wrongly signed or
// stale deliveries refused as ErrBadSignature; genuine fresh ones never
// refused as forged; and what is accepted means what the payload says —
// "paid" only for a completed session with payment_status "paid" or an
// async payment that succeeded, and every paid or failed event names its
// order and session.
func FuzzStripeWebhook(f *testing.F) {
	for _, p := range []string{
		`{"id":"evt_1","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"ord_1","amount_total":300,"currency":"usd","payment_status":"paid"}}}`,
		`{"id":"evt_2","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"ord_1","payment_status":"unpaid"}}}`,
		`{"id":"evt_3","object":"event","type":"checkout.session.async_payment_succeeded","data":{"object":{"id":"cs_1","metadata":{"order_id":"ord_1"}}}}`,
		`{"id":"evt_4","object":"event","type":"checkout.session.expired","data":{"object":{"id":"cs_1"}}}`,
		`{"id":"evt_5","object":"event","type":"charge.refunded","data":{"object":{}}}`,
		`{"object":"event","type":"checkout.session.completed"}`,
		`{"id":"evt_6","type":"checkout.session.completed","data":{"object":[]}}`,
		`[]`,
	} {
		f.Add([]byte(p), "", true, false, uint16(7))
		f.Add([]byte(p), "", true, true, uint16(7))
	}
	f.Add([]byte(`{"id":"evt_1"}`), "t=1772366400,v1=abc", false, false, uint16(0))
	f.Add([]byte(`{"id":"evt_1"}`), "t=1772366400,v0=abc,v1=", false, false, uint16(0))
	f.Add([]byte(`{"id":"evt_1"}`), "", false, false, uint16(0))

	const secret = "whsec_fuzz_secret"
	s, err := NewStripe(StripeConfig{SecretKey: "sk_test_fuzz", WebhookSecret: secret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte, sigHeader string, signed, stale bool, flip uint16) {
		h := http.Header{}
		if signed {
			at := time.Now()
			if stale {
				at = at.Add(-2 * time.Hour) // far outside the 5 minutes, whatever the clock does
			}
			sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
			h.Set("Stripe-Signature", sp.Header)
		} else {
			h.Set("Stripe-Signature", sigHeader)
		}
		ev, err := s.ParseEvent(payload, h)
		if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrBadEvent) {
			t.Fatalf("error wraps neither ErrBadSignature nor ErrBadEvent: %v", err)
		}
		switch {
		case (!signed || stale) && !errors.Is(err, ErrBadSignature):
			t.Fatalf("an unsigned or stale delivery was not refused as forged: %+v, %v", ev, err)
		case signed && !stale && errors.Is(err, ErrBadSignature):
			t.Fatalf("a genuine fresh signature was refused: %v", err)
		}
		if err != nil {
			return
		}

		var raw struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				Object stripeSession `json:"object"`
			} `json:"data"`
		}
		if jerr := json.Unmarshal(payload, &raw); jerr != nil && ev.Type != EventIgnored {
			t.Fatalf("acted on a payload that does not decode: %v", jerr)
		}
		if ev.ID == "" || raw.ID != "" && ev.ID != raw.ID {
			t.Fatalf("accepted event %+v, the payload's id is %q", ev, raw.ID)
		}
		switch ev.Type {
		case EventPaid:
			completedPaid := raw.Type == stripeSessionCompleted && raw.Data.Object.PaymentStatus == "paid"
			if !completedPaid && raw.Type != stripeSessionAsyncPaymentOK {
				t.Fatalf("%q (payment_status %q) taken as paid", raw.Type, raw.Data.Object.PaymentStatus)
			}
		case EventFailed:
			if raw.Type != stripeSessionAsyncPaymentFailed && raw.Type != stripeSessionExpired {
				t.Fatalf("%q taken as failed", raw.Type)
			}
		case EventIgnored:
		default:
			t.Fatalf("unknown event type %q", ev.Type)
		}
		if ev.Type != EventIgnored && (ev.OrderID == "" || ev.SessionID == "" || ev.SessionID != raw.Data.Object.ID) {
			t.Fatalf("%s event without its order or session: %+v", ev.Type, ev)
		}

		if len(payload) > 0 {
			tampered := append([]byte(nil), payload...)
			tampered[int(flip)%len(tampered)] ^= 1 << (flip % 8)
			if _, err := s.ParseEvent(tampered, h); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("a payload changed after signing was not refused: %v", err)
			}
		}
	})
}
