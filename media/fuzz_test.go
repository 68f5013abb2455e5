package media

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"testing"
)

// FuzzInspect feeds Inspect arbitrary bytes: it must never panic, must accept only files whose
// header it could read, and must use memory bounded by a constant, not by what a header claims
// or by the file's size: what it allocates is measured (runtime.ReadMemStats around the call,
// which flushes the per-P caches, so the figure is exact up to what the fuzzing machinery
// allocates meanwhile) and must stay under inspectAllocBudget. Its reads are counted too: at
// most a few passes over the file (the header decoder's, the structural walk's), never a
// re-read per segment. Small accepted files also go through Derive, which must not panic either.
func FuzzInspect(f *testing.F) {
	// The seed corpus in testdata/fuzz/FuzzInspect holds tiny hand-made files; add a few more
	// built in code.
	f.Add(pngBomb(50000, 50000))
	f.Add(pngBomb(2000, 2000)) // accepted: 4 megapixels in 70 bytes, the budget's own test
	f.Add(losslessWebP(3, 2, 10, 20, 30))
	f.Add(encodeTestJPEG(f, checker(16, 8), 50))
	lim := Limits{MaxBytes: 1 << 20, MinPixels: 1, MaxPixels: 4_000_000}
	sentinels := []error{ErrUnsupported, ErrCorrupt, ErrTooLarge, ErrTooFewPixels, ErrTooManyPixels}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := &countingReaderAt{r: bytes.NewReader(data)}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		info, err := Inspect(src, int64(len(data)), lim)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > inspectAllocBudget {
			t.Fatalf("Inspect allocated %d bytes for a %d-byte file (budget %d)", alloc, len(data), inspectAllocBudget)
		}
		if limit := 3*int64(len(data)) + walkBuffer; src.n > limit {
			t.Fatalf("Inspect read %d bytes of a %d-byte file (at most %d)", src.n, len(data), limit)
		}
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

// inspectAllocBudget bounds what one Inspect call may allocate: the structural walk's buffer,
// the header decoders' state and error messages come to well under it (about 50 KB measured on
// the seed corpus), while decoding even a 512×512 image would need four times as much.
const inspectAllocBudget = 256 << 10

// countingReaderAt counts the bytes Inspect reads.
type countingReaderAt struct {
	r *bytes.Reader
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

func containsSentinel(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
