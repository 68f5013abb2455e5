package blob_test

// The failure half of the conformance suite: bad keys, failed and cancelled
// Puts, and concurrent writers.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/snapshop/snapshop/media/blob"
)

// invalidKeys are rejected by ValidKey and by every store method.
var invalidKeys = []string{
	"",
	"/",
	"/a",
	"a/",
	"a//b",
	".",
	"..",
	"../x",
	"a/../b",
	"a/./b",
	"a/..",
	"./a",
	"A/b",
	"a/B.jpg",
	"a b",
	"a\\b",
	"a\x00b",
	"a\nb",
	"é.jpg",
	"a:b",
	"a?b",
	"a%2fb",
	"a+b",
	strings.Repeat("a", 513),
	strings.Repeat("a/", 256) + "a", // 513 bytes of valid segments
}

func testInvalidKeys(t *testing.T, s store) {
	ctx := t.Context()
	for _, key := range invalidKeys {
		name := key
		if len(name) > 20 {
			name = fmt.Sprintf("%d bytes", len(key))
		}
		r := &countingReader{r: bytes.NewReader([]byte("data"))}
		if err := s.Put(ctx, key, r, 4, ""); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", name, err)
		}
		if r.n != 0 {
			t.Errorf("Put(%q) read the body of a rejected key", name)
		}
		if o, err := s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			if o != nil {
				o.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", name, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", name, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", name, err)
		}
	}
	for _, prefix := range []string{"/", "/a", "a//", "../", "a/../", "A", "a b", "./", strings.Repeat("a", 512)} {
		err := s.Walk(ctx, prefix, func(blob.Info) error { return nil })
		if !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Walk(%q) = %v, want ErrInvalidKey", prefix, err)
		}
	}
	if keys := walkKeys(t, s, ""); len(keys) != 0 {
		t.Errorf("store holds %q after only invalid Puts", keys)
	}
	// The longest valid key works (in segments short enough to be file names).
	long := strings.Repeat("abc/", 127) + "abcd"
	mustPut(t, s, long, data(5, 0))
	if info, err := s.Stat(ctx, long); err != nil || info.Size != 5 {
		t.Errorf("Stat(512-byte key) = %+v, %v", info, err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

// failingReader yields n bytes of data, then fails.
type failingReader struct {
	data []byte
	err  error
}

var errBroken = errors.New("reader broke")

func (f *failingReader) Read(b []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(b, f.data)
	f.data = f.data[n:]
	return n, nil
}

// failedPuts are Puts that must fail and store nothing: each gets a fresh
// reader.
func failedPuts() []struct {
	name string
	r    func() io.Reader
	size int64
} {
	full := data(100_000, 5)
	return []struct {
		name string
		r    func() io.Reader
		size int64
	}{
		{"ReaderErrorsHalfway", func() io.Reader { return &failingReader{data: full[:50_000], err: errBroken} }, 100_000},
		{"ReaderErrorsHalfwayUnknownSize", func() io.Reader { return &failingReader{data: full[:50_000], err: errBroken} }, -1},
		{"ReaderErrorsAtEnd", func() io.Reader { return &failingReader{data: full, err: errBroken} }, 100_000},
		{"TooFewBytes", func() io.Reader { return bytes.NewReader(full[:99_999]) }, 100_000},
		{"TooManyBytes", func() io.Reader { return bytes.NewReader(full) }, 99_999},
		{"NoBytes", func() io.Reader { return bytes.NewReader(nil) }, 10},
		{"BytesForEmpty", func() io.Reader { return bytes.NewReader(full[:1]) }, 0},
	}
}

func testFailedPutLeavesNothing(t *testing.T, s store) {
	for _, tt := range failedPuts() {
		key := "f/" + strings.ToLower(tt.name)
		if err := s.Put(t.Context(), key, tt.r(), tt.size, ""); err == nil {
			t.Errorf("%s: Put succeeded", tt.name)
		}
		assertMissing(t, s, key)
	}
	if keys := walkKeys(t, s, ""); len(keys) != 0 {
		t.Errorf("failed Puts left %q", keys)
	}
}

func testFailedPutKeepsOldBlob(t *testing.T, s store) {
	old := data(777, 4)
	mustPut(t, s, "keep", old)
	for _, tt := range failedPuts() {
		if err := s.Put(t.Context(), "keep", tt.r(), tt.size, ""); err == nil {
			t.Errorf("%s: Put succeeded", tt.name)
		}
		if got := readAll(t, s, "keep"); !bytes.Equal(got, old) {
			t.Fatalf("%s: failed Put changed the blob (%d bytes)", tt.name, len(got))
		}
	}
}

func testConcurrentPuts(t *testing.T, s store) {
	const writers, size = 8, 200_000
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			b := bytes.Repeat([]byte{byte('a' + i)}, size)
			errs[i] = s.Put(t.Context(), "same/key.jpg", bytes.NewReader(b), size, "")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got := readAll(t, s, "same/key.jpg")
	if len(got) != size {
		t.Fatalf("read %d bytes, want %d", len(got), size)
	}
	if n := bytes.Count(got, got[:1]); n != size {
		t.Errorf("blob mixes writers: only %d of %d bytes are %q", n, size, got[0])
	}
	if keys := walkKeys(t, s, ""); !slices.Equal(keys, []string{"same/key.jpg"}) {
		t.Errorf("Walk = %q", keys)
	}
}

func testCancelledContext(t *testing.T, s store) {
	mustPut(t, s, "there", data(10, 0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if err := s.Put(ctx, "new", bytes.NewReader(data(10, 0)), 10, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Put = %v, want context.Canceled", err)
	}
	if o, err := s.Open(ctx, "there"); !errors.Is(err, context.Canceled) {
		if o != nil {
			o.Close()
		}
		t.Errorf("Open = %v, want context.Canceled", err)
	}
	if _, err := s.Stat(ctx, "there"); !errors.Is(err, context.Canceled) {
		t.Errorf("Stat = %v, want context.Canceled", err)
	}
	if err := s.Delete(ctx, "there"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete = %v, want context.Canceled", err)
	}
	if err := s.Walk(ctx, "", func(blob.Info) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk = %v, want context.Canceled", err)
	}
	assertMissing(t, s, "new")
	if got := readAll(t, s, "there"); len(got) != 10 {
		t.Error("a cancelled Delete removed the blob")
	}
}

// cancellingReader cancels its Put's context after the first chunk, as a
// client hanging up mid-upload would.
type cancellingReader struct {
	r      io.Reader
	cancel context.CancelFunc
	reads  int
}

func (c *cancellingReader) Read(b []byte) (int, error) {
	c.reads++
	if c.reads == 2 {
		c.cancel()
	}
	if len(b) > 1000 {
		b = b[:1000]
	}
	return c.r.Read(b)
}

func testCancelDuringPut(t *testing.T, s store) {
	for _, size := range []int64{100_000, -1} {
		ctx, cancel := context.WithCancel(t.Context())
		r := &cancellingReader{r: bytes.NewReader(data(100_000, 0)), cancel: cancel}
		err := s.Put(ctx, "mid", r, size, "")
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("size %d: Put = %v, want context.Canceled", size, err)
		}
		assertMissing(t, s, "mid")
	}
}

// testLargeBlob crosses the S3 store's 16 MiB part size, so that store takes
// its multipart path, with both known and unknown size, and fails halfway
// through a multipart upload.
func testLargeBlob(t *testing.T, s store) {
	if testing.Short() {
		t.Skip("large blob")
	}
	const size = 17 << 20
	want := data(size, 11)
	if err := s.Put(t.Context(), "big/known", bytes.NewReader(want), size, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), "big/unknown", struct{ io.Reader }{bytes.NewReader(want)}, -1, ""); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"big/known", "big/unknown"} {
		if got := readAll(t, s, key); !bytes.Equal(got, want) {
			t.Errorf("%s: read %d bytes, want %d", key, len(got), size)
		}
	}
	r := &failingReader{data: want[:size-1000], err: errBroken}
	if err := s.Put(t.Context(), "big/broken", r, -1, ""); !errors.Is(err, errBroken) {
		t.Errorf("Put of a reader failing after 17 MiB = %v, want its error", err)
	}
	assertMissing(t, s, "big/broken")
}
