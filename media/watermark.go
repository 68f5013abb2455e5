package media

import (
	"fmt"
	"image"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Watermark appearance. White text at about a third of full opacity shows on dark areas; the
// thin dark outline around each letter shows it on light ones. The marks repeat on a staggered
// grid over the whole image, so no crop of a useful size escapes them.
const (
	watermarkAngle   = -30.0 // degrees: text rising to the right
	watermarkText    = 0.35  // opacity of the white letters
	watermarkOutline = 0.45  // opacity of the dark outline
	watermarkScale   = 26    // the preview's long edge over the font size in pixels
	watermarkMinFont = 12
	watermarkMaxText = 64 // runes; a mark is a name, not a paragraph
)

// watermark is one cell of the tiled pattern, rendered once per image and then stamped over it
// with a row-to-row horizontal shift, which makes a diagonal lattice of marks.
type watermark struct {
	w, h  int
	shift int
	// For each cell pixel, out = in·(255−alpha)/255 + value: the letters and their outline
	// composited into a single grey layer, so stamping costs one blend per covered pixel.
	alpha []uint8
	value []uint8
}

// newWatermark renders text for an image whose long edge is longEdge pixels.
func newWatermark(text string, longEdge int) (*watermark, error) {
	n := 0
	for i := range text {
		if n == watermarkMaxText {
			text = text[:i]
			break
		}
		n++
	}
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("media: watermark font: %w", err)
	}
	size := float64(max(watermarkMinFont, longEdge/watermarkScale))
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("media: watermark face: %w", err)
	}
	defer face.Close()
	// A long custom text is shrunk so that one mark still fits well inside the image.
	if adv := float64(font.MeasureString(face, text)) / 64; adv > 0.6*float64(longEdge) && adv > 0 {
		size = max(watermarkMinFont/2, size*0.6*float64(longEdge)/adv)
		face.Close()
		if face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}); err != nil {
			return nil, fmt.Errorf("media: watermark face: %w", err)
		}
	}

	// The text, horizontal, in an alpha mask with a margin for the outline.
	m := face.Metrics()
	pad := int(size/6) + 2
	tw := int(float64(font.MeasureString(face, text))/64) + 2*pad
	th := (m.Ascent + m.Descent).Ceil() + 2*pad
	mask := image.NewAlpha(image.Rect(0, 0, tw, th))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(pad, pad+m.Ascent.Ceil())}
	d.DrawString(text)

	// The cell: the rotated text's bounding box plus generous gaps between marks.
	sin, cos := math.Sincos(watermarkAngle * math.Pi / 180)
	bw := float64(tw)*math.Abs(cos) + float64(th)*math.Abs(sin)
	bh := float64(tw)*math.Abs(sin) + float64(th)*math.Abs(cos)
	wm := &watermark{w: int(bw * 1.25), h: int(bh * 1.1)}
	wm.shift = wm.w / 2
	cell := rotateMask(mask, wm.w, wm.h, sin, cos)

	// The outline: the letters dilated by a couple of pixels, minus the letters themselves.
	outline := dilate(cell, wm.w, wm.h, max(1, int(size/20)))
	wm.alpha = make([]uint8, len(cell))
	wm.value = make([]uint8, len(cell))
	for i, c := range cell {
		at := watermarkText * float64(c) / 255
		ao := watermarkOutline * float64(max(0, int(outline[i])-int(c))) / 255
		a := 1 - (1-at)*(1-ao)
		wm.alpha[i] = uint8(math.Round(255 * a))
		wm.value[i] = uint8(math.Round(255 * at)) // the outline is black: it adds no value
	}
	return wm, nil
}

// rotateMask draws mask rotated (by the angle whose sine and cosine are given) and centred in a
// w×h cell, sampling bilinearly.
func rotateMask(mask *image.Alpha, w, h int, sin, cos float64) []uint8 {
	mw, mh := mask.Rect.Dx(), mask.Rect.Dy()
	cell := make([]uint8, w*h)
	cx, cy := float64(w)/2, float64(h)/2
	mcx, mcy := float64(mw)/2, float64(mh)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= mw || y >= mh {
			return 0
		}
		return float64(mask.Pix[y*mask.Stride+x])
	}
	for y := range h {
		for x := range w {
			// Inverse rotation from cell space into text space.
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			u := dx*cos + dy*sin + mcx - 0.5
			v := -dx*sin + dy*cos + mcy - 0.5
			if u < -1 || v < -1 || u > float64(mw) || v > float64(mh) {
				continue
			}
			x0, y0 := int(math.Floor(u)), int(math.Floor(v))
			fx, fy := u-float64(x0), v-float64(y0)
			top := at(x0, y0)*(1-fx) + at(x0+1, y0)*fx
			bottom := at(x0, y0+1)*(1-fx) + at(x0+1, y0+1)*fx
			cell[y*w+x] = uint8(top*(1-fy) + bottom*fy + 0.5)
		}
	}
	return cell
}

// dilate returns the maximum of src over a (2r+1)² square around each pixel, as two separable
// passes.
func dilate(src []uint8, w, h, r int) []uint8 {
	tmp := make([]uint8, len(src))
	for y := range h {
		for x := range w {
			var m uint8
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				m = max(m, src[y*w+k])
			}
			tmp[y*w+x] = m
		}
	}
	out := make([]uint8, len(src))
	for y := range h {
		for x := range w {
			var m uint8
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				m = max(m, tmp[k*w+x])
			}
			out[y*w+x] = m
		}
	}
	return out
}

// apply stamps the pattern over the whole of img, which must be opaque.
func (wm *watermark) apply(img *image.NRGBA) {
	iw, ih := img.Rect.Dx(), img.Rect.Dy()
	for y := range ih {
		// Centre the lattice on the image so the marks sit evenly whatever its size.
		cy := y + wm.h/2 - ih/2%wm.h
		row, cyMod := floorDiv(cy, wm.h)
		cx := (row*wm.shift + wm.w/2 - iw/2%wm.w) % wm.w
		if cx < 0 {
			cx += wm.w
		}
		alpha := wm.alpha[cyMod*wm.w : (cyMod+1)*wm.w]
		value := wm.value[cyMod*wm.w : (cyMod+1)*wm.w]
		pix := img.Pix[y*img.Stride : y*img.Stride+4*iw]
		for x := 0; x < iw; x++ {
			if a := uint32(alpha[cx]); a != 0 {
				v, keep := uint32(value[cx]), 0xff-a
				p := pix[4*x : 4*x+3 : 4*x+3]
				p[0] = uint8(min(0xff, (uint32(p[0])*keep+127)/0xff+v))
				p[1] = uint8(min(0xff, (uint32(p[1])*keep+127)/0xff+v))
				p[2] = uint8(min(0xff, (uint32(p[2])*keep+127)/0xff+v))
			}
			if cx++; cx == wm.w {
				cx = 0
			}
		}
	}
}

// floorDiv returns the floored quotient and the non-negative remainder of a/b.
func floorDiv(a, b int) (int, int) {
	q, r := a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}
