package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/bits"
	"slices"
	"sync"

	"github.com/disintegration/imaging"
	"golang.org/x/image/webp"

	"github.com/snapshop/snapshop/media/internal/jpegscale"
)

// Size is one named derivative.
type Size struct {
	Name      string // "thumb" or "preview"
	LongEdge  int    // pixels
	Watermark bool
	Quality   int // JPEG quality
}

// DerivativeSizes returns the table of derivatives made for every image (a fresh slice each
// call, so no caller can alter the table for another): thumb 400 px long edge, no watermark;
// preview 1200 px long edge, watermarked.
func DerivativeSizes() []Size {
	return []Size{
		{Name: "thumb", LongEdge: 400, Watermark: false, Quality: 82},
		{Name: "preview", LongEdge: 1200, Watermark: true, Quality: 82},
	}
}

// DeriveOptions tune Derive.
type DeriveOptions struct {
	// Orientation is the EXIF orientation, 1–8, applied before anything else. 0 means 1, and
	// so does any other value out of range: a camera's odd tag is no reason to refuse a photo.
	Orientation int
	// WatermarkText is tiled across watermarked sizes; "" means "snapshop".
	WatermarkText string
}

// Derived is everything the pipeline makes from one original.
type Derived struct {
	Width, Height int               // the original's displayed size, after orientation
	Files         map[string][]byte // derivative name → JPEG bytes (sRGB, no EXIF/XMP/ICC or any metadata)
	Palette       []Swatch          // up to 5 dominant colours, largest share first
	Colors        []string          // colour buckets covering at least MinColorShare, largest first
	PHash         uint64            // 64-bit DCT perceptual hash of the oriented image
}

// maxDecodeBytes is Derive's own ceiling on the decoded size of an original, whatever limits
// the caller gave Inspect: a last line of defence against decoding a pixel bomb that reached
// Derive some other way. It admits 100 megapixels even at 16 bits a channel.
const maxDecodeBytes = 1 << 30

// Derive decodes an original (JPEG, PNG or WebP bytes, already accepted by Inspect), applies
// the orientation, and makes every derivative, the palette and the perceptual hash.
//
// Colours are taken to be sRGB: embedded ICC profiles are ignored, and the derivatives carry
// none. Almost every photo on the web is sRGB, and a wide-gamut original only looks slightly
// duller in its preview; converting would need a colour-management library for that margin.
func Derive(ctx context.Context, data []byte, opt DeriveOptions) (*Derived, error) {
	return derive(ctx, data, opt, deriveConfig{sizes: DerivativeSizes(), scaledJPEG: true})
}

// deriveConfig holds what tests and benchmarks vary; Derive always uses the defaults.
type deriveConfig struct {
	sizes      []Size
	scaledJPEG bool // decode JPEGs with jpegscale at a reduced scale; false forces image/jpeg
}

func derive(ctx context.Context, data []byte, opt DeriveOptions, dc deriveConfig) (*Derived, error) {
	sizes := slices.Clone(dc.sizes)
	if len(sizes) == 0 {
		return nil, errors.New("media: no derivative sizes")
	}
	// Largest first: each size is resized from the one before it, which is both cheaper and,
	// with Lanczos, as sharp as resizing from the original.
	slices.SortStableFunc(sizes, func(a, b Size) int { return b.LongEdge - a.LongEdge })
	if sizes[len(sizes)-1].LongEdge < 1 {
		return nil, fmt.Errorf("media: derivative %q has no size", sizes[len(sizes)-1].Name)
	}

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: derive: %w", err)
	}
	src, width, height, err := decode(data, sizes[0].LongEdge, dc.scaledJPEG)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: derive: %w", err)
	}
	// Resizing commutes with orientation (rotations and flips; Lanczos is symmetric), so the
	// largest derivative is oriented after it is made: turning a 1200 px image costs a
	// fraction of turning the 3000 px decode.
	orientation := opt.Orientation
	if orientation < 1 || orientation > 8 {
		orientation = 1
	}
	if orientation >= 5 { // the transposing orientations swap the displayed sides
		width, height = height, width
	}

	imgs := make([]*image.NRGBA, len(sizes))
	prev := src
	for i, s := range sizes {
		imgs[i] = fit(prev, s.LongEdge)
		if i == 0 && orientation != 1 {
			imgs[i] = imaging.Clone(orient(imgs[i], orientation))
		}
		flatten(imgs[i])
		prev = imgs[i]
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: derive: %w", err)
		}
	}

	text := opt.WatermarkText
	if text == "" {
		text = "snapshop"
	}
	out := &Derived{Width: width, Height: height, Files: make(map[string][]byte, len(sizes))}
	files := make([][]byte, len(sizes))
	errs := make([]error, len(sizes))
	// Watermarking and encoding are independent per size. Colours and the hash are measured
	// on the smallest image without its watermark: a copy, if that size is watermarked, so
	// that no goroutine writes what they read.
	smallest := imgs[len(imgs)-1]
	if sizes[len(sizes)-1].Watermark {
		smallest = imaging.Clone(smallest)
	}
	var wg sync.WaitGroup
	for i, s := range sizes {
		wg.Go(func() {
			if s.Watermark {
				wm, err := newWatermark(text, max(imgs[i].Rect.Dx(), imgs[i].Rect.Dy()))
				if err != nil {
					errs[i] = err
					return
				}
				wm.apply(imgs[i])
			}
			if err := ctx.Err(); err != nil {
				errs[i] = fmt.Errorf("media: derive: %w", err)
				return
			}
			files[i], errs[i] = encodeJPEG(imgs[i], s.Quality)
		})
	}
	out.Palette, out.Colors = colors(smallest)
	out.PHash = phash(smallest)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, s := range sizes {
		out.Files[s.Name] = files[i]
	}
	return out, nil
}

// decode decodes data at the smallest size whose long edge is still at least twice longEdge (or
// at full size when the original is smaller), and returns the original's full, un-oriented size.
//
// Why twice: decoding a JPEG at a reduced scale truncates each block's DCT, a blockwise low-pass
// that is not as good a pre-filter as Lanczos over the full image. Measured on a 24 MP photo
// against the uncompressed original resized with Lanczos, a 1200 px preview made from the 1/4
// decode (1500 px) lost 1.8 dB against full decode + Lanczos; from the 1/2 decode (3000 px,
// still 2.5× the target, so Lanczos does most of the filtering) it lost 0.2 dB, at 60 ms of
// decode instead of 240 ms. The decoder itself is unbiased: at 1/1 it matches image/jpeg to
// 0.02 mean square error.
func decode(data []byte, longEdge int, scaledJPEG bool) (image.Image, int, int, error) {
	format, err := sniff(data[:min(len(data), 16)])
	if err != nil {
		return nil, 0, 0, fmt.Errorf("media: decode: %w", err)
	}
	var cfg image.Config
	switch format {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case WebP:
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("media: decode: %w", headerError(format, err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, 0, 0, fmt.Errorf("media: decode: %w: the header declares %d×%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	// Budget by decoded bytes, not pixels: a 16-bit RGBA PNG takes eight times the memory of
	// a greyscale JPEG of the same size.
	if n := int64(cfg.Width) * int64(cfg.Height) * decodedBytesPerPixel(cfg.ColorModel); n > maxDecodeBytes {
		return nil, 0, 0, fmt.Errorf("media: decode: %w: %d×%d would take %s to decode",
			ErrTooManyPixels, cfg.Width, cfg.Height, byteSize(n))
	}
	scale := min(shrinkFactor(image.Rect(0, 0, cfg.Width, cfg.Height), longEdge), 8)

	var img image.Image
	switch format {
	case JPEG:
		if scaledJPEG {
			img, err = decodeScaled(data, scale)
		}
		if !scaledJPEG || errors.Is(err, jpegscale.ErrUnsupported) {
			img, err = jpeg.Decode(bytes.NewReader(data))
		}
	case PNG:
		img, err = png.Decode(bytes.NewReader(data))
	case WebP:
		img, err = webp.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("media: decode %s: %w: %w", format.name(), ErrCorrupt, err)
	}
	if img == nil || img.Bounds().Empty() {
		return nil, 0, 0, fmt.Errorf("media: decode %s: %w: the decoder returned no image", format.name(), ErrCorrupt)
	}
	// Whatever the decoder did, bring a big image down by a power of two with a box filter
	// before the Lanczos resize: averaging blocks touches each source pixel once, where
	// Lanczos over a 6000-pixel row costs thirty taps per output pixel.
	if f := shrinkFactor(img.Bounds(), longEdge); f > 1 {
		img = shrink(img, f)
	}
	return img, cfg.Width, cfg.Height, nil
}

// decodedBytesPerPixel is what the standard decoders allocate per pixel for a colour model
// (YCbCr counted at 4:4:4, its worst case).
func decodedBytesPerPixel(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.YCbCrModel, color.CMYKModel, color.RGBAModel, color.NRGBAModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	return 4
}

// decodeScaled runs the scaled JPEG decoder, turning a panic — a bug in a young decoder meeting
// hostile input — into an error, so that one upload cannot bring down a worker.
func decodeScaled(data []byte, scale int) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("jpegscale panicked at scale 1/%d: %v", scale, p)
		}
	}()
	return jpegscale.Decode(bytes.NewReader(data), scale)
}

// shrinkFactor is the largest power of two by which b can be divided with its long edge
// staying at least twice longEdge (see decode for why twice).
func shrinkFactor(b image.Rectangle, longEdge int) int {
	long := max(b.Dx(), b.Dy())
	f := 1
	for ceilDiv(long, f*2) >= 2*longEdge {
		f *= 2
	}
	return f
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// orient applies an EXIF orientation (2–8) to img.
func orient(img image.Image, orientation int) image.Image {
	switch orientation {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img) // 90° clockwise
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img) // 90° counter-clockwise
	}
	return img
}

// fit resizes img so its long edge is longEdge, never upscaling: a smaller image is copied at
// its own size.
func fit(img image.Image, longEdge int) *image.NRGBA {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if max(w, h) <= longEdge {
		return imaging.Clone(img)
	}
	if w >= h {
		return imaging.Resize(img, longEdge, max(1, (h*longEdge+w/2)/w), imaging.Lanczos)
	}
	return imaging.Resize(img, max(1, (w*longEdge+h/2)/h), longEdge, imaging.Lanczos)
}

// flatten composites a possibly transparent image onto white, in place: JPEG has no alpha, and
// white is what a transparent product shot is usually meant to sit on.
func flatten(img *image.NRGBA) {
	for y := range img.Rect.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+4*img.Rect.Dx()]
		for i := 0; i < len(row); i += 4 {
			a := int(row[i+3])
			if a == 0xff {
				continue
			}
			for c := range 3 {
				row[i+c] = clamp8((int(row[i+c])*a + 0xff*(0xff-a) + 127) / 0xff)
			}
			row[i+3] = 0xff
		}
	}
}

// encodeJPEG encodes an opaque NRGBA image. image/jpeg writes no metadata segments at all (no
// EXIF, XMP or ICC), which is exactly what public derivatives need.
func encodeJPEG(img *image.NRGBA, quality int) ([]byte, error) {
	// An opaque NRGBA image has the same bytes as an RGBA one, and image/jpeg converts
	// *image.RGBA directly instead of pixel by pixel through color.Color.
	rgba := &image.RGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	var buf bytes.Buffer
	buf.Grow(img.Rect.Dx() * img.Rect.Dy() / 3)
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("media: encode %d×%d JPEG: %w", img.Rect.Dx(), img.Rect.Dy(), err)
	}
	return buf.Bytes(), nil
}

// Hamming returns the number of differing bits between two perceptual hashes.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// clamp8 converts to a byte, saturating.
func clamp8(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 0xff {
		return 0xff
	}
	return uint8(v)
}
