// Package xmp puts an XMP packet into an image file on its way out — the licence in a
// buyer's download of an original, the "this is a comp" notice in a watermarked preview —
// without re-encoding or otherwise touching the image.
//
// [Packet] builds the packet from plain [Fields]. [Embed] streams a JPEG or PNG from a reader
// to a writer with the packet inserted as the file's first XMP block. [Extract] reads the
// first XMP packet of a JPEG or PNG back, so tests and the app can check what was delivered.
//
// Why insert rather than rewrite: a licensed original must be the contributor's upload, byte
// for byte, plus one added block. Embed therefore parses only the few header bytes it needs
// (the JPEG SOI and the leading JFIF, JFXX and Exif segments plus the header of the next
// segment; the PNG signature and IHDR chunk), checks them before writing anything, and then
// hands the rest of the stream to io.Copy. A 50 MB original is never held in memory, and a
// file Embed cannot handle is refused before the first byte reaches the writer, while an HTTP
// handler can still fail cleanly or send the file unchanged from a fresh reader.
//
// Where the block goes:
//
//   - JPEG: one APP1 segment ("http://ns.adobe.com/xap/1.0/\x00" and the packet) right after
//     the leading APP0 JFIF segment, its APP0 JFXX extension and the APP1 Exif segment, when
//     the file has them. JFIF and Exif both require their segment to come first, and readers
//     rely on it, so ours goes after them rather than after the SOI.
//   - PNG: one uncompressed iTXt chunk with the keyword "XML:com.adobe.xmp" right after IHDR,
//     which keeps it ahead of IDAT as the XMP specification asks.
//
// XMP the upload already carries is left where it was, after ours: the first packet is the
// one readers take (media/metadata included), and deleting the contributor's metadata is not
// this package's call. The XMP specification asks for no more than one XMP block per file
// (for PNG in as many words), so a strict validator may warn about such a file.
//
// WebP is not handled: a WebP file may only carry XMP when the flag in its VP8X chunk says so,
// and setting that flag (or adding a VP8X chunk, and fixing the RIFF size) changes the
// contributor's bytes. Embed returns [ErrUnsupported] for it without reading or writing
// anything, and the caller streams the file unchanged.
//
// A packet must fit one JPEG APP1 segment ([MaxPacketSize]); ExtendedXMP, which splits a
// larger packet across segments, is not written. A licence packet is a few kilobytes, and the
// same limit applies to PNG so that a packet is accepted for every format or for none.
//
// The package knows nothing of the application and imports only the standard library.
package xmp
