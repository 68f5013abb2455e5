package catalog_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/media/synth"
)

// testLimits keep fixtures small: 100×100 is enough of a photo here.
func testLimits() catalog.Limits {
	return catalog.Limits{
		MaxFileBytes: 2 << 20,
		MinPixels:    10_000,
		MaxPixels:    4_000_000,
		MaxFiles:     5,
		MaxDrafts:    6,
		MaxPending:   3,
	}
}

type env struct {
	db      *store.DB
	blobs   catalog.Blobs
	svc     *catalog.Service
	tmp     string
	contrib *app.User
	other   *app.User
	buyer   *app.User
	admin   *app.User
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	local, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newEnvWith(t, db, local)
}

func newEnvWith(t *testing.T, db *store.DB, blobs catalog.Blobs) *env {
	t.Helper()
	return newEnvOpts(t, db, blobs, nil)
}

// newEnvOpts is newEnvWith with a run-time policy source (nil: none).
func newEnvOpts(t *testing.T, db *store.DB, blobs catalog.Blobs, policy func(context.Context) app.Policy) *env {
	t.Helper()
	e := &env{db: db, blobs: blobs, tmp: t.TempDir()}
	svc, err := catalog.NewService(db, blobs, catalog.Options{Limits: testLimits(), TempDir: e.tmp, Logger: storetest.Logger(t), Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	mk := func(name string, role app.Role) *app.User { return storetest.User(t, db, name, role) }
	e.contrib, e.other = mk("cora", app.RoleContributor), mk("otto", app.RoleContributor)
	e.buyer, e.admin = mk("bea", app.RoleBuyer), mk("ada", app.RoleAdmin)
	return e
}

// upload stages and ingests data as u.
func (e *env) upload(t *testing.T, u *app.User, name string, data []byte) (*app.Image, error) {
	t.Helper()
	st, err := e.svc.Stage(t.Context(), name, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	}()
	return e.svc.Ingest(t.Context(), u, st)
}

func (e *env) mustUpload(t *testing.T, u *app.User, name string, data []byte) *app.Image {
	t.Helper()
	img, err := e.upload(t, u, name, data)
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return img
}

// process runs the worker pool until no job is queued or running.
func (e *env) process(t *testing.T) {
	t.Helper()
	e.runWorkers(t, &catalog.Workers{Catalog: e.svc, DB: e.db, Count: 2, Poll: 10 * time.Millisecond, RetryBase: 10 * time.Millisecond})
}

func (e *env) runWorkers(t *testing.T, w *catalog.Workers) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := w.Run(ctx); err != nil {
			t.Error(err)
		}
	})
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		counts, err := e.db.JobCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[app.JobQueued]+counts[app.JobRunning] == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("jobs still pending after 30s")
}

func (e *env) image(t *testing.T, id string) *app.Image {
	t.Helper()
	img, err := e.svc.Image(t.Context(), e.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// blobKeys lists every stored blob.
func (e *env) blobKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	err := e.blobs.Walk(t.Context(), "", func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	return keys
}

func (e *env) blobBytes(t *testing.T, key string) []byte {
	t.Helper()
	obj, err := e.blobs.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func photo(t *testing.T, w, h int, seed int64) []byte {
	t.Helper()
	b, err := synth.JPEG(w, h, seed, 85)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withSegments inserts JPEG segments (each marker + payload) right after SOI.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

// exifOrientation is an APP1 EXIF segment holding only an orientation.
func exifOrientation(o uint16) []byte {
	var b bytes.Buffer
	b.WriteString("Exif\x00\x00II*\x00")
	le := binary.LittleEndian
	_ = binary.Write(&b, le, uint32(8)) // IFD0 offset
	_ = binary.Write(&b, le, uint16(1)) // one entry
	_ = binary.Write(&b, le, uint16(0x0112))
	_ = binary.Write(&b, le, uint16(3)) // SHORT
	_ = binary.Write(&b, le, uint32(1))
	_ = binary.Write(&b, le, o)
	_ = binary.Write(&b, le, uint16(0))
	_ = binary.Write(&b, le, uint32(0)) // no next IFD
	return segment(0xE1, b.Bytes())
}

// xmpSegment is an APP1 XMP packet with a title, caption, keywords and GPS.
func xmpSegment() []byte {
	x := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
 exif:GPSLatitude="51,30.0N" exif:GPSLongitude="0,7.5W">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dawn</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Fishing boats before sunrise.</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag><rdf:li>Harbour</rdf:li><rdf:li>Boats</rdf:li><rdf:li>DAWN</rdf:li><rdf:li>boats</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>`
	return segment(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), x...))
}

// pixelBomb is a complete, tiny PNG whose header declares width × height.
func pixelBomb(t *testing.T, width, height uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR data starts at 16: width, height; its CRC covers type+data (12..29).
	binary.BigEndian.PutUint32(b[16:], width)
	binary.BigEndian.PutUint32(b[20:], height)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// undecodable keeps a JPEG's headers but replaces its compressed data with
// a few bytes of noise: structurally complete, impossible to decode.
func undecodable(t *testing.T, jpg []byte) []byte {
	t.Helper()
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	if sos < 0 {
		t.Fatal("no SOS")
	}
	n := int(jpg[sos+2])<<8 | int(jpg[sos+3])
	out := append([]byte{}, jpg[:sos+2+n]...)
	out = append(out, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0x01)
	return append(out, 0xFF, 0xD9)
}

// flakyBlobs fails the first Open of any key, as a storage outage would.
type flakyBlobs struct {
	catalog.Blobs
	mu     sync.Mutex
	failed map[string]bool
}

func (f *flakyBlobs) Open(ctx context.Context, key string) (blob.Object, error) {
	f.mu.Lock()
	first := !f.failed[key]
	f.failed[key] = true
	f.mu.Unlock()
	if first {
		return nil, errors.New("storage briefly unavailable")
	}
	return f.Blobs.Open(ctx, key)
}

// policyVar is a run-time policy a test changes as an admin would.
type policyVar struct {
	mu sync.Mutex
	p  app.Policy
}

func (v *policyVar) get(context.Context) app.Policy {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.p
}

func (v *policyVar) set(p app.Policy) {
	v.mu.Lock()
	v.p = p
	v.mu.Unlock()
}

// padded is jpg with n bytes of comment segments added, to reach a size
// without more pixels.
func padded(jpg []byte, n int) []byte {
	var segs [][]byte
	for n > 0 {
		k := min(n, 60_000)
		segs = append(segs, segment(0xFE, make([]byte, k)))
		n -= k
	}
	return withSegments(jpg, segs...)
}
