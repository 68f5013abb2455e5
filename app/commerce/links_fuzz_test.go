package commerce

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzSignedLink checks download links both ways. A genuine link — any
// code, any buyer, any expiry — verifies until it expires and is refused as
// expired after. A link made up by the fuzzer (code, buyer, expiry and
// signature all chosen freely) is accepted only when it is that genuine link
// (the same code, buyer and expiry, the signature in any letter case): no
// other signature verifies, and the genuine signature verifies nothing else.
func FuzzSignedLink(f *testing.F) {
	genuine := NewSigner(fuzzSecret)
	exp, sig := genuine.Sign("SNAP-7K3M-Q9TW-X2HD", 42, fuzzNow.Add(10*time.Minute))
	seeded := fuzzLink{"SNAP-7K3M-Q9TW-X2HD", 42, exp, sig}
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(600), "SNAP-7K3M-Q9TW-X2HD", int64(42), exp, sig)
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(600), "SNAP-7K3M-Q9TW-X2HD", int64(43), exp, sig)
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(600), "SNAP-7K3M-Q9TW-X2HE", int64(42), exp, sig)
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(600), "SNAP-7K3M-Q9TW-X2HD", int64(42), exp+"0", sig)
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(600), "SNAP-7K3M-Q9TW-X2HD", int64(42), "+"+exp, strings.ToUpper(sig))
	f.Add("SNAP-7K3M-Q9TW-X2HD", int64(42), int64(-1), "SNAP-7K3M-Q9TW-X2HD", int64(42), exp, sig[:63])
	f.Add("a\x00b", int64(-1), int64(0), "a", int64(0), "", "")
	f.Add("", int64(0), int64(1<<40), "", int64(0), "9223372036854775807", strings.Repeat("0", 64))

	f.Fuzz(func(t *testing.T, code string, buyer, ttl int64, fCode string, fBuyer int64, fExp, fSig string) {
		s := NewSigner(fuzzSecret)
		ttl %= 1 << 40
		exp, sig := s.Sign(code, buyer, time.Unix(fuzzNow.Unix()+ttl, 0))
		err := s.Check(code, buyer, exp, sig, fuzzNow)
		switch {
		case ttl >= 0 && err != nil:
			t.Fatalf("a genuine link valid for %ds was refused: %v", ttl, err)
		case ttl < 0 && !errors.Is(err, ErrLinkExpired):
			t.Fatalf("a genuine link expired %ds ago: %v, want ErrLinkExpired", -ttl, err)
		}
		if NewSigner([]byte("another server's secret key......")).Check(code, buyer, exp, sig, fuzzNow) == nil {
			t.Fatal("a link verified under another secret")
		}

		err = s.Check(fCode, fBuyer, fExp, fSig, fuzzNow)
		if err != nil && !errors.Is(err, ErrLinkForged) && !errors.Is(err, ErrLinkExpired) {
			t.Fatalf("unexpected error %v", err)
		}
		if err == nil || errors.Is(err, ErrLinkExpired) {
			// The signature verified: this must be one of the links the
			// server signed, this run's or the seeds' (whose parts the
			// fuzzer recombines).
			e, perr := strconv.ParseInt(fExp, 10, 64)
			forged := fuzzLink{fCode, fBuyer, strconv.FormatInt(e, 10), strings.ToLower(fSig)}
			if perr != nil || forged != (fuzzLink{code, buyer, exp, sig}) && forged != seeded {
				t.Fatalf("forged link accepted: %+v (genuine: %+v and %+v)", forged, fuzzLink{code, buyer, exp, sig}, seeded)
			}
		}
	})
}

// fuzzLink is a download link's signed parts.
type fuzzLink struct {
	code     string
	buyer    int64
	exp, sig string
}

var licenseCodeShape = regexp.MustCompile(`^SNAP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

// FuzzLicenseCode checks NormalizeLicenseCode, which reads codes people
// type on the verification page: any input gives "" or a well-formed code
// that normalises to itself; and every code NewLicenseCode could make (one
// is built from the fuzzer's bytes) is read back from the ways people type
// it — lower case, without dashes, with spaces, with O for 0 and I or L
// for 1, without the SNAP prefix.
func FuzzLicenseCode(f *testing.F) {
	f.Add("SNAP-7K3M-Q9TW-X2HD", []byte("0123456789ab"))
	f.Add("snap 7k3m q9tw x2hd", []byte("SNAPSNAPSNAP"))
	f.Add("7K3MQ9TWX2HD", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add("SNAP-SNAP-SNAP-SNAP", []byte{25, 21, 10, 22, 25, 21, 10, 22, 0, 1, 2, 3}) // SNAP-SNAP-SNAP-0123
	f.Add("SNAP-OIL0-0000-0000", []byte{})
	f.Add("SNAPSNAPSNAPSNAP", []byte{})
	f.Add("ſnap-7k3m-q9tw-x2hd", []byte{})
	f.Add("", []byte{})

	f.Fuzz(func(t *testing.T, typed string, seed []byte) {
		got := NormalizeLicenseCode(typed)
		if got != "" && (!licenseCodeShape.MatchString(got) || NormalizeLicenseCode(got) != got) {
			t.Fatalf("NormalizeLicenseCode(%q) = %q: not a well-formed, stable code", typed, got)
		}

		if len(seed) < 12 {
			return
		}
		var sb strings.Builder
		for i, c := range seed[:12] {
			if i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(codeAlphabet[c&31])
		}
		code := "SNAP" + sb.String()
		body := strings.ReplaceAll(code[5:], "-", "")
		for _, v := range []string{
			code,
			strings.ToLower(code),
			" " + code + "\t",
			"SNAP" + body,
			body,
			strings.ToLower(body[:6] + " " + body[6:]),
			strings.NewReplacer("0", "O", "1", "I").Replace(code),
			strings.NewReplacer("1", "l").Replace(strings.ToLower(code)),
		} {
			if got := NormalizeLicenseCode(v); got != code {
				t.Fatalf("NormalizeLicenseCode(%q) = %q, want %q", v, got, code)
			}
		}
	})
}
