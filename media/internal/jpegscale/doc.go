// Package jpegscale decodes baseline JPEGs directly at 1/1, 1/2, 1/4 or 1/8 of their size
// ("shrink on load"), so the image pipeline never materialises a full-size image when it only
// needs a preview. It owns JPEG parsing, Huffman decoding and scaled inverse DCTs only; it
// imports nothing but the standard library, and callers fall back to image/jpeg on
// ErrUnsupported.
package jpegscale
