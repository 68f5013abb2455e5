package media

import (
	"image"
	"image/color"
	"runtime"
	"sync"

	"github.com/disintegration/imaging"
)

// shrink reduces img by the integer factor f by averaging f×f blocks (a box filter), the way a
// JPEG decoder's DCT scaling does. The common decoder outputs have fast paths that read each
// source sample once; anything else goes through imaging's generic box resize.
func shrink(img image.Image, f int) *image.NRGBA {
	b := img.Bounds()
	ow, oh := ceilDiv(b.Dx(), f), ceilDiv(b.Dy(), f)
	if b.Min != (image.Point{}) {
		return imaging.Resize(img, ow, oh, imaging.Box)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, ow, oh))
	var rows func(y0, y1 int)
	switch src := img.(type) {
	case *image.YCbCr:
		sx, sy := chromaDivisors(src.SubsampleRatio)
		if sx == 0 || f%sx != 0 || f%sy != 0 {
			return imaging.Resize(img, ow, oh, imaging.Box)
		}
		rows = func(y0, y1 int) { shrinkYCbCr(dst, src, f, sx, sy, y0, y1) }
	case *image.Gray:
		rows = func(y0, y1 int) { shrinkGray(dst, src, f, y0, y1) }
	case *image.NRGBA:
		rows = func(y0, y1 int) { shrinkRGBA(dst, src.Pix, src.Stride, b.Dx(), b.Dy(), false, f, y0, y1) }
	case *image.RGBA:
		rows = func(y0, y1 int) { shrinkRGBA(dst, src.Pix, src.Stride, b.Dx(), b.Dy(), true, f, y0, y1) }
	default:
		return imaging.Resize(img, ow, oh, imaging.Box)
	}
	// Output rows are independent: split them in bands, one per core.
	bands := min(runtime.GOMAXPROCS(0), oh)
	var wg sync.WaitGroup
	for i := range bands {
		wg.Go(func() { rows(oh*i/bands, oh*(i+1)/bands) })
	}
	wg.Wait()
	return dst
}

// chromaDivisors returns how many luma samples share a chroma sample across and down, or zero
// for a ratio this file does not know.
func chromaDivisors(r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 0, 0
}

// shrinkYCbCr averages luma and chroma separately, then converts each output pixel: YCbCr to
// RGB is affine, so converting the average equals averaging the conversions (but for
// clamping), at a fraction of the cost.
func shrinkYCbCr(dst *image.NRGBA, src *image.YCbCr, f, sx, sy, y0, y1 int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	cw, ch := ceilDiv(w, sx), ceilDiv(h, sy)
	ow := dst.Rect.Dx()
	ys := make([]int, ow)
	cbs, crs := make([]int, ow), make([]int, ow)
	fx, fy := f/sx, f/sy // chroma samples per block
	for oy := y0; oy < y1; oy++ {
		clear(ys)
		clear(cbs)
		clear(crs)
		ya, yb := oy*f, min(oy*f+f, h)
		for y := ya; y < yb; y++ {
			row := src.Y[y*src.YStride : y*src.YStride+w]
			sumBlocks(ys, row, f)
		}
		ca, cb := oy*fy, min(oy*fy+fy, ch)
		for y := ca; y < cb; y++ {
			sumBlocks(cbs, src.Cb[y*src.CStride:y*src.CStride+cw], fx)
			sumBlocks(crs, src.Cr[y*src.CStride:y*src.CStride+cw], fx)
		}
		out := dst.Pix[oy*dst.Stride : oy*dst.Stride+4*ow]
		for ox := range ow {
			n := (min(ox*f+f, w) - ox*f) * (yb - ya)
			cn := (min(ox*fx+fx, cw) - ox*fx) * (cb - ca)
			r, g, bl := color.YCbCrToRGB(clamp8((ys[ox]+n/2)/n), clamp8((cbs[ox]+cn/2)/cn), clamp8((crs[ox]+cn/2)/cn))
			out[4*ox], out[4*ox+1], out[4*ox+2], out[4*ox+3] = r, g, bl, 0xff
		}
	}
}

// sumBlocks adds each run of f samples of row into one entry of sums.
func sumBlocks(sums []int, row []uint8, f int) {
	for i := 0; i < len(sums) && i*f < len(row); i++ {
		var s int
		for _, v := range row[i*f : min(i*f+f, len(row))] {
			s += int(v)
		}
		sums[i] += s
	}
}

func shrinkGray(dst *image.NRGBA, src *image.Gray, f, y0, y1 int) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	ow := dst.Rect.Dx()
	sums := make([]int, ow)
	for oy := y0; oy < y1; oy++ {
		clear(sums)
		ya, yb := oy*f, min(oy*f+f, h)
		for y := ya; y < yb; y++ {
			sumBlocks(sums, src.Pix[y*src.Stride:y*src.Stride+w], f)
		}
		out := dst.Pix[oy*dst.Stride : oy*dst.Stride+4*ow]
		for ox := range ow {
			n := (min(ox*f+f, w) - ox*f) * (yb - ya)
			v := clamp8((sums[ox] + n/2) / n)
			out[4*ox], out[4*ox+1], out[4*ox+2], out[4*ox+3] = v, v, v, 0xff
		}
	}
}

// shrinkRGBA averages 8-bit RGBA pixels, premultiplied or not, weighting colour by alpha so
// that fully transparent pixels (whose colour is arbitrary) do not bleed into their neighbours.
func shrinkRGBA(dst *image.NRGBA, pix []uint8, stride, w, h int, premultiplied bool, f, y0, y1 int) {
	ow := dst.Rect.Dx()
	sums := make([]int, 4*ow)
	for oy := y0; oy < y1; oy++ {
		clear(sums)
		ya, yb := oy*f, min(oy*f+f, h)
		for y := ya; y < yb; y++ {
			row := pix[y*stride : y*stride+4*w]
			for x := range w {
				p := row[4*x : 4*x+4 : 4*x+4]
				a := int(p[3])
				s := sums[4*(x/f) : 4*(x/f)+4 : 4*(x/f)+4]
				if premultiplied {
					s[0] += int(p[0])
					s[1] += int(p[1])
					s[2] += int(p[2])
				} else {
					s[0] += int(p[0]) * a / 0xff
					s[1] += int(p[1]) * a / 0xff
					s[2] += int(p[2]) * a / 0xff
				}
				s[3] += a
			}
		}
		out := dst.Pix[oy*dst.Stride : oy*dst.Stride+4*ow]
		for ox := range ow {
			n := (min(ox*f+f, w) - ox*f) * (yb - ya)
			s := sums[4*ox : 4*ox+4]
			if s[3] == 0 {
				continue // fully transparent: leave the zero pixel
			}
			for c := range 3 {
				out[4*ox+c] = clamp8((s[c]*0xff + s[3]/2) / s[3])
			}
			out[4*ox+3] = clamp8((s[3] + n/2) / n)
		}
	}
}
