package media

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/media/internal/jpegscale"
	"github.com/snapshop/snapshop/media/synth"
)

// TestScaledDecodeQuality checks that shrink-on-load costs no visible quality. On a 24 MP photo
// it makes the 1200 px preview three ways and measures each against the uncompressed original
// resized with Lanczos:
//
//   - scaled: jpegscale at 1/4, then Lanczos (what Derive does);
//   - fallback: a full image/jpeg decode, a 1/4 box pre-shrink, then Lanczos (what Derive does
//     when jpegscale declines a file, e.g. a progressive JPEG);
//   - naive: a full decode resized with Lanczos in one step, the same filter as the reference.
//
// The scaled path must be within 0.2 dB of the full-decode path Derive would otherwise take.
// Against the naive path, which shares the reference's filter and so is favoured by
// construction, it loses about 1.8 dB at about 50 dB; that is an RMS error of about half a
// grey level, invisible, and the test only bounds it.
func TestScaledDecodeQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 24 MP photo three times")
	}
	photo := synth.Photo(6000, 4000, 7)
	data := encodeTestJPEG(t, &image.RGBA{Pix: photo.Pix, Stride: photo.Stride, Rect: photo.Rect}, 90)
	const edge = 1200
	ref := imaging.Resize(photo, edge, 800, imaging.Lanczos)

	preview := func(scaled bool) *image.NRGBA {
		img, _, _, err := decode(data, edge, scaled)
		if err != nil {
			t.Fatal(err)
		}
		return fit(img, edge)
	}
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	naive := psnr(fit(full, edge), ref)
	fallback := psnr(preview(false), ref)
	scaled := psnr(preview(true), ref)
	t.Logf("PSNR against the Lanczos-resized original: naive full decode + Lanczos %.2f dB; "+
		"fallback full decode + box 1/4 + Lanczos %.2f dB; jpegscale 1/4 + Lanczos %.2f dB",
		naive, fallback, scaled)

	if _, err := jpegscale.Decode(bytes.NewReader(data), 4); errors.Is(err, jpegscale.ErrUnsupported) {
		t.Logf("jpegscale does not decode this file yet (%v): not comparing", err)
		return
	}
	if scaled < fallback-0.2 {
		t.Errorf("the scaled decode is %.2f dB below the full-decode path, want at most 0.2", fallback-scaled)
	}
	if scaled < naive-2.5 || scaled < 45 {
		t.Errorf("the scaled decode is %.2f dB (%.2f dB below a one-step Lanczos resize), want ≥ 45 dB and within 2.5 dB",
			scaled, naive-scaled)
	}
}
