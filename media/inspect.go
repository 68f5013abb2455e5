package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// Format is an accepted image file format, named as in image.RegisterFormat.
type Format string

// The accepted upload formats.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
)

// ContentType returns the format's MIME type, or "" for an unknown format.
func (f Format) ContentType() string {
	switch f {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case WebP:
		return "image/webp"
	}
	return ""
}

// Limits bound what Inspect accepts. A zero field means no limit.
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

// Sentinel errors returned by Inspect, wrapped with a detail meant for the uploader, such as
// "the image has too many pixels: 50000×50000 is 2500.0 megapixels; the limit is 100". Callers
// test them with errors.Is.
var (
	// ErrUnsupported: not JPEG, PNG or WebP by content (empty files, text, GIF, TIFF, BMP,
	// HEIC…), or a variant of those the decoders cannot read (animated WebP, arithmetic-coded
	// JPEG).
	ErrUnsupported = errors.New("unsupported file type: upload a JPEG, PNG or WebP image")
	// ErrCorrupt: the header is unreadable, or the file is truncated or structurally incomplete.
	ErrCorrupt = errors.New("the image file is damaged or incomplete")
	// ErrTooLarge: more bytes than Limits.MaxBytes.
	ErrTooLarge = errors.New("the file is too large")
	// ErrTooFewPixels: fewer pixels than Limits.MinPixels.
	ErrTooFewPixels = errors.New("the image is too small")
	// ErrTooManyPixels: more pixels than Limits.MaxPixels, decided from the header alone, so
	// that a pixel bomb is refused before anything is decoded.
	ErrTooManyPixels = errors.New("the image has too many pixels")
)

// Inspect sniffs the format from content (never the file name), reads the dimensions from the
// header, applies the limits, and checks the file is structurally complete, so that a truncated
// upload is refused now, not discovered later by a background job. Its memory use is constant
// (it never allocates in proportion to the pixel count or the file size) and its work is linear
// in the file size. Errors other than the sentinels above come from r itself.
func Inspect(r io.ReaderAt, size int64, lim Limits) (Info, error) {
	if lim.MaxBytes > 0 && size > lim.MaxBytes {
		return Info{}, fmt.Errorf("%w: %s; the limit is %s", ErrTooLarge, byteSize(size), byteSize(lim.MaxBytes))
	}
	if size <= 0 {
		return Info{}, fmt.Errorf("%w: the file is empty", ErrUnsupported)
	}
	// ioErr keeps the reader's own failures apart from a short file, which is corruption.
	src := &readerAt{r: r}
	var head [16]byte
	n, _ := src.ReadAt(head[:min(int64(len(head)), size)], 0)
	if src.err != nil {
		return Info{}, fmt.Errorf("media: reading the upload: %w", src.err)
	}
	format, err := sniff(head[:n])
	if err != nil {
		return Info{}, err
	}

	// Dimensions come from the format's own DecodeConfig rather than image.DecodeConfig: the
	// sniffed format decides, whatever decoders another package may have registered.
	sr := io.NewSectionReader(src, 0, size)
	var cfg image.Config
	switch format {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(sr)
	case PNG:
		cfg, err = png.DecodeConfig(sr)
	case WebP:
		cfg, err = webp.DecodeConfig(sr)
	}
	if src.err != nil {
		return Info{}, fmt.Errorf("media: reading the upload: %w", src.err)
	}
	if err != nil {
		return Info{}, headerError(format, err)
	}
	info := Info{Format: format, ContentType: format.ContentType(), Width: cfg.Width, Height: cfg.Height}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, fmt.Errorf("%w: the header declares %d×%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if lim.MaxPixels > 0 && pixels > lim.MaxPixels {
		return Info{}, fmt.Errorf("%w: %d×%d is %s; the limit is %s",
			ErrTooManyPixels, cfg.Width, cfg.Height, megapixels(pixels), megapixels(lim.MaxPixels))
	}
	if pixels < lim.MinPixels {
		return Info{}, fmt.Errorf("%w: %d×%d is %s; the minimum is %s",
			ErrTooFewPixels, cfg.Width, cfg.Height, megapixels(pixels), megapixels(lim.MinPixels))
	}

	switch format {
	case JPEG:
		err = checkJPEG(src, size)
	case PNG:
		err = checkPNG(src, size)
	case WebP:
		err = checkWebP(src, size)
	}
	if src.err != nil {
		return Info{}, fmt.Errorf("media: reading the upload: %w", src.err)
	}
	if err != nil {
		return Info{}, err
	}
	return info, nil
}

// sniff names the format from the first bytes, and names the usual suspects when refusing.
func sniff(b []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, nil
	}
	kind := "this is not an image file"
	switch {
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		kind = "GIF images are not accepted"
	case bytes.HasPrefix(b, []byte("BM")):
		kind = "BMP images are not accepted"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		kind = "TIFF images (and camera raw files) are not accepted"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		kind = "HEIC, AVIF and video files are not accepted"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8}):
		return "", fmt.Errorf("%w: the JPEG header is damaged", ErrCorrupt)
	}
	return "", fmt.Errorf("%w: %s", ErrUnsupported, kind)
}

// headerError classifies a DecodeConfig failure: a variant the decoder does not implement is
// unsupported; anything else means the header is damaged or cut short.
func headerError(f Format, err error) error {
	var (
		jpegUnsupported jpeg.UnsupportedError
		pngUnsupported  png.UnsupportedError
	)
	if errors.As(err, &jpegUnsupported) || errors.As(err, &pngUnsupported) {
		return fmt.Errorf("%w: this kind of %s cannot be read (%w)", ErrUnsupported, f.name(), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the %s ends inside its header", ErrCorrupt, f.name())
	}
	return fmt.Errorf("%w: the %s header is unreadable (%w)", ErrCorrupt, f.name(), err)
}

// name is the format as written in messages to people.
func (f Format) name() string {
	switch f {
	case JPEG:
		return "JPEG"
	case PNG:
		return "PNG"
	case WebP:
		return "WebP"
	}
	return string(f)
}

func megapixels(n int64) string {
	if n < 100_000 {
		return fmt.Sprintf("%d pixels", n)
	}
	return fmt.Sprintf("%.1f megapixels", float64(n)/1e6)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// readerAt remembers the first error of the underlying reader other than io.EOF, so that
// Inspect can tell an I/O failure (the caller's problem) from a short file (the uploader's).
type readerAt struct {
	r   io.ReaderAt
	err error
}

func (ra *readerAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := ra.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && ra.err == nil {
		ra.err = err
	}
	return n, err
}
