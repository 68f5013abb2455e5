package metadata

import (
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustRead(t *testing.T, data []byte) Metadata {
	t.Helper()
	md, err := Read(data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return md
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkGPS(t *testing.T, got *GPS, lat, lon float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("GPS = nil, want %v,%v", lat, lon)
	}
	if !near(got.Latitude, lat) || !near(got.Longitude, lon) {
		t.Errorf("GPS = %v,%v, want %v,%v", got.Latitude, got.Longitude, lat, lon)
	}
}

// TestJPEGAllBlocks reads a JPEG with EXIF, IPTC and XMP in both TIFF byte orders and checks
// every field, including that XMP wins over IPTC.
func TestJPEGAllBlocks(t *testing.T) {
	for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			iptc := append(iimUTF8(), iim(2, iimObjectName, "IPTC title")...)
			iptc = append(iptc, iim(2, iimCaption, "IPTC caption")...)
			iptc = append(iptc, iim(2, iimKeywords, "iptc-only")...)
			iptc = append(iptc, iim(2, iimCopyright, "IPTC copyright")...)
			iptc = append(iptc, iim(2, iimByline, "IPTC Byline")...)
			iptc = append(iptc, iim(2, iimCity, "Melbourne")...)
			iptc = append(iptc, iim(2, iimCountry, "IPTC Country")...)
			data := jpegWith(t, exifSegment(cameraTIFF(bo)), iptcSegment(iptc), xmpSegment(xmpPacket(fullXMPBody)))

			md := mustRead(t, data)
			want := Metadata{
				Orientation:  6,
				CameraMake:   "Canon",
				CameraModel:  "Canon EOS 5D Mark IV",
				Lens:         "EF24-70mm f/2.8L II USM",
				FocalLength:  70,
				Aperture:     2.8,
				ExposureTime: "1/250",
				ISO:          400,
				Title:        "XMP Sunset",
				Caption:      "XMP caption & more",
				Keywords:     []string{"sunset", "Beach", "Café"},
				Copyright:    "© 2023 XMP Rights",
				Creator:      "Ann Author, Bob Builder",
				Location:     "Bondi Beach, Sydney, NSW, Australia",
			}
			checkGPS(t, md.GPS, -(33 + 51.0/60 + 35.4/3600), 151+12.0/60+36.0/3600)
			wantTime := time.Date(2023, 7, 1, 18, 30, 15, 250e6, time.FixedZone("", 2*3600))
			if !md.TakenAt.Equal(wantTime) {
				t.Errorf("TakenAt = %v, want %v", md.TakenAt, wantTime)
			}
			if _, off := md.TakenAt.Zone(); off != 2*3600 {
				t.Errorf("TakenAt offset = %d, want +2h", off)
			}
			md.GPS, md.TakenAt = nil, time.Time{}
			if !reflect.DeepEqual(md, want) {
				t.Errorf("got  %+v\nwant %+v", md, want)
			}
		})
	}
}

// TestJPEGIPTCFallback: without XMP, IPTC supplies the descriptive fields and place names, and
// beats the EXIF Copyright and Artist.
func TestJPEGIPTCFallback(t *testing.T) {
	iptc := append(iimUTF8(), iim(2, iimObjectName, "Brücke")...)
	iptc = append(iptc, iim(2, iimCaption, "Line one\r\nLine two\rthree")...)
	for _, k := range []string{"Bridge", "bridge", "  river ", "", "Köln"} {
		iptc = append(iptc, iim(2, iimKeywords, k)...)
	}
	iptc = append(iptc, iim(2, iimCopyright, "IPTC copyright")...)
	iptc = append(iptc, iim(2, iimByline, "First Person")...)
	iptc = append(iptc, iim(2, iimByline, "Second Person")...)
	iptc = append(iptc, iim(2, iimSublocation, "Altstadt")...)
	iptc = append(iptc, iim(2, iimCity, "Köln")...)
	iptc = append(iptc, iim(2, iimState, "NRW")...)
	iptc = append(iptc, iim(2, iimCountry, "Germany")...)
	md := mustRead(t, jpegWith(t, exifSegment(cameraTIFF(binary.BigEndian)), iptcSegment(iptc)))

	if md.Title != "Brücke" || md.Caption != "Line one\nLine two\nthree" || md.Copyright != "IPTC copyright" ||
		md.Creator != "First Person, Second Person" || md.Location != "Altstadt, Köln, NRW, Germany" {
		t.Errorf("got %+v", md)
	}
	if want := []string{"Bridge", "river", "Köln"}; !reflect.DeepEqual(md.Keywords, want) {
		t.Errorf("Keywords = %q, want %q", md.Keywords, want)
	}
}

// TestIPTCCharacterSets: with 1:90 ESC % G values are UTF-8 (invalid bytes replaced);
// without it, valid UTF-8 stays and other bytes are Latin-1 (Windows-1252).
func TestIPTCCharacterSets(t *testing.T) {
	tests := []struct {
		name    string
		charset []byte
		value   string
		want    string
	}{
		{"declared UTF-8", iimUTF8(), "Caf\xc3\xa9", "Café"},
		{"declared UTF-8, invalid byte", iimUTF8(), "Caf\xe9", "Caf\ufffd"},
		{"undeclared Latin-1", nil, "Caf\xe9 \xa9 Z\xfcrich", "Café © Zürich"},
		{"undeclared Windows-1252 quotes", nil, "Don\x92t \x93quote\x94 \x80", "Don’t “quote” €"},
		{"undeclared but valid UTF-8", nil, "Caf\xc3\xa9", "Café"},
		{"other charset declared", iim(1, iimCodedCharset, "\x1b.A"), "Caf\xe9", "Café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iptc := append(append([]byte(nil), tt.charset...), iim(2, iimObjectName, tt.value)...)
			md := mustRead(t, jpegWith(t, iptcSegment(iptc)))
			if md.Title != tt.want {
				t.Errorf("Title = %q, want %q", md.Title, tt.want)
			}
		})
	}
}

// TestEXIFOnlyDescriptive: EXIF Copyright (photographer NUL editor) and Artist are the last
// fallbacks.
func TestEXIFOnlyDescriptive(t *testing.T) {
	tb := tiffBuilder{binary.LittleEndian}
	tiff := tb.build([]tiffValue{
		tb.ascii(tagArtist, "  Jane Doe  "),
		{tag: tagCopyright, typ: 2, count: 18, data: []byte("(c) Jane\x00(c) Ed\x00\x00")},
	}, nil, nil)
	md := mustRead(t, jpegWith(t, exifSegment(tiff)))
	if md.Creator != "Jane Doe" || md.Copyright != "(c) Jane; (c) Ed" {
		t.Errorf("Creator %q Copyright %q", md.Creator, md.Copyright)
	}
	// Editor only: the photographer part is a single space.
	tiff = tb.build([]tiffValue{{tag: tagCopyright, typ: 2, count: 8, data: []byte(" \x00Editor")}}, nil, nil)
	if md := mustRead(t, jpegWith(t, exifSegment(tiff))); md.Copyright != "Editor" {
		t.Errorf("editor-only Copyright = %q", md.Copyright)
	}
}

// TestXMPForms covers the attribute form, undeclared conventional prefixes, several
// descriptions, a title without x-default and XMP GPS.
func TestXMPForms(t *testing.T) {
	packet := xmpPacket(
		` dc:title="Attr title" photoshop:City="Oslo" exif:GPSLatitude="59,54.6N" exif:GPSLongitude="10,45,30W"/>`,
		`><dc:description><rdf:Alt><rdf:li xml:lang="fr">Légende</rdf:li><rdf:li xml:lang="en">Caption</rdf:li></rdf:Alt></dc:description>
		<dc:subject>single</dc:subject><dc:creator>Solo</dc:creator><dc:rights>Simple rights</dc:rights>
		<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Loses to the first title</rdf:li></rdf:Alt></dc:title>
		<Iptc4xmpCore:Location><rdf:Description><photoshop:City>nested, ignored</photoshop:City></rdf:Description></Iptc4xmpCore:Location>`,
	)
	md := mustRead(t, jpegWith(t, xmpSegment(packet)))
	if md.Title != "Attr title" || md.Caption != "Légende" || md.Creator != "Solo" || md.Copyright != "Simple rights" {
		t.Errorf("got %+v", md)
	}
	if !reflect.DeepEqual(md.Keywords, []string{"single"}) {
		t.Errorf("Keywords = %q", md.Keywords)
	}
	if md.Location != "Oslo" {
		t.Errorf("Location = %q", md.Location)
	}
	checkGPS(t, md.GPS, 59+54.6/60, -(10 + 45.0/60 + 30.0/3600))

	// A packet that never declares its prefixes is still read.
	undeclared := `<x:xmpmeta><rdf:RDF><rdf:Description dc:title="T"><dc:subject><rdf:Bag><rdf:li>k</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`
	md = mustRead(t, jpegWith(t, xmpSegment(undeclared)))
	if md.Title != "T" || !reflect.DeepEqual(md.Keywords, []string{"k"}) {
		t.Errorf("undeclared prefixes: %+v", md)
	}
}

// TestGPSPrecedence: EXIF GPS wins over XMP GPS; XMP GPS is used when EXIF has none.
func TestGPSPrecedence(t *testing.T) {
	packet := xmpPacket(` exif:GPSLatitude="10,30N" exif:GPSLongitude="20,15E"/>`)
	md := mustRead(t, jpegWith(t, exifSegment(cameraTIFF(binary.LittleEndian)), xmpSegment(packet)))
	if md.GPS == nil || md.GPS.Latitude > 0 {
		t.Errorf("EXIF GPS should win: %+v", md.GPS)
	}
	md = mustRead(t, jpegWith(t, xmpSegment(packet)))
	checkGPS(t, md.GPS, 10.5, 20.25)
}

// TestGPSRefs checks the sign given by the references, with and without them.
func TestGPSRefs(t *testing.T) {
	tests := []struct {
		latRef, lonRef string
		lat, lon       float64
	}{
		{"N", "E", 1.5, 2.5},
		{"S", "W", -1.5, -2.5},
		{"s", "w", -1.5, -2.5},
		{"", "", 1.5, 2.5},
		{"N", "W", 1.5, -2.5},
	}
	for _, tt := range tests {
		t.Run(tt.latRef+tt.lonRef, func(t *testing.T) {
			tb := tiffBuilder{binary.BigEndian}
			var gps []tiffValue
			if tt.latRef != "" {
				gps = append(gps, tb.ascii(gpsLatitudeRef, tt.latRef))
			}
			gps = append(gps, tb.rational(gpsLatitude, 1, 1, 30, 1, 0, 1))
			if tt.lonRef != "" {
				gps = append(gps, tb.ascii(gpsLongitudeRef, tt.lonRef))
			}
			gps = append(gps, tb.rational(gpsLongitude, 5, 2)) // decimal degrees in one rational
			md := mustRead(t, jpegWith(t, exifSegment(tb.build(nil, nil, gps))))
			checkGPS(t, md.GPS, tt.lat, tt.lon)
		})
	}
}

// TestOrientation: 1–8 are kept, anything else is absent.
func TestOrientation(t *testing.T) {
	for v := uint16(0); v <= 9; v++ {
		tb := tiffBuilder{binary.LittleEndian}
		md := mustRead(t, jpegWith(t, exifSegment(tb.build([]tiffValue{tb.short(tagOrientation, v)}, nil, nil))))
		want := int(v)
		if v > 8 {
			want = 0
		}
		if md.Orientation != want {
			t.Errorf("orientation %d: got %d", v, md.Orientation)
		}
	}
	// IFD1 (the thumbnail) may carry its own orientation; only IFD0's counts.
	tb := tiffBuilder{binary.LittleEndian}
	ifd0 := tb.build([]tiffValue{tb.ascii(tagMake, "M")}, nil, nil)
	next := uint32(len(ifd0))
	binary.LittleEndian.PutUint32(ifd0[8+2+12:], next) // IFD0 at 8 has one entry, then its next pointer
	tiff := tb.appendIFD(ifd0, []tiffValue{tb.short(tagOrientation, 8)})
	if md := mustRead(t, jpegWith(t, exifSegment(tiff))); md.Orientation != 0 || md.CameraMake != "M" {
		t.Errorf("IFD1 orientation leaked: %+v", md)
	}
	// Values IFD0 lacks are taken from a chained IFD, which shows IFD1 was read.
	tiff = tb.appendIFD(ifd0, []tiffValue{tb.short(tagOrientation, 8), tb.ascii(tagModel, "From IFD1")})
	if md := mustRead(t, jpegWith(t, exifSegment(tiff))); md.Orientation != 0 || md.CameraModel != "From IFD1" {
		t.Errorf("IFD1 not read as a fallback: %+v", md)
	}
}

// TestExposureTime checks the photographer's notation through Read and the formatter.
func TestExposureTime(t *testing.T) {
	tests := []struct {
		num, den uint32
		want     string
	}{
		{1, 250, "1/250"},
		{10, 2500, "1/250"},
		{1, 8, "1/8"},
		{1, 2, "1/2"},
		{5, 10, "1/2"},
		{1, 3, "1/3"},
		{3, 10, "0.3"},
		{1, 4, "1/4"},
		{1000, 30000, "1/30"},
		{1, 1, "1"},
		{2, 1, "2"},
		{25, 10, "2.5"},
		{30, 1, "30"},
		{13, 10, "1.3"},
		{1, 1284, "1/1284"},
		{0, 1, ""},
		{1, 0, ""},
		{0, 0, ""},
		{math.MaxUint32, 1, "4294967295"},
		{1, math.MaxUint32, "1/4294967295"},
	}
	for _, tt := range tests {
		tb := tiffBuilder{binary.BigEndian}
		tiff := tb.build(nil, []tiffValue{tb.rational(tagExposureTime, tt.num, tt.den)}, nil)
		if md := mustRead(t, jpegWith(t, exifSegment(tiff))); md.ExposureTime != tt.want {
			t.Errorf("%d/%d: got %q, want %q", tt.num, tt.den, md.ExposureTime, tt.want)
		}
	}
}

// TestTakenAt covers the offset, UTC without one, the fallbacks and unset camera clocks.
func TestTakenAt(t *testing.T) {
	tb := tiffBuilder{binary.LittleEndian}
	tests := []struct {
		name string
		ifd0 []tiffValue
		exif []tiffValue
		want time.Time
		off  int
	}{
		{"original with offset", nil, []tiffValue{tb.ascii(tagDateTimeOriginal, "2020:02:29 23:59:59"), tb.ascii(tagOffsetOriginal, "-05:30")},
			time.Date(2020, 2, 29, 23, 59, 59, 0, time.FixedZone("", -(5*3600+1800))), -(5*3600 + 1800)},
		{"original without offset is UTC", nil, []tiffValue{tb.ascii(tagDateTimeOriginal, "2020:01:02 03:04:05")},
			time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), 0},
		{"digitized when original is unset", nil, []tiffValue{tb.ascii(tagDateTimeOriginal, "0000:00:00 00:00:00"), tb.ascii(tagDateTimeDigitized, "2019:12:31 12:00:00"), tb.ascii(tagOffsetOriginal, "+09:00")},
			time.Date(2019, 12, 31, 12, 0, 0, 0, time.UTC), 0},
		{"DateTime last", []tiffValue{tb.ascii(tagDateTime, "2018:06:01 08:00:00"), tb.ascii(tagOffsetTime, "+01:00")}, []tiffValue{tb.ascii(tagDateTimeOriginal, "    :  :     :  :  ")},
			time.Date(2018, 6, 1, 8, 0, 0, 0, time.FixedZone("", 3600)), 3600},
		{"impossible date", nil, []tiffValue{tb.ascii(tagDateTimeOriginal, "2021:02:30 10:00:00")}, time.Time{}, 0},
		{"bad offset ignored", nil, []tiffValue{tb.ascii(tagDateTimeOriginal, "2021:03:01 10:00:00"), tb.ascii(tagOffsetOriginal, "+99:00")},
			time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := mustRead(t, jpegWith(t, exifSegment(tb.build(tt.ifd0, tt.exif, nil))))
			if !md.TakenAt.Equal(tt.want) || md.TakenAt.IsZero() != tt.want.IsZero() {
				t.Fatalf("TakenAt = %v, want %v", md.TakenAt, tt.want)
			}
			if _, off := md.TakenAt.Zone(); !tt.want.IsZero() && off != tt.off {
				t.Errorf("offset = %d, want %d", off, tt.off)
			}
		})
	}
}

// TestLensAndISOFallbacks: LensMake plus LensSpecification without LensModel; ISOSpeed when
// the older ISO tag is saturated.
func TestLensAndISOFallbacks(t *testing.T) {
	tb := tiffBuilder{binary.BigEndian}
	tests := []struct {
		exif     []tiffValue
		lens     string
		iso      int
		aperture float64
	}{
		{[]tiffValue{tb.ascii(tagLensMake, "Sigma"), tb.rational(tagLensSpecification, 24, 1, 70, 1, 28, 10, 28, 10), tb.short(tagISO, 65535), tb.long(tagISOSpeed, 102400)}, "Sigma 24-70mm f/2.8", 102400, 0},
		{[]tiffValue{tb.rational(tagLensSpecification, 18, 1, 55, 1, 35, 10, 56, 10), tb.long(tagISOSpeed, 800), tb.rational(tagFNumber, 71, 10)}, "18-55mm f/3.5-5.6", 800, 7.1},
		{[]tiffValue{tb.ascii(tagLensMake, "Zeiss"), tb.rational(tagLensSpecification, 50, 1, 50, 1, 0, 0, 0, 0), tb.short(tagISO, 100), tb.rational(tagFNumber, 1, 0)}, "Zeiss 50mm", 100, 0},
	}
	for _, tt := range tests {
		md := mustRead(t, jpegWith(t, exifSegment(tb.build(nil, tt.exif, nil))))
		if md.Lens != tt.lens || md.ISO != tt.iso || md.Aperture != tt.aperture {
			t.Errorf("Lens %q ISO %d Aperture %v, want %q %d %v", md.Lens, md.ISO, md.Aperture, tt.lens, tt.iso, tt.aperture)
		}
	}
}

// TestKeywords: XMP keywords win as a list over IPTC's; duplicates (any case), blanks and
// everything past 200 are dropped; long values are capped.
func TestKeywords(t *testing.T) {
	var lis strings.Builder
	for i := range 300 {
		lis.WriteString("<rdf:li>kw" + strings.Repeat("x", i%3) + "-" + string(rune('a'+i%26)) + "-" + itoa(i) + "</rdf:li>")
		lis.WriteString("<rdf:li>KW" + strings.Repeat("X", i%3) + "-" + string(rune('A'+i%26)) + "-" + itoa(i) + "</rdf:li>")
	}
	packet := xmpPacket(`><dc:subject><rdf:Bag>` + lis.String() + `</rdf:Bag></dc:subject>`)
	iptc := iim(2, iimKeywords, "from-iptc")
	md := mustRead(t, jpegWith(t, iptcSegment(iptc), xmpSegment(packet)))
	if len(md.Keywords) != maxKeywords {
		t.Fatalf("%d keywords, want %d", len(md.Keywords), maxKeywords)
	}
	if md.Keywords[0] != "kw-a-0" || md.Keywords[1] != "kwx-b-1" {
		t.Errorf("first keywords %q", md.Keywords[:2])
	}
	for _, k := range md.Keywords {
		if k == "from-iptc" || strings.HasPrefix(k, "KW") {
			t.Errorf("unexpected keyword %q", k)
		}
	}

	long := strings.Repeat("é", 3000)
	md = mustRead(t, jpegWith(t, iptcSegment(append(iimUTF8(), iim(2, iimCaption, long)...))))
	if n := len([]rune(md.Caption)); n != maxRunes {
		t.Errorf("caption has %d runes, want %d", n, maxRunes)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestExtendedXMP reassembles an ExtendedXMP packet named by the main packet; chunks with
// another GUID or that do not cover the packet are ignored.
func TestExtendedXMP(t *testing.T) {
	const guid = "0123456789ABCDEF0123456789ABCDEF"
	main := xmpPacket(` dc:title="Main" xmpNote:HasExtendedXMP="` + guid + `"/>`)
	ext := []byte(xmpPacket(`><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Ext title</rdf:li></rdf:Alt></dc:title>` +
		`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Extended caption</rdf:li></rdf:Alt></dc:description>`))
	chunk := func(g string, total, off int, data []byte) []byte {
		b := append([]byte(jpegExtendedXMPHeader), g...)
		b = binary.BigEndian.AppendUint32(b, uint32(total))
		b = binary.BigEndian.AppendUint32(b, uint32(off))
		return segment(0xE1, append(b, data...))
	}
	half := len(ext) / 2
	md := mustRead(t, jpegWith(t, xmpSegment(main), chunk(guid, len(ext), half, ext[half:]), chunk(guid, len(ext), 0, ext[:half])))
	if md.Title != "Main" || md.Caption != "Extended caption" {
		t.Errorf("got title %q caption %q", md.Title, md.Caption)
	}
	// Missing second half, or wrong GUID: the extension is ignored.
	md = mustRead(t, jpegWith(t, xmpSegment(main), chunk(guid, len(ext), 0, ext[:half]), chunk("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", len(ext), half, ext[half:])))
	if md.Caption != "" || md.Title != "Main" {
		t.Errorf("incomplete extension used: %+v", md)
	}
}
