package xmp

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fixture builders: every image is generated here, nothing third-party is committed.

// testFields has every field set, with text that needs escaping and text beyond ASCII.
var testFields = Fields{
	Title:        `Harbour <at> dawn & "friends" 'n' more`,
	Rights:       "Licensed to Zoë Ångström 東京 😀 under Snapshop standard licence SNAP-7Q2X",
	Creator:      "Jörg O'Neil <jorg@example.com>",
	UsageTerms:   "Print runs < 500,000 & web use.\nTabs\tand\r\nCRLF kept; ]]> too.",
	WebStatement: "https://snapshop.example/verify/SNAP-7Q2X?a=1&b=2",
	Marked:       true,
	Snapshop: []Property{
		{"LicenseCode", "SNAP-7Q2X"},
		{"LicenseTier", "standard"},
		{"Licensee", "Zoë <Z&Co> \"ltd\""},
		{"IssuedAt", "2026-05-01T12:00:00Z"},
	},
}

func testPacket(t testing.TB) []byte {
	t.Helper()
	p, err := Packet(testFields)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// otherPacket stands for the XMP a contributor's upload already carries.
func otherPacket(t testing.TB) []byte {
	t.Helper()
	p, err := Packet(Fields{Title: "the contributor's own title", Creator: "Someone Else"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// gradient is a small image with distinct pixels, so that a decoded image that differs
// anywhere shows.
func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 7), 255})
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var soi = []byte{0xFF, 0xD8}

// segment is a JPEG marker segment: 0xFF, the marker, the length, the payload.
func segment(marker byte, payload []byte) []byte {
	b := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(2+len(payload)))
	return append(b, payload...)
}

func jfifSegment() []byte {
	// version 1.02, aspect-ratio units, density 1:1, no thumbnail
	return segment(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"))
}

func jfxxSegment() []byte {
	// the JFIF extension, RGB thumbnail of 0×0 pixels
	return segment(0xE0, []byte("JFXX\x00\x13\x00\x00"))
}

func exifSegment() []byte {
	// big-endian TIFF header, an IFD0 with no entries, no next IFD
	return segment(0xE1, []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"))
}

// xmpSegment is the APP1 segment Embed is expected to write for packet, spelled out here
// rather than taken from the code under test.
func xmpSegment(packet []byte) []byte {
	return segment(0xE1, concat([]byte("http://ns.adobe.com/xap/1.0/\x00"), packet))
}

// spliceJPEG inserts segments right after the SOI of an encoded JPEG.
func spliceJPEG(jpg []byte, segments ...[]byte) []byte {
	return concat(jpg[:2], concat(segments...), jpg[2:])
}

// pngChunk is a PNG chunk: length, type, data, CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// xmpChunk is the iTXt chunk Embed is expected to write for packet.
func xmpChunk(packet []byte) []byte {
	return pngChunk("iTXt", concat([]byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"), packet))
}

// compressedXMPChunk is an iTXt XMP chunk with its text zlib-compressed.
func compressedXMPChunk(t testing.TB, packet []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(packet); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return pngChunk("iTXt", concat([]byte("XML:com.adobe.xmp\x00\x01\x00en\x00XMP\x00"), z.Bytes()))
}

// pngIHDREnd is where the IHDR chunk ends: signature 8, then length, type, 13 bytes, CRC.
const pngIHDREnd = 8 + 4 + 4 + 13 + 4

// splicePNG inserts chunks right after the IHDR chunk of an encoded PNG.
func splicePNG(p []byte, chunks ...[]byte) []byte {
	return concat(p[:pngIHDREnd], concat(chunks...), p[pngIHDREnd:])
}

// beforeIEND inserts chunks before the final IEND chunk (12 bytes) of an encoded PNG.
func beforeIEND(p []byte, chunks ...[]byte) []byte {
	return concat(p[:len(p)-12], concat(chunks...), p[len(p)-12:])
}

func embed(t testing.TB, in []byte, format string, packet []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Embed(&out, bytes.NewReader(in), format, packet); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	return out.Bytes()
}

func extract(t testing.TB, data []byte, format string) []byte {
	t.Helper()
	p, err := Extract(bytes.NewReader(data), format)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return p
}

// checkInsertion checks that out is in with block inserted at offset at, and nothing else
// changed.
func checkInsertion(t *testing.T, in, out, block []byte, at int) {
	t.Helper()
	if len(out) != len(in)+len(block) {
		t.Fatalf("output is %d bytes, want %d + %d", len(out), len(in), len(block))
	}
	if !bytes.Equal(out[:at], in[:at]) {
		t.Errorf("the %d bytes before the insertion differ from the input", at)
	}
	if !bytes.Equal(out[at:at+len(block)], block) {
		t.Errorf("bytes %d..%d are not the expected block:\n got %q\nwant %q", at, at+len(block), head(out[at:at+len(block)]), head(block))
	}
	if !bytes.Equal(out[at+len(block):], in[at:]) {
		t.Errorf("the bytes after the insertion differ from the input's from offset %d", at)
	}
}

func head(b []byte) []byte { return b[:min(len(b), 80)] }

// samePixels decodes both files and compares every pixel.
func samePixels(t *testing.T, a, b []byte) {
	t.Helper()
	ia, fa, err := image.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatalf("decoding the original: %v", err)
	}
	ib, fb, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the output: %v", err)
	}
	if fa != fb || ia.Bounds() != ib.Bounds() {
		t.Fatalf("decoded %s %v, want %s %v", fb, ib.Bounds(), fa, ia.Bounds())
	}
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ca, cb := color.NRGBA64Model.Convert(ia.At(x, y)), color.NRGBA64Model.Convert(ib.At(x, y)); ca != cb {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, cb, ca)
			}
		}
	}
}

func TestEmbedJPEG(t *testing.T) {
	packet, other := testPacket(t), otherPacket(t)
	base := encodeJPEG(t, gradient(32, 24))
	jfif, jfxx, exif, theirs := jfifSegment(), jfxxSegment(), exifSegment(), xmpSegment(other)
	ours := xmpSegment(packet)
	fill := []byte{0xFF, 0xFF}

	tests := []struct {
		name   string
		in     []byte
		at     int    // where our segment must go
		before []byte // the XMP the original already has, if any
	}{
		{"encoder output, no APPn", base, 2, nil},
		{"JFIF", spliceJPEG(base, jfif), 2 + len(jfif), nil},
		{"JFIF and JFXX", spliceJPEG(base, jfif, jfxx), 2 + len(jfif) + len(jfxx), nil},
		{"Exif", spliceJPEG(base, exif), 2 + len(exif), nil},
		{"JFIF and Exif", spliceJPEG(base, jfif, exif), 2 + len(jfif) + len(exif), nil},
		{"JFIF, JFXX and Exif", spliceJPEG(base, jfif, jfxx, exif), 2 + len(jfif) + len(jfxx) + len(exif), nil},
		{"JFIF, Exif and XMP", spliceJPEG(base, jfif, exif, theirs), 2 + len(jfif) + len(exif), other},
		{"XMP first, then Exif", spliceJPEG(base, theirs, exif), 2, other},
		{"Exif then JFIF: JFIF no longer leads", spliceJPEG(base, exif, jfif), 2 + len(exif), nil},
		{"JFXX without JFIF does not lead", spliceJPEG(base, jfxx, jfif), 2, nil},
		{"a second Exif stays after ours", spliceJPEG(base, exif, exif), 2 + len(exif), nil},
		{"fill bytes before JFIF and after", concat(soi, fill, jfif, fill, base[2:]), 2 + len(fill) + len(jfif), nil},
		{"APP1 too short for a signature", spliceJPEG(base, segment(0xE1, []byte("Ex"))), 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := embed(t, tt.in, "jpeg", packet)
			checkInsertion(t, tt.in, out, ours, tt.at)
			if n, err := AddedLen("jpeg", packet); err != nil || n != len(ours) {
				t.Errorf("AddedLen = %d, %v; want %d", n, err, len(ours))
			}
			samePixels(t, tt.in, out)
			if got := extract(t, out, "jpeg"); !bytes.Equal(got, packet) {
				t.Errorf("Extract(output) = %q…, want our packet", head(got))
			}
			if got := extract(t, tt.in, "jpeg"); !bytes.Equal(got, tt.before) {
				t.Errorf("Extract(input) = %q…, want %q…", head(got), head(tt.before))
			}
		})
	}
}

func TestEmbedPNG(t *testing.T) {
	packet, other := testPacket(t), otherPacket(t)
	base := encodePNG(t, gradient(32, 24))
	text := pngChunk("tEXt", []byte("Comment\x00made by a test"))
	tests := []struct {
		name   string
		in     []byte
		before []byte // the XMP the original already has, if any
	}{
		{"encoder output", base, nil},
		{"tEXt and an XMP iTXt", splicePNG(base, text, xmpChunk(other)), other},
		{"compressed XMP iTXt", splicePNG(base, compressedXMPChunk(t, other)), other},
		{"XMP after IDAT is not seen", beforeIEND(base, xmpChunk(other)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := embed(t, tt.in, "png", packet)
			ours := xmpChunk(packet)
			checkInsertion(t, tt.in, out, ours, pngIHDREnd)
			if n, err := AddedLen("png", packet); err != nil || n != len(ours) {
				t.Errorf("AddedLen = %d, %v; want %d", n, err, len(ours))
			}
			samePixels(t, tt.in, out) // image/png checks every chunk's CRC, ours included
			if got := extract(t, out, "png"); !bytes.Equal(got, packet) {
				t.Errorf("Extract(output) = %q…, want our packet", head(got))
			}
			if got := extract(t, tt.in, "png"); !bytes.Equal(got, tt.before) {
				t.Errorf("Extract(input) = %q…, want %q…", head(got), head(tt.before))
			}
		})
	}
}

// TestEmbedMaxPacket: a packet of exactly MaxPacketSize bytes fits, one byte more does not.
func TestEmbedMaxPacket(t *testing.T) {
	packet := bytes.Repeat([]byte("x"), MaxPacketSize)
	for _, format := range []string{"jpeg", "png"} {
		t.Run(format, func(t *testing.T) {
			in := encodeJPEG(t, gradient(8, 8))
			if format == "png" {
				in = encodePNG(t, gradient(8, 8))
			}
			out := embed(t, in, format, packet)
			if got := extract(t, out, format); !bytes.Equal(got, packet) {
				t.Errorf("Extract returned %d bytes, want the %d-byte packet", len(got), len(packet))
			}
			if format == "jpeg" {
				if n := binary.BigEndian.Uint16(out[4:]); n != 65533 {
					t.Errorf("APP1 length field = %d, want 2+29+%d = 65533", n, MaxPacketSize)
				}
			}
			var dst bytes.Buffer
			err := Embed(&dst, bytes.NewReader(in), format, append(packet, 'x'))
			if !errors.Is(err, ErrTooLarge) || dst.Len() != 0 {
				t.Errorf("one byte more: err = %v, %d bytes written; want ErrTooLarge and none", err, dst.Len())
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestEmbedErrors(t *testing.T) {
	packet := testPacket(t)
	jpg, pngFile := encodeJPEG(t, gradient(8, 8)), encodePNG(t, gradient(8, 8))
	jfif, exif := jfifSegment(), exifSegment()
	badCRC := bytes.Clone(pngFile)
	badCRC[pngIHDREnd-1] ^= 1
	notIHDR := concat(pngFile[:8], pngChunk("tEXt", []byte("k\x00v")), pngFile[8:])
	webp := concat([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"), make([]byte, 14))

	tests := []struct {
		name, format string
		src, packet  []byte
		want         error // nil for an error without a sentinel
		readNothing  bool  // the error must come before src is read at all
	}{
		{"empty jpeg", "jpeg", nil, packet, ErrMalformed, false},
		{"empty png", "png", nil, packet, ErrMalformed, false},
		{"png bytes as jpeg", "jpeg", pngFile, packet, ErrMalformed, false},
		{"jpeg bytes as png", "png", jpg, packet, ErrMalformed, false},
		{"HTML as jpeg", "jpeg", []byte("<!doctype html><p>hello"), packet, ErrMalformed, false},
		{"one byte", "jpeg", []byte{0xFF}, packet, ErrMalformed, false},
		{"SOI only", "jpeg", soi, packet, ErrMalformed, false},
		{"no marker after SOI", "jpeg", concat(soi, []byte{0x12, 0x34, 0x56}), packet, ErrMalformed, false},
		{"stuffed zero after SOI", "jpeg", concat(soi, []byte{0xFF, 0x00, 0x00}), packet, ErrMalformed, false},
		{"EOI right after SOI", "jpeg", concat(soi, []byte{0xFF, 0xD9}), packet, ErrMalformed, false},
		{"second SOI", "jpeg", concat(soi, jpg), packet, ErrMalformed, false},
		{"truncated JFIF segment", "jpeg", concat(soi, jfif[:10]), packet, ErrMalformed, false},
		{"truncated Exif segment", "jpeg", concat(soi, jfif, exif[:len(exif)-3]), packet, ErrMalformed, false},
		{"truncated length field", "jpeg", concat(soi, []byte{0xFF, 0xE0, 0x00}), packet, ErrMalformed, false},
		{"truncated APP1 signature", "jpeg", concat(soi, []byte{0xFF, 0xE1, 0x00, 0x10, 'E', 'x'}), packet, ErrMalformed, false},
		{"APP0 length 1", "jpeg", concat(soi, []byte{0xFF, 0xE0, 0x00, 0x01}, jpg[2:]), packet, ErrMalformed, false},
		{"DQT length 0 after JFIF", "jpeg", concat(soi, jfif, []byte{0xFF, 0xDB, 0x00, 0x00}), packet, ErrMalformed, false},
		{"garbage after JFIF", "jpeg", concat(soi, jfif, []byte("garbage")), packet, ErrMalformed, false},
		{"endless fill bytes", "jpeg", concat(soi, bytes.Repeat([]byte{0xFF}, 5000), jpg[2:]), packet, ErrMalformed, false},
		{"fill bytes to the end", "jpeg", concat(soi, []byte{0xFF, 0xFF, 0xFF}), packet, ErrMalformed, false},
		{"png truncated in IHDR", "png", pngFile[:20], packet, ErrMalformed, false},
		{"png signature only", "png", pngFile[:8], packet, ErrMalformed, false},
		{"png IHDR CRC wrong", "png", badCRC, packet, ErrMalformed, false},
		{"png first chunk not IHDR", "png", notIHDR, packet, ErrMalformed, false},
		{"jpeg packet too large", "jpeg", jpg, make([]byte, MaxPacketSize+1), ErrTooLarge, true},
		{"png packet too large", "png", pngFile, make([]byte, MaxPacketSize+1), ErrTooLarge, true},
		{"webp", "webp", webp, packet, ErrUnsupported, true},
		{"gif", "gif", []byte("GIF89a"), packet, ErrUnsupported, true},
		{"format spelled jpg", "jpg", jpg, packet, ErrUnsupported, true},
		{"empty packet", "jpeg", jpg, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &countingReader{r: bytes.NewReader(tt.src)}
			var dst bytes.Buffer
			err := Embed(&dst, src, tt.format, tt.packet)
			switch {
			case err == nil:
				t.Fatalf("Embed succeeded, want %v", tt.want)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Embed: %v, want %v", err, tt.want)
			case !strings.HasPrefix(err.Error(), "xmp: "):
				t.Errorf("error %q does not say where it comes from", err)
			}
			if dst.Len() != 0 {
				t.Errorf("%d bytes written before failing, want none", dst.Len())
			}
			if tt.readNothing && src.n != 0 {
				t.Errorf("%d bytes read from src, want none", src.n)
			}
			if _, aerr := AddedLen(tt.format, tt.packet); (aerr == nil) == tt.readNothing {
				t.Errorf("AddedLen: %v; it should fail exactly when Embed fails before reading", aerr)
			}
		})
	}
}

// failingReader returns the bytes of data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

// TestEmbedIOErrors: failures of src and dst come back wrapped, and are not mistaken for a
// malformed file.
func TestEmbedIOErrors(t *testing.T) {
	packet := testPacket(t)
	jpg := spliceJPEG(encodeJPEG(t, gradient(8, 8)), jfifSegment())
	errRead, errWrite := errors.New("connection reset"), errors.New("broken pipe")
	tests := []struct {
		name string
		dst  io.Writer
		src  io.Reader
		want error
	}{
		{"src fails in the header", io.Discard, &failingReader{data: jpg[:10], err: errRead}, errRead},
		{"src fails after the header", io.Discard, &failingReader{data: jpg[:100], err: errRead}, errRead},
		{"dst fails", failingWriter{errWrite}, bytes.NewReader(jpg), errWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Embed(tt.dst, tt.src, "jpeg", packet)
			if !errors.Is(err, tt.want) || errors.Is(err, ErrMalformed) {
				t.Errorf("Embed: %v, want it to wrap %v and not ErrMalformed", err, tt.want)
			}
		})
	}
}

// patternByte is byte i of a synthetic stream that never looks like a header.
func patternByte(i int64) byte { return byte(i*131 + i>>11) }

// patternReader yields n bytes of the pattern without holding them.
type patternReader struct{ off, n int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = patternByte(p.off + int64(i))
	}
	p.off += int64(len(b))
	return len(b), nil
}

// streamChecker checks the output against prefix followed by the pattern as it arrives,
// and records how far the reading had got at each write.
type streamChecker struct {
	src               *countingReader
	prefix            []byte
	n                 int64 // bytes written so far
	readAtFirst       int64 // bytes read from src when the first write came
	maxAhead          int64 // most bytes read beyond those written, at any write
	mismatchAt        int64
	writes, mismatchs int
}

func (s *streamChecker) Write(p []byte) (int, error) {
	if s.writes == 0 {
		s.readAtFirst = s.src.n
	}
	s.writes++
	s.maxAhead = max(s.maxAhead, s.src.n-s.n)
	for i, c := range p {
		at := s.n + int64(i)
		want := byte(0)
		if at < int64(len(s.prefix)) {
			want = s.prefix[at]
		} else {
			want = patternByte(at - int64(len(s.prefix)))
		}
		if c != want {
			if s.mismatchs == 0 {
				s.mismatchAt = at
			}
			s.mismatchs++
		}
	}
	s.n += int64(len(p))
	return len(p), nil
}

// TestEmbedStreams copies a 20 MB file and checks that Embed streams it: the first write
// comes once the header has been read, reading never runs far ahead of writing, and the
// memory allocated stays far below the file's size.
func TestEmbedStreams(t *testing.T) {
	packet := testPacket(t)
	dqt := []byte{0xFF, 0xDB, 0x00, 0x43} // the header of the segment after the leading ones
	header := concat(soi, jfifSegment(), exifSegment(), dqt)
	const size = 20 << 20
	src := &countingReader{r: io.MultiReader(bytes.NewReader(header), &patternReader{n: size})}
	dst := &streamChecker{src: src, prefix: concat(soi, jfifSegment(), exifSegment(), xmpSegment(packet), dqt)}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := Embed(dst, src, "jpeg", packet)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}

	if want := int64(len(dst.prefix)) + size; dst.n != want {
		t.Errorf("wrote %d bytes, want %d", dst.n, want)
	}
	if dst.mismatchs > 0 {
		t.Errorf("%d output bytes differ from the expected stream, the first at offset %d", dst.mismatchs, dst.mismatchAt)
	}
	if dst.readAtFirst != int64(len(header)) {
		t.Errorf("%d bytes read before the first write, want exactly the %d header bytes", dst.readAtFirst, len(header))
	}
	if dst.maxAhead > 64<<10 {
		t.Errorf("reading ran %d bytes ahead of writing, want at most 64 KiB", dst.maxAhead)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("Embed allocated %d bytes to copy %d, want under 1 MiB", alloc, size)
	}
}

func TestExtract(t *testing.T) {
	packet, other := testPacket(t), otherPacket(t)
	jpg, pngFile := encodeJPEG(t, gradient(8, 8)), encodePNG(t, gradient(8, 8))
	bigText := pngChunk("iTXt", concat([]byte("Description\x00\x00\x00\x00\x00"), bytes.Repeat([]byte("d"), 100<<10)))
	hugeXMP := xmpChunk(bytes.Repeat([]byte(" "), maxBlock))
	badCRC := xmpChunk(packet)
	badCRC[len(badCRC)-1] ^= 1
	bomb := compressedXMPChunk(t, bytes.Repeat([]byte(" "), 1<<20))
	unknownCompression := pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x01\x07\x00\x00x"))
	noFields := pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00"))
	webp := []byte("RIFF\x04\x00\x00\x00WEBP")

	tests := []struct {
		name, format string
		in           []byte
		want         []byte
		err          error
	}{
		{"jpeg without XMP", "jpeg", jpg, nil, nil},
		{"jpeg XMP", "jpeg", spliceJPEG(jpg, exifSegment(), xmpSegment(packet)), packet, nil},
		{"jpeg two XMP: the first", "jpeg", spliceJPEG(jpg, xmpSegment(packet), xmpSegment(other)), packet, nil},
		{"jpeg APP1 shorter than the signature", "jpeg", spliceJPEG(jpg, segment(0xE1, []byte("http")), xmpSegment(packet)), packet, nil},
		{"jpeg XMP after the scan is not read", "jpeg", concat(jpg, xmpSegment(packet)), nil, nil},
		{"jpeg fill bytes and standalone markers", "jpeg", concat(soi, []byte{0xFF, 0xFF, 0x01}, xmpSegment(packet), jpg[2:]), packet, nil},
		{"jpeg empty XMP segment", "jpeg", spliceJPEG(jpg, xmpSegment(nil)), []byte{}, nil},
		{"jpeg truncated in a segment", "jpeg", spliceJPEG(jpg, xmpSegment(packet))[:100], nil, ErrMalformed},
		{"jpeg truncated before the scan", "jpeg", jpg[:30], nil, ErrMalformed},
		{"jpeg without SOI", "jpeg", jpg[2:], nil, ErrMalformed},
		{"jpeg second SOI", "jpeg", concat(soi, jpg), nil, ErrMalformed},
		{"png without XMP", "png", pngFile, nil, nil},
		{"png XMP", "png", splicePNG(pngFile, xmpChunk(packet)), packet, nil},
		{"png two XMP: the first", "png", splicePNG(pngFile, xmpChunk(packet), xmpChunk(other)), packet, nil},
		{"png large other iTXt skipped", "png", splicePNG(pngFile, bigText, xmpChunk(packet)), packet, nil},
		{"png compressed XMP", "png", splicePNG(pngFile, compressedXMPChunk(t, packet)), packet, nil},
		{"png XMP after IDAT is not read", "png", beforeIEND(pngFile, xmpChunk(packet)), nil, nil},
		{"png XMP chunk over 64 KiB", "png", splicePNG(pngFile, hugeXMP), nil, ErrTooLarge},
		{"png compressed XMP inflating past 64 KiB", "png", splicePNG(pngFile, bomb), nil, ErrTooLarge},
		{"png XMP CRC wrong", "png", splicePNG(pngFile, badCRC), nil, ErrMalformed},
		{"png XMP unknown compression", "png", splicePNG(pngFile, unknownCompression), nil, ErrMalformed},
		{"png XMP without its fields", "png", splicePNG(pngFile, noFields), nil, ErrMalformed},
		{"png truncated before IDAT", "png", pngFile[:40], nil, ErrMalformed},
		{"png without signature", "png", pngFile[8:], nil, ErrMalformed},
		{"empty", "png", nil, nil, ErrMalformed},
		{"webp", "webp", webp, nil, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extract(bytes.NewReader(tt.in), tt.format)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || got != nil {
					t.Fatalf("Extract = %q…, %v; want nil, %v", head(got), err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Extract = %q…, want %q…", head(got), head(tt.want))
			}
		})
	}
}

// TestExtractStopsAtImageData: Extract reads no further than the first scan or IDAT chunk,
// however much follows.
func TestExtractStopsAtImageData(t *testing.T) {
	jpg, pngFile := encodeJPEG(t, gradient(64, 64)), encodePNG(t, gradient(64, 64))
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	idat := bytes.Index(pngFile, []byte("IDAT")) - 4
	if sos < 0 || idat < 0 {
		t.Fatal("fixtures without SOS or IDAT")
	}
	tests := []struct {
		name, format string
		in           []byte
		want         int64 // bytes Extract may read: through the SOS marker, the IDAT chunk header
	}{
		{"jpeg", "jpeg", jpg, int64(sos) + 2},
		{"png", "png", pngFile, int64(idat) + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &countingReader{r: io.MultiReader(bytes.NewReader(tt.in), &patternReader{n: 1 << 20})}
			got, err := Extract(src, tt.format)
			if err != nil || got != nil {
				t.Fatalf("Extract = %q, %v; want nil, nil", head(got), err)
			}
			if src.n != tt.want {
				t.Errorf("read %d bytes, want %d", src.n, tt.want)
			}
		})
	}
}

// xmlNode is an element of a parsed packet.
type xmlNode struct {
	name     xml.Name
	attr     []xml.Attr
	children []*xmlNode
	text     strings.Builder
}

func (n *xmlNode) attrValue(space, local string) (string, bool) {
	for _, a := range n.attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// parseXML parses data with encoding/xml, failing the test unless it is well formed with a
// single root element.
func parseXML(t testing.TB, data []byte) (root *xmlNode, instructions []xml.ProcInst) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("packet is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tok.Name, attr: tok.Attr}
			switch {
			case len(stack) > 0:
				stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
			case root != nil:
				t.Fatalf("a second root element %v", tok.Name)
			default:
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.ProcInst:
			instructions = append(instructions, tok.Copy())
		}
	}
	if root == nil {
		t.Fatalf("no root element in\n%s", data)
	}
	return root, instructions
}

const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsXMPRights = "http://ns.adobe.com/xap/1.0/rights/"
)

// prop is a property as read back: its array kind ("" for a simple value), the language of
// its single item, and the value.
type prop struct{ kind, lang, value string }

// readProps checks the packet's structure — xpacket wrapper, x:xmpmeta, rdf:RDF, one
// rdf:Description about "" — and returns its properties keyed by conventional prefix and
// name, the namespace having been resolved by the XML decoder.
func readProps(t testing.TB, packet []byte) map[string]prop {
	t.Helper()
	if !utf8.Valid(packet) {
		t.Fatal("packet is not UTF-8")
	}
	const begin = "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
	if !bytes.HasPrefix(packet, []byte(begin)) || !bytes.HasSuffix(packet, []byte(`<?xpacket end="w"?>`)) {
		t.Fatalf("packet lacks the xpacket wrapper:\n%s", packet)
	}
	root, pis := parseXML(t, packet)
	if len(pis) != 2 || pis[0].Target != "xpacket" || pis[1].Target != "xpacket" {
		t.Errorf("processing instructions %v, want the two xpacket ones", pis)
	}
	if root.name != (xml.Name{Space: "adobe:ns:meta/", Local: "xmpmeta"}) || len(root.children) != 1 {
		t.Fatalf("root %v with %d children, want x:xmpmeta with rdf:RDF", root.name, len(root.children))
	}
	rdf := root.children[0]
	if rdf.name != (xml.Name{Space: nsRDF, Local: "RDF"}) || len(rdf.children) != 1 {
		t.Fatalf("%v with %d children, want rdf:RDF with one rdf:Description", rdf.name, len(rdf.children))
	}
	desc := rdf.children[0]
	if about, ok := desc.attrValue(nsRDF, "about"); desc.name != (xml.Name{Space: nsRDF, Local: "Description"}) || !ok || about != "" {
		t.Fatalf("%v (rdf:about %q, %v), want rdf:Description about \"\"", desc.name, about, ok)
	}
	prefixes := map[string]string{nsDC: "dc", nsXMPRights: "xmpRights", Namespace: "snapshop"}
	props := make(map[string]prop)
	for _, p := range desc.children {
		prefix, ok := prefixes[p.name.Space]
		if !ok {
			t.Fatalf("property %v in an unexpected namespace", p.name)
		}
		key := prefix + ":" + p.name.Local
		if _, dup := props[key]; dup {
			t.Fatalf("property %s twice", key)
		}
		if len(p.children) == 0 {
			props[key] = prop{value: p.text.String()}
			continue
		}
		arr := p.children[0]
		if len(p.children) != 1 || arr.name.Space != nsRDF || len(arr.children) != 1 {
			t.Fatalf("property %s: want one rdf array of one item", key)
		}
		li := arr.children[0]
		if li.name != (xml.Name{Space: nsRDF, Local: "li"}) || len(li.children) != 0 {
			t.Fatalf("property %s: item %v, want a text rdf:li", key, li.name)
		}
		lang, _ := li.attrValue(nsXML, "lang")
		props[key] = prop{kind: arr.name.Local, lang: lang, value: li.text.String()}
	}
	return props
}

// wantProps is what a packet for f must say, typed as the XMP specification types the
// properties.
func wantProps(f Fields) map[string]prop {
	m := make(map[string]prop)
	add := func(key string, p prop) {
		if p.value != "" {
			m[key] = p
		}
	}
	add("dc:title", prop{"Alt", "x-default", f.Title})
	add("dc:rights", prop{"Alt", "x-default", f.Rights})
	add("dc:creator", prop{"Seq", "", f.Creator})
	add("xmpRights:UsageTerms", prop{"Alt", "x-default", f.UsageTerms})
	add("xmpRights:WebStatement", prop{"", "", f.WebStatement})
	if f.Marked {
		m["xmpRights:Marked"] = prop{value: "True"}
	}
	for _, p := range f.Snapshop {
		m["snapshop:"+p.Name] = prop{value: p.Value}
	}
	return m
}

func checkProps(t testing.TB, got, want map[string]prop) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s = %+v (present %v), want %+v", k, g, ok, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected property %s = %+v", k, g)
		}
	}
}

func TestPacket(t *testing.T) {
	tests := []struct {
		name string
		f    Fields
	}{
		{"every field, escaping and non-ASCII", testFields},
		{"nothing", Fields{}},
		{"comp: Marked false, one property", Fields{Title: "Comp", Snapshop: []Property{{"Comp", "True"}}}},
		{"whitespace and markup-like text kept", Fields{Rights: "  a\r\nb\t]]> <!-- x --> &amp; \uFFFD  ", Creator: "\u00A0"}},
		{"empty property value", Fields{Snapshop: []Property{{"Empty", ""}, {"Size", "ß"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Packet(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			checkProps(t, readProps(t, p), wantProps(tt.f))
		})
	}
}

// TestPacketEscapes looks at the raw bytes: markup characters escaped, non-ASCII left as
// UTF-8.
func TestPacketEscapes(t *testing.T) {
	p := testPacket(t)
	for _, s := range []string{"&lt;at&gt;", "&amp;", "&#34;friends&#34;", "&#39;n&#39;", "Zoë Ångström 東京 😀", "a=1&amp;b=2", "&#xA;", "&#xD;"} {
		if !bytes.Contains(p, []byte(s)) {
			t.Errorf("packet lacks %q", s)
		}
	}
	for _, s := range []string{"<at>", "<Z&Co>", "&b=2", "]]>"} {
		if bytes.Contains(p, []byte(s)) {
			t.Errorf("packet holds %q unescaped", s)
		}
	}
}

func TestPacketErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Fields
		want error // nil for errors without a sentinel
	}{
		{"Title not UTF-8", Fields{Title: "caf\xe9"}, nil},
		{"Rights with NUL", Fields{Rights: "a\x00b"}, nil},
		{"Creator with ESC", Fields{Creator: "\x1b[31m"}, nil},
		{"UsageTerms with U+FFFE", Fields{UsageTerms: "\uFFFE"}, nil},
		{"WebStatement with a surrogate", Fields{WebStatement: "\xed\xa0\x80"}, nil},
		{"property value with form feed", Fields{Snapshop: []Property{{"A", "\f"}}}, nil},
		{"empty name", Fields{Snapshop: []Property{{"", "v"}}}, nil},
		{"name with a colon", Fields{Snapshop: []Property{{"dc:title", "v"}}}, nil},
		{"name starting with a digit", Fields{Snapshop: []Property{{"1st", "v"}}}, nil},
		{"name starting with a hyphen", Fields{Snapshop: []Property{{"-a", "v"}}}, nil},
		{"name starting with a dot", Fields{Snapshop: []Property{{".a", "v"}}}, nil},
		{"name with a space", Fields{Snapshop: []Property{{"License Code", "v"}}}, nil},
		{"name with a slash", Fields{Snapshop: []Property{{"a/b", "v"}}}, nil},
		{"name with markup", Fields{Snapshop: []Property{{"a><b", "v"}}}, nil},
		{"name not UTF-8", Fields{Snapshop: []Property{{"a\xff", "v"}}}, nil},
		{"name twice", Fields{Snapshop: []Property{{"Comp", "True"}, {"Comp", "False"}}}, nil},
		{"too large", Fields{Title: strings.Repeat("a", MaxPacketSize)}, ErrTooLarge},
		{"too large after escaping", Fields{Title: strings.Repeat("&", MaxPacketSize/4)}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Packet(tt.f)
			if err == nil || p != nil {
				t.Fatalf("Packet = %d bytes, %v; want an error", len(p), err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Packet: %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "xmp: ") {
				t.Errorf("error %q does not say where it comes from", err)
			}
		})
	}
}

// TestPacketNames: ASCII names are accepted and come back as written; names beyond ASCII are
// refused, even those XML 1.0's fifth edition allows, because not every reader accepts them.
func TestPacketNames(t *testing.T) {
	for _, name := range []string{"LicenseCode", "_x", "a-b.c9", "xmlish", "Z"} {
		f := Fields{Snapshop: []Property{{name, "v"}}}
		p, err := Packet(f)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		checkProps(t, readProps(t, p), wantProps(f))
	}
	for _, name := range []string{"", "1st", "-a", ".a", "a b", "a:b", "Größe", "名前", "a·b", "\u03a2", "A\u0301"} {
		if _, err := Packet(Fields{Snapshop: []Property{{name, "v"}}}); err == nil {
			t.Errorf("%q: accepted, want refused", name)
		}
	}
}
