package jpegscale

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"sort"
	"strings"
	"testing"
)

var scales = []int{1, 2, 4, 8}

// minPSNR is the floor per scale. At scale 1 the comparison is with image/jpeg's own
// decode (only IDCT rounding may differ); at the other scales with that decode
// box-averaged by the same factor.
var minPSNR = map[int]float64{1: 45, 2: 32, 4: 32, 8: 30}

type testCase struct {
	name   string
	data   []byte
	want   string // expected dynamic type of the result
	ycbcrR image.YCbCrSubsampleRatio
	ref    []byte // what image/jpeg decodes for the reference, if not data
}

// correctnessCases builds the fixtures: image/jpeg's own 4:2:0 and greyscale output, and
// the test encoder's other layouts.
func correctnessCases(t *testing.T) []testCase {
	t.Helper()
	var cases []testCase
	sizes := []image.Point{{333, 217}, {320, 240}, {127, 129}, {17, 9}, {1, 1}, {640, 424}}
	for _, sz := range sizes {
		src := photo(sz.X, sz.Y, uint64(sz.X*1000+sz.Y))
		for _, q := range []int{75, 90, 95} {
			cases = append(cases,
				testCase{fmt.Sprintf("go-420/q%d/%dx%d", q, sz.X, sz.Y), goEncode(t, src, q), "*image.YCbCr", image.YCbCrSubsampleRatio420, nil},
				testCase{fmt.Sprintf("go-gray/q%d/%dx%d", q, sz.X, sz.Y), goEncode(t, grayOf(src), q), "*image.Gray", 0, nil})
		}
	}
	layouts := []struct {
		name     string
		sampling []byte
		ratio    image.YCbCrSubsampleRatio
	}{
		{"444", []byte{0x11, 0x11, 0x11}, image.YCbCrSubsampleRatio444},
		{"444-2x1", []byte{0x21, 0x21, 0x21}, image.YCbCrSubsampleRatio444},
		{"440-2x2", []byte{0x22, 0x21, 0x21}, image.YCbCrSubsampleRatio440},
		{"422", []byte{0x21, 0x11, 0x11}, image.YCbCrSubsampleRatio422},
		{"420", []byte{0x22, 0x11, 0x11}, image.YCbCrSubsampleRatio420},
		{"440", []byte{0x12, 0x11, 0x11}, image.YCbCrSubsampleRatio440},
		{"411", []byte{0x41, 0x11, 0x11}, image.YCbCrSubsampleRatio411},
		{"410", []byte{0x42, 0x11, 0x11}, image.YCbCrSubsampleRatio410},
	}
	for _, sz := range []image.Point{{333, 217}, {100, 75}, {9, 17}} {
		src := photo(sz.X, sz.Y, uint64(sz.X+sz.Y))
		for _, l := range layouts {
			for _, q := range []int{80, 92} {
				spec := encSpec{quality: q, sampling: l.sampling, adobe: -1, jfif: true}
				cases = append(cases, testCase{fmt.Sprintf("enc-%s/q%d/%dx%d", l.name, q, sz.X, sz.Y), encodeTest(t, src, spec), "*image.YCbCr", l.ratio, nil})
			}
		}
		// Variants on one layout each: restart intervals, separate scans, SOF1, Adobe YCbCr.
		variants := []struct {
			name string
			spec encSpec
		}{
			{"420-rst1", encSpec{quality: 85, sampling: []byte{0x22, 0x11, 0x11}, restart: 1, adobe: -1}},
			{"422-rst7", encSpec{quality: 85, sampling: []byte{0x21, 0x11, 0x11}, restart: 7, adobe: -1}},
			{"420-separate", encSpec{quality: 85, sampling: []byte{0x22, 0x11, 0x11}, separate: true, adobe: -1}},
			{"444-sof1", encSpec{quality: 85, sampling: []byte{0x11, 0x11, 0x11}, sof1: true, adobe: -1}},
			{"420-adobe-ycc", encSpec{quality: 85, sampling: []byte{0x22, 0x11, 0x11}, adobe: 1}},
		}
		for _, v := range variants {
			cases = append(cases, testCase{fmt.Sprintf("enc-%s/%dx%d", v.name, sz.X, sz.Y), encodeTest(t, src, v.spec), "*image.YCbCr", 0, nil})
		}
		// image/jpeg counts restart intervals of a non-interleaved scan in MCUs of the
		// interleaved layout instead of in blocks (A.2.2; libjpeg counts blocks), so it
		// cannot read this file: compare with the same scans without restart markers, which
		// hold the same coefficients.
		cases = append(cases, testCase{
			name: fmt.Sprintf("enc-420-separate-rst3/%dx%d", sz.X, sz.Y),
			data: encodeTest(t, src, encSpec{quality: 85, sampling: []byte{0x22, 0x11, 0x11}, separate: true, restart: 3, adobe: -1}),
			ref:  encodeTest(t, src, encSpec{quality: 85, sampling: []byte{0x22, 0x11, 0x11}, separate: true, adobe: -1}),
			want: "*image.YCbCr",
		})
		g := grayOf(src)
		cases = append(cases,
			testCase{fmt.Sprintf("enc-gray-declared22/%dx%d", sz.X, sz.Y), encodeTest(t, g, encSpec{quality: 85, gray: true, sampling: []byte{0x22}, adobe: -1}), "*image.Gray", 0, nil},
			testCase{fmt.Sprintf("enc-gray-rst2/%dx%d", sz.X, sz.Y), encodeTest(t, g, encSpec{quality: 85, gray: true, restart: 2, adobe: -1}), "*image.Gray", 0, nil},
			// Samples stored as RGB: Adobe transform 0, or components named R, G, B.
			testCase{fmt.Sprintf("enc-rgb-adobe/%dx%d", sz.X, sz.Y), encodeTest(t, src, encSpec{quality: 90, sampling: []byte{0x11, 0x11, 0x11}, adobe: 0}), "*image.RGBA", 0, nil},
			testCase{fmt.Sprintf("enc-rgb-ids/%dx%d", sz.X, sz.Y), encodeTest(t, src, encSpec{quality: 90, sampling: []byte{0x11, 0x11, 0x11}, ids: []byte{'R', 'G', 'B'}, adobe: -1}), "*image.RGBA", 0, nil},
		)
	}
	return cases
}

func TestDecodeMatchesImageJPEG(t *testing.T) {
	cases := correctnessCases(t)
	// worst[family][scale] is the lowest PSNR seen, for the summary; worstLarge the same
	// over images at least 300 pixels wide, where edge blocks weigh less.
	worst := map[string]map[int]float64{}
	worstLarge := map[string]map[int]float64{}
	for _, tc := range cases {
		refData := tc.data
		if tc.ref != nil {
			refData = tc.ref
		}
		ref, err := jpeg.Decode(bytes.NewReader(refData))
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", tc.name, err)
		}
		refPix, w, h := toRGB(ref)
		family := tc.name[:strings.IndexByte(tc.name, '/')]
		if worst[family] == nil {
			worst[family] = map[int]float64{}
			worstLarge[family] = map[int]float64{}
		}
		for _, s := range scales {
			m, err := Decode(bytes.NewReader(tc.data), s)
			if err != nil {
				t.Errorf("%s scale %d: %v", tc.name, s, err)
				continue
			}
			if got := fmt.Sprintf("%T", m); got != tc.want {
				t.Errorf("%s scale %d: got %s, want %s", tc.name, s, got, tc.want)
			}
			// At reduced scales chroma may be kept at a finer ratio than the file's.
			if y, ok := m.(*image.YCbCr); ok && s == 1 && tc.ycbcrR != 0 && y.SubsampleRatio != tc.ycbcrR {
				t.Errorf("%s scale %d: ratio %v, want %v", tc.name, s, y.SubsampleRatio, tc.ycbcrR)
			}
			want := image.Rect(0, 0, (w+s-1)/s, (h+s-1)/s)
			if m.Bounds() != want {
				t.Errorf("%s scale %d: bounds %v, want %v", tc.name, s, m.Bounds(), want)
				continue
			}
			got, _, _ := toRGB(m)
			exp, _, _ := boxDown(refPix, w, h, s)
			p := psnr(got, exp)
			if p < minPSNR[s] {
				t.Errorf("%s scale %d: PSNR %.2f dB < %.0f", tc.name, s, p, minPSNR[s])
			}
			if old, ok := worst[family][s]; !ok || p < old {
				worst[family][s] = p
			}
			if old, ok := worstLarge[family][s]; w >= 300 && (!ok || p < old) {
				worstLarge[family][s] = p
			}
		}
	}
	families := make([]string, 0, len(worst))
	for f := range worst {
		families = append(families, f)
	}
	sort.Strings(families)
	var sb strings.Builder
	fmt.Fprintf(&sb, "lowest RGB PSNR (dB) per layout over qualities; all sizes | sizes ≥ 300 px wide\n%-22s", "layout")
	for range 2 {
		fmt.Fprintf(&sb, " %6s %6s %6s %6s |", "1/1", "1/2", "1/4", "1/8")
	}
	sb.WriteByte('\n')
	for _, f := range families {
		fmt.Fprintf(&sb, "%-22s", f)
		for _, table := range []map[string]map[int]float64{worst, worstLarge} {
			for _, s := range scales {
				p, ok := table[f][s]
				switch {
				case !ok:
					fmt.Fprintf(&sb, " %6s", "-")
				case math.IsInf(p, 1):
					fmt.Fprintf(&sb, " %6s", "exact")
				default:
					fmt.Fprintf(&sb, " %6.2f", p)
				}
			}
			sb.WriteString(" |")
		}
		sb.WriteByte('\n')
	}
	t.Log(sb.String())
}

func TestDecodeRejectsBadScale(t *testing.T) {
	data := goEncode(t, photo(16, 16, 1), 80)
	for _, s := range []int{0, 3, 16, -1} {
		if _, err := Decode(bytes.NewReader(data), s); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("scale %d: err = %v, want a plain error", s, err)
		}
	}
}
