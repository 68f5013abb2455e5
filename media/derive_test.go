package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"regexp"
	"slices"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/media/synth"
)

func mustDerive(t *testing.T, data []byte, opt DeriveOptions) *Derived {
	t.Helper()
	d, err := Derive(context.Background(), data, opt)
	if err != nil {
		t.Fatalf("Derive: %v", err)
	}
	return d
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("derivative does not decode: %v", err)
	}
	return img
}

func TestDerivativeSizesIsAFreshTable(t *testing.T) {
	a := DerivativeSizes()
	a[0].LongEdge = 1
	b := DerivativeSizes()
	if b[0].LongEdge == 1 {
		t.Fatal("DerivativeSizes returned a shared slice")
	}
	want := map[string]Size{"thumb": {"thumb", 400, false, 82}, "preview": {"preview", 1200, true, 82}}
	for _, s := range b {
		if s != want[s.Name] {
			t.Errorf("size %+v, want %+v", s, want[s.Name])
		}
	}
}

func TestDeriveSizesAndCleanJPEGs(t *testing.T) {
	d := mustDerive(t, synthJPEG(t, 3000, 2000, 4, 90), DeriveOptions{})
	if d.Width != 3000 || d.Height != 2000 {
		t.Errorf("displayed size %d×%d, want 3000×2000", d.Width, d.Height)
	}
	want := map[string]image.Point{"preview": {1200, 800}, "thumb": {400, 267}}
	if len(d.Files) != len(want) {
		t.Errorf("files %v, want %v", len(d.Files), want)
	}
	for name, size := range want {
		b := d.Files[name]
		if got := decodeJPEG(t, b).Bounds().Size(); got != size {
			t.Errorf("%s is %v, want %v", name, got, size)
		}
		for _, m := range jpegMarkers(t, b) {
			if m >= 0xe0 && m <= 0xef || m == 0xfe {
				t.Errorf("%s carries metadata segment FF%02X", name, m)
			}
		}
	}
}

func TestDeriveNeverUpscales(t *testing.T) {
	d := mustDerive(t, encodePNG(t, synth.Photo(300, 200, 5)), DeriveOptions{})
	for name, b := range d.Files {
		if got := decodeJPEG(t, b).Bounds().Size(); got != image.Pt(300, 200) {
			t.Errorf("%s is %v, want the original's 300×200", name, got)
		}
	}
	d = mustDerive(t, encodePNG(t, synth.Photo(200, 900, 5)), DeriveOptions{})
	if got := decodeJPEG(t, d.Files["thumb"]).Bounds().Size(); got != image.Pt(89, 400) {
		t.Errorf("portrait thumb is %v, want 89×400", got)
	}
}

// TestDeriveOrientation marks the encoded top-left corner and checks where each EXIF
// orientation puts it, and that the transposing ones turn a landscape into a portrait.
func TestDeriveOrientation(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 1800, 1200))
	for i := range src.Pix {
		src.Pix[i] = 40
		if i%4 == 3 {
			src.Pix[i] = 0xff
		}
	}
	for y := range 300 {
		for x := range 300 {
			src.SetNRGBA(x, y, color.NRGBA{0xff, 0xff, 0xff, 0xff})
		}
	}
	data := encodeTestJPEG(t, src, 90)
	const tl, tr, br, bl = "top-left", "top-right", "bottom-right", "bottom-left"
	cases := []struct {
		orientation int
		corner      string
		portrait    bool
	}{
		{0, tl, false}, {1, tl, false}, {2, tr, false}, {3, br, false}, {4, bl, false},
		{5, tl, true}, {6, tr, true}, {7, br, true}, {8, bl, true}, {9, tl, false},
	}
	for _, tc := range cases {
		d := mustDerive(t, data, DeriveOptions{Orientation: tc.orientation})
		w, h := 1800, 1200
		if tc.portrait {
			w, h = h, w
		}
		if d.Width != w || d.Height != h {
			t.Errorf("orientation %d: displayed size %d×%d, want %d×%d", tc.orientation, d.Width, d.Height, w, h)
		}
		thumb := decodeJPEG(t, d.Files["thumb"])
		b := thumb.Bounds()
		if got := b.Size(); got != image.Pt((w*400+900)/1800, (h*400+900)/1800) {
			t.Errorf("orientation %d: thumb %v", tc.orientation, got)
		}
		corners := map[string]image.Point{
			tl: {10, 10}, tr: {b.Dx() - 10, 10}, br: {b.Dx() - 10, b.Dy() - 10}, bl: {10, b.Dy() - 10},
		}
		for name, p := range corners {
			r, _, _, _ := thumb.At(p.X, p.Y).RGBA()
			if bright := r>>8 > 200; bright != (name == tc.corner) {
				t.Errorf("orientation %d: %s corner brightness %d; want the mark at %s", tc.orientation, name, r>>8, tc.corner)
			}
		}
	}
}

// TestDeriveWatermark compares the preview with an un-watermarked one made the same way: the
// mark must show in nearly every part of the image, yet leave the picture recognisable.
func TestDeriveWatermark(t *testing.T) {
	data := synthJPEG(t, 2400, 1600, 6, 90)
	marked := mustDerive(t, data, DeriveOptions{})
	sizes := DerivativeSizes()
	for i := range sizes {
		sizes[i].Watermark = false
	}
	plain, err := derive(context.Background(), data, DeriveOptions{}, deriveConfig{sizes: sizes, scaledJPEG: true})
	if err != nil {
		t.Fatal(err)
	}
	a := imaging.Clone(decodeJPEG(t, marked.Files["preview"]))
	b := imaging.Clone(decodeJPEG(t, plain.Files["preview"]))
	if !bytes.Equal(marked.Files["thumb"], plain.Files["thumb"]) {
		t.Error("the thumbnail is watermarked")
	}
	const tile = 150
	var tiles, markedTiles int
	for y0 := 0; y0+tile <= a.Rect.Dy(); y0 += tile {
		for x0 := 0; x0+tile <= a.Rect.Dx(); x0 += tile {
			tiles++
			changed := 0
			for y := y0; y < y0+tile; y++ {
				for x := x0; x < x0+tile; x++ {
					i := y*a.Stride + 4*x
					if absDiff(a.Pix[i], b.Pix[i])+absDiff(a.Pix[i+1], b.Pix[i+1])+absDiff(a.Pix[i+2], b.Pix[i+2]) > 60 {
						changed++
					}
				}
			}
			if changed > tile*tile/100 {
				markedTiles++
			}
		}
	}
	if markedTiles < tiles*9/10 {
		t.Errorf("the watermark shows in %d of %d tiles, want at least 90%%", markedTiles, tiles)
	}
	if p := psnr(a, b); p < 18 || p > 35 {
		t.Errorf("watermarked preview is %.1f dB from the plain one: want a visible but light mark (18–35 dB)", p)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestDeriveCustomWatermarkText(t *testing.T) {
	data := synthJPEG(t, 1300, 900, 2, 85)
	a := mustDerive(t, data, DeriveOptions{})
	b := mustDerive(t, data, DeriveOptions{WatermarkText: "© Jane Doe — licensed via Snapshop, never for resale ✓"})
	if bytes.Equal(a.Files["preview"], b.Files["preview"]) {
		t.Error("the watermark text made no difference")
	}
}

func TestDeriveColors(t *testing.T) {
	hex := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	for _, theme := range []string{"blue", "red", "green", "teal", "purple"} {
		for n := range 2 {
			seed := synth.SeedFor(theme, n)
			d := mustDerive(t, synthJPEG(t, 1200, 800, seed, 85), DeriveOptions{})
			if len(d.Colors) == 0 || d.Colors[0] != theme {
				t.Errorf("seed %d: colours %v, want %q first", seed, d.Colors, theme)
			}
			if len(d.Palette) == 0 || len(d.Palette) > 5 {
				t.Fatalf("seed %d: %d swatches", seed, len(d.Palette))
			}
			var sum float64
			for i, s := range d.Palette {
				sum += s.Share
				if !hex.MatchString(s.Hex) || !slices.Contains(ColorBuckets(), s.Bucket) {
					t.Errorf("seed %d: bad swatch %+v", seed, s)
				}
				if i > 0 && s.Share > d.Palette[i-1].Share {
					t.Errorf("seed %d: palette not sorted by share: %+v", seed, d.Palette)
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("seed %d: shares sum to %v", seed, sum)
			}
		}
	}
}

func TestBuckets(t *testing.T) {
	cases := map[string][3]float64{
		"red": {200, 30, 40}, "orange": {240, 140, 30}, "yellow": {235, 220, 50}, "green": {60, 160, 70},
		"teal": {40, 150, 150}, "blue": {40, 90, 200}, "purple": {120, 60, 170}, "pink": {240, 150, 190},
		"brown": {110, 70, 35}, "black": {12, 14, 16}, "gray": {128, 130, 127}, "white": {248, 247, 245},
	}
	names := ColorBuckets()
	for want, c := range cases {
		if got := names[bucketIndex(c)]; got != want {
			t.Errorf("%v is %s, want %s", c, got, want)
		}
	}
	if len(cases) != len(names) {
		t.Errorf("ColorBuckets has %d names, the test covers %d", len(names), len(cases))
	}
}

// TestPHash: re-saved, resized and slightly cropped copies stay close; unrelated images
// are far apart.
func TestPHash(t *testing.T) {
	hash := func(img image.Image, quality int) uint64 {
		return mustDerive(t, encodeTestJPEG(t, img, quality), DeriveOptions{}).PHash
	}
	for _, seed := range []int64{1, 4, 11} {
		orig := synth.Photo(1600, 1067, seed)
		base := hash(orig, 90)
		copies := map[string]image.Image{
			"re-saved at q50":        orig,
			"resized to 800":         imaging.Resize(orig, 800, 0, imaging.Lanczos),
			"resized to 500":         imaging.Resize(orig, 500, 0, imaging.Linear),
			"1% cropped all round":   imaging.Crop(orig, image.Rect(16, 11, 1600-16, 1067-11)),
			"1% cropped on one side": imaging.Crop(orig, image.Rect(16, 0, 1600, 1067)),
		}
		for name, img := range copies {
			q := 75
			if name == "re-saved at q50" {
				q = 50
			}
			if d := Hamming(base, hash(img, q)); d > 6 {
				t.Errorf("seed %d, %s: distance %d, want ≤ 6", seed, name, d)
			}
		}
	}
	var hashes []uint64
	for seed := range int64(8) {
		hashes = append(hashes, hash(synth.Photo(800, 533, seed), 85))
	}
	for i := range hashes {
		for j := i + 1; j < len(hashes); j++ {
			if d := Hamming(hashes[i], hashes[j]); d <= 20 {
				t.Errorf("seeds %d and %d: distance %d, want > 20", i, j, d)
			}
		}
	}
}

func TestHamming(t *testing.T) {
	if Hamming(0, 0) != 0 || Hamming(0, ^uint64(0)) != 64 || Hamming(0b1011, 0b0110) != 3 {
		t.Error("Hamming is wrong")
	}
}

func TestDeriveOtherFormats(t *testing.T) {
	// A transparent PNG is flattened onto white.
	img := image.NewNRGBA(image.Rect(0, 0, 500, 400))
	for y := range 400 {
		for x := range 250 {
			img.SetNRGBA(x, y, color.NRGBA{0, 0, 200, 0xff})
		}
	}
	d := mustDerive(t, encodePNG(t, img), DeriveOptions{})
	thumb := decodeJPEG(t, d.Files["thumb"])
	if r, g, b, _ := thumb.At(390, 200).RGBA(); r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
		t.Errorf("transparent area is (%d,%d,%d), want white", r>>8, g>>8, b>>8)
	}
	if !slices.Contains(d.Colors, "white") || !slices.Contains(d.Colors, "blue") {
		t.Errorf("colours %v, want white and blue", d.Colors)
	}

	// Grey and 16-bit PNGs, and a lossless WebP.
	grey := image.NewGray16(image.Rect(0, 0, 1300, 700))
	for _, data := range [][]byte{encodePNG(t, grey), losslessWebP(1500, 1000, 0x3a, 0x6e, 0xa5)} {
		d := mustDerive(t, data, DeriveOptions{Orientation: 6})
		if got := decodeJPEG(t, d.Files["preview"]).Bounds().Dy(); got != 1200 {
			t.Errorf("preview height %d, want 1200", got)
		}
	}
	d = mustDerive(t, losslessWebP(1500, 1000, 0x3a, 0x6e, 0xa5), DeriveOptions{})
	if len(d.Palette) != 1 || d.Palette[0].Hex != "#3a6ea5" || d.Colors[0] != "blue" {
		t.Errorf("solid WebP palette %+v, colours %v", d.Palette, d.Colors)
	}

	// A grey JPEG.
	g := image.NewGray(image.Rect(0, 0, 2600, 1300))
	for i := range g.Pix {
		g.Pix[i] = uint8(i % 251)
	}
	d = mustDerive(t, encodeTestJPEG(t, g, 80), DeriveOptions{})
	if got := decodeJPEG(t, d.Files["preview"]).Bounds().Size(); got != image.Pt(1200, 600) {
		t.Errorf("grey JPEG preview %v", got)
	}
}

// TestDeriveBadInput: every bad body is an error, never a panic.
func TestDeriveBadInput(t *testing.T) {
	jpg := synthJPEG(t, 800, 600, 3, 85)
	sos := bytes.Index(jpg, []byte{0xff, 0xda})
	garbage := bytes.Clone(jpg)
	for i := sos + 20; i < len(garbage)-2; i++ {
		garbage[i] = byte(i*7919>>3) & 0xfe // no FF bytes: no markers, just nonsense
	}
	pngFile := encodePNG(t, synth.Photo(300, 200, 1))
	badIDAT := bytes.Clone(pngFile)
	for i := 60; i < len(badIDAT)-30; i++ {
		badIDAT[i] ^= 0x5a
	}
	cases := map[string][]byte{
		"empty":            nil,
		"text":             []byte("hello"),
		"GIF":              []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"truncated JPEG":   jpg[:len(jpg)/3],
		"garbage entropy":  garbage,
		"truncated PNG":    pngFile[:len(pngFile)/2],
		"damaged PNG data": badIDAT,
		"pixel bomb":       pngBomb(50000, 50000),
		"truncated WebP":   losslessWebP(100, 100, 1, 2, 3)[:20],
	}
	for name, data := range cases {
		if _, err := Derive(context.Background(), data, DeriveOptions{}); err == nil {
			t.Errorf("%s: Derive succeeded", name)
		}
	}
}

func TestDeriveHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Derive(ctx, synthJPEG(t, 1600, 1000, 1, 80), DeriveOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func psnr(a, b *image.NRGBA) float64 {
	var sum float64
	n := 0
	for y := range a.Rect.Dy() {
		for x := range a.Rect.Dx() {
			i, j := y*a.Stride+4*x, y*b.Stride+4*x
			for c := range 3 {
				d := float64(a.Pix[i+c]) - float64(b.Pix[j+c])
				sum += d * d
			}
			n += 3
		}
	}
	if sum == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(sum/float64(n)))
}

// TestDeriveOneWatermarkedSize: colours and the hash never see the watermark, even when the
// only size is watermarked (run with -race).
func TestDeriveOneWatermarkedSize(t *testing.T) {
	data := synthJPEG(t, 900, 600, 8, 85)
	only := []Size{{Name: "preview", LongEdge: 600, Watermark: true, Quality: 80}}
	a, err := derive(context.Background(), data, DeriveOptions{}, deriveConfig{sizes: only, scaledJPEG: true})
	if err != nil {
		t.Fatal(err)
	}
	only[0].Watermark = false
	b, err := derive(context.Background(), data, DeriveOptions{}, deriveConfig{sizes: only, scaledJPEG: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.PHash != b.PHash || !slices.Equal(a.Palette, b.Palette) {
		t.Error("the watermark changed the colours or the hash")
	}
	if bytes.Equal(a.Files["preview"], b.Files["preview"]) {
		t.Error("the preview is not watermarked")
	}
}
