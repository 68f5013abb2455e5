package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/snapshop/snapshop/media/blob"
)

// store is the method set both blob stores share; the catalog declares its
// own copy of it.
type store interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (blob.Object, error)
	Stat(ctx context.Context, key string) (blob.Info, error)
	Delete(ctx context.Context, key string) error
	Walk(ctx context.Context, prefix string, fn func(blob.Info) error) error
}

var (
	_ store = (*blob.Local)(nil)
	_ store = (*blob.S3)(nil)
)

// testStore is the conformance suite every store must pass. newStore returns
// a fresh, empty store for each subtest.
func testStore(t *testing.T, newStore func(t *testing.T) store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store)
	}{
		{"PutOpenRead", testPutOpenRead},
		{"Seek", testSeek},
		{"ServeContentRange", testServeContentRange},
		{"Stat", testStat},
		{"EmptyBlob", testEmptyBlob},
		{"UnknownSize", testUnknownSize},
		{"ContentType", testContentType},
		{"Replace", testReplace},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"Walk", testWalk},
		{"WalkStopsOnError", testWalkStopsOnError},
		{"InvalidKeys", testInvalidKeys},
		{"FailedPutLeavesNothing", testFailedPutLeavesNothing},
		{"FailedPutKeepsOldBlob", testFailedPutKeepsOldBlob},
		{"ConcurrentPuts", testConcurrentPuts},
		{"CancelledContext", testCancelledContext},
		{"CancelDuringPut", testCancelDuringPut},
		{"LargeBlob", testLargeBlob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// data returns n bytes of a pattern that makes offsets recognisable.
func data(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i%251)
	}
	return b
}

func mustPut(t *testing.T, s store, key string, b []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(b), int64(len(b)), ""); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func readAll(t *testing.T, s store, key string) []byte {
	t.Helper()
	o, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}

func assertMissing(t *testing.T, s store, key string) {
	t.Helper()
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
	}
	if o, err := s.Open(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		if o != nil {
			o.Close()
		}
		t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
	}
}

func walkKeys(t *testing.T, s store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.Walk(t.Context(), prefix, func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("Walk(%q): %v", prefix, err)
	}
	return keys
}

func testPutOpenRead(t *testing.T, s store) {
	want := data(100_000, 1)
	if err := s.Put(t.Context(), "originals/ab/cd.jpg", bytes.NewReader(want), int64(len(want)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	o, err := s.Open(t.Context(), "originals/ab/cd.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	info := o.Info()
	if info.Key != "originals/ab/cd.jpg" || info.Size != int64(len(want)) || info.ContentType != "image/jpeg" {
		t.Errorf("Info = %+v", info)
	}
	got, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, not the %d written", len(got), len(want))
	}
}

func testSeek(t *testing.T, s store) {
	want := data(10_000, 7)
	mustPut(t, s, "k.bin", want)
	o, err := s.Open(t.Context(), "k.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()

	read := func(n int) []byte {
		t.Helper()
		b := make([]byte, n)
		if _, err := io.ReadFull(o, b); err != nil {
			t.Fatalf("read %d: %v", n, err)
		}
		return b
	}
	if got := read(10); !bytes.Equal(got, want[:10]) {
		t.Errorf("first read: % x", got)
	}
	if pos, err := o.Seek(5000, io.SeekStart); err != nil || pos != 5000 {
		t.Fatalf("Seek(5000, Start) = %d, %v", pos, err)
	}
	if got := read(100); !bytes.Equal(got, want[5000:5100]) {
		t.Error("read after SeekStart: wrong bytes")
	}
	if pos, err := o.Seek(-100, io.SeekCurrent); err != nil || pos != 5000 {
		t.Fatalf("Seek(-100, Current) = %d, %v", pos, err)
	}
	if got := read(10); !bytes.Equal(got, want[5000:5010]) {
		t.Error("read after SeekCurrent: wrong bytes")
	}
	if pos, err := o.Seek(-10, io.SeekEnd); err != nil || pos != 9990 {
		t.Fatalf("Seek(-10, End) = %d, %v", pos, err)
	}
	rest, err := io.ReadAll(o)
	if err != nil || !bytes.Equal(rest, want[9990:]) {
		t.Errorf("read to end after SeekEnd: %d bytes, %v", len(rest), err)
	}
	if pos, err := o.Seek(0, io.SeekStart); err != nil || pos != 0 {
		t.Fatalf("Seek(0, Start) = %d, %v", pos, err)
	}
	if got := read(10); !bytes.Equal(got, want[:10]) {
		t.Error("read after rewinding: wrong bytes")
	}
}

// testServeContentRange checks what Object is for: http.ServeContent
// answering a range request.
func testServeContentRange(t *testing.T, s store) {
	want := data(4096, 3)
	mustPut(t, s, "p/x.jpg", want)
	o, err := s.Open(t.Context(), "p/x.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	req := httptest.NewRequest(http.MethodGet, "/x.jpg", nil)
	req.Header.Set("Range", "bytes=1000-1999")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, o.Info().Key, o.Info().ModTime, o)
	if rec.Code != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", rec.Code)
	}
	if !bytes.Equal(rec.Body.Bytes(), want[1000:2000]) {
		t.Errorf("range body: %d bytes, wrong content", rec.Body.Len())
	}
}

func testStat(t *testing.T, s store) {
	before := time.Now().Add(-time.Minute)
	mustPut(t, s, "a/b.png", data(1234, 0))
	info, err := s.Stat(t.Context(), "a/b.png")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "a/b.png" || info.Size != 1234 {
		t.Errorf("Info = %+v", info)
	}
	if info.ModTime.Before(before) || info.ModTime.After(time.Now().Add(time.Minute)) {
		t.Errorf("ModTime %v is not about now", info.ModTime)
	}
}

func testEmptyBlob(t *testing.T, s store) {
	mustPut(t, s, "empty", nil)
	info, err := s.Stat(t.Context(), "empty")
	if err != nil || info.Size != 0 {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	if got := readAll(t, s, "empty"); len(got) != 0 {
		t.Errorf("read %d bytes from an empty blob", len(got))
	}
}

func testUnknownSize(t *testing.T, s store) {
	want := data(50_000, 9)
	// A reader that hides its length, as a pipe or network body would.
	r := struct{ io.Reader }{bytes.NewReader(want)}
	if err := s.Put(t.Context(), "u/v.webp", r, -1, ""); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, "u/v.webp"); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, want %d", len(got), len(want))
	}
	if info, err := s.Stat(t.Context(), "u/v.webp"); err != nil || info.Size != int64(len(want)) {
		t.Errorf("Stat = %+v, %v", info, err)
	}
}

func testContentType(t *testing.T, s store) {
	// Without an explicit type both stores derive it from the extension.
	mustPut(t, s, "c/d.jpg", data(10, 0))
	info, err := s.Stat(t.Context(), "c/d.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentType != "image/jpeg" {
		t.Errorf("ContentType = %q, want image/jpeg", info.ContentType)
	}
	err = s.Walk(t.Context(), "c/", func(i blob.Info) error {
		if i.ContentType != "image/jpeg" {
			t.Errorf("Walk ContentType = %q, want image/jpeg", i.ContentType)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testReplace(t *testing.T, s store) {
	mustPut(t, s, "r", data(5000, 1))
	second := data(300, 2)
	mustPut(t, s, "r", second)
	if got := readAll(t, s, "r"); !bytes.Equal(got, second) {
		t.Errorf("after replace read %d bytes, want the second blob", len(got))
	}
	if info, err := s.Stat(t.Context(), "r"); err != nil || info.Size != 300 {
		t.Errorf("Stat after replace = %+v, %v", info, err)
	}
	if keys := walkKeys(t, s, ""); !slices.Equal(keys, []string{"r"}) {
		t.Errorf("Walk after replace = %q", keys)
	}
}

func testMissing(t *testing.T, s store) {
	assertMissing(t, s, "nope")
	assertMissing(t, s, "no/such/key.jpg")
	mustPut(t, s, "file", data(1, 0))
	// A blob used as if it were a directory.
	assertMissing(t, s, "file/child")
	// A prefix of existing keys is not itself a blob.
	mustPut(t, s, "dir/x", data(1, 0))
	assertMissing(t, s, "dir")
	if err := s.Delete(t.Context(), "nope"); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	if err := s.Delete(t.Context(), "dir"); err != nil {
		t.Errorf("Delete(prefix of a key) = %v, want nil", err)
	}
	if got := readAll(t, s, "dir/x"); len(got) != 1 {
		t.Error("Delete of a prefix removed the blob under it")
	}
}

func testDelete(t *testing.T, s store) {
	mustPut(t, s, "d/1", data(10, 0))
	mustPut(t, s, "d/2", data(10, 0))
	if err := s.Delete(t.Context(), "d/1"); err != nil {
		t.Fatal(err)
	}
	assertMissing(t, s, "d/1")
	if err := s.Delete(t.Context(), "d/1"); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if keys := walkKeys(t, s, ""); !slices.Equal(keys, []string{"d/2"}) {
		t.Errorf("Walk after Delete = %q", keys)
	}
	// The key can be used again.
	mustPut(t, s, "d/1", data(3, 0))
	if info, err := s.Stat(t.Context(), "d/1"); err != nil || info.Size != 3 {
		t.Errorf("Stat after re-Put = %+v, %v", info, err)
	}
}

func testWalk(t *testing.T, s store) {
	// Chosen so that directory order and key order differ:
	// '-' < '.' < '/' < '0' < 'a'.
	keys := []string{"a/x", "a/y/z.jpg", "a.b", "a-c", "ab", "b/c/d/e", "a/y0", "a0"}
	for i, k := range keys {
		mustPut(t, s, k, data(i+1, 0))
	}
	sorted := slices.Sorted(slices.Values(keys))

	tests := []struct {
		prefix string
		want   []string
	}{
		{"", sorted},
		{"a", []string{"a-c", "a.b", "a/x", "a/y/z.jpg", "a/y0", "a0", "ab"}},
		{"a/", []string{"a/x", "a/y/z.jpg", "a/y0"}},
		{"a/y", []string{"a/y/z.jpg", "a/y0"}},
		{"a/y/", []string{"a/y/z.jpg"}},
		{"a/y/z.jpg", []string{"a/y/z.jpg"}},
		{"b/c/", []string{"b/c/d/e"}},
		{"b/c/d/e", []string{"b/c/d/e"}},
		{"b/c/d/e/", nil},
		{"zz", nil},
		{"a/q", nil},
	}
	for _, tt := range tests {
		if got := walkKeys(t, s, tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("Walk(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}

	// Sizes are reported.
	err := s.Walk(t.Context(), "", func(i blob.Info) error {
		want := int64(slices.Index(keys, i.Key) + 1)
		if i.Size != want {
			t.Errorf("Walk: %s has Size %d, want %d", i.Key, i.Size, want)
		}
		if i.ModTime.IsZero() {
			t.Errorf("Walk: %s has no ModTime", i.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testWalkStopsOnError(t *testing.T, s store) {
	for _, k := range []string{"w/1", "w/2", "w/3"} {
		mustPut(t, s, k, data(1, 0))
	}
	stop := errors.New("stop")
	calls := 0
	err := s.Walk(t.Context(), "w/", func(blob.Info) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Walk = %v, want fn's error", err)
	}
	if calls != 1 {
		t.Errorf("fn called %d times after returning an error, want 1", calls)
	}
}
