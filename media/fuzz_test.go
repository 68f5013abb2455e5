package media

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// FuzzInspect feeds Inspect arbitrary bytes: it must never panic, must accept only files whose
// header it could read, and must use memory bounded by the limits, not by what a header claims.
// Small accepted files also go through Derive, which must not panic either.
func FuzzInspect(f *testing.F) {
	// The seed corpus in testdata/fuzz/FuzzInspect holds tiny hand-made files; add a few more
	// built in code.
	f.Add(pngBomb(50000, 50000))
	f.Add(losslessWebP(3, 2, 10, 20, 30))
	f.Add(encodeTestJPEG(f, checker(16, 8), 50))
	lim := Limits{MaxBytes: 1 << 20, MinPixels: 1, MaxPixels: 4_000_000}
	sentinels := []error{ErrUnsupported, ErrCorrupt, ErrTooLarge, ErrTooFewPixels, ErrTooManyPixels}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			if !containsSentinel(err, sentinels) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if info.Format == "" || info.ContentType == "" || info.Width <= 0 || info.Height <= 0 ||
			int64(info.Width)*int64(info.Height) > lim.MaxPixels {
			t.Fatalf("accepted with a bad Info: %+v", info)
		}
		// Decoding is proportional to the pixels; keep each run quick.
		if info.Width*info.Height <= 512*512 {
			_, _ = Derive(context.Background(), data, DeriveOptions{Orientation: int(data[len(data)-1] % 9)})
		}
	})
}

func containsSentinel(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
