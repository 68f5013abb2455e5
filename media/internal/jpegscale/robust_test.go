package jpegscale

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"testing"
)

// small is a valid 4:2:0 JPEG used by the robustness tests.
func small(tb testing.TB) []byte {
	tb.Helper()
	return goEncode(tb, photo(40, 24, 7), 80)
}

// findMarker returns the offset of the first 0xFF m in data (m is a marker, never stuffed).
func findMarker(tb testing.TB, data []byte, m byte) int {
	tb.Helper()
	i := bytes.Index(data, []byte{0xFF, m})
	if i < 0 {
		tb.Fatalf("marker %#x not found", m)
	}
	return i
}

// withSOF returns data with its SOF0 marker code replaced and the SOF payload edited.
func withSOF(tb testing.TB, data []byte, marker byte, edit func(payload []byte)) []byte {
	tb.Helper()
	out := bytes.Clone(data)
	i := findMarker(tb, out, 0xC0)
	out[i+1] = marker
	if edit != nil {
		n := int(out[i+2])<<8 | int(out[i+3])
		edit(out[i+4 : i+2+n])
	}
	return out
}

func TestUnsupported(t *testing.T) {
	base := small(t)
	cases := map[string][]byte{
		"progressive (SOF2)":      withSOF(t, base, 0xC2, nil),
		"lossless (SOF3)":         withSOF(t, base, 0xC3, nil),
		"arithmetic (SOF9)":       withSOF(t, base, 0xC9, nil),
		"arithmetic prog (SOF10)": withSOF(t, base, 0xCA, nil),
		"hierarchical (SOF5)":     withSOF(t, base, 0xC5, nil),
		"12-bit (SOF1)":           withSOF(t, base, 0xC1, func(p []byte) { p[0] = 12 }),
		"height from DNL":         withSOF(t, base, 0xC0, func(p []byte) { p[1], p[2] = 0, 0 }),
		"unusual sampling 3x1":    withSOF(t, base, 0xC0, func(p []byte) { p[7] = 0x31 }),
		"cb and cr differ":        withSOF(t, base, 0xC0, func(p []byte) { p[10] = 0x12 }),
		// A 4-component (CMYK) frame header: SOI, SOF0 with four components, EOI.
		"cmyk": {0xFF, 0xD8, 0xFF, 0xC0, 0, 20, 8, 0, 8, 0, 8, 4,
			1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0, 0xFF, 0xD9},
	}
	for name, data := range cases {
		for _, s := range scales {
			m, err := Decode(bytes.NewReader(data), s)
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s scale %d: got (%T, %v), want ErrUnsupported", name, s, m, err)
			}
		}
	}
}

func TestMalformed(t *testing.T) {
	base := small(t)
	sos := findMarker(t, base, 0xDA)
	dht := findMarker(t, base, 0xC4)
	cases := map[string][]byte{
		"empty":               {},
		"no SOI":              base[2:],
		"only SOI":            base[:2],
		"SOI then EOI":        {0xFF, 0xD8, 0xFF, 0xD9},
		"headers then EOI":    append(bytes.Clone(base[:sos]), 0xFF, 0xD9),
		"zero width":          withSOF(t, base, 0xC0, func(p []byte) { p[3], p[4] = 0, 0 }),
		"too large":           withSOF(t, base, 0xC0, func(p []byte) { p[1], p[2], p[3], p[4] = 0xFF, 0xFF, 0xFF, 0xFF }),
		"bad precision":       withSOF(t, base, 0xC0, func(p []byte) { p[0] = 7 }),
		"sampling factor 0":   withSOF(t, base, 0xC0, func(p []byte) { p[7] = 0x02 }),
		"sampling factor 5":   withSOF(t, base, 0xC0, func(p []byte) { p[7] = 0x52 }),
		"quant selector 9":    withSOF(t, base, 0xC0, func(p []byte) { p[8] = 9 }),
		"repeated component":  withSOF(t, base, 0xC0, func(p []byte) { p[9] = p[6] }),
		"undefined quant tbl": withSOF(t, base, 0xC0, func(p []byte) { p[8] = 3 }),
		"SOS before SOF": func() []byte {
			i := findMarker(t, base, 0xC0)
			n := int(base[i+2])<<8 | int(base[i+3])
			return append(bytes.Clone(base[:i]), base[i+2+n:]...)
		}(),
		"overfull Huffman table": func() []byte {
			b := bytes.Clone(base)
			b[dht+5+1] = 200 // 200 codes of length 2
			return b
		}(),
		"unknown marker": func() []byte {
			b := bytes.Clone(base)
			return append(append(b[:sos:sos], 0xFF, 0x02), b[sos:]...)
		}(),
		"SOS with unknown component": func() []byte {
			b := bytes.Clone(base)
			b[sos+5] = 9
			return b
		}(),
		"entropy data of 0xFF fill": func() []byte {
			b := bytes.Clone(base[:sos+14])
			for range 100 {
				b = append(b, 0xFF)
			}
			return b
		}(),
	}
	for name, data := range cases {
		for _, s := range scales {
			m, err := Decode(bytes.NewReader(data), s)
			if err == nil || errors.Is(err, ErrUnsupported) {
				t.Errorf("%s scale %d: got (%T, %v), want a format error", name, s, m, err)
			}
		}
	}
}

// TestTruncated cuts a valid file at every length: anything that loses entropy-coded
// data must fail; only the final EOI may be missing.
func TestTruncated(t *testing.T) {
	data := encodeTest(t, photo(40, 24, 3), encSpec{quality: 85, sampling: []byte{0x21, 0x11, 0x11}, restart: 2, adobe: -1})
	for n := range len(data) - 2 {
		for _, s := range scales {
			m, err := Decode(bytes.NewReader(data[:n]), s)
			if err == nil || errors.Is(err, ErrUnsupported) {
				t.Fatalf("cut at %d/%d, scale %d: got (%T, %v), want an error", n, len(data), s, m, err)
			}
		}
	}
	if _, err := Decode(bytes.NewReader(data[:len(data)-2]), 1); err != nil {
		t.Errorf("missing only EOI: %v", err)
	}
}

// TestCorrupt flips bytes of valid files and checks that decoding never panics and that
// what it returns is well formed.
func TestCorrupt(t *testing.T) {
	files := [][]byte{
		small(t),
		goEncode(t, grayOf(photo(33, 20, 5)), 90),
		encodeTest(t, photo(35, 19, 4), encSpec{quality: 90, sampling: []byte{0x41, 0x11, 0x11}, restart: 1, adobe: -1}),
		encodeTest(t, photo(35, 19, 4), encSpec{quality: 90, sampling: []byte{0x22, 0x11, 0x11}, separate: true, adobe: -1}),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for fi, data := range files {
		for range 3000 {
			b := bytes.Clone(data)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = byte(rng.Uint32())
			}
			s := scales[rng.IntN(len(scales))]
			m, size, err := decode(bytes.NewReader(b), s, 1<<20)
			if err != nil {
				continue
			}
			want := image.Rect(0, 0, (size.X+s-1)/s, (size.Y+s-1)/s)
			if m.Bounds() != want {
				t.Fatalf("file %d scale %d: bounds %v, want %v", fi, s, m.Bounds(), want)
			}
		}
	}
}

// TestRestartMarkers checks files with restart intervals against the same coefficients
// without them: identical output at every scale, and image/jpeg agrees on both.
func TestRestartMarkers(t *testing.T) {
	src := photo(150, 100, 9)
	for _, layout := range [][]byte{{0x22, 0x11, 0x11}, {0x11, 0x11, 0x11}, {0x21, 0x11, 0x11}} {
		plain := encodeTest(t, src, encSpec{quality: 90, sampling: layout, adobe: -1})
		for _, ri := range []int{1, 2, 5, 13, 200} {
			rst := encodeTest(t, src, encSpec{quality: 90, sampling: layout, restart: ri, adobe: -1})
			if bytes.Count(rst, []byte{0xFF, 0xD0}) == 0 && ri < 20 {
				t.Fatalf("restart %d: no RST0 marker written", ri)
			}
			for _, s := range scales {
				a, err := Decode(bytes.NewReader(plain), s)
				if err != nil {
					t.Fatal(err)
				}
				b, err := Decode(bytes.NewReader(rst), s)
				if err != nil {
					t.Fatalf("layout %x restart %d scale %d: %v", layout, ri, s, err)
				}
				pa, _, _ := toRGB(a)
				pb, _, _ := toRGB(b)
				if p := psnr(pa, pb); p < 1000 {
					t.Errorf("layout %x restart %d scale %d: differs from the file without restarts (%.1f dB)", layout, ri, s, p)
				}
			}
			ga, err := jpeg.Decode(bytes.NewReader(plain))
			if err != nil {
				t.Fatal(err)
			}
			gb, err := jpeg.Decode(bytes.NewReader(rst))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := Decode(bytes.NewReader(rst), 1)
			if err != nil {
				t.Fatal(err)
			}
			pga, _, _ := toRGB(ga)
			pgb, _, _ := toRGB(gb)
			po, _, _ := toRGB(ours)
			if p := psnr(pga, pgb); p < 1000 {
				t.Errorf("layout %x restart %d: image/jpeg reads the two files differently", layout, ri)
			}
			if p := psnr(po, pgb); p < minPSNR[1] {
				t.Errorf("layout %x restart %d: %.1f dB against image/jpeg", layout, ri, p)
			}
		}
	}
}

// endlessReader returns nothing, forever, without an error.
type endlessReader struct{}

func (endlessReader) Read([]byte) (int, error) { return 0, nil }

// failingReader returns its data, then an error other than EOF.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data[:min(len(p), len(r.data), 100)])
	r.data = r.data[n:]
	return n, nil
}

func TestReaders(t *testing.T) {
	if _, err := Decode(endlessReader{}, 2); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("endless empty reader: %v, want io.ErrNoProgress", err)
	}
	data := small(t)
	boom := errors.New("boom")
	if _, err := Decode(&failingReader{data: data[:len(data)/2], err: boom}, 1); !errors.Is(err, boom) {
		t.Errorf("failing reader: %v, want the reader's error", err)
	}
	// A reader that hands out one byte at a time must give the same image.
	whole, err := Decode(bytes.NewReader(data), 1)
	if err != nil {
		t.Fatal(err)
	}
	bytewise, err := Decode(io.MultiReader(oneByteReaders(data)...), 1)
	if err != nil {
		t.Fatal(err)
	}
	pa, _, _ := toRGB(whole)
	pb, _, _ := toRGB(bytewise)
	if psnr(pa, pb) < 1000 {
		t.Error("byte-at-a-time reader decodes differently")
	}
}

func oneByteReaders(b []byte) []io.Reader {
	rs := make([]io.Reader, len(b))
	for i := range b {
		rs[i] = bytes.NewReader(b[i : i+1])
	}
	return rs
}
