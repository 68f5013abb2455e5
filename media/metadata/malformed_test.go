package metadata

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// checkInvariants holds for whatever Read returns, on any input.
func checkInvariants(t testing.TB, md Metadata) {
	t.Helper()
	if md.Orientation < 0 || md.Orientation > 8 {
		t.Errorf("Orientation %d", md.Orientation)
	}
	for _, f := range []float64{md.FocalLength, md.Aperture} {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			t.Errorf("bad number %v in %+v", f, md)
		}
	}
	if md.ISO < 0 {
		t.Errorf("ISO %d", md.ISO)
	}
	if md.GPS != nil {
		la, lo := md.GPS.Latitude, md.GPS.Longitude
		if math.IsNaN(la) || math.IsNaN(lo) || math.Abs(la) > 90 || math.Abs(lo) > 180 {
			t.Errorf("GPS %v,%v", la, lo)
		}
	}
	strs := []string{md.CameraMake, md.CameraModel, md.Lens, md.ExposureTime, md.Title, md.Caption,
		md.Copyright, md.Creator, md.Location}
	strs = append(strs, md.Keywords...)
	for _, s := range strs {
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxRunes || s != strings.TrimSpace(s) || strings.ContainsRune(s, 0) {
			t.Errorf("bad string %q", s)
		}
	}
	if len(md.Keywords) > maxKeywords {
		t.Errorf("%d keywords", len(md.Keywords))
	}
	for _, k := range md.Keywords {
		if k == "" {
			t.Error("empty keyword")
		}
	}
}

func TestNotAnImage(t *testing.T) {
	for _, data := range [][]byte{
		nil,
		{},
		[]byte("hello"),
		[]byte("GIF89a\x01\x00\x01\x00"),
		[]byte("BM\x00\x00"),
		[]byte("\xFF\xD8"),                 // two bytes of JPEG are not a JPEG
		[]byte("\x89PNG\r\n\x1a"),          // short PNG signature
		[]byte("RIFF\x00\x00\x00\x00WAVE"), // RIFF but not WebP
		[]byte("II*\x00\x08\x00\x00\x00"),  // a bare TIFF
	} {
		md, err := Read(data)
		if !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("Read(%q) error = %v, want ErrUnsupportedFormat", data, err)
		}
		if !strings.HasPrefix(err.Error(), "metadata: ") {
			t.Errorf("error without context: %v", err)
		}
		checkInvariants(t, md)
	}
}

// fixtures are well-formed files of every kind, used as material for damage.
func fixtures(t testing.TB) map[string][]byte {
	packet := xmpPacket(fullXMPBody)
	iptc := append(iimUTF8(), iim(2, iimObjectName, "Title")...)
	iptc = append(iptc, iim(2, iimKeywords, "kw")...)
	return map[string][]byte{
		"jpeg-le": jpegWith(t, exifSegment(cameraTIFF(binary.LittleEndian)), iptcSegment(iptc), xmpSegment(packet)),
		"jpeg-be": jpegWith(t, exifSegment(cameraTIFF(binary.BigEndian)), iptcSegment(iptc)),
		"png":     pngWith(t, pngChunk("eXIf", cameraTIFF(binary.BigEndian)), iTXtXMP(t, packet, true)),
		"webp":    webpWith(riffChunk("EXIF", cameraTIFF(binary.LittleEndian)), riffChunk("XMP ", []byte(packet))),
	}
}

// TestTruncated reads every prefix of every fixture: never an error once the signature is
// there, never a panic, always the invariants.
func TestTruncated(t *testing.T) {
	for name, data := range fixtures(t) {
		sigLen := map[bool]int{true: 3, false: 12}[name[0] == 'j']
		if name == "png" {
			sigLen = 8
		}
		for n := range len(data) {
			md, err := Read(data[:n])
			if (err != nil) != (n < sigLen) {
				t.Fatalf("%s[:%d]: error %v", name, n, err)
			}
			checkInvariants(t, md)
		}
	}
}

// TestCorrupted overwrites each byte of each fixture with values that break lengths and
// offsets; a cheap deterministic complement to FuzzRead.
func TestCorrupted(t *testing.T) {
	for name, data := range fixtures(t) {
		buf := make([]byte, len(data))
		for i := range data {
			for _, v := range []byte{0x00, 0x01, 0x7F, 0x80, 0xFF} {
				copy(buf, data)
				buf[i] = v
				md, err := Read(buf)
				if err != nil && i >= 12 {
					t.Fatalf("%s: byte %d = %#x: %v", name, i, v, err)
				}
				checkInvariants(t, md)
			}
		}
	}
}

// rawTIFF assembles a little-endian TIFF by hand for structures the builder will not make.
type rawTIFF struct{ b []byte }

func newRawTIFF(ifd0 uint32) *rawTIFF {
	return &rawTIFF{b: binary.LittleEndian.AppendUint32([]byte("II*\x00"), ifd0)}
}

func (r *rawTIFF) u16(v uint16) *rawTIFF { r.b = binary.LittleEndian.AppendUint16(r.b, v); return r }
func (r *rawTIFF) u32(v uint32) *rawTIFF { r.b = binary.LittleEndian.AppendUint32(r.b, v); return r }
func (r *rawTIFF) entry(tag, typ uint16, count, value uint32) *rawTIFF {
	return r.u16(tag).u16(typ).u32(count).u32(value)
}
func (r *rawTIFF) str(s string) *rawTIFF { r.b = append(r.b, s...); return r }

func TestMalformedEXIF(t *testing.T) {
	tests := []struct {
		name  string
		tiff  []byte
		check func(Metadata) bool
	}{
		{"IFD0 past the end", newRawTIFF(1 << 30).b, nil},
		{"IFD0 at the last byte", newRawTIFF(8).str("\x05").b, nil},
		{"entry count larger than the buffer", newRawTIFF(8).u16(0xFFFF).entry(tagOrientation, 3, 1, 3).b,
			func(md Metadata) bool { return md.Orientation == 3 }},
		{"value offset past the end", newRawTIFF(8).u16(1).entry(tagMake, 2, 10, 1<<31).u32(0).b, nil},
		{"huge count", newRawTIFF(8).u16(2).entry(tagModel, 2, math.MaxUint32, 8).entry(tagMake, 2, 3, 'O'|'K'<<8).u32(0).b,
			func(md Metadata) bool { return md.CameraMake == "OK" && md.CameraModel == "" }},
		{"unknown type", newRawTIFF(8).u16(1).entry(tagMake, 99, 4, 0x41414141).u32(0).b, nil},
		{"IFD0 next points to itself", newRawTIFF(8).u16(1).entry(tagOrientation, 3, 1, 2).u32(8).b,
			func(md Metadata) bool { return md.Orientation == 2 }},
		{"Exif IFD pointer to IFD0", newRawTIFF(8).u16(2).entry(tagExifIFD, 4, 1, 8).entry(tagISO, 3, 1, 100).u32(0).b,
			func(md Metadata) bool { return md.ISO == 100 }},
		{"GPS IFD pointer to IFD0 and a next loop", newRawTIFF(8).u16(1).entry(tagGPSIFD, 13, 1, 8).u32(26).
			u16(1).entry(tagExifIFD, 4, 1, 26).u32(8).b, nil},
		{"zero denominators", func() []byte {
			tb := tiffBuilder{binary.LittleEndian}
			return tb.build(nil, []tiffValue{
				tb.rational(tagFNumber, 28, 0), tb.rational(tagFocalLength, 0, 0), tb.rational(tagExposureTime, 1, 0),
				tb.rational(tagLensSpecification, 1, 0, 0, 0, 0, 0, 0, 0),
			}, []tiffValue{tb.rational(gpsLatitude, 1, 0, 1, 1, 1, 1), tb.rational(gpsLongitude, 1, 1, 0, 0, 0, 0)})
		}(), func(md Metadata) bool {
			return md.Aperture == 0 && md.FocalLength == 0 && md.ExposureTime == "" && md.Lens == "" && md.GPS == nil
		}},
		{"signed rationals", func() []byte {
			tb := tiffBuilder{binary.LittleEndian}
			neg := tb.rational(tagFNumber, math.MaxUint32, 1) // -1 as SRATIONAL
			neg.typ = 10
			return tb.build(nil, []tiffValue{neg}, nil)
		}(), func(md Metadata) bool { return md.Aperture == 0 }},
		{"GPS out of range", func() []byte {
			tb := tiffBuilder{binary.BigEndian}
			return tb.build(nil, nil, []tiffValue{tb.rational(gpsLatitude, 91, 1), tb.rational(gpsLongitude, 10, 1)})
		}(), func(md Metadata) bool { return md.GPS == nil }},
		{"GPS as an ASCII string (HTC)", func() []byte {
			tb := tiffBuilder{binary.BigEndian}
			return tb.build(nil, nil, []tiffValue{tb.ascii(gpsLatitude, "52,00000,50,00000,34,01180"), tb.ascii(gpsLongitudeRef, "W"), tb.ascii(gpsLongitude, "11,00000,10,00000,58,28360")})
		}(), func(md Metadata) bool {
			return md.GPS != nil && near(md.GPS.Latitude, 52+50.0/60+34.0118/3600) && near(md.GPS.Longitude, -(11+10.0/60+58.2836/3600))
		}},
		{"not TIFF", []byte("XX*\x00\x08\x00\x00\x00"), nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, data := range [][]byte{
				jpegWith(t, exifSegment(tt.tiff)),
				pngWith(t, pngChunk("eXIf", tt.tiff)),
				webpWith(riffChunk("EXIF", tt.tiff)),
			} {
				md := mustRead(t, data)
				checkInvariants(t, md)
				if tt.check != nil && !tt.check(md) {
					t.Errorf("got %+v", md)
				}
			}
		})
	}
}

func TestMalformedContainers(t *testing.T) {
	tests := map[string][]byte{
		"JPEG segment length 0":         append([]byte("\xFF\xD8\xFF\xE1\x00\x00"), "Exif\x00\x00"...),
		"JPEG segment longer than file": append([]byte("\xFF\xD8\xFF\xE1\xFF\xFFExif\x00\x00"), newRawTIFF(8).u16(1).entry(tagOrientation, 3, 1, 5).u32(0).b...),
		"JPEG fill bytes":               append([]byte("\xFF\xD8\xFF\xFF\xFF\xFF\xFF\xE1\x00\x0eExif\x00\x00II*\x00"), 0, 0, 0, 0),
		"JPEG garbage after SOI":        []byte("\xFF\xD8\xFFgarbage"),
		"JPEG only fill bytes":          append([]byte("\xFF\xD8"), bytes.Repeat([]byte{0xFF}, 1000)...),
		"PNG chunk length past end":     append([]byte("\x89PNG\r\n\x1a\n\xFF\xFF\xFF\xFFeXIf"), newRawTIFF(8).u16(1).entry(tagOrientation, 3, 1, 5).u32(0).b...),
		"PNG bad iTXt":                  append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x05iTXtXML:c"), 0, 0, 0, 0),
		"PNG iTXt bad zlib":             pngWith(t, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x01\x00\x00\x00not zlib"))),
		"PNG raw profile bad hex":       pngWith(t, pngChunk("tEXt", []byte("Raw profile type exif\x00\nexif\n  100\n4d4dzz"))),
		"PNG raw profile huge length":   pngWith(t, pngChunk("tEXt", []byte("Raw profile type iptc\x00\niptc\n999999999999\n1c0205"))),
		"WebP RIFF size 0":              []byte("RIFF\x00\x00\x00\x00WEBPEXIF\x10\x00\x00\x00"),
		"WebP chunk past end":           []byte("RIFF\xFF\xFF\xFF\xFFWEBPXMP \xFF\xFF\xFF\x7F<x:xmpmeta"),
		"Photoshop resource past end":   jpegWith(t, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\xFF\xFF\xFF\xFF\x1c\x02\x05\x00\x02Hi"))),
		"Photoshop odd name":            jpegWith(t, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x03abc\x00\x00\x00\x00\x05\x1c\x02\x05\x00\x00"))),
		"IIM extended size":             jpegWith(t, iptcSegment([]byte("\x1c\x02\x05\x80\x04\xFF\xFF\xFF\xFFHi"))),
		"IIM extended size of 0 bytes":  jpegWith(t, iptcSegment([]byte("\x1c\x02\x05\x80\x00Hi"))),
		"IIM value past end":            jpegWith(t, iptcSegment([]byte("\x1c\x02\x05\xFF\x00Hi"))),
		"ExtendedXMP huge total":        jpegWith(t, xmpSegment(xmpPacket(` xmpNote:HasExtendedXMP="G"/>`)), segment(0xE1, append([]byte(jpegExtendedXMPHeader+"G"+strings.Repeat(" ", 31)), 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0))),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			checkInvariants(t, mustRead(t, data))
		})
	}
}

func TestGarbageXMP(t *testing.T) {
	for name, packet := range map[string]string{
		"binary":            "\x00\x01\x02<<<>>>\xff\xfe",
		"unclosed":          `<x:xmpmeta><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Partial`,
		"external entity":   `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&e;</dc:title></rdf:Description></rdf:RDF>`,
		"billion laughs":    `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="&b;"/></rdf:RDF>`,
		"UTF-16 declared":   `<?xml version="1.0" encoding="UTF-16"?><x/>`,
		"deep nesting":      strings.Repeat("<a>", 20000),
		"invalid UTF-8":     xmpPacket(` dc:title="Caf` + "\xe9" + `"/>`),
		"control chars":     xmpPacket(` dc:title="a&#x1;b"/>`),
		"li outside arrays": xmpPacket(`><dc:subject><rdf:li>x</rdf:li></dc:subject>`),
	} {
		t.Run(name, func(t *testing.T) {
			md := mustRead(t, jpegWith(t, xmpSegment(packet)))
			checkInvariants(t, md)
			if strings.Contains(md.Title, "root:") || len(md.Title) > 100 {
				t.Errorf("entity expanded: %q", md.Title)
			}
		})
	}
}

// TestHostileSizes builds inputs that would be slow if any step were worse than linear
// (re-reading a repeated tag, inflating every chunk, quadratic de-duplication).
func TestHostileSizes(t *testing.T) {
	long := strings.Repeat("M", 8000)
	r := newRawTIFF(8).u16(0xFFFF)
	for range 0xFFFF {
		r.entry(tagMake, 2, uint32(len(long)), 8+2+12*0xFFFF+4)
	}
	tiff := r.u32(0).str(long).b

	var iptc bytes.Buffer
	for i := range 100000 {
		iptc.Write(iim(2, iimKeywords, "same"))
		if i%1000 == 0 {
			iptc.Write(iim(2, iimKeywords, "k"+itoa(i)))
		}
	}
	var lis strings.Builder
	for i := range 100000 {
		lis.WriteString("<rdf:li>kw" + itoa(i%500) + "</rdf:li>")
	}
	packet := xmpPacket(`><dc:subject><rdf:Bag>` + lis.String() + `</rdf:Bag></dc:subject>`)
	for name, data := range map[string][]byte{
		"65535 Make entries": pngWith(t, pngChunk("eXIf", tiff)),
		"100k IIM keywords":  pngWith(t, pngChunk("tEXt", append([]byte("Raw profile type iptc\x00"), rawProfileText("iptc", iptc.Bytes())...))),
		"100k XMP keywords":  webpWith(riffChunk("XMP ", []byte(packet))),
		"1000 EXIF segments": func() []byte {
			segs := make([][]byte, 1000)
			for i := range segs {
				segs[i] = exifSegment(cameraTIFF(binary.BigEndian))
			}
			return jpegWith(t, segs...)
		}(),
	} {
		start := time.Now()
		md := mustRead(t, data)
		checkInvariants(t, md)
		// Generous: these take milliseconds; a quadratic step would take minutes.
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s (%d KB): %v", name, len(data)>>10, d)
		}
	}
}
