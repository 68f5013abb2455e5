package blob_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/snapshop/snapshop/media/blob"
)

// fakeS3 is an in-process S3 server for one test.
type fakeS3 struct {
	backend  *s3mem.Backend
	endpoint string
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(decodeChunkedParts(gofakes3.New(backend).Server()))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeS3{backend: backend, endpoint: u.Host}
}

// decodeChunkedParts works around a gap in gofakes3 v1.2.0: it decodes
// aws-chunked (streaming SigV4) bodies for PutObject but not for UploadPart,
// so the parts of a multipart upload over plain HTTP keep their chunk
// signatures as data (johannesboyne/gofakes3#49 fixed only PutObject). Real
// S3 and MinIO decode both; this strips the framing before gofakes3 sees it.
func decodeChunkedParts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPut || q.Get("partNumber") == "" ||
			!strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := decodeAWSChunked(bufio.NewReader(r.Body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		next.ServeHTTP(w, r)
	})
}

// decodeAWSChunked reads "<hex size>;chunk-signature=<sig>\r\n<data>\r\n"
// frames up to the empty final one.
func decodeAWSChunked(r *bufio.Reader) ([]byte, error) {
	var out bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("chunk header: %w", err)
		}
		hexSize, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(hexSize, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("chunk size %q: %w", hexSize, err)
		}
		if n == 0 {
			return out.Bytes(), nil
		}
		if _, err := io.CopyN(&out, r, n); err != nil {
			return nil, fmt.Errorf("chunk data: %w", err)
		}
		if _, err := r.Discard(2); err != nil { // CRLF
			return nil, fmt.Errorf("chunk end: %w", err)
		}
	}
}

var bucketSeq atomic.Int64

// bucket creates a fresh bucket and returns its name.
func (f *fakeS3) bucket(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("test-%d", bucketSeq.Add(1))
	if err := f.backend.CreateBucket(name); err != nil {
		t.Fatal(err)
	}
	return name
}

func (f *fakeS3) config(bucket, prefix string) blob.S3Config {
	return blob.S3Config{
		Endpoint:  f.endpoint,
		Region:    "us-east-1",
		Bucket:    bucket,
		Prefix:    prefix,
		AccessKey: "test",
		SecretKey: "test-secret",
		Insecure:  true,
		PathStyle: true,
	}
}

func (f *fakeS3) store(t *testing.T, bucket, prefix string) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(t.Context(), f.config(bucket, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3(t *testing.T) {
	t.Parallel()
	testStore(t, func(t *testing.T) store {
		f := newFakeS3(t)
		return f.store(t, f.bucket(t), "")
	})
}

func TestS3WithPrefix(t *testing.T) {
	t.Parallel()
	testStore(t, func(t *testing.T) store {
		f := newFakeS3(t)
		return f.store(t, f.bucket(t), "snapshop/")
	})
}

func TestS3MissingBucket(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	_, err := blob.NewS3(t.Context(), f.config("no-such-bucket", ""))
	if err == nil {
		t.Fatal("NewS3 on a missing bucket succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, `"no-such-bucket"`) || !strings.Contains(msg, "does not exist") {
		t.Errorf("unclear error: %v", err)
	}
}

func TestS3BadConfig(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	b := f.bucket(t)
	for name, cfg := range map[string]blob.S3Config{
		"no endpoint": {Bucket: b},
		"no bucket":   f.config("", ""),
		"bad prefix":  f.config(b, "/abs/"),
	} {
		if _, err := blob.NewS3(t.Context(), cfg); err == nil {
			t.Errorf("%s: NewS3 succeeded", name)
		}
	}
	// Nothing listens on this port: the error says so instead of hanging.
	cfg := f.config(b, "")
	cfg.Endpoint = "127.0.0.1:1"
	if _, err := blob.NewS3(t.Context(), cfg); err == nil {
		t.Error("NewS3 on a closed port succeeded")
	}
}

func TestS3PrefixIsolatesKeys(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	b := f.bucket(t)
	one := f.store(t, b, "one/")
	two := f.store(t, b, "two/")
	whole := f.store(t, b, "")

	mustPut(t, one, "k.jpg", []byte("one"))
	mustPut(t, two, "k.jpg", []byte("two"))
	mustPut(t, two, "only-two", []byte("2"))

	if keys := walkKeys(t, one, ""); !slices.Equal(keys, []string{"k.jpg"}) {
		t.Errorf("Walk on one/ = %q, want keys without the prefix", keys)
	}
	if keys := walkKeys(t, two, ""); !slices.Equal(keys, []string{"k.jpg", "only-two"}) {
		t.Errorf("Walk on two/ = %q", keys)
	}
	if keys := walkKeys(t, whole, ""); !slices.Equal(keys, []string{"one/k.jpg", "two/k.jpg", "two/only-two"}) {
		t.Errorf("Walk on the whole bucket = %q", keys)
	}
	if got := readAll(t, one, "k.jpg"); string(got) != "one" {
		t.Errorf("one/k.jpg = %q", got)
	}
	assertMissing(t, one, "only-two")
	if err := one.Delete(t.Context(), "k.jpg"); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, two, "k.jpg"); string(got) != "two" {
		t.Errorf("Delete in one/ touched two/: %q", got)
	}
}

func TestS3StoresContentType(t *testing.T) {
	t.Parallel()
	f := newFakeS3(t)
	s := f.store(t, f.bucket(t), "")
	// The stated type wins over the extension.
	if err := s.Put(t.Context(), "x.bin", bytes.NewReader([]byte("RIFF")), 4, "image/webp"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(t.Context(), "x.bin")
	if err != nil || info.ContentType != "image/webp" {
		t.Errorf("Stat = %+v, %v; want image/webp", info, err)
	}
	o, err := s.Open(t.Context(), "x.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if ct := o.Info().ContentType; ct != "image/webp" {
		t.Errorf("Open Info ContentType = %q", ct)
	}
}
