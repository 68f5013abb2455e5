// Package jpegscale decodes baseline JPEGs directly at 1/1, 1/2, 1/4 or 1/8 of their size
// ("shrink on load", as libjpeg's DCT scaling does), so the image pipeline never
// materialises a full 24-megapixel image when it only needs a 1200-pixel preview:
// image/jpeg cannot do this, and its full decode dominates the pipeline's time.
//
// It owns JPEG parsing, Huffman decoding and the scaled inverse DCTs, and nothing else:
// no colour management, orientation, metadata or resizing beyond the power-of-two
// reduction. It imports only the standard library (no cgo). Files it does not handle
// (progressive, arithmetic-coded, lossless, hierarchical, 12-bit, CMYK/YCCK, unusual
// sampling factors) yield ErrUnsupported so callers can fall back to image/jpeg; malformed
// files yield other errors.
//
// Layout: decode.go holds the API, marker parsing and output assembly; scan.go the
// entropy-coded scans; huffman.go the tables; bits.go the buffered reader and bit
// accumulator; idct.go the 8-, 4-, 2- and 1-point inverse DCTs.
package jpegscale
