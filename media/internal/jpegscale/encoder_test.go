package jpegscale

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"testing"
)

// A small baseline JPEG encoder for tests. image/jpeg only writes 4:2:0 and greyscale with
// one interleaved scan; this one writes any sampling factors, restart intervals,
// one scan per component, Adobe and JFIF segments and SOF1, so every layout the decoder
// claims to handle can be produced in code. It aims at correctness, not speed or size.

type encSpec struct {
	quality  int
	gray     bool
	sampling []byte // h<<4|v per component; nil means 4:2:0 (or 1×1 for grey)
	ids      []byte // component identifiers; nil means 1, 2, 3
	restart  int    // restart interval in MCUs, 0 for none
	separate bool   // one non-interleaved scan per component
	adobe    int    // Adobe APP14 transform, or -1 for no APP14 segment
	jfif     bool
	sof1     bool
}

// Standard quantization tables (Annex K), natural order.
var (
	stdLumaQ = [64]int{
		16, 11, 10, 16, 24, 40, 51, 61,
		12, 12, 14, 19, 26, 58, 60, 55,
		14, 13, 16, 24, 40, 57, 69, 56,
		14, 17, 22, 29, 51, 87, 80, 62,
		18, 22, 37, 56, 68, 109, 103, 77,
		24, 35, 55, 64, 81, 104, 113, 92,
		49, 64, 78, 87, 103, 121, 120, 101,
		72, 92, 95, 98, 112, 100, 103, 99,
	}
	stdChromaQ = func() (q [64]int) {
		top := [4][4]int{{17, 18, 24, 47}, {18, 21, 26, 66}, {24, 26, 56, 99}, {47, 66, 99, 99}}
		for i := range q {
			q[i] = 99
			if r, c := i/8, i%8; r < 4 && c < 4 {
				q[i] = top[r][c]
			}
		}
		return q
	}()
)

// huffSpec is a Huffman table as DHT writes it.
type huffSpec struct {
	counts [16]byte
	vals   []byte
}

// testHuffSpecs returns DC and AC tables 0 and 1. The code-length counts are those of the
// standard tables (so they satisfy the Kraft inequality with room to spare); the symbols
// are ordered by a simple guess at frequency, which is valid if not optimal.
func testHuffSpecs() (dc, ac [2]huffSpec) {
	dcVals := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	dc[0] = huffSpec{[16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1}, dcVals}
	dc[1] = huffSpec{[16]byte{0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, dcVals}
	var acVals []byte
	acVals = append(acVals, 0x00) // EOB
	for sum := 1; sum <= 25; sum++ {
		for run := 0; run <= 15; run++ {
			if size := sum - run; size >= 1 && size <= 10 {
				acVals = append(acVals, byte(run<<4|size))
			}
		}
		if sum == 12 {
			acVals = append(acVals, 0xF0) // ZRL
		}
	}
	ac[0] = huffSpec{[16]byte{0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d}, acVals}
	ac[1] = huffSpec{[16]byte{0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77}, acVals}
	return dc, ac
}

// huffCodes assigns canonical codes: code[sym] and length[sym].
func huffCodes(s huffSpec) (code [256]uint32, length [256]uint8) {
	c, k := uint32(0), 0
	for l := 1; l <= 16; l++ {
		for range int(s.counts[l-1]) {
			code[s.vals[k]] = c
			length[s.vals[k]] = uint8(l)
			c++
			k++
		}
		c <<= 1
	}
	return code, length
}

type bitWriter struct {
	out  *bytes.Buffer
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(bits uint32, n uint) {
	for n > 0 {
		w.acc = w.acc<<1 | (bits>>(n-1))&1
		w.nacc++
		n--
		if w.nacc == 8 {
			b := byte(w.acc)
			w.out.WriteByte(b)
			if b == 0xFF {
				w.out.WriteByte(0)
			}
			w.acc, w.nacc = 0, 0
		}
	}
}

// flush pads the last byte with 1 bits, as the standard asks.
func (w *bitWriter) flush() {
	for w.nacc != 0 {
		w.put(1, 1)
	}
}

func quantTable(base *[64]int, quality int) (zig [64]int) {
	scale := 200 - 2*quality
	if quality < 50 {
		scale = 5000 / quality
	}
	for k, z := range unzig {
		zig[k] = min(max((base[z]*scale+50)/100, 1), 255)
	}
	return zig
}

var dctCos = func() (t [8][8]float64) {
	for x := range 8 {
		for u := range 8 {
			t[x][u] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / 16)
		}
	}
	return t
}()

// fdct is the textbook forward DCT of an 8×8 block of level-shifted samples.
func fdct(in *[64]float64) (out [64]float64) {
	var tmp [64]float64
	for y := range 8 {
		for u := range 8 {
			s := 0.0
			for x := range 8 {
				s += in[y*8+x] * dctCos[x][u]
			}
			tmp[y*8+u] = s
		}
	}
	for v := range 8 {
		for u := range 8 {
			s := 0.0
			for y := range 8 {
				s += tmp[y*8+u] * dctCos[y][v]
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = math.Sqrt2 / 2
			}
			if v == 0 {
				cv = math.Sqrt2 / 2
			}
			out[v*8+u] = s * cu * cv / 4
		}
	}
	return out
}

type encComp struct {
	id     byte
	h, v   int
	w, ht  int // real extent of the component
	pix    []float64
	stride int // padded plane width
	rows   int // padded plane height
	tq     int
	table  int
	pred   int
}

// encodeTest encodes m (RGB via At, or grey) following spec.
func encodeTest(tb testing.TB, m image.Image, spec encSpec) []byte {
	tb.Helper()
	b := m.Bounds()
	W, H := b.Dx(), b.Dy()
	nc := 3
	if spec.gray {
		nc = 1
	}
	sampling := spec.sampling
	if sampling == nil {
		sampling = []byte{0x22, 0x11, 0x11}
		if spec.gray {
			sampling = []byte{0x11}
		}
	}
	ids := spec.ids
	if ids == nil {
		ids = []byte{1, 2, 3}
	}
	// Full-resolution Y, Cb, Cr.
	full := make([][]float64, nc)
	for i := range full {
		full[i] = make([]float64, W*H)
	}
	for y := range H {
		for x := range W {
			r, g, bb, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if spec.gray {
				full[0][y*W+x] = float64(color.GrayModel.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y)
				continue
			}
			yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bb>>8))
			full[0][y*W+x], full[1][y*W+x], full[2][y*W+x] = float64(yy), float64(cb), float64(cr)
		}
	}
	hMax, vMax := 1, 1
	for _, s := range sampling[:nc] {
		hMax, vMax = max(hMax, int(s>>4)), max(vMax, int(s&15))
	}
	mcusX, mcusY := (W+8*hMax-1)/(8*hMax), (H+8*vMax-1)/(8*vMax)
	if nc == 1 {
		// One component is non-interleaved whatever its declared factors.
		mcusX, mcusY = (W+7)/8, (H+7)/8
	}
	comps := make([]*encComp, nc)
	for i := range nc {
		h, v := int(sampling[i]>>4), int(sampling[i]&15)
		c := &encComp{id: ids[i], h: h, v: v, tq: min(i, 1), table: min(i, 1)}
		c.w, c.ht = (W*h+hMax-1)/hMax, (H*v+vMax-1)/vMax
		ph, pv := h, v
		if nc == 1 {
			ph, pv = 1, 1
		}
		c.stride, c.rows = max(mcusX*ph*8, (c.w+7)/8*8), max(mcusY*pv*8, (c.ht+7)/8*8)
		c.pix = make([]float64, c.stride*c.rows)
		fx, fy := hMax/h, vMax/v
		for y := range c.rows {
			for x := range c.stride {
				// Box-average the full-resolution samples, replicating the edges.
				cx, cy := min(x, c.w-1), min(y, c.ht-1)
				s, cnt := 0.0, 0
				for yy := cy * fy; yy < min((cy+1)*fy, H); yy++ {
					for xx := cx * fx; xx < min((cx+1)*fx, W); xx++ {
						s += full[i][yy*W+xx]
						cnt++
					}
				}
				c.pix[y*c.stride+x] = s / float64(cnt)
			}
		}
		comps[i] = c
	}
	q := [2][64]int{quantTable(&stdLumaQ, spec.quality), quantTable(&stdChromaQ, spec.quality)}
	dcSpec, acSpec := testHuffSpecs()

	var out bytes.Buffer
	seg := func(marker byte, payload []byte) {
		out.Write([]byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)})
		out.Write(payload)
	}
	out.Write([]byte{0xFF, 0xD8})
	if spec.jfif {
		seg(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	}
	if spec.adobe >= 0 {
		seg(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(spec.adobe)})
	}
	var dqt []byte
	for t := range min(nc, 2) {
		dqt = append(dqt, byte(t))
		for _, v := range q[t] {
			dqt = append(dqt, byte(v))
		}
	}
	seg(0xDB, dqt)
	sof := []byte{8, byte(H >> 8), byte(H), byte(W >> 8), byte(W), byte(nc)}
	for i, c := range comps {
		sof = append(sof, c.id, sampling[i], byte(c.tq))
	}
	if spec.sof1 {
		seg(0xC1, sof)
	} else {
		seg(0xC0, sof)
	}
	var dht []byte
	for t := range min(nc, 2) {
		dht = append(dht, byte(t))
		dht = append(dht, dcSpec[t].counts[:]...)
		dht = append(dht, dcSpec[t].vals...)
		dht = append(dht, 0x10|byte(t))
		dht = append(dht, acSpec[t].counts[:]...)
		dht = append(dht, acSpec[t].vals...)
	}
	seg(0xC4, dht)
	if spec.restart > 0 {
		seg(0xDD, []byte{byte(spec.restart >> 8), byte(spec.restart)})
	}
	var codes [2][2][256]uint32
	var lens [2][2][256]uint8
	for t := range 2 {
		codes[0][t], lens[0][t] = huffCodes(dcSpec[t])
		codes[1][t], lens[1][t] = huffCodes(acSpec[t])
	}
	encodeBlock := func(w *bitWriter, c *encComp, bx, by int) {
		var blk [64]float64
		for y := range 8 {
			for x := range 8 {
				blk[y*8+x] = c.pix[(by*8+y)*c.stride+bx*8+x] - 128
			}
		}
		f := fdct(&blk)
		var zz [64]int
		for k, z := range unzig {
			zz[k] = int(math.Round(f[z] / float64(q[c.tq][k])))
		}
		emit := func(class, sym int, extra int, size uint) {
			w.put(codes[class][c.table][sym], uint(lens[class][c.table][sym]))
			if size > 0 {
				if extra < 0 {
					extra += 1<<size - 1
				}
				w.put(uint32(extra), size)
			}
		}
		diff := zz[0] - c.pred
		c.pred = zz[0]
		emit(0, int(bitSize(diff)), diff, bitSize(diff))
		run := 0
		for k := 1; k < 64; k++ {
			if zz[k] == 0 {
				run++
				continue
			}
			for run >= 16 {
				emit(1, 0xF0, 0, 0)
				run -= 16
			}
			s := bitSize(zz[k])
			emit(1, run<<4|int(s), zz[k], s)
			run = 0
		}
		if run > 0 {
			emit(1, 0x00, 0, 0)
		}
	}
	scan := func(sc []*encComp) {
		hdr := []byte{byte(len(sc))}
		for _, c := range sc {
			hdr = append(hdr, c.id, byte(c.table<<4|c.table))
			c.pred = 0
		}
		hdr = append(hdr, 0, 63, 0)
		seg(0xDA, hdr)
		w := &bitWriter{out: &out}
		mx, my := mcusX, mcusY
		if len(sc) == 1 {
			mx, my = (sc[0].w+7)/8, (sc[0].ht+7)/8
		}
		mcu := 0
		for y := range my {
			for x := range mx {
				if spec.restart > 0 && mcu > 0 && mcu%spec.restart == 0 {
					w.flush()
					out.Write([]byte{0xFF, byte(0xD0 + (mcu/spec.restart-1)%8)})
					for _, c := range sc {
						c.pred = 0
					}
				}
				mcu++
				for _, c := range sc {
					h, v := c.h, c.v
					if len(sc) == 1 {
						h, v = 1, 1
					}
					for by := range v {
						for bx := range h {
							encodeBlock(w, c, x*h+bx, y*v+by)
						}
					}
				}
			}
		}
		w.flush()
	}
	if spec.separate {
		for _, c := range comps {
			scan([]*encComp{c})
		}
	} else {
		scan(comps)
	}
	out.Write([]byte{0xFF, 0xD9})
	return out.Bytes()
}

// bitSize is the JPEG size category of v: the number of bits of |v|.
func bitSize(v int) uint {
	if v < 0 {
		v = -v
	}
	n := uint(0)
	for v > 0 {
		n++
		v >>= 1
	}
	return n
}
