package xmp

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"unicode/utf8"
)

// Errors Embed and Extract return, wrapped with details; test with errors.Is.
var (
	// ErrUnsupported is returned for a format this package does not handle (WebP, or an
	// unknown name). Nothing has been read or written: the caller can send the file unchanged.
	ErrUnsupported = errors.New("xmp: format not supported")
	// ErrMalformed is returned when the header bytes that have to be parsed are not a
	// well-formed JPEG or PNG header. Embed returns it before writing anything.
	ErrMalformed = errors.New("xmp: malformed image header")
	// ErrTooLarge is returned for a packet larger than MaxPacketSize, and by Extract for an
	// XMP block larger than it is willing to hold.
	ErrTooLarge = errors.New("xmp: packet too large")
)

// MaxPacketSize is the largest packet Embed inserts, in any format: about what fits in one
// JPEG APP1 segment after the 29-byte XMP signature. The segment's 16-bit length counts its
// own two bytes, so 65,535 − 2 − 29 = 65,504 bytes would fit; the package was specified with
// 65,502, two bytes to spare. ExtendedXMP is not written (see the package documentation).
const MaxPacketSize = 65502

// Namespace is the namespace of the Snapshop properties (Fields.Snapshop), bound to the
// prefix "snapshop" in every packet.
const Namespace = "https://snapshop.example/ns/1.0/"

// Format names, spelled as package media spells its Format values so callers can pass those.
const (
	formatJPEG = "jpeg"
	formatPNG  = "png"
	formatWebP = "webp"
)

const (
	jpegXMPHeader = "http://ns.adobe.com/xap/1.0/\x00"
	pngSignature  = "\x89PNG\r\n\x1a\n"
	pngXMPKeyword = "XML:com.adobe.xmp"
	// pngITXtPrefix is the iTXt data ahead of the text, as the XMP specification lays it out:
	// the keyword and its NUL, compression flag 0 and method 0 (uncompressed, which also lets
	// packet scanners find the packet), an empty language tag and an empty translated
	// keyword, each ended by a NUL.
	pngITXtPrefix = pngXMPKeyword + "\x00" + "\x00\x00" + "\x00" + "\x00"

	// maxBlock is the largest XMP block Extract reads into memory. Every block Embed
	// writes is smaller.
	maxBlock = 64 << 10
	// maxFill bounds the 0xFF fill bytes allowed before one JPEG marker. Fill bytes are legal
	// in any number, but an encoder has no reason to write more than a few, and the bound
	// keeps the header Embed holds back small.
	maxFill = 4096
)

// JPEG markers, the byte after 0xFF.
const (
	markerTEM  = 0x01
	markerRST0 = 0xD0
	markerRST7 = 0xD7
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerAPP0 = 0xE0
	markerAPP1 = 0xE1
)

// Fields is what a packet says. Empty strings are left out of the packet.
type Fields struct {
	Title        string     // dc:title, as the x-default item of a language alternative
	Rights       string     // dc:rights (x-default), e.g. "Licensed to Jane Doe under Snapshop standard licence SNAP-…"
	Creator      string     // dc:creator, the single item of an ordered array
	UsageTerms   string     // xmpRights:UsageTerms (x-default)
	WebStatement string     // xmpRights:WebStatement: the public verification URL
	Marked       bool       // xmpRights:Marked; written only when true (see Packet)
	Snapshop     []Property // properties in Namespace, written in this order
}

// Property is one simple property in Namespace, such as LicenseCode or Comp. Name must be an
// ASCII XML name without a colon (letters, digits, '_', '-', '.'; not starting with a digit,
// '-' or '.') and unique within a packet.
type Property struct{ Name, Value string }

// Packet returns a complete XMP packet, UTF-8, saying what f says: the xpacket wrapper, and
// an x:xmpmeta holding one rdf:Description with dc:title, dc:rights and xmpRights:UsageTerms
// as language alternatives (rdf:Alt, x-default), dc:creator as an ordered array (rdf:Seq),
// and the rest as simple properties, as the XMP specification types them.
//
// xmpRights:Marked is written only when f.Marked is true: "False" would declare the image
// public domain, which no Snapshop file is, and absent means unknown.
//
// All text is XML-escaped. Text that escaping would have to alter — invalid UTF-8, or a
// character XML 1.0 does not allow, such as a NUL or another C0 control except tab, newline
// and carriage return — is an error rather than silently replaced, because a licence must
// say exactly what the caller asked it to say. So is a packet larger than MaxPacketSize,
// which Embed would refuse.
//
// The trailer is end="w" without padding: the file is delivered, not edited in place, so
// the padding XMP recommends for in-place updates would only be dead bytes. The same packet
// serves every format, although for PNG the XMP specification asks for a read-only packet
// ("r"), since an in-place edit would leave the chunk's CRC wrong; the flag matters only to
// editors that rewrite packets without knowing the file format.
func Packet(f Fields) ([]byte, error) {
	for _, t := range []struct{ field, value string }{
		{"Title", f.Title}, {"Rights", f.Rights}, {"Creator", f.Creator},
		{"UsageTerms", f.UsageTerms}, {"WebStatement", f.WebStatement},
	} {
		if err := checkText(t.value); err != nil {
			return nil, fmt.Errorf("xmp: %s: %w", t.field, err)
		}
	}
	seen := make(map[string]bool, len(f.Snapshop))
	for i, p := range f.Snapshop {
		if !isPropertyName(p.Name) {
			return nil, fmt.Errorf("xmp: Snapshop[%d]: property name %q is not an ASCII XML name", i, p.Name)
		}
		if seen[p.Name] {
			// XMP allows a property once per resource; a second value would contradict the first.
			return nil, fmt.Errorf("xmp: Snapshop[%d]: property %s given twice", i, p.Name)
		}
		seen[p.Name] = true
		if err := checkText(p.Value); err != nil {
			return nil, fmt.Errorf("xmp: Snapshop[%d] (%s): %w", i, p.Name, err)
		}
	}

	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n" +
		" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
		"  <rdf:Description rdf:about=\"\"\n" +
		"    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n" +
		"    xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\"\n" +
		"    xmlns:snapshop=\"" + Namespace + "\">\n")
	writeArray(&b, "dc:title", "rdf:Alt", f.Title)
	writeArray(&b, "dc:creator", "rdf:Seq", f.Creator)
	writeArray(&b, "dc:rights", "rdf:Alt", f.Rights)
	if f.Marked {
		writeSimple(&b, "xmpRights:Marked", "True")
	}
	writeArray(&b, "xmpRights:UsageTerms", "rdf:Alt", f.UsageTerms)
	if f.WebStatement != "" {
		writeSimple(&b, "xmpRights:WebStatement", f.WebStatement)
	}
	for _, p := range f.Snapshop {
		writeSimple(&b, "snapshop:"+p.Name, p.Value)
	}
	b.WriteString("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")

	if b.Len() > MaxPacketSize {
		return nil, fmt.Errorf("%w: the packet is %d bytes, at most %d fit", ErrTooLarge, b.Len(), MaxPacketSize)
	}
	return b.Bytes(), nil
}

// writeArray writes a property holding an array of one item: a language alternative's
// x-default item (rdf:Alt) or an ordered array's only item (rdf:Seq). It writes nothing for
// an empty value.
func writeArray(b *bytes.Buffer, name, array, value string) {
	if value == "" {
		return
	}
	lang := ""
	if array == "rdf:Alt" {
		lang = ` xml:lang="x-default"`
	}
	fmt.Fprintf(b, "   <%s>\n    <%s>\n     <rdf:li%s>", name, array, lang)
	escape(b, value)
	fmt.Fprintf(b, "</rdf:li>\n    </%s>\n   </%s>\n", array, name)
}

// writeSimple writes a simple property as an element, value and all.
func writeSimple(b *bytes.Buffer, name, value string) {
	fmt.Fprintf(b, "   <%s>", name)
	escape(b, value)
	fmt.Fprintf(b, "</%s>\n", name)
}

// escape writes s as XML character data. xml.EscapeText cannot fail on a bytes.Buffer, and
// checkText has ruled out everything it would replace, so what is written reads back as s.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// checkText reports text that cannot be written into XML unchanged.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	for i, r := range s {
		if !isXMLChar(r) {
			return fmt.Errorf("character %U at byte %d is not allowed in XML", r, i)
		}
	}
	return nil
}

// isXMLChar is XML 1.0's Char production, the same test xml.EscapeText applies.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// isPropertyName reports whether s is an ASCII NCName: a letter or underscore, then letters,
// digits, underscores, hyphens and dots. XML 1.0's fifth edition allows far more, but readers
// disagree on which non-ASCII characters may start or continue a name (Go's encoding/xml still
// follows the fourth edition's letter tables and rejects, for example, U+03A2), so a name
// outside ASCII could make a packet that some reader refuses. Our names are constants anyway.
func isPropertyName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
		more := c >= '0' && c <= '9' || c == '-' || c == '.' // allowed after the first byte
		if !letter && (i == 0 || !more) {
			return false
		}
	}
	return true
}

// AddedLen returns how many bytes Embed adds to a file of the format: the original's size
// plus this is the Content-Length of the delivered file. It fails exactly when Embed would
// fail before reading anything.
func AddedLen(format string, packet []byte) (int, error) {
	switch format {
	case formatJPEG, formatPNG:
	case formatWebP:
		return 0, fmt.Errorf("%w: webp (XMP needs the VP8X header's flag set, which would change the contributor's bytes)", ErrUnsupported)
	default:
		return 0, fmt.Errorf("%w: %q", ErrUnsupported, format)
	}
	if len(packet) == 0 {
		return 0, errors.New("xmp: empty packet")
	}
	if len(packet) > MaxPacketSize {
		return 0, fmt.Errorf("%w: %d bytes, at most %d fit in one JPEG APP1 segment", ErrTooLarge, len(packet), MaxPacketSize)
	}
	if format == formatJPEG {
		return 4 + len(jpegXMPHeader) + len(packet), nil // marker, length, signature, packet
	}
	return 8 + len(pngITXtPrefix) + len(packet) + 4, nil // length, type, data, CRC
}

// Embed copies src to dst with packet inserted as the file's first XMP block; format is
// "jpeg", "png" or "webp". Apart from the inserted APP1 segment or iTXt chunk, dst receives
// exactly the bytes of src (see the package documentation for where the block goes).
//
// Only the header is parsed, and it is checked before anything is written: a WebP or
// unknown format (ErrUnsupported, src not read), an oversized packet (ErrTooLarge), or a
// header that is not well formed (ErrMalformed) leaves dst untouched. After that, the rest of
// src is streamed with io.Copy, so an error from then on — src or dst failing — comes after
// part of the file has been written.
func Embed(dst io.Writer, src io.Reader, format string, packet []byte) error {
	if _, err := AddedLen(format, packet); err != nil {
		return err
	}
	var head, pre, post []byte
	var cut int // where in head the block goes
	var err error
	if format == formatJPEG {
		head, cut, err = jpegHead(src)
		pre = jpegSegmentHeader(packet)
	} else {
		head, err = pngHead(src)
		cut = len(head)
		pre, post = pngChunkFraming(packet)
	}
	if err != nil {
		return err
	}
	for _, p := range [][]byte{head[:cut], pre, packet, post, head[cut:]} {
		if len(p) == 0 {
			continue
		}
		if _, err := dst.Write(p); err != nil {
			return fmt.Errorf("xmp: writing the %s header: %w", format, err)
		}
	}
	// src itself, not a wrapper, so that io.Copy can use src's WriterTo or dst's ReaderFrom
	// (sendfile from an *os.File to a TCP connection).
	if _, err := io.Copy(dst, src); err != nil {
		return fmt.Errorf("xmp: copying the rest of the %s: %w", format, err)
	}
	return nil
}

// jpegSegmentHeader is the XMP APP1 segment up to the packet: marker, length, signature.
func jpegSegmentHeader(packet []byte) []byte {
	b := make([]byte, 4, 4+len(jpegXMPHeader))
	b[0], b[1] = 0xFF, markerAPP1
	binary.BigEndian.PutUint16(b[2:], uint16(2+len(jpegXMPHeader)+len(packet))) // #nosec G115 -- AddedLen bounds the packet by MaxPacketSize
	return append(b, jpegXMPHeader...)
}

// pngChunkFraming is the XMP iTXt chunk around the packet: length, type and the fields ahead
// of the text before it, the CRC after it.
func pngChunkFraming(packet []byte) (pre, post []byte) {
	pre = make([]byte, 4, 8+len(pngITXtPrefix))
	binary.BigEndian.PutUint32(pre, uint32(len(pngITXtPrefix)+len(packet))) // #nosec G115 -- AddedLen bounds the packet by MaxPacketSize
	pre = append(pre, "iTXt"+pngITXtPrefix...)
	crc := crc32.NewIEEE()
	crc.Write(pre[4:]) // the CRC covers the type and the data, not the length
	crc.Write(packet)
	return pre, crc.Sum(nil)
}

// reader reads a file's header exactly — never a byte beyond what is parsed, because Embed
// hands src to io.Copy afterwards — and counts the bytes read for error messages. With keep
// set, buf accumulates everything read, for Embed to write out unchanged; without it, buf is
// scratch space reused by every read.
type reader struct {
	r    io.Reader
	keep bool
	buf  []byte
	n    int64 // bytes read so far
}

// read reads exactly n bytes. The slice returned is only valid until the next read when
// keep is not set.
func (h *reader) read(n int) ([]byte, error) {
	if !h.keep {
		h.buf = h.buf[:0]
	}
	start := len(h.buf)
	h.buf = slices.Grow(h.buf, n)[:start+n]
	m, err := io.ReadFull(h.r, h.buf[start:])
	h.n += int64(m)
	if err != nil {
		h.buf = h.buf[:start+m]
		return nil, err
	}
	return h.buf[start:], nil
}

// skip reads and drops n bytes; only Extract uses it, as Embed keeps what it reads.
func (h *reader) skip(n int64) error {
	m, err := io.CopyN(io.Discard, h.r, n)
	h.n += m
	return err
}

// failed turns an error reading the header into what Embed and Extract return: running out
// of bytes where the header still has to be parsed means the file is malformed (truncated);
// any other error is the reader's own and is passed on.
func (h *reader) failed(format, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if h.n == 0 {
			return fmt.Errorf("%w: empty %s file", ErrMalformed, format)
		}
		return fmt.Errorf("%w: %s file ends after %d bytes, in %s", ErrMalformed, format, h.n, what)
	}
	return fmt.Errorf("xmp: reading %s of the %s file: %w", what, format, err)
}

// jpegSOI reads the SOI marker every JPEG starts with.
func (h *reader) jpegSOI() error {
	b, err := h.read(2)
	if err != nil {
		return h.failed(formatJPEG, "the SOI marker", err)
	}
	if b[0] != 0xFF || b[1] != markerSOI {
		return fmt.Errorf("%w: jpeg: the file starts with %X, not the SOI marker FFD8", ErrMalformed, b)
	}
	return nil
}

// jpegMarker reads the next marker and returns its code, skipping fill bytes: JPEG (ITU T.81
// B.1.1.2) lets any marker be preceded by 0xFF bytes.
func (h *reader) jpegMarker() (byte, error) {
	at := h.n
	b, err := h.read(1)
	if err != nil {
		return 0, h.failed(formatJPEG, "a marker", err)
	}
	if b[0] != 0xFF {
		return 0, fmt.Errorf("%w: jpeg: byte %d is 0x%02X where a marker should start", ErrMalformed, at, b[0])
	}
	for fill := 0; ; fill++ {
		if fill > maxFill {
			return 0, fmt.Errorf("%w: jpeg: more than %d fill bytes from byte %d", ErrMalformed, maxFill, at)
		}
		if b, err = h.read(1); err != nil {
			return 0, h.failed(formatJPEG, "a marker", err)
		}
		if b[0] != 0xFF {
			break
		}
	}
	if b[0] == 0x00 {
		// 0xFF00 is a stuffed 0xFF in entropy-coded data, never a marker.
		return 0, fmt.Errorf("%w: jpeg: 0xFF00 at byte %d where a marker should be", ErrMalformed, h.n-2)
	}
	return b[0], nil
}

// jpegLength reads a segment's length field and returns the length of its payload.
func (h *reader) jpegLength(marker byte) (int, error) {
	b, err := h.read(2)
	if err != nil {
		return 0, h.failed(formatJPEG, fmt.Sprintf("the length of a segment FF%02X", marker), err)
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 2 { // the length counts its own two bytes
		return 0, fmt.Errorf("%w: jpeg: segment FF%02X ending at byte %d claims a length of %d", ErrMalformed, marker, h.n, n)
	}
	return n - 2, nil
}

// jpegHead reads what Embed keeps ahead of the XMP segment — the SOI, then the leading
// segments that must stay first — plus the marker and length of the segment after them, so
// that a header that is not well formed is caught before anything is written. It returns all
// the bytes read and where in them the XMP segment goes.
func jpegHead(src io.Reader) (head []byte, cut int, err error) {
	h := &reader{r: src, keep: true}
	if err := h.jpegSOI(); err != nil {
		return nil, 0, err
	}
	cut = 2
	stage := 0 // leading segments passed: 1 JFIF, 2 JFIF and JFXX, 3 Exif
	for {
		m, err := h.jpegMarker()
		if err != nil {
			return nil, 0, err
		}
		switch {
		case m == markerTEM: // stands alone, without a length
			return h.buf, cut, nil
		case m >= markerRST0 && m <= markerEOI:
			return nil, 0, fmt.Errorf("%w: jpeg: marker FF%02X before the first frame", ErrMalformed, m)
		}
		n, err := h.jpegLength(m)
		if err != nil {
			return nil, 0, err
		}
		if m != markerAPP0 && m != markerAPP1 {
			return h.buf, cut, nil
		}
		sig, err := h.read(min(n, 5))
		if err != nil {
			return nil, 0, h.failed(formatJPEG, fmt.Sprintf("segment FF%02X", m), err)
		}
		next := leadingStage(m, string(sig), stage)
		if next == 0 {
			return h.buf, cut, nil
		}
		name := string(sig[:4]) // "JFIF", "JFXX" or "Exif"; sig may not survive the next read
		if _, err := h.read(n - len(sig)); err != nil {
			return nil, 0, h.failed(formatJPEG, "the "+name+" segment", err)
		}
		cut, stage = len(h.buf), next
	}
}

// leadingStage says whether a segment is one that must stay ahead of the XMP segment, given
// the leading segments passed so far: the JFIF APP0 must come right after the SOI, its JFXX
// extension right after it, and the Exif APP1 right after the SOI or those. It returns the
// stage after the segment, or 0 when the segment does not lead.
func leadingStage(marker byte, sig string, stage int) int {
	switch {
	case marker == markerAPP0 && stage == 0 && sig == "JFIF\x00":
		return 1
	case marker == markerAPP0 && stage == 1 && sig == "JFXX\x00":
		return 2
	case marker == markerAPP1 && stage < 3 && sig == "Exif\x00":
		return 3
	}
	return 0
}

// pngHead reads the PNG signature and the IHDR chunk, which must come first, and checks the
// chunk's length, type and CRC.
func pngHead(src io.Reader) ([]byte, error) {
	h := &reader{r: src, keep: true}
	if err := h.pngSignature(); err != nil {
		return nil, err
	}
	c, err := h.read(8 + 13 + 4)
	if err != nil {
		return nil, h.failed(formatPNG, "the IHDR chunk", err)
	}
	if binary.BigEndian.Uint32(c) != 13 || string(c[4:8]) != "IHDR" {
		return nil, fmt.Errorf("%w: png: the first chunk is %q of %d bytes, not a 13-byte IHDR", ErrMalformed, c[4:8], binary.BigEndian.Uint32(c))
	}
	if crc32.ChecksumIEEE(c[4:21]) != binary.BigEndian.Uint32(c[21:]) {
		return nil, fmt.Errorf("%w: png: CRC mismatch in IHDR", ErrMalformed)
	}
	return h.buf, nil
}

func (h *reader) pngSignature() error {
	b, err := h.read(len(pngSignature))
	if err != nil {
		return h.failed(formatPNG, "the signature", err)
	}
	if string(b) != pngSignature {
		return fmt.Errorf("%w: png: no PNG signature", ErrMalformed)
	}
	return nil
}

// Extract returns the first XMP packet in a JPEG or PNG file, or nil and no error when there
// is none. It reads only the header: JPEG segments up to the first scan (SOS) — an APP1
// segment with the XMP signature; PNG chunks up to the first IDAT — an iTXt chunk with the
// keyword "XML:com.adobe.xmp", decompressed if it is compressed. Other segments and chunks
// are skipped, not held. A JPEG segment cannot exceed 64 KiB; a PNG XMP chunk, or its
// decompressed text, larger than that is refused with ErrTooLarge. ExtendedXMP is not
// reassembled. A format other than "jpeg" or "png" gives ErrUnsupported.
func Extract(r io.Reader, format string) ([]byte, error) {
	h := &reader{r: r}
	switch format {
	case formatJPEG:
		return h.extractJPEG()
	case formatPNG:
		return h.extractPNG()
	}
	return nil, fmt.Errorf("%w: extracting XMP from %q", ErrUnsupported, format)
}

func (h *reader) extractJPEG() ([]byte, error) {
	if err := h.jpegSOI(); err != nil {
		return nil, err
	}
	for {
		m, err := h.jpegMarker()
		if err != nil {
			return nil, err
		}
		switch {
		case m == markerSOS || m == markerEOI:
			return nil, nil
		case m == markerTEM || m >= markerRST0 && m <= markerRST7:
			continue // standalone markers, without a length
		case m == markerSOI:
			return nil, fmt.Errorf("%w: jpeg: a second SOI marker at byte %d", ErrMalformed, h.n-2)
		}
		n, err := h.jpegLength(m)
		if err != nil {
			return nil, err
		}
		if m == markerAPP1 && n >= len(jpegXMPHeader) {
			sig, err := h.read(len(jpegXMPHeader))
			if err != nil {
				return nil, h.failed(formatJPEG, "an APP1 segment", err)
			}
			if string(sig) == jpegXMPHeader {
				p, err := h.read(n - len(jpegXMPHeader))
				if err != nil {
					return nil, h.failed(formatJPEG, "the XMP segment", err)
				}
				return slices.Clip(p), nil
			}
			n -= len(jpegXMPHeader)
		}
		if err := h.skip(int64(n)); err != nil {
			return nil, h.failed(formatJPEG, fmt.Sprintf("segment FF%02X", m), err)
		}
	}
}

func (h *reader) extractPNG() ([]byte, error) {
	if err := h.pngSignature(); err != nil {
		return nil, err
	}
	for {
		c, err := h.read(8)
		if err != nil {
			return nil, h.failed(formatPNG, "a chunk header", err)
		}
		n, typ := binary.BigEndian.Uint32(c), string(c[4:8])
		if n > 1<<31-1 {
			return nil, fmt.Errorf("%w: png: chunk %q ending at byte %d claims %d bytes", ErrMalformed, typ, h.n, n)
		}
		switch typ {
		case "IDAT", "IEND":
			return nil, nil
		case "iTXt":
			p, err := h.pngXMP(n)
			if err != nil || p != nil {
				return p, err
			}
		default:
			if err := h.skip(int64(n) + 4); err != nil {
				return nil, h.failed(formatPNG, "chunk "+typ, err)
			}
		}
	}
}

// pngXMP reads the rest of an iTXt chunk of n data bytes and returns its text if it is the
// XMP, nil if it is another iTXt chunk.
func (h *reader) pngXMP(n uint32) ([]byte, error) {
	at := h.n - 8
	if n > maxBlock {
		// Too large to hold: read just enough to tell whether it is the XMP.
		k, err := h.read(len(pngXMPKeyword) + 1)
		if err != nil {
			return nil, h.failed(formatPNG, "an iTXt chunk", err)
		}
		if string(k) == pngXMPKeyword+"\x00" {
			return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d holds %d bytes, more than %d", ErrTooLarge, at, n, maxBlock)
		}
		if err := h.skip(int64(n) - int64(len(k)) + 4); err != nil {
			return nil, h.failed(formatPNG, "an iTXt chunk", err)
		}
		return nil, nil
	}
	d, err := h.read(int(n) + 4)
	if err != nil {
		return nil, h.failed(formatPNG, "an iTXt chunk", err)
	}
	data := d[:n]
	crc := crc32.NewIEEE()
	crc.Write([]byte("iTXt"))
	crc.Write(data)
	if crc.Sum32() != binary.BigEndian.Uint32(d[n:]) {
		return nil, fmt.Errorf("%w: png: CRC mismatch in the iTXt chunk at byte %d", ErrMalformed, at)
	}
	keyword, rest, _ := bytes.Cut(data, []byte{0})
	if string(keyword) != pngXMPKeyword {
		return nil, nil
	}
	if len(rest) < 2 {
		return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d is cut short", ErrMalformed, at)
	}
	compressed, method := rest[0], rest[1]
	_, rest, ok1 := bytes.Cut(rest[2:], []byte{0}) // language tag
	_, text, ok2 := bytes.Cut(rest, []byte{0})     // translated keyword
	switch {
	case !ok1 || !ok2:
		return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d is cut short", ErrMalformed, at)
	case compressed == 0:
		return slices.Clip(text), nil
	case compressed == 1 && method == 0:
		return inflate(text, at)
	}
	return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d has compression flag %d, method %d", ErrMalformed, at, compressed, method)
}

// inflate decompresses a compressed iTXt text, holding at most maxBlock bytes of it.
func inflate(b []byte, at int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d: %w", ErrMalformed, at, err)
	}
	defer zr.Close()
	text, err := io.ReadAll(io.LimitReader(zr, maxBlock+1))
	if err != nil {
		return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d: %w", ErrMalformed, at, err)
	}
	if len(text) > maxBlock {
		return nil, fmt.Errorf("%w: png: the XMP iTXt chunk at byte %d inflates to more than %d bytes", ErrTooLarge, at, maxBlock)
	}
	return text, nil
}
