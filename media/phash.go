package media

import (
	"image"
	"math"
	"slices"

	"github.com/disintegration/imaging"
)

// phashSize is the side of the grey image the hash is computed on; the hash keeps the 8×8
// lowest frequencies of its DCT.
const phashSize = 32

// phash is the standard DCT perceptual hash (as in pHash): a 32×32 grey version of the image,
// its 2-D DCT-II, the 8×8 block of lowest frequencies after the first row and column (which
// carry the mean brightness and the image-wide gradients, which a re-save or a change of
// levels moves most), and one bit per coefficient: above the block's median or not. Resizing,
// recompressing and slight crops move few bits; unrelated images differ in about half.
func phash(img image.Image) uint64 {
	// The squash to a square ignores the aspect ratio on purpose: a copy at another size
	// has the same one. Box averages over the whole image, which is what low frequencies see.
	small := imaging.Resize(img, phashSize, phashSize, imaging.Box)
	var grey [phashSize][phashSize]float64
	for y := range phashSize {
		for x := range phashSize {
			p := small.Pix[y*small.Stride+4*x:]
			grey[y][x] = 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
		}
	}
	// cosines[u][x] = cos((2x+1)uπ / 2N): only the nine lowest frequencies are needed.
	var cosines [9][phashSize]float64
	for u := range cosines {
		for x := range phashSize {
			cosines[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / (2 * phashSize))
		}
	}
	// Separable DCT: rows first (9 frequencies per row), then columns.
	var rows [phashSize][9]float64
	for y := range phashSize {
		for u := range 9 {
			var s float64
			for x := range phashSize {
				s += grey[y][x] * cosines[u][x]
			}
			rows[y][u] = s
		}
	}
	coeffs := make([]float64, 0, 64)
	for v := 1; v <= 8; v++ {
		for u := 1; u <= 8; u++ {
			var s float64
			for y := range phashSize {
				s += rows[y][u] * cosines[v][y]
			}
			coeffs = append(coeffs, s)
		}
	}
	sorted := slices.Clone(coeffs)
	slices.Sort(sorted)
	median := (sorted[31] + sorted[32]) / 2
	var h uint64
	for i, c := range coeffs {
		if c > median {
			h |= 1 << (63 - i)
		}
	}
	return h
}
