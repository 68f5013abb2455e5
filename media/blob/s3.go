package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3PartSize is both the multipart chunk size and how much of an
// unknown-size Put is buffered in memory to find out whether one plain PUT
// will do. minio-go's own choice for unknown sizes is ~512 MiB per part
// (5 TiB / 10000 parts), far too much memory for a web server; 16 MiB parts
// still allow 160 GiB objects.
const s3PartSize = 16 << 20

// S3Config configures an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host[:port], e.g. "s3.eu-west-1.amazonaws.com" or "minio.internal:9000"
	Region    string
	Bucket    string
	Prefix    string // optional key prefix inside the bucket, e.g. "snapshop/"
	AccessKey string
	SecretKey string
	Insecure  bool // plain HTTP (tests, private networks)
	PathStyle bool // path-style addressing (MinIO, most non-AWS stores)
}

// S3 keeps blobs in an S3-compatible bucket, under Prefix + key. Objects are
// written without any ACL, so they are as private as the bucket: originals
// must never be exposed through a public bucket policy.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
}

// NewS3 connects and checks the bucket exists (a clear error otherwise).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("blob: s3: endpoint and bucket are required")
	}
	if cfg.Prefix != "" && !validPrefix(cfg.Prefix) {
		return nil, fmt.Errorf("blob: s3: prefix %q: %w", cfg.Prefix, ErrInvalidKey)
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       !cfg.Insecure,
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 %s: %w", cfg.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3: check bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3: bucket %q does not exist at %s (create it first; Snapshop does not create buckets)", cfg.Bucket, cfg.Endpoint)
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

func (s *S3) name(key string) string { return s.prefix + key }

// Put stores r under key. An S3 PUT is atomic by itself, and a multipart
// upload becomes visible only when completed (minio-go aborts it on error), so
// a failed Put leaves nothing under the key. size is -1 if unknown; otherwise
// a reader yielding a different number of bytes fails the Put. An empty
// contentType is derived from the key's extension.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if !ValidKey(key) {
		return fmt.Errorf("put %q: %w", key, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if contentType == "" {
		contentType = contentTypeByExt(key)
	}
	opts := minio.PutObjectOptions{ContentType: contentType, PartSize: s3PartSize}
	body := io.Reader(newPutReader(ctx, r, size))

	if size == 0 {
		// minio-go sends no body for size 0 and so never reads one: check
		// here that the reader is indeed empty.
		if _, err := io.Copy(io.Discard, body); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		body = bytes.NewReader(nil)
	}
	if size < 0 {
		// Most blobs are small: buffer up to one part, and if the data ends
		// there send it as one plain PUT of known size instead of a
		// multipart upload.
		var head bytes.Buffer
		_, err := io.CopyN(&head, body, s3PartSize)
		switch {
		case errors.Is(err, io.EOF):
			size = int64(head.Len())
			body = &head
		case err != nil:
			return fmt.Errorf("put %s: %w", key, err)
		default:
			body = io.MultiReader(&head, body)
		}
	}
	// Over plain HTTP minio-go signs the payload in aws-chunked streaming
	// form, which for an empty body goes out without a Content-Length and is
	// refused (MissingContentLength). An empty body has nothing to sign, so
	// send it as an ordinary request.
	opts.DisableContentSha256 = size == 0
	if _, err := s.client.PutObject(ctx, s.bucket, s.name(key), body, size, opts); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Open opens the blob under key, positioned at its start. The Object fetches
// its bytes lazily under ctx, so ctx must stay alive until it is closed.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	if !ValidKey(key) {
		return nil, fmt.Errorf("open %q: %w", key, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.name(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, s3Err(err))
	}
	// GetObject is lazy: a missing key shows up only on the first request,
	// so Stat now to answer ErrNotFound here and to learn the size.
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, fmt.Errorf("open %s: %w", key, s3Err(err))
	}
	return &s3Object{Object: obj, info: s3Info(key, oi)}, nil
}

// Stat describes the blob under key.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if !ValidKey(key) {
		return Info{}, fmt.Errorf("stat %q: %w", key, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.name(key), minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, s3Err(err))
	}
	return s3Info(key, oi), nil
}

// Delete removes the blob under key; a missing key is not an error (S3
// itself answers 204 for it).
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("delete %q: %w", key, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(s3Err(err), ErrNotFound) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Walk calls fn for every blob whose key starts with prefix, in the order the
// server lists them (S3 lists in byte order of the full name), and stops at
// fn's first error, which it returns. Keys are reported without the store's
// Prefix; objects whose remaining name is not a valid key are skipped. S3
// listings carry no content type, so Info.ContentType is derived from the
// extension.
func (s *S3) Walk(ctx context.Context, prefix string, fn func(Info) error) error {
	if !validPrefix(prefix) {
		return fmt.Errorf("walk %q: %w", prefix, ErrInvalidKey)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk %s: %w", prefix, err)
	}
	// Cancelling is how a ranged-over listing is told to stop early.
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: s.name(prefix), Recursive: true}
	for oi := range s.client.ListObjectsIter(lctx, s.bucket, opts) {
		if oi.Err != nil {
			return fmt.Errorf("walk %s: %w", prefix, oi.Err)
		}
		key, ok := strings.CutPrefix(oi.Key, s.prefix)
		if !ok || !ValidKey(key) {
			continue
		}
		info := s3Info(key, oi)
		if info.ContentType == "" {
			info.ContentType = contentTypeByExt(key)
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	// A cancelled listing may simply end early; do not pass it off as complete.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk %s: %w", prefix, err)
	}
	return nil
}

func s3Info(key string, oi minio.ObjectInfo) Info {
	return Info{Key: key, Size: oi.Size, ModTime: oi.LastModified, ContentType: oi.ContentType}
}

// s3Err maps S3's "no such key" (by code, or by a bare 404 on HEAD, which has
// no body to carry a code) to ErrNotFound, keeping the server's message.
func s3Err(err error) error {
	var er minio.ErrorResponse
	if errors.As(err, &er) && (er.Code == minio.NoSuchKey || (er.StatusCode == http.StatusNotFound && er.Code != minio.NoSuchBucket)) {
		return fmt.Errorf("%w (%s)", ErrNotFound, er.Message)
	}
	return err
}

// s3Object is minio's lazily fetched object, which already seeks (by issuing
// a ranged GET), plus the Info read when it was opened.
type s3Object struct {
	*minio.Object
	info Info
}

func (o *s3Object) Info() Info { return o.info }
