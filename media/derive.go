package media

import (
	"context"
	"errors"
	"math/bits"
)

// Size is one named derivative.
type Size struct {
	Name      string // "thumb" or "preview"
	LongEdge  int    // pixels
	Watermark bool
	Quality   int // JPEG quality
}

// DerivativeSizes returns the table of derivatives made for every image (a fresh slice each
// call, so callers may not alter the table for others): thumb 400 px long edge, no watermark;
// preview 1200 px long edge, watermarked.
func DerivativeSizes() []Size {
	return []Size{
		{Name: "thumb", LongEdge: 400, Watermark: false, Quality: 82},
		{Name: "preview", LongEdge: 1200, Watermark: true, Quality: 82},
	}
}

// DeriveOptions tune Derive.
type DeriveOptions struct {
	Orientation   int    // EXIF orientation 1–8 (0 means 1), applied before anything else
	WatermarkText string // tiled across watermarked sizes; "" means "snapshop"
}

// Swatch is one dominant colour of an image.
type Swatch struct {
	Hex    string  // "#3a6ea5"
	Share  float64 // fraction of pixels, 0–1
	Bucket string  // one of ColorBuckets()
}

// Derived is everything the pipeline makes from one original.
type Derived struct {
	Width, Height int               // the original's displayed size, after orientation
	Files         map[string][]byte // derivative name → JPEG bytes (sRGB, no EXIF/XMP/ICC or any metadata)
	Palette       []Swatch          // up to 5 dominant colours, largest share first
	Colors        []string          // colour buckets that cover a meaningful share, largest first
	PHash         uint64            // 64-bit DCT perceptual hash of the oriented image
}

// ColorBuckets returns the named colour buckets used by the colour filter, in display order.
func ColorBuckets() []string {
	return []string{"red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "gray", "white"}
}

// Derive decodes an original (JPEG, PNG or WebP bytes, already accepted by Inspect), applies
// the orientation, and makes every derivative, the palette and the perceptual hash.
func Derive(ctx context.Context, data []byte, opt DeriveOptions) (*Derived, error) {
	return nil, errors.New("media: Derive not implemented yet")
}

// Hamming returns the number of differing bits between two perceptual hashes.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }
