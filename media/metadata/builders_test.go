package metadata

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// Fixture builders: every test file is generated here, nothing third-party is committed.

// tiffValue is one IFD entry with its value already encoded in the target byte order.
type tiffValue struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

// byteOrder is what binary.LittleEndian and binary.BigEndian both are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

type tiffBuilder struct{ bo byteOrder }

func (tb tiffBuilder) ascii(tag uint16, s string) tiffValue {
	return tiffValue{tag: tag, typ: 2, count: uint32(len(s) + 1), data: append([]byte(s), 0)}
}

func (tb tiffBuilder) short(tag uint16, vs ...uint16) tiffValue {
	var b []byte
	for _, v := range vs {
		b = tb.bo.AppendUint16(b, v)
	}
	return tiffValue{tag: tag, typ: 3, count: uint32(len(vs)), data: b}
}

func (tb tiffBuilder) long(tag uint16, vs ...uint32) tiffValue {
	var b []byte
	for _, v := range vs {
		b = tb.bo.AppendUint32(b, v)
	}
	return tiffValue{tag: tag, typ: 4, count: uint32(len(vs)), data: b}
}

// rational takes numerator, denominator pairs.
func (tb tiffBuilder) rational(tag uint16, nd ...uint32) tiffValue {
	v := tb.long(tag, nd...)
	v.typ, v.count = 5, uint32(len(nd)/2)
	return v
}

// buildTIFF lays out a TIFF structure: header, IFD0, then the Exif and GPS IFDs when given,
// with their pointers added to IFD0. Values longer than four bytes follow each IFD.
func (tb tiffBuilder) build(ifd0, exif, gps []tiffValue) []byte {
	ifdSize := func(vs []tiffValue) uint32 {
		if vs == nil {
			return 0
		}
		n := uint32(2 + 12*len(vs) + 4)
		for _, v := range vs {
			if len(v.data) > 4 {
				n += uint32(len(v.data) + len(v.data)&1)
			}
		}
		return n
	}
	ifd0 = append([]tiffValue(nil), ifd0...)
	if exif != nil {
		ifd0 = append(ifd0, tb.long(tagExifIFD, 0))
	}
	if gps != nil {
		ifd0 = append(ifd0, tb.long(tagGPSIFD, 0))
	}
	off0 := uint32(8)
	offExif := off0 + ifdSize(ifd0)
	offGPS := offExif + ifdSize(exif)
	for i := range ifd0 {
		switch ifd0[i].tag {
		case tagExifIFD:
			ifd0[i] = tb.long(tagExifIFD, offExif)
		case tagGPSIFD:
			ifd0[i] = tb.long(tagGPSIFD, offGPS)
		}
	}
	var b []byte
	if tb.bo.String() == binary.LittleEndian.String() {
		b = append(b, "II*\x00"...)
	} else {
		b = append(b, "MM\x00*"...)
	}
	b = tb.bo.AppendUint32(b, off0)
	b = tb.appendIFD(b, ifd0)
	if exif != nil {
		b = tb.appendIFD(b, exif)
	}
	if gps != nil {
		b = tb.appendIFD(b, gps)
	}
	return b
}

func (tb tiffBuilder) appendIFD(b []byte, vs []tiffValue) []byte {
	base := uint32(len(b))
	dataOff := base + uint32(2+12*len(vs)+4)
	var data []byte
	b = tb.bo.AppendUint16(b, uint16(len(vs)))
	for _, v := range vs {
		b = tb.bo.AppendUint16(b, v.tag)
		b = tb.bo.AppendUint16(b, v.typ)
		b = tb.bo.AppendUint32(b, v.count)
		if len(v.data) <= 4 {
			b = append(b, v.data...)
			b = append(b, make([]byte, 4-len(v.data))...)
			continue
		}
		b = tb.bo.AppendUint32(b, dataOff+uint32(len(data)))
		data = append(data, v.data...)
		if len(v.data)%2 == 1 {
			data = append(data, 0)
		}
	}
	b = tb.bo.AppendUint32(b, 0) // no next IFD
	return append(b, data...)
}

// cameraTIFF is a full EXIF block such as a camera writes, in the given byte order.
func cameraTIFF(bo byteOrder) []byte {
	tb := tiffBuilder{bo}
	ifd0 := []tiffValue{
		tb.ascii(tagMake, "Canon"),
		tb.ascii(tagModel, "Canon EOS 5D Mark IV"),
		tb.short(tagOrientation, 6),
		tb.ascii(tagDateTime, "2023:07:02 10:00:00"),
		tb.ascii(tagArtist, "Exif Artist"),
		tb.ascii(tagCopyright, "Exif Copyright"),
	}
	exif := []tiffValue{
		tb.rational(tagExposureTime, 1, 250),
		tb.rational(tagFNumber, 28, 10),
		tb.short(tagISO, 400),
		tb.ascii(tagDateTimeOriginal, "2023:07:01 18:30:15"),
		tb.ascii(tagDateTimeDigitized, "2023:07:01 18:30:16"),
		tb.ascii(tagOffsetOriginal, "+02:00"),
		tb.ascii(tagSubSecOriginal, "25"),
		tb.rational(tagFocalLength, 70, 1),
		tb.ascii(tagLensMake, "Canon"),
		tb.ascii(tagLensModel, "EF24-70mm f/2.8L II USM"),
	}
	gps := []tiffValue{
		tb.ascii(gpsLatitudeRef, "S"),
		tb.rational(gpsLatitude, 33, 1, 51, 1, 3540, 100), // 33°51'35.4"
		tb.ascii(gpsLongitudeRef, "E"),
		tb.rational(gpsLongitude, 151, 1, 12, 1, 3600, 100), // 151°12'36"
	}
	return tb.build(ifd0, exif, gps)
}

// tinyJPEG encodes a small real image, so fixtures are decodable JPEGs.
func tinyJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 4)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWith splices segments in right after SOI.
func jpegWith(t testing.TB, segments ...[]byte) []byte {
	t.Helper()
	base := tinyJPEG(t)
	out := append([]byte(nil), base[:2]...)
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, base[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	if len(payload)+2 > 0xFFFF {
		panic("segment too long")
	}
	b := []byte{0xFF, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

func exifSegment(tiff []byte) []byte {
	return segment(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

func xmpSegment(packet string) []byte {
	return segment(0xE1, append([]byte(jpegXMPHeader), packet...))
}

// iptcSegment wraps IIM records in a Photoshop 0x0404 resource in an APP13 segment.
func iptcSegment(iim []byte) []byte {
	return segment(0xED, append([]byte(jpegPhotoshopHeader), photoshopBlock(photoshopIPTC, iim)...))
}

func photoshopBlock(id uint16, data []byte) []byte {
	b := append([]byte("8BIM"), byte(id>>8), byte(id))
	b = append(b, 0, 0) // empty Pascal name, padded to even length
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// iim encodes one IPTC-IIM dataset.
func iim(record, dataset byte, value string) []byte {
	b := []byte{0x1C, record, dataset}
	b = binary.BigEndian.AppendUint16(b, uint16(len(value)))
	return append(b, value...)
}

func iimUTF8() []byte { return iim(1, iimCodedCharset, "\x1b%G") }

// xmpPacket wraps rdf:Description content in a complete packet with the usual namespaces.
func xmpPacket(descriptions ...string) string {
	s := "<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`
	for _, d := range descriptions {
		s += `<rdf:Description rdf:about=""` +
			` xmlns:dc="http://purl.org/dc/elements/1.1/"` +
			` xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"` +
			` xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"` +
			` xmlns:exif="http://ns.adobe.com/exif/1.0/"` +
			` xmlns:xmpNote="http://ns.adobe.com/xmp/note/"` + d
		if !strings.HasSuffix(d, "/>") {
			s += `</rdf:Description>`
		}
	}
	return s + "</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
}

// fullXMP has every descriptive property in element form.
const fullXMPBody = `>
<dc:title><rdf:Alt><rdf:li xml:lang="de">Sonnenuntergang</rdf:li><rdf:li xml:lang="x-default">XMP Sunset</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">XMP caption &amp; more</rdf:li></rdf:Alt></dc:description>
<dc:subject><rdf:Bag><rdf:li>sunset</rdf:li><rdf:li> Beach </rdf:li><rdf:li>SUNSET</rdf:li><rdf:li></rdf:li><rdf:li>beach</rdf:li><rdf:li>Café</rdf:li></rdf:Bag></dc:subject>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2023 XMP Rights</rdf:li></rdf:Alt></dc:rights>
<dc:creator><rdf:Seq><rdf:li>Ann Author</rdf:li><rdf:li>Bob Builder</rdf:li></rdf:Seq></dc:creator>
<photoshop:City>Sydney</photoshop:City>
<photoshop:State>NSW</photoshop:State>
<photoshop:Country>Australia</photoshop:Country>
<Iptc4xmpCore:Location>Bondi Beach</Iptc4xmpCore:Location>
`

// tinyPNG encodes a small real image.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.NRGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngWith inserts chunks right after IHDR.
func pngWith(t testing.TB, chunks ...[]byte) []byte {
	t.Helper()
	base := tinyPNG(t)
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	out := append([]byte(nil), base[:ihdrEnd]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, base[ihdrEnd:]...)
}

func zlibBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// iTXtXMP builds an iTXt chunk holding an XMP packet, zlib-compressed when compress is set.
func iTXtXMP(t testing.TB, packet string, compress bool) []byte {
	t.Helper()
	b := append([]byte(pngXMPKeyword), 0)
	text := []byte(packet)
	if compress {
		b = append(b, 1, 0)
		text = zlibBytes(t, text)
	} else {
		b = append(b, 0, 0)
	}
	b = append(b, 0, 0) // empty language tag and translated keyword
	return pngChunk("iTXt", append(b, text...))
}

// minimalVP8L is a valid 1×1 lossless WebP bitstream (checked once against
// golang.org/x/image/webp, which decodes it to a transparent pixel). Read ignores pixels.
const minimalVP8L = "\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07"

func riffChunk(fourCC string, data []byte) []byte {
	b := append([]byte(fourCC), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// webpWith builds an extended-format WebP: VP8X (flags for EXIF and XMP), VP8L, then chunks.
func webpWith(chunks ...[]byte) []byte {
	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 | 0x04 // EXIF, XMP
	body := append([]byte("WEBP"), riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("VP8L", []byte(minimalVP8L))...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}
