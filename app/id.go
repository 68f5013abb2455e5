package app

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewPublicID returns a random 16-character identifier (80 bits) for use in
// URLs and API responses, so that no public address reveals a sequential
// database ID or the size of a table.
func NewPublicID() string {
	return RandomToken(10)
}

// RandomToken returns n random bytes encoded in lowercase base32.
func RandomToken(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error on supported platforms (Go ≥ 1.24).
	_, _ = rand.Read(b)
	return strings.ToLower(idEncoding.EncodeToString(b))
}
