package media

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/disintegration/imaging"
)

// Swatch is one dominant colour of an image.
type Swatch struct {
	Hex    string  // "#3a6ea5"
	Share  float64 // fraction of pixels, 0–1
	Bucket string  // one of ColorBuckets()
}

// MinColorShare is the share of an image a colour bucket must cover to be listed in
// Derived.Colors: enough that someone filtering by "red" sees red in the thumbnail, not in a
// single flower.
const MinColorShare = 0.08

const (
	paletteSize  = 5  // swatches at most
	paletteEdge  = 64 // the long edge of the image the colours are measured on
	kmeansRounds = 12
)

// ColorBuckets returns the named colour buckets used by the colour filter, in display order:
// red, orange, yellow, green, teal, blue, purple, pink, brown, black, gray, white.
func ColorBuckets() []string {
	return []string{"red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "gray", "white"}
}

// colors returns the palette and the colour buckets of an opaque image. Both are deterministic:
// the clustering starts from a histogram, not from random seeds.
func colors(img *image.NRGBA) ([]Swatch, []string) {
	// A box filter averages, as colour shares should; it never upscales.
	small := imaging.Fit(img, paletteEdge, paletteEdge, imaging.Box)
	n := small.Rect.Dx() * small.Rect.Dy()
	if n == 0 {
		return nil, nil
	}
	px := make([][3]float64, 0, n)
	for y := range small.Rect.Dy() {
		row := small.Pix[y*small.Stride:]
		for x := range small.Rect.Dx() {
			px = append(px, [3]float64{float64(row[4*x]), float64(row[4*x+1]), float64(row[4*x+2])})
		}
	}

	// Buckets are counted per pixel, not per swatch: a bucket can cover a meaningful share
	// spread over several clusters, or only part of one.
	names := ColorBuckets()
	counts := make([]int, len(names))
	for _, p := range px {
		counts[bucketIndex(p)]++
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
	var buckets []string
	for _, i := range order {
		if float64(counts[i]) >= MinColorShare*float64(n) {
			buckets = append(buckets, names[i])
		}
	}

	centres, sizes := kmeans(px, initialCentres(px, paletteSize))
	var palette []Swatch
	for i, c := range centres {
		if sizes[i] == 0 {
			continue
		}
		palette = append(palette, Swatch{
			Hex:    fmt.Sprintf("#%02x%02x%02x", round8(c[0]), round8(c[1]), round8(c[2])),
			Share:  float64(sizes[i]) / float64(n),
			Bucket: names[bucketIndex(c)],
		})
	}
	slices.SortStableFunc(palette, func(a, b Swatch) int { return cmp.Compare(b.Share, a.Share) })
	return palette, buckets
}

// initialCentres seeds k-means from a coarse 8×8×8 histogram: the mean colours of the fullest
// bins, skipping bins too close to one already chosen, so that a small but distinct accent can
// still claim a swatch.
func initialCentres(px [][3]float64, k int) [][3]float64 {
	type bin struct {
		sum   [3]float64
		count int
	}
	var bins [512]bin
	for _, p := range px {
		i := int(p[0])>>5<<6 | int(p[1])>>5<<3 | int(p[2])>>5
		bins[i].count++
		for c := range 3 {
			bins[i].sum[c] += p[c]
		}
	}
	idx := make([]int, 0, len(bins))
	for i := range bins {
		if bins[i].count > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(bins[b].count, bins[a].count) })
	var centres [][3]float64
	for _, minDist := range []float64{48, 24, 0} { // relax the spacing if colours run out
		for _, i := range idx {
			if len(centres) == k {
				return centres
			}
			c := bins[i].sum
			for j := range 3 {
				c[j] /= float64(bins[i].count)
			}
			if !slices.ContainsFunc(centres, func(o [3]float64) bool { return dist2(o, c) <= minDist*minDist }) {
				centres = append(centres, c)
			}
		}
	}
	return centres
}

// kmeans runs a fixed number of Lloyd rounds and returns the centres and their pixel counts.
func kmeans(px [][3]float64, centres [][3]float64) ([][3]float64, []int) {
	sizes := make([]int, len(centres))
	assign := make([]int, len(px))
	for range kmeansRounds {
		sums := make([][3]float64, len(centres))
		clear(sizes)
		for i, p := range px {
			best, bestD := 0, math.Inf(1)
			for j, c := range centres {
				if d := dist2(p, c); d < bestD {
					best, bestD = j, d
				}
			}
			assign[i] = best
			sizes[best]++
			for c := range 3 {
				sums[best][c] += p[c]
			}
		}
		for j := range centres {
			if sizes[j] > 0 {
				for c := range 3 {
					centres[j][c] = sums[j][c] / float64(sizes[j])
				}
			}
		}
	}
	return centres, sizes
}

func dist2(a, b [3]float64) float64 {
	// Weighted towards green and red as the eye is (the "redmean" approximation's constant
	// weights): good enough to tell swatches apart without converting to Lab.
	dr, dg, db := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return 2*dr*dr + 4*dg*dg + 3*db*db
}

func round8(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(255, v)))) }

// bucketIndex names a colour by hue, saturation and lightness: greys first (by lightness), then
// hue ranges, with the dark and light variants that people name separately — brown is a dark
// or dull orange, pink a light red or a magenta.
func bucketIndex(c [3]float64) int {
	const (
		red = iota
		orange
		yellow
		green
		teal
		blue
		purple
		pink
		brown
		black
		gray
		white
	)
	h, s, l := hsl(c)
	switch {
	case l < 0.12:
		return black
	case l > 0.93:
		return white
	case s < 0.12 || s < 0.2 && (l < 0.25 || l > 0.8):
		switch {
		case l < 0.22:
			return black
		case l > 0.85:
			return white
		}
		return gray
	}
	switch {
	case h < 14 || h >= 345:
		if l > 0.75 {
			return pink
		}
		return red
	case h < 42:
		if l < 0.4 || s < 0.35 {
			return brown
		}
		return orange
	case h < 68:
		if l < 0.3 || s < 0.3 && l < 0.5 {
			return brown
		}
		return yellow
	case h < 165:
		return green
	case h < 195:
		return teal
	case h < 255:
		return blue
	case h < 290:
		return purple
	default:
		if l < 0.3 {
			return purple
		}
		return pink
	}
}

// hsl converts 0–255 RGB to hue in degrees and saturation and lightness in 0–1.
func hsl(c [3]float64) (h, s, l float64) {
	r, g, b := c[0]/255, c[1]/255, c[2]/255
	hi, lo := math.Max(r, math.Max(g, b)), math.Min(r, math.Min(g, b))
	l = (hi + lo) / 2
	d := hi - lo
	if d == 0 {
		return 0, 0, l
	}
	s = d / (1 - math.Abs(2*l-1))
	switch hi {
	case r:
		h = math.Mod((g-b)/d+6, 6)
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return 60 * h, s, l
}
