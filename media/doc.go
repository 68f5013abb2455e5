// Package media turns uploaded image files into what the marketplace shows: it inspects an
// upload (format sniffed from content, dimensions from the header, limits, structural
// completeness) before anything is decoded, and derives the public files from an accepted
// original — oriented, resized, watermarked, metadata-free JPEG derivatives — together with a
// dominant-colour palette and a perceptual hash for near-duplicate detection.
//
// It owns image decoding and encoding for the whole application. It may import the standard
// library, github.com/disintegration/imaging, golang.org/x/image (WebP decoding and fonts only:
// never the TIFF or BMP decoders) and its own subpackages. It knows nothing of app/: callers
// pass plain bytes and options and get plain values back. Only the JPEG, PNG and WebP decoders
// are linked in, so image.Decode and image.DecodeConfig refuse everything else.
package media
