package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/snapshop/snapshop/media/synth"
)

// Fixtures are generated in code: nothing here is copied from elsewhere.

func synthJPEG(t testing.TB, w, h int, seed int64, quality int) []byte {
	t.Helper()
	b, err := synth.JPEG(w, h, seed, quality)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeTestJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngChunk frames one PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// pngBomb is a structurally valid PNG that declares w×h RGB pixels but carries only a few bytes
// of image data: what an attacker uploads to make a server allocate gigabytes.
func pngBomb(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// bitWriter writes the least-significant-bit-first bit stream of VP8L.
type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nbits > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.nbits = 0, 0
	}
	return w.buf
}

// losslessWebP hand-encodes a solid-colour lossless WebP (VP8L): every one of its five prefix
// codes is a "simple" code of a single symbol, which costs zero bits per pixel, so the whole
// image is a header of a few bytes.
func losslessWebP(w, h int, r, g, b uint8) []byte {
	var bw bitWriter
	bw.write(0x2f, 8)              // VP8L signature
	bw.write(uint64(w-1), 14)      // width − 1
	bw.write(uint64(h-1), 14)      // height − 1
	bw.write(0, 1)                 // alpha is not used
	bw.write(0, 3)                 // version 0
	bw.write(0, 1)                 // no transform
	bw.write(0, 1)                 // no colour cache
	bw.write(0, 1)                 // no meta prefix codes
	simple := func(symbol uint8) { // a simple code with one 8-bit symbol
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // the symbol takes 8 bits
		bw.write(uint64(symbol), 8)
	}
	simple(g)    // green (and lengths, and cache indexes)
	simple(r)    // red
	simple(b)    // blue
	simple(0xff) // alpha
	simple(0)    // distance
	data := bw.bytes()

	var chunk bytes.Buffer
	chunk.WriteString("VP8L")
	_ = binary.Write(&chunk, binary.LittleEndian, uint32(len(data)))
	chunk.Write(data)
	if len(data)%2 == 1 {
		chunk.WriteByte(0)
	}
	var out bytes.Buffer
	out.WriteString("RIFF")
	_ = binary.Write(&out, binary.LittleEndian, uint32(4+chunk.Len()))
	out.WriteString("WEBP")
	out.Write(chunk.Bytes())
	return out.Bytes()
}

// jpegMarkers lists the markers of a JPEG's segments up to its first scan.
func jpegMarkers(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		t.Fatal("not a JPEG")
	}
	var markers []byte
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xda {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return markers
}

// checker is a small black-and-white checkerboard.
func checker(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x/2+y/2)%2 == 0 {
				g.Pix[y*g.Stride+x] = 0xff
			}
		}
	}
	return g
}
