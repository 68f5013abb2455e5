package jpegscale

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"
)

// photo makes a deterministic photo-like RGB image: smooth gradients, a large soft wave,
// a bent high-frequency texture, hard-edged shapes and per-pixel noise. Everything is
// built from per-row and per-column tables so a 24-megapixel image takes about a second.
func photo(w, h int, seed uint64) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	fw, fh := float64(w), float64(h)
	type axis struct{ grad, wave, sinT, cosT []float64 }
	mk := func(n int, f float64, period, tex float64, bend bool) axis {
		a := axis{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
		for i := range n {
			fi := float64(i)
			a.grad[i] = fi / f
			a.wave[i] = math.Sin(2 * math.Pi * fi / (f / period))
			t := tex * fi
			if bend {
				t = 3 * math.Sin(fi*0.05)
			}
			a.sinT[i], a.cosT[i] = math.Sin(t), math.Cos(t)
		}
		return a
	}
	ax := mk(w, fw, 2.3, 0.35, false)
	ay := mk(h, fh, 1.7, 0, true)
	cx, cy, rad := fw*0.62, fh*0.4, math.Min(fw, fh)*0.22
	for y := range h {
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		dy := float64(y) - cy
		for x := range w {
			wave := ax.wave[x] * ay.wave[y]
			// sin(0.35x + 3 sin(0.05y)), a texture whose stripes bend down the image.
			tex := ax.sinT[x]*ay.cosT[y] + ax.cosT[x]*ay.sinT[y]
			r := 40 + 120*ax.grad[x] + 50*ay.grad[y] + 35*wave + 16*tex
			g := 70 + 90*ay.grad[y] + 25*wave - 12*tex
			b := 150 - 80*ax.grad[x] + 40*ay.grad[y]*ax.grad[x] + 20*tex
			if dx := float64(x) - cx; dx*dx+dy*dy < rad*rad {
				r, g, b = 230-40*ay.grad[y], 200-30*wave, 60+20*tex
			}
			if x > w/8 && x < w/3 && y > h*2/3 && y < h*9/10 {
				r, g, b = 20+10*tex, 30, 45
			}
			n := rng.Uint64()
			r += float64(int(n&15)) - 7.5
			g += float64(int(n>>8&15)) - 7.5
			b += float64(int(n>>16&15)) - 7.5
			row[4*x] = sat(r)
			row[4*x+1] = sat(g)
			row[4*x+2] = sat(b)
			row[4*x+3] = 255
		}
	}
	return m
}

func sat(v float64) uint8 {
	return uint8(math.Round(math.Min(math.Max(v, 0), 255)))
}

func grayOf(m *image.RGBA) *image.Gray {
	g := image.NewGray(m.Bounds())
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		for x := m.Rect.Min.X; x < m.Rect.Max.X; x++ {
			g.SetGray(x, y, color.GrayModel.Convert(m.RGBAAt(x, y)).(color.Gray))
		}
	}
	return g
}

func goEncode(tb testing.TB, m image.Image, quality int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// toRGB flattens any image to 8-bit RGB triples, row by row, through the standard
// colour conversions (nearest chroma for YCbCr, as image/jpeg's output does).
func toRGB(m image.Image) (pix []float64, w, h int) {
	b := m.Bounds()
	w, h = b.Dx(), b.Dy()
	pix = make([]float64, 0, 3*w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := m.At(x, y).RGBA()
			pix = append(pix, float64(r>>8), float64(g>>8), float64(bb>>8))
		}
	}
	return pix, w, h
}

// boxDown averages s×s cells of an RGB raster; cells at the right and bottom edges
// average only the pixels that exist, as ceil(w/s) output sizes imply.
func boxDown(pix []float64, w, h, s int) (out []float64, ow, oh int) {
	ow, oh = (w+s-1)/s, (h+s-1)/s
	out = make([]float64, 3*ow*oh)
	for oy := range oh {
		for ox := range ow {
			var sum [3]float64
			n := 0
			for y := oy * s; y < min(oy*s+s, h); y++ {
				for x := ox * s; x < min(ox*s+s, w); x++ {
					for c := range 3 {
						sum[c] += pix[3*(y*w+x)+c]
					}
					n++
				}
			}
			for c := range 3 {
				out[3*(oy*ow+ox)+c] = sum[c] / float64(n)
			}
		}
	}
	return out, ow, oh
}

// psnr compares two equally sized RGB rasters; identical rasters give +Inf.
func psnr(a, b []float64) float64 {
	var se float64
	for i := range a {
		d := a[i] - b[i]
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(len(a))))
}
