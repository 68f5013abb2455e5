package metadata

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// maxProfile caps a metadata block that has to be decoded into a new buffer (a decompressed
// or hex-encoded PNG text chunk, a reassembled ExtendedXMP packet).
const maxProfile = 1 << 20

// Signatures of the metadata blocks inside JPEG APPn segments.
const (
	jpegExifHeader        = "Exif\x00"
	jpegXMPHeader         = "http://ns.adobe.com/xap/1.0/\x00"
	jpegExtendedXMPHeader = "http://ns.adobe.com/xmp/extension/\x00"
	jpegPhotoshopHeader   = "Photoshop 3.0\x00"
	pngXMPKeyword         = "XML:com.adobe.xmp"
)

// sources are the raw metadata blocks found in a container. They alias the input where they
// can. Only the first block of each kind is kept: besides being what readers agree on, it
// keeps the work linear when a hostile file repeats a block (or a compressed one) many times.
type sources struct {
	exif      []byte // a TIFF structure
	xmp       []byte // the main XMP packet
	extended  []extendedChunk
	photoshop []byte // Photoshop image resource blocks, holding IIM in resource 0x0404
	iptc      []byte // IIM records stored directly
}

// extendedChunk is one JPEG APP1 segment of an ExtendedXMP packet, which Adobe splits across
// segments when the XMP does not fit in 64 KB.
type extendedChunk struct {
	guid          string
	total, offset uint32
	data          []byte
}

func isJPEG(b []byte) bool { return len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF }

func isPNG(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }

func isWebP(b []byte) bool {
	return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

// scanJPEG walks the marker segments up to the first scan (SOS): metadata always comes
// before the image data, and the entropy-coded data is not worth walking.
func scanJPEG(b []byte) sources {
	var src sources
	var photoshop [][]byte
	p := 2
	for len(b)-p >= 4 {
		if b[p] != 0xFF {
			break // not at a marker: the file is damaged, keep what was found
		}
		m := b[p+1]
		if m == 0xFF { // fill byte before a marker
			p++
			continue
		}
		p += 2
		if m == 0x01 || (m >= 0xD0 && m <= 0xD8) { // markers without a length
			continue
		}
		if m == 0xD9 || m == 0xDA { // EOI, SOS
			break
		}
		n := int(binary.BigEndian.Uint16(b[p:]))
		if n < 2 {
			break
		}
		end := min(p+n, len(b)) // a truncated last segment is read as far as it goes
		seg := b[p+2 : end]
		p = end
		switch m {
		case 0xE1: // APP1: EXIF, XMP or ExtendedXMP
			switch {
			case bytes.HasPrefix(seg, []byte(jpegExifHeader)):
				if src.exif == nil {
					src.exif = stripExifHeader(seg)
				}
			case bytes.HasPrefix(seg, []byte(jpegXMPHeader)):
				if src.xmp == nil {
					src.xmp = seg[len(jpegXMPHeader):]
				}
			case bytes.HasPrefix(seg, []byte(jpegExtendedXMPHeader)):
				if c, ok := parseExtendedChunk(seg[len(jpegExtendedXMPHeader):]); ok {
					src.extended = append(src.extended, c)
				}
			}
		case 0xED: // APP13: Photoshop image resources, possibly split over several segments
			if bytes.HasPrefix(seg, []byte(jpegPhotoshopHeader)) {
				photoshop = append(photoshop, seg[len(jpegPhotoshopHeader):])
			}
		}
	}
	src.photoshop = bytes.Join(photoshop, nil)
	return src
}

// parseExtendedChunk splits an ExtendedXMP segment: a 32-character GUID, the full length,
// this chunk's offset, the data.
func parseExtendedChunk(b []byte) (extendedChunk, bool) {
	if len(b) < 40 {
		return extendedChunk{}, false
	}
	return extendedChunk{
		guid:   string(b[:32]),
		total:  binary.BigEndian.Uint32(b[32:]),
		offset: binary.BigEndian.Uint32(b[36:]),
		data:   b[40:],
	}, true
}

// assembleExtended reassembles the ExtendedXMP packet the main packet names. It gives up
// (nil) unless the declared length is sane and the chunks cover it.
func assembleExtended(chunks []extendedChunk, guid string) []byte {
	var buf []byte
	covered := 0
	for _, c := range chunks {
		if c.guid != guid {
			continue
		}
		if buf == nil {
			if c.total == 0 || c.total > maxProfile {
				return nil
			}
			buf = make([]byte, c.total)
		}
		if uint64(c.total) != uint64(len(buf)) || uint64(c.offset)+uint64(len(c.data)) > uint64(len(buf)) {
			return nil
		}
		covered += copy(buf[c.offset:], c.data)
	}
	if buf == nil || covered < len(buf) {
		return nil
	}
	return buf
}

// scanPNG walks the chunks up to IEND. CRCs are not checked: a bad CRC does not make the
// metadata less readable, and the image decoder judges the pixels.
func scanPNG(b []byte) sources {
	var src sources
	var triedXMP, triedExif, triedIPTC bool
	p := 8
	for len(b)-p >= 8 {
		n := binary.BigEndian.Uint32(b[p:])
		typ := string(b[p+4 : p+8])
		p += 8
		data := upTo(b[p:], uint64(n)) // a truncated chunk is read as far as it goes
		p += len(data) + 4             // skip the CRC
		switch typ {
		case "eXIf":
			if !triedExif {
				triedExif = true
				src.exif = stripExifHeader(data)
			}
		case "tEXt", "zTXt", "iTXt":
			t, ok := parsePNGText(typ, data)
			if !ok {
				continue
			}
			switch t.keyword {
			case pngXMPKeyword, "Raw profile type xmp":
				if !triedXMP {
					triedXMP = true
					src.xmp = t.decode(t.keyword == pngXMPKeyword)
				}
			case "Raw profile type exif", "Raw profile type APP1":
				if !triedExif {
					triedExif = true
					src.exif = rawProfileExif(t.decode(false))
				}
			case "Raw profile type iptc", "Raw profile type 8bim":
				if !triedIPTC {
					triedIPTC = true
					if data := t.decode(false); bytes.HasPrefix(data, []byte("8BIM")) {
						src.photoshop = data
					} else {
						src.iptc = data
					}
				}
			}
		case "IEND":
			return src
		}
	}
	return src
}

// upTo returns the first n bytes of b, or all of b when it is shorter.
func upTo(b []byte, n uint64) []byte {
	if n < uint64(len(b)) {
		return b[:n]
	}
	return b
}

// rawProfileExif accepts an ImageMagick EXIF or APP1 profile, with or without "Exif\0\0".
func rawProfileExif(b []byte) []byte {
	if b = stripExifHeader(b); len(b) < 8 {
		return nil
	}
	return b
}

// pngText is a PNG text chunk after its header: the payload may still be compressed, and is
// hex-encoded in ImageMagick's "Raw profile type" chunks.
type pngText struct {
	keyword    string
	compressed bool
	payload    []byte
}

// parsePNGText splits tEXt (keyword NUL text), zTXt (keyword NUL method data) and iTXt
// (keyword NUL flag method language NUL translated-keyword NUL text).
func parsePNGText(typ string, b []byte) (pngText, bool) {
	k := bytes.IndexByte(b, 0)
	if k < 1 || k > 79 {
		return pngText{}, false
	}
	t := pngText{keyword: string(b[:k])}
	rest := b[k+1:]
	switch typ {
	case "tEXt":
		t.payload = rest
	case "zTXt":
		if len(rest) < 1 || rest[0] != 0 {
			return pngText{}, false
		}
		t.compressed, t.payload = true, rest[1:]
	case "iTXt":
		if len(rest) < 2 || rest[0] > 1 || rest[1] != 0 {
			return pngText{}, false
		}
		t.compressed = rest[0] == 1
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			i := bytes.IndexByte(rest, 0)
			if i < 0 {
				return pngText{}, false
			}
			rest = rest[i+1:]
		}
		t.payload = rest
	}
	return t, true
}

// decode inflates the payload when compressed and, unless it is plain text, decodes the
// ImageMagick raw profile in it.
func (t pngText) decode(plain bool) []byte {
	b := t.payload
	if t.compressed {
		limit := int64(maxProfile)
		if !plain {
			limit = 3 * maxProfile // hex with line breaks is a little over twice the data
		}
		b = inflate(b, limit)
	}
	if plain {
		if len(b) > maxProfile {
			b = b[:maxProfile]
		}
		return b
	}
	return rawProfile(b)
}

// inflate decompresses zlib data, never producing more than limit bytes, so a small
// "zip bomb" chunk costs at most limit. A corrupt or truncated stream yields what
// decompressed before the damage.
func inflate(b []byte, limit int64) []byte {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	defer r.Close()
	out, _ := io.ReadAll(io.LimitReader(r, limit)) // partial output on error is still useful
	return out
}

// rawProfile decodes ImageMagick's "\n<name>\n<spaces><length>\n<hex lines>" encoding.
func rawProfile(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil
	}
	b = bytes.TrimLeft(b[i+1:], " \t\r\n")
	n, j := 0, 0
	for ; j < len(b) && j < 9 && b[j] >= '0' && b[j] <= '9'; j++ {
		n = n*10 + int(b[j]-'0')
	}
	n = min(n, maxProfile, len(b)/2)
	out := make([]byte, 0, n)
	var high byte
	haveHigh := false
	for _, c := range b[j:] {
		if len(out) >= n {
			break
		}
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		default:
			return out
		}
		if !haveHigh {
			high, haveHigh = v, true
			continue
		}
		out = append(out, high<<4|v)
		haveHigh = false
	}
	return out
}

// scanWebP walks the RIFF chunks of a WebP file for EXIF and "XMP " chunks.
func scanWebP(b []byte) sources {
	var src sources
	// Anything appended after the RIFF container is not part of the file.
	b = upTo(b, uint64(binary.LittleEndian.Uint32(b[4:]))+8)
	p := 12
	for len(b)-p >= 8 {
		fourCC := string(b[p : p+4])
		n := binary.LittleEndian.Uint32(b[p+4:])
		p += 8
		data := upTo(b[p:], uint64(n)) // a truncated chunk is read as far as it goes
		p += len(data)
		if n&1 == 1 { // chunks are padded to even length
			p++
		}
		switch fourCC {
		case "EXIF":
			if src.exif == nil {
				src.exif = stripExifHeader(data)
			}
		case "XMP ":
			if src.xmp == nil {
				src.xmp = data
			}
		}
	}
	return src
}
