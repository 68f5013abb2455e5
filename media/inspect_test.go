package media

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/media/synth"
)

func TestInspect(t *testing.T) {
	jpg := synthJPEG(t, 640, 427, 1, 85)
	pngFile := encodePNG(t, synth.Photo(320, 200, 2))
	tinyPNG := encodePNG(t, synth.Photo(40, 30, 3))
	webp := losslessWebP(128, 96, 0x3a, 0x6e, 0xa5)
	badCRC := bytes.Clone(pngFile)
	badCRC[len(badCRC)-20] ^= 0xff // inside the last IDAT
	lim := Limits{MaxBytes: 20 << 20, MinPixels: 10_000, MaxPixels: 100_000_000}

	cases := []struct {
		name string
		data []byte
		lim  Limits
		want Info
		err  error
	}{
		{name: "empty file", data: nil, lim: lim, err: ErrUnsupported},
		{name: "text", data: []byte("name,price\nsunset,3.00\n"), lim: lim, err: ErrUnsupported},
		{name: "GIF header", data: []byte("GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"), lim: lim, err: ErrUnsupported},
		{name: "BMP header", data: append([]byte("BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00"), make([]byte, 40)...), lim: lim, err: ErrUnsupported},
		{name: "TIFF header", data: []byte("II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), lim: lim, err: ErrUnsupported},
		{name: "truncated JPEG", data: jpg[:len(jpg)/2], lim: lim, err: ErrCorrupt},
		{name: "JPEG cut inside its header", data: jpg[:100], lim: lim, err: ErrCorrupt},
		{name: "truncated PNG", data: pngFile[:len(pngFile)/2], lim: lim, err: ErrCorrupt},
		{name: "PNG without IEND", data: pngFile[:len(pngFile)-12], lim: lim, err: ErrCorrupt},
		{name: "PNG with a bad checksum", data: badCRC, lim: lim, err: ErrCorrupt},
		{name: "truncated WebP", data: webp[:len(webp)-3], lim: lim, err: ErrCorrupt},
		{name: "PNG pixel bomb", data: pngBomb(50000, 50000), lim: lim, err: ErrTooManyPixels},
		{name: "under MinPixels", data: tinyPNG, lim: lim, err: ErrTooFewPixels},
		{name: "over MaxBytes", data: jpg, lim: Limits{MaxBytes: int64(len(jpg) - 1)}, err: ErrTooLarge},
		{name: "valid JPEG", data: jpg, lim: lim, want: Info{Format: JPEG, ContentType: "image/jpeg", Width: 640, Height: 427}},
		{name: "valid PNG", data: pngFile, lim: lim, want: Info{Format: PNG, ContentType: "image/png", Width: 320, Height: 200}},
		{name: "valid WebP", data: webp, lim: lim, want: Info{Format: WebP, ContentType: "image/webp", Width: 128, Height: 96}},
		{name: "zero limits mean none", data: tinyPNG, lim: Limits{}, want: Info{Format: PNG, ContentType: "image/png", Width: 40, Height: 30}},
		{
			name: "JPEG with HTML after EOI",
			data: append(bytes.Clone(jpg), "<html><script>alert(document.cookie)</script></html>"...),
			lim:  lim,
			want: Info{Format: JPEG, ContentType: "image/jpeg", Width: 640, Height: 427},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Inspect(bytes.NewReader(tc.data), int64(len(tc.data)), tc.lim)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Inspect: got %v, want %v", err, tc.err)
				}
				if !strings.HasPrefix(err.Error(), tc.err.Error()+": ") {
					t.Errorf("error %q does not add a detail to %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if info != tc.want {
				t.Errorf("Inspect: got %+v, want %+v", info, tc.want)
			}
		})
	}
}

// TestInspectPixelBombIsCheap checks that a 50000×50000 PNG is refused from its header alone:
// quickly, and without allocating anything like its 7.5 GB of pixels.
func TestInspectPixelBombIsCheap(t *testing.T) {
	bomb := pngBomb(50000, 50000)
	lim := Limits{MaxBytes: 20 << 20, MaxPixels: 100_000_000}
	const runs = 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range runs {
		_, err := Inspect(bytes.NewReader(bomb), int64(len(bomb)), lim)
		if !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("Inspect: %v, want ErrTooManyPixels", err)
		}
	}
	elapsed := time.Since(start) / runs
	runtime.ReadMemStats(&after)
	perCall := (after.TotalAlloc - before.TotalAlloc) / runs
	t.Logf("pixel bomb refused in %v, %d bytes allocated a call", elapsed, perCall)
	if perCall > 1<<20 {
		t.Errorf("Inspect allocated %d bytes a call, want under 1 MB", perCall)
	}
	if elapsed > 20*time.Millisecond {
		t.Errorf("Inspect took %v, want well under 20ms", elapsed)
	}
}

// TestInspectMessages checks the details people see.
func TestInspectMessages(t *testing.T) {
	bomb := pngBomb(50000, 50000)
	_, err := Inspect(bytes.NewReader(bomb), int64(len(bomb)), Limits{MaxPixels: 100_000_000})
	if want := "50000×50000 is 2500.0 megapixels; the limit is 100.0 megapixels"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to contain %q", err, want)
	}
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00")
	if _, err := Inspect(bytes.NewReader(gif), int64(len(gif)), Limits{}); err == nil || !strings.Contains(err.Error(), "GIF") {
		t.Errorf("got %v, want it to name GIF", err)
	}
}

// TestInspectAlphaPNGAndGray covers PNG colour types other than RGB.
func TestInspectAlphaPNGAndGray(t *testing.T) {
	for _, img := range []image.Image{image.NewGray(image.Rect(0, 0, 120, 90)), image.NewNRGBA64(image.Rect(0, 0, 120, 90))} {
		b := encodePNG(t, img)
		info, err := Inspect(bytes.NewReader(b), int64(len(b)), Limits{})
		if err != nil || info.Width != 120 || info.Height != 90 {
			t.Errorf("%T: got %+v, %v", img, info, err)
		}
	}
	pal := image.NewPaletted(image.Rect(0, 0, 10, 10), color.Palette{color.Black, color.White})
	b := encodePNG(t, pal)
	if _, err := Inspect(bytes.NewReader(b), int64(len(b)), Limits{}); err != nil {
		t.Errorf("paletted PNG: %v", err)
	}
}

// errReaderAt fails every read, as a broken disk or a dropped connection would.
type errReaderAt struct{}

var errDisk = errors.New("disk on fire")

func (errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errDisk }

// TestInspectReaderError keeps the caller's I/O failure apart from the uploader's bad file.
func TestInspectReaderError(t *testing.T) {
	_, err := Inspect(errReaderAt{}, 1000, Limits{})
	if !errors.Is(err, errDisk) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrUnsupported) {
		t.Errorf("got %v, want the reader's error", err)
	}
}
