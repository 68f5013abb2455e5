package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Info describes a stored blob.
type Info struct {
	Key         string
	Size        int64
	ModTime     time.Time
	ContentType string // "" when the store does not know it
}

// Object is an open blob: seekable so that http.ServeContent can answer range requests.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

var (
	// ErrNotFound is returned when no blob is stored under a key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey is returned, before any I/O, for a key that fails ValidKey.
	ErrInvalidKey = errors.New("blob: invalid key")
)

// maxKeyLen is S3's own limit on key length (1024) halved, which leaves room
// for a bucket prefix and still fits comfortably in a filesystem path.
const maxKeyLen = 512

// ValidKey reports whether key is acceptable: 1–512 bytes of [a-z0-9._-] in '/'-separated
// segments, no empty, "." or ".." segment, no leading or trailing '/'.
//
// The alphabet is deliberately narrow: such keys mean the same thing on every
// filesystem (no case folding, no escaping) and in an S3 URL, so a blob can move
// between stores unchanged and can never name a path outside the store.
func ValidKey(key string) bool {
	if len(key) == 0 || len(key) > maxKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-', c == '/':
		default:
			return false
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// validPrefix reports whether prefix can start a valid key, so that Walk rejects
// nonsense ("../", "A") the same way the other methods reject bad keys. The empty
// prefix means every blob.
func validPrefix(prefix string) bool {
	// Any valid prefix can be completed into a valid key by one more
	// ordinary byte: "a/" → "a/x", "a." → "a.x", "a/.." → "a/..x".
	return prefix == "" || (len(prefix) < maxKeyLen && ValidKey(prefix+"x"))
}

// contentTypeByExt derives a content type from a key's extension. It is a
// fixed table rather than mime.TypeByExtension, which consults the host's
// mime.types files and so answers differently from machine to machine.
func contentTypeByExt(key string) string {
	switch path.Ext(key) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	case ".gif":
		return "image/gif"
	case ".avif":
		return "image/avif"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return ""
}

// errSizeMismatch reports a Put whose reader did not yield exactly the
// announced number of bytes.
var errSizeMismatch = errors.New("blob: size does not match the data")

// putReader guards the bytes a Put stores: it stops at the first cancellation
// of ctx and, when the size is known, fails unless the source yields exactly
// that many bytes. The check happens before the final byte is handed on, so
// the store's writer sees an error instead of a complete-looking body and
// commits nothing.
type putReader struct {
	ctx       context.Context
	r         io.Reader
	remaining int64 // -1 when the size is unknown
}

func newPutReader(ctx context.Context, r io.Reader, size int64) *putReader {
	return &putReader{ctx: ctx, r: r, remaining: size}
}

func (p *putReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	if p.remaining < 0 {
		return p.r.Read(b)
	}
	if p.remaining == 0 {
		if err := p.expectEOF(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(b)) > p.remaining {
		b = b[:p.remaining]
	}
	n, err := p.r.Read(b)
	p.remaining -= int64(n)
	switch {
	case errors.Is(err, io.EOF) && p.remaining > 0:
		return 0, fmt.Errorf("%w: %d bytes short", errSizeMismatch, p.remaining)
	case err != nil && !errors.Is(err, io.EOF):
		return 0, err
	case p.remaining == 0:
		// Look for surplus bytes before delivering the last ones.
		if err := p.expectEOF(); err != nil {
			return 0, err
		}
		return n, io.EOF
	}
	return n, nil
}

// expectEOF succeeds only if the source has nothing left.
func (p *putReader) expectEOF() error {
	var one [1]byte
	for range 100 { // a reader may legally return 0, nil; do not spin forever
		n, err := p.r.Read(one[:])
		if n > 0 {
			return fmt.Errorf("%w: more bytes than announced", errSizeMismatch)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}
