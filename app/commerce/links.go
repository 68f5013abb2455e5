package commerce

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signer signs and checks the links that deliver originals. A link names a
// licence, its buyer and an expiry; the signature covers all three, so a
// link can be neither forged, extended, nor used by anyone else.
type Signer struct{ key []byte }

// NewSigner derives the download-link key from the server's secret key, so
// that no other use of the secret can produce a valid link.
func NewSigner(secret []byte) *Signer {
	return &Signer{key: derive(secret, "snapshop download links v1")}
}

// derive returns a key for one purpose from the server's secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Errors of Check.
var (
	ErrLinkForged  = errors.New("commerce: download link signature does not verify")
	ErrLinkExpired = errors.New("commerce: download link expired")
)

func (s *Signer) mac(code string, buyerID int64, expires int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(code + "\x00" + strconv.FormatInt(buyerID, 10) + "\x00" + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns the expiry and signature of a link to licence code for buyerID.
func (s *Signer) Sign(code string, buyerID int64, expires time.Time) (exp, sig string) {
	e := expires.Unix()
	return strconv.FormatInt(e, 10), s.mac(code, buyerID, e)
}

// Check verifies a link's signature, then its expiry: a forged link is
// ErrLinkForged whatever its expiry says.
func (s *Signer) Check(code string, buyerID int64, exp, sig string, now time.Time) error {
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !hmac.Equal([]byte(s.mac(code, buyerID, e)), []byte(strings.ToLower(sig))) {
		return ErrLinkForged
	}
	if now.Unix() > e {
		return ErrLinkExpired
	}
	return nil
}

// codeAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or typed from a printout is not misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewLicenseCode returns a licence code like SNAP-7K3M-Q9TW-X2HD: 60 random
// bits, in groups a person can read out.
func NewLicenseCode() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (Go ≥ 1.24)
	var sb strings.Builder
	sb.WriteString("SNAP")
	for i, c := range b {
		if i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[c&31])
	}
	return sb.String()
}

// NormalizeLicenseCode reads a code as a person may type it: any case,
// with or without dashes, with O for 0 and I or L for 1.
func NormalizeLicenseCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) == 16 {
		// Only a 16-character code has the prefix to drop: the 12 random
		// characters may themselves begin with SNAP.
		s = strings.TrimPrefix(s, "SNAP")
	}
	if len(s) != 12 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
	}
	return "SNAP-" + s[0:4] + "-" + s[4:8] + "-" + s[8:12]
}
