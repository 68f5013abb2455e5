package media

import (
	"errors"
	"io"
)

// Format is an accepted image file format, named as in image.RegisterFormat.
type Format string

// The accepted upload formats.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
)

// Limits bound what Inspect accepts.
type Limits struct {
	MaxBytes  int64 // file size in bytes
	MinPixels int64 // width × height
	MaxPixels int64
}

// Info is what Inspect learns from a file without decoding its pixels.
type Info struct {
	Format      Format
	ContentType string // image/jpeg, image/png or image/webp
	Width       int    // as encoded, before EXIF orientation
	Height      int
}

// Sentinel errors returned (wrapped, with a human-readable detail) by Inspect. Callers test them
// with errors.Is and may show the wrapped message to the uploader.
var (
	ErrUnsupported   = errors.New("unsupported file type: upload a JPEG, PNG or WebP image")
	ErrCorrupt       = errors.New("the image file is damaged or incomplete")
	ErrTooLarge      = errors.New("the file is too large")
	ErrTooFewPixels  = errors.New("the image is too small")
	ErrTooManyPixels = errors.New("the image has too many pixels")
)

// Inspect sniffs the format from content (never the file name), reads the dimensions with
// image.DecodeConfig, applies the limits, and checks the file is structurally complete (a
// truncated upload is refused now, not discovered later by a background job). It never
// allocates in proportion to the pixel count, and its work is linear in the file size.
func Inspect(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	return Info{}, errors.New("media: Inspect not implemented yet")
}
