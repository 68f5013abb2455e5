package metadata

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
)

// EXIF tags read. Everything else, MakerNotes included, is skipped unread.
const (
	tagMake              = 0x010F
	tagModel             = 0x0110
	tagOrientation       = 0x0112
	tagDateTime          = 0x0132
	tagArtist            = 0x013B
	tagCopyright         = 0x8298
	tagExposureTime      = 0x829A
	tagFNumber           = 0x829D
	tagExifIFD           = 0x8769
	tagISO               = 0x8827 // ISOSpeedRatings, called PhotographicSensitivity since EXIF 2.3
	tagGPSIFD            = 0x8825
	tagISOSpeed          = 0x8833 // the exact value when 0x8827 is saturated at 65535
	tagDateTimeOriginal  = 0x9003
	tagDateTimeDigitized = 0x9004
	tagOffsetTime        = 0x9010
	tagOffsetOriginal    = 0x9011
	tagOffsetDigitized   = 0x9012
	tagFocalLength       = 0x920A
	tagSubSecTime        = 0x9290
	tagSubSecOriginal    = 0x9291
	tagSubSecDigitized   = 0x9292
	tagLensSpecification = 0xA432
	tagLensMake          = 0xA433
	tagLensModel         = 0xA434

	gpsLatitudeRef  = 1
	gpsLatitude     = 2
	gpsLongitudeRef = 3
	gpsLongitude    = 4
)

// IFD walking limits. A real file has IFD0, IFD1 (the thumbnail), the Exif IFD and the GPS
// IFD; anything beyond that is either exotic or an attack.
const (
	maxIFDs     = 8
	maxChain    = 3 // IFDs followed after IFD0 through "next IFD" pointers
	tiffTypeIFD = 13
)

// exifData is what the TIFF structure yields, already cleaned; Read merges it into Metadata.
type exifData struct {
	orientation       int
	make, model, lens string
	focal, aperture   float64
	exposure          string
	iso               int
	takenAt           time.Time
	copyright, artist string
	gps               *GPS
}

// ifdEntry is one tag's value, already located and bounds-checked inside the TIFF buffer.
type ifdEntry struct {
	typ   uint16
	value []byte
	thumb bool // read from an IFD chained after IFD0, which describes the thumbnail
}

// tagValues holds, for each wanted tag, its entry in each IFD that has it, in reading order
// (IFD0, the Exif IFD, then chained IFDs). Readers take the first entry that yields a usable
// value: some phones write a broken copy of a tag in IFD0 and a good one in the Exif IFD. As
// at most maxIFDs IFDs are read, a tag has at most that many candidates.
type tagValues map[uint16][]ifdEntry

// firstValue returns the first non-zero value read from the candidates.
func firstValue[T comparable](entries []ifdEntry, read func(ifdEntry) T) T {
	var zero T
	for _, e := range entries {
		if v := read(e); v != zero {
			return v
		}
	}
	return zero
}

type tiffReader struct {
	b  []byte
	bo binary.ByteOrder
}

// stripExifHeader removes the "Exif\0\0" prefix that JPEG APP1 requires and that some WebP
// and PNG writers copy along. Some writers put 0xFF as the sixth byte; accept it too.
func stripExifHeader(b []byte) []byte {
	if len(b) >= 6 && bytes.HasPrefix(b, []byte("Exif\x00")) && (b[5] == 0 || b[5] == 0xFF) {
		return b[6:]
	}
	return b
}

// parseTIFF reads the tags Read needs from a TIFF structure (the payload of an EXIF block).
// Anything malformed is skipped: a bad entry loses that value, a bad IFD loses that IFD.
func parseTIFF(b []byte) exifData {
	var out exifData
	if len(b) < 8 {
		return out
	}
	t := tiffReader{b: b}
	switch {
	case b[0] == 'I' && b[1] == 'I':
		t.bo = binary.LittleEndian
	case b[0] == 'M' && b[1] == 'M':
		t.bo = binary.BigEndian
	default:
		return out
	}
	if t.bo.Uint16(b[2:]) != 42 {
		return out
	}

	// The IFDs are read breadth-first from IFD0, so IFD0 and the Exif IFD come before any
	// chained IFD and their values are preferred. Every offset is visited once, which breaks
	// loops through both "next" pointers and sub-IFD pointers.
	type pending struct {
		off   uint32
		gps   bool
		chain int // how many "next IFD" steps led here; 0 for IFD0 and its sub-IFDs
	}
	tags := make(tagValues)
	gpsTags := make(tagValues)
	queue := []pending{{off: t.bo.Uint32(b[4:])}}
	visited := make([]uint32, 0, maxIFDs)
	for len(queue) > 0 && len(visited) < maxIFDs {
		cur := queue[0]
		queue = queue[1:]
		if cur.off == 0 || containsOffset(visited, cur.off) {
			continue
		}
		visited = append(visited, cur.off)
		if cur.gps {
			t.readIFD(cur.off, gpsTags, true, false)
			continue
		}
		next, exifIFD, gpsIFD := t.readIFD(cur.off, tags, false, cur.chain > 0)
		if exifIFD != 0 {
			queue = append(queue, pending{off: exifIFD, chain: cur.chain})
		}
		if gpsIFD != 0 {
			queue = append(queue, pending{off: gpsIFD, gps: true})
		}
		if next != 0 && cur.chain < maxChain {
			queue = append(queue, pending{off: next, chain: cur.chain + 1})
		}
	}

	out.orientation = firstValue(tags[tagOrientation], t.orientation)
	out.make = firstValue(tags[tagMake], t.text)
	out.model = firstValue(tags[tagModel], t.text)
	out.artist = firstValue(tags[tagArtist], t.text)
	out.copyright = firstValue(tags[tagCopyright], t.copyright)
	out.lens = firstValue(tags[tagLensModel], t.text)
	if out.lens == "" {
		out.lens = joinText(" ", firstValue(tags[tagLensMake], t.text), firstValue(tags[tagLensSpecification], t.lensSpec))
	}
	out.focal = firstValue(tags[tagFocalLength], t.positive)
	out.aperture = firstValue(tags[tagFNumber], t.positive)
	out.exposure = firstValue(tags[tagExposureTime], func(e ifdEntry) string {
		v, _ := t.rational(e, 0)
		return formatExposure(v)
	})
	iso := firstValue(tags[tagISO], t.integer)
	if exact := firstValue(tags[tagISOSpeed], t.integer); exact > 0 && (iso == 0 || iso == math.MaxUint16) {
		iso = exact
	}
	if iso <= math.MaxInt32 {
		out.iso = int(iso)
	}
	out.takenAt = t.takenAt(tags)
	out.gps = t.gps(gpsTags)
	return out
}

func containsOffset(list []uint32, off uint32) bool {
	for _, v := range list {
		if v == off {
			return true
		}
	}
	return false
}

// readIFD adds to tags the first entry of each wanted tag in the IFD at off, and returns the
// offsets of the next IFD and of the Exif and GPS sub-IFDs it points to (0 when none). A count
// running past the buffer is cut to the entries present.
func (t tiffReader) readIFD(off uint32, tags tagValues, gps, thumb bool) (next, exifIFD, gpsIFD uint32) {
	if uint64(off)+2 > uint64(len(t.b)) {
		return 0, 0, 0
	}
	p := int(off)
	n := int(t.bo.Uint16(t.b[p:]))
	p += 2
	if fit := (len(t.b) - p) / 12; n > fit {
		n = fit
	}
	seen := make(map[uint16]bool)
	for i := 0; i < n; i++ {
		e := t.b[p+12*i : p+12*i+12]
		tag := t.bo.Uint16(e)
		if !wantedTag(tag, gps) || seen[tag] {
			continue
		}
		seen[tag] = true
		v, ok := t.entry(e)
		if !ok {
			continue
		}
		v.thumb = thumb
		switch {
		case !gps && tag == tagExifIFD:
			exifIFD = t.pointer(v)
		case !gps && tag == tagGPSIFD:
			gpsIFD = t.pointer(v)
		default:
			tags[tag] = append(tags[tag], v)
		}
	}
	end := p + 12*n
	if end+4 <= len(t.b) {
		next = t.bo.Uint32(t.b[end:])
	}
	return next, exifIFD, gpsIFD
}

func wantedTag(tag uint16, gps bool) bool {
	if gps {
		return tag >= gpsLatitudeRef && tag <= gpsLongitude
	}
	switch tag {
	case tagMake, tagModel, tagOrientation, tagDateTime, tagArtist, tagCopyright,
		tagExposureTime, tagFNumber, tagExifIFD, tagISO, tagGPSIFD, tagISOSpeed,
		tagDateTimeOriginal, tagDateTimeDigitized, tagOffsetTime, tagOffsetOriginal,
		tagOffsetDigitized, tagFocalLength, tagSubSecTime, tagSubSecOriginal,
		tagSubSecDigitized, tagLensSpecification, tagLensMake, tagLensModel:
		return true
	}
	return false
}

// typeSize is the byte size of one value of a TIFF field type; 0 for unknown types.
func typeSize(typ uint16) uint64 {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11, tiffTypeIFD: // LONG, SLONG, FLOAT, IFD
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

// entry locates the value of a 12-byte IFD entry: inline when it fits in 4 bytes, else at the
// offset it names, which must lie wholly inside the buffer.
func (t tiffReader) entry(e []byte) (ifdEntry, bool) {
	typ := t.bo.Uint16(e[2:])
	count := t.bo.Uint32(e[4:])
	size := typeSize(typ) * uint64(count) // at most 8 × 2³²: no overflow in uint64
	if size == 0 {
		return ifdEntry{}, false
	}
	if size <= 4 {
		return ifdEntry{typ: typ, value: e[8 : 8+size]}, true
	}
	off := uint64(t.bo.Uint32(e[8:]))
	if off+size > uint64(len(t.b)) {
		return ifdEntry{}, false
	}
	return ifdEntry{typ: typ, value: t.b[off : off+size]}, true
}

// pointer reads a sub-IFD offset, which writers store as LONG or IFD; 0 when unusable.
func (t tiffReader) pointer(e ifdEntry) uint32 {
	if (e.typ != 4 && e.typ != tiffTypeIFD) || len(e.value) < 4 {
		return 0
	}
	return t.bo.Uint32(e.value)
}

// orientation reads Orientation, 1–8, ignoring the thumbnail's own.
func (t tiffReader) orientation(e ifdEntry) int {
	if v, ok := t.uint(e, 0); ok && v >= 1 && v <= 8 && !e.thumb {
		return int(v)
	}
	return 0
}

// integer reads a non-negative integer such as an ISO speed; 0 when absent.
func (t tiffReader) integer(e ifdEntry) uint64 {
	v, _ := t.uint(e, 0)
	return v
}

// positive reads a positive rational (focal length, f-number) rounded to two decimals, which
// is all they need and hides the noise of rationals such as 82/11; 0 when absent.
func (t tiffReader) positive(e ifdEntry) float64 {
	if v, ok := t.rational(e, 0); ok && v > 0 {
		return math.Round(v*100) / 100
	}
	return 0
}

// uint reads the i-th value of an unsigned or non-negative signed integer field.
func (t tiffReader) uint(e ifdEntry, i uint64) (uint64, bool) {
	size := typeSize(e.typ)
	if size == 0 || (i+1)*size > uint64(len(e.value)) {
		return 0, false
	}
	v := e.value[i*size:]
	switch e.typ {
	case 1, 7:
		return uint64(v[0]), true
	case 3:
		return uint64(t.bo.Uint16(v)), true
	case 4:
		return uint64(t.bo.Uint32(v)), true
	case 8: // SSHORT: only non-negative values are meaningful here
		if s := t.bo.Uint16(v); s < 1<<15 {
			return uint64(s), true
		}
	case 9: // SLONG
		if s := t.bo.Uint32(v); s < 1<<31 {
			return uint64(s), true
		}
	}
	return 0, false
}

// rational reads the i-th value of a RATIONAL or SRATIONAL field. A zero denominator means
// the value is unknown, never a division.
func (t tiffReader) rational(e ifdEntry, i uint64) (float64, bool) {
	if (e.typ != 5 && e.typ != 10) || (i+1)*8 > uint64(len(e.value)) {
		return 0, false
	}
	v := e.value[i*8:]
	if e.typ == 10 {
		num, den := signed32(t.bo.Uint32(v)), signed32(t.bo.Uint32(v[4:]))
		if den == 0 {
			return 0, false
		}
		return float64(num) / float64(den), true
	}
	num, den := t.bo.Uint32(v), t.bo.Uint32(v[4:])
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// signed32 reinterprets the bits of an SLONG.
func signed32(v uint32) int64 {
	if v >= 1<<31 {
		return int64(v) - 1<<32
	}
	return int64(v)
}

// text reads an ASCII field up to its first NUL. Cameras also store these as BYTE or
// UNDEFINED, and in whatever character set they like.
func (t tiffReader) text(e ifdEntry) string {
	if e.typ != 1 && e.typ != 2 && e.typ != 7 {
		return ""
	}
	v := e.value
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return textLegacy(v)
}

// copyright reads the Copyright tag, which holds the photographer's and the editor's notices
// separated by NUL (the photographer's may be a single space when only the editor's is set).
func (t tiffReader) copyright(e ifdEntry) string {
	if e.typ != 1 && e.typ != 2 && e.typ != 7 {
		return ""
	}
	v := e.value
	if len(v) > maxRawBytes {
		v = v[:maxRawBytes]
	}
	parts := bytes.SplitN(v, []byte{0}, 3)
	var photographer, editor string
	photographer = textLegacy(parts[0])
	if len(parts) > 1 {
		editor = textLegacy(parts[1])
	}
	return joinText("; ", photographer, editor)
}

// lensSpec formats LensSpecification (min focal, max focal, f-number at min focal, f-number at
// max focal) the way lenses are named: "24-70mm f/2.8", "18-55mm f/3.5-5.6", "50mm f/1.8".
func (t tiffReader) lensSpec(e ifdEntry) string {
	var v [4]float64
	var ok [4]bool
	for i := range uint64(len(v)) {
		v[i], ok[i] = t.rational(e, i)
		ok[i] = ok[i] && v[i] > 0
	}
	var sb strings.Builder
	if ok[0] {
		sb.WriteString(formatNumber(v[0]))
		if ok[1] && v[1] != v[0] {
			sb.WriteString("-" + formatNumber(v[1]))
		}
		sb.WriteString("mm")
	}
	if ok[2] {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString("f/" + formatNumber(v[2]))
		if ok[3] && v[3] != v[2] {
			sb.WriteString("-" + formatNumber(v[3]))
		}
	}
	return sb.String()
}

// formatExposure writes an exposure time the way photographers do: fractions of a second as
// "1/250" (also "1/2" and "1/3"), other times as seconds with at most one decimal ("0.3",
// "2.5", "30").
func formatExposure(v float64) string {
	if !(v > 0) || math.IsInf(v, 0) {
		return ""
	}
	if v < 1 {
		inv := 1 / v
		r := math.Round(inv)
		if v <= 0.25+1e-9 || math.Abs(inv-r) <= 0.01*inv {
			return "1/" + strconv.FormatFloat(r, 'f', 0, 64)
		}
	}
	return formatNumber(math.Round(v*10) / 10)
}

// formatNumber writes a number with at most one decimal and no trailing ".0".
func formatNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}
