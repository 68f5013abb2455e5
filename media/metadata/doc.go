// Package metadata reads camera and descriptive metadata from uploaded photos.
//
// It owns one thing: turning the metadata blocks of a JPEG, PNG or WebP file into a
// [Metadata] value, so the contributor's form can be prefilled and the image page can show an
// EXIF summary. GPS positions and place names are read too, so the server knows they are
// there; keeping them private is the caller's job. The package does not decode pixels, write
// or strip metadata, or decide what is shown to whom.
//
// Where it looks:
//
//   - JPEG: APP1 "Exif" (TIFF: IFD0, the Exif IFD, the GPS IFD), APP1 XMP and ExtendedXMP,
//     APP13 "Photoshop 3.0" image resources (IPTC-IIM in resource 0x0404, XMP in 0x0424).
//     The walk stops at the first scan (SOS).
//   - PNG: eXIf; iTXt/zTXt/tEXt "XML:com.adobe.xmp" (compressed or not); ImageMagick's
//     "Raw profile type exif/APP1/iptc/8bim/xmp" text chunks.
//   - WebP: the RIFF chunks "EXIF" (with or without an "Exif\0\0" prefix) and "XMP ".
//
// Why a reader of its own rather than an EXIF library: the maintained Go EXIF libraries are
// either unmaintained since 2019 or pre-1.0, none reads IPTC and XMP as well, and this input
// is hostile. A small reader for a fixed set of tags, written around bounds checks, is the
// smaller attack surface. Every offset and count is checked against the buffer; IFD chains
// are followed a few steps with loop detection; values are capped (strings at 2,000
// characters, 200 keywords, 1 MB of XMP, 1 MB of decompressed or reassembled data — 3 MB of
// hex text for ImageMagick's profiles) and only the first block of each kind is read, so the
// work stays linear in the input size. XMP is parsed with encoding/xml, which expands no
// external entities and fetches nothing. Nothing recovers from panics: the bounds checks are
// the defence, and FuzzRead holds them to it.
//
// It uses the standard library only and, like everything under media/, imports nothing from
// the app tree.
package metadata
