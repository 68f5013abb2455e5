package jpegscale

import (
	"fmt"
)

// blockLen is 64 coefficients plus one slot that swallows the coefficients a reduced
// IDCT does not use, so the Huffman loop stores every coefficient without a branch.
const (
	blockLen = 65
	trash    = 64
)

// block holds the dequantized coefficients a scale needs, in natural order over the
// (8/scale)² low-frequency corner.
type block [blockLen]int32

// unzig maps zigzag order to natural order (Figure A.6).
var unzig = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// dstIndex[i][j][k] is where coefficient k (zigzag order) goes in a block decoded to
// (8>>i) columns by (8>>j) rows: its natural index in that low-frequency corner, or trash.
// Computed once, never written.
var dstIndex = func() (t [4][4][64]uint8) {
	for i := range t {
		for j := range t[i] {
			nh, nv := 8>>i, 8>>j
			for k, z := range unzig {
				r, c := int(z)/8, int(z)%8
				if r < nv && c < nh {
					t[i][j][k] = uint8(r*nh + c)
				} else {
					t[i][j][k] = trash
				}
			}
		}
	}
	return t
}()

// log2 of 1, 2, 4 or 8.
func log2(n int) int {
	switch n {
	case 1:
		return 0
	case 2:
		return 1
	case 4:
		return 2
	}
	return 3
}

// scanComp is a component's state within one scan.
type scanComp struct {
	c    *component
	dc   *huffTable
	ac   *huffTable
	q    *[64]int32
	pred int32
}

func (d *decoder) processSOS(n int) error {
	if !d.sof {
		return formatError("SOS before SOF")
	}
	var b [1 + 2*maxComponents + 3]byte
	if n < 1 {
		return formatError("SOS too short")
	}
	if err := d.read(b[:1], "SOS"); err != nil {
		return err
	}
	ns := int(b[0])
	if ns < 1 || ns > d.nComp || n != 4+2*ns {
		return formatError("SOS has wrong length or component count")
	}
	if err := d.read(b[1:n], "SOS"); err != nil {
		return err
	}
	var sc [maxComponents]scanComp
	blocksPerMCU := 0
	for i := range ns {
		id, tables := b[1+2*i], b[2+2*i]
		ci := -1
		for j := range d.nComp {
			if d.comp[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return formatError("SOS names an unknown component")
		}
		for j := range i {
			if sc[j].c == &d.comp[ci] {
				return formatError("SOS repeats a component")
			}
		}
		td, ta := tables>>4, tables&15
		if td > 3 || ta > 3 {
			return formatError("bad Huffman table selector")
		}
		c := &d.comp[ci]
		if d.huff[0][td] == nil || !d.huff[0][td].defined || d.huff[1][ta] == nil || !d.huff[1][ta].defined {
			return formatError("scan uses an undefined Huffman table")
		}
		if !d.qDef[c.tq] {
			return formatError("scan uses an undefined quantization table")
		}
		sc[i] = scanComp{c: c, dc: d.huff[0][td], ac: d.huff[1][ta], q: &d.quant[c.tq]}
		blocksPerMCU += c.h * c.v
	}
	if ns > 1 && blocksPerMCU > 10 {
		return formatError("too many blocks per MCU")
	}
	// Spectral selection and successive approximation (Ss, Se, Ah/Al) are fixed in
	// sequential JPEG; like image/jpeg we do not insist on the values.

	if d.img == nil {
		d.allocate()
	}
	if err := d.decodeScan(sc[:ns]); err != nil {
		return err
	}
	for i := range ns {
		sc[i].c.scanned = true
	}
	return nil
}

// decodeScan decodes the entropy-coded data of one scan into the component planes.
func (d *decoder) decodeScan(sc []scanComp) error {
	// An interleaved scan walks MCUs of h×v blocks per component; a single-component scan
	// walks that component's blocks one by one, covering only its real extent (A.2.2).
	mx, my := d.mcusX, d.mcusY
	if len(sc) == 1 {
		c := sc[0].c
		cw := (d.width*c.h + d.hMax - 1) / d.hMax
		ch := (d.height*c.v + d.vMax - 1) / d.vMax
		mx, my = (cw+7)/8, (ch+7)/8
	}
	var blk block
	src := d.src
	src.resetBits()
	nextRST := byte(0)
	mcu := 0
	for y := range my {
		for x := range mx {
			if d.restart > 0 && mcu > 0 && mcu%d.restart == 0 {
				if err := d.restartInterval(&nextRST, sc); err != nil {
					return err
				}
			}
			mcu++
			for i := range sc {
				s := &sc[i]
				c := s.c
				h, v := c.h, c.v
				if len(sc) == 1 {
					h, v = 1, 1
				}
				nh, nv := c.nh, c.nv
				for by := range v {
					for bx := range h {
						clear(blk[:nh*nv])
						if err := d.decodeBlock(s, &blk, c.dst); err != nil {
							return fmt.Errorf("MCU (%d,%d): %w", x, y, err)
						}
						px := (x*h + bx) * nh
						py := (y*v + by) * nv
						out := c.pix[py*c.stride+px:]
						switch {
						case nh != nv:
							idctRect(&blk, nh, nv, out, c.stride)
						case nh == 8:
							idct8(&blk, out, c.stride)
						case nh == 4:
							idct4(&blk, out, c.stride)
						case nh == 2:
							idct2(&blk, out, c.stride)
						default:
							idct1(&blk, out, c.stride)
						}
					}
				}
			}
			if src.short() {
				return fmt.Errorf("scan data ends at MCU (%d,%d): %w", x, y, d.shortErr())
			}
		}
	}
	// Whatever is left of the last byte is padding; the next marker follows.
	src.resetBits()
	return nil
}

// shortErr explains a scan that consumed bits it did not have: a marker in the middle of
// the data (corruption) or the end of the input (truncation).
func (d *decoder) shortErr() error {
	if d.src.marker != 0 {
		return formatError(fmt.Sprintf("marker %#x inside entropy-coded data", d.src.marker))
	}
	return d.src.readErr()
}

// restartInterval ends one restart interval: the rest of the byte is padding, the RSTn
// marker must follow, and the DC predictions start again from zero.
func (d *decoder) restartInterval(next *byte, sc []scanComp) error {
	d.src.resetBits()
	m, err := d.src.nextMarker()
	if err != nil {
		return fmt.Errorf("looking for RST%d: %w", *next, d.src.readErr())
	}
	if m < mRST0 || m > mRST7 {
		return formatError(fmt.Sprintf("marker %#x where RST%d was expected", m, *next))
	}
	// A wrong RST number would mean lost intervals; libjpeg tries to resynchronise, we
	// simply carry on, which decodes the following intervals in the wrong place at worst.
	*next = (m - mRST0 + 1) & 7
	for i := range sc {
		sc[i].pred = 0
	}
	return nil
}

// decodeBlock entropy-decodes one block's 64 coefficients, keeping (dequantized) those
// that dst does not send to the trash slot.
func (d *decoder) decodeBlock(s *scanComp, blk *block, dst *[64]uint8) error {
	src := d.src
	acc, n := src.acc, src.n
	q := s.q

	// DC: a size category, then that many bits of difference from the prediction.
	if n < 32 {
		src.acc, src.n = acc, n
		src.fill()
		acc, n = src.acc, src.n
	}
	var size uint
	if e := s.dc.fast[acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		size = uint(e & 0xFF)
		acc <<= l
		n -= l
	} else {
		sym, l, ok := s.dc.slow(acc)
		if !ok {
			src.acc, src.n = acc, n
			return errBadHuffmanCode
		}
		size = uint(sym)
		acc <<= l
		n -= l
	}
	if size > 11 {
		src.acc, src.n = acc, n
		return formatError("DC difference too large")
	}
	if size != 0 {
		s.pred += extend(int32(acc>>(64-size)), size) // #nosec G115 -- size ≤ 11 bits
		acc <<= size
		n -= size
	}
	blk[0] = s.pred * q[0]

	// AC: (run of zeros, size) symbols until end of block.
	ac := s.ac
	for k := 1; k < 64; {
		if n < 32 {
			src.acc, src.n = acc, n
			src.fill()
			acc, n = src.acc, src.n
		}
		peek := acc >> (64 - lutBits)
		if e := ac.fastAC[peek]; e != 0 {
			k += int(e>>8) & 0xFF
			l := uint(e & 0xFF)
			acc <<= l
			n -= l
			if k > 63 {
				// A run past the end of the block is corrupt; like image/jpeg, stop the
				// block here and let the pad check or the next block's codes catch it.
				break
			}
			blk[dst[k]] = (e >> 16) * q[k]
			k++
			continue
		}
		var sym byte
		if e := ac.fast[peek]; e != 0 {
			l := uint(e >> 8)
			sym = byte(e) // #nosec G115 -- the low byte is the symbol
			acc <<= l
			n -= l
		} else {
			var l uint
			var ok bool
			sym, l, ok = ac.slow(acc)
			if !ok {
				src.acc, src.n = acc, n
				return errBadHuffmanCode
			}
			acc <<= l
			n -= l
		}
		run, size := int(sym>>4), uint(sym&15)
		if size == 0 {
			if run != 15 {
				break // end of block
			}
			k += 16 // sixteen zeros
			continue
		}
		k += run
		if k > 63 {
			break
		}
		blk[dst[k]] = extend(int32(acc>>(64-size)), size) * q[k] // #nosec G115 -- size ≤ 15 bits
		acc <<= size
		n -= size
		k++
	}
	src.acc, src.n = acc, n
	return nil
}
