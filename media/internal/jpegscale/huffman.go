package jpegscale

// lutBits is the Huffman look-up width. Ten bits covers nearly every code in real files
// (the standard tables' common codes are 2–9 bits) while the tables stay in L1.
const lutBits = 10

// huffTable is one decoding table of a DHT segment.
type huffTable struct {
	defined bool
	// fast maps the next lutBits bits to length<<8 | symbol for codes of at most lutBits
	// bits, or 0 when the code is longer (or invalid).
	fast [1 << lutBits]uint16
	// fastAC maps the next lutBits bits to value<<16 | run<<8 | bits for AC symbols whose
	// code and extra bits together fit in lutBits, or 0. Most coefficients of a photo take
	// this path, which saves the sign extension and a second shift.
	fastAC [1 << lutBits]int32
	// For codes longer than lutBits (Annex F.2.2.3): maxCode[l] is the largest code of
	// length l (-1 if none) and valPtr[l] the index in vals of the first one, minus its code.
	maxCode [18]int32
	valPtr  [17]int32
	vals    [256]byte
	nVals   int
}

const (
	errBadHuffmanTable = formatError("bad Huffman table")
	errBadHuffmanCode  = formatError("bad Huffman code")
)

// build fills h from the 16 code-length counts and the symbols of a DHT table.
func (h *huffTable) build(counts *[16]byte, vals []byte, ac bool) error {
	*h = huffTable{}
	total := 0
	for _, c := range counts {
		total += int(c)
	}
	if total == 0 || total > 256 || total != len(vals) {
		return errBadHuffmanTable
	}
	h.nVals = total
	copy(h.vals[:], vals)

	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		c := int(counts[l-1])
		// Codes of length l must fit in l bits, or this is not a prefix code. Checked
		// before filling the look-up table, which relies on it.
		if int(code)+c > 1<<l {
			return errBadHuffmanTable
		}
		h.valPtr[l] = int32(k) - code
		for range c {
			if l <= lutBits {
				// Every lutBits-wide index that starts with this code decodes to it.
				shift := uint(lutBits - l)
				base := int(code) << shift
				sym := h.vals[k]
				for i := range 1 << shift {
					h.fast[base+i] = uint16(l)<<8 | uint16(sym)
				}
			}
			code++
			k++
		}
		if c > 0 {
			h.maxCode[l] = code - 1
		} else {
			h.maxCode[l] = -1
		}
		code <<= 1
	}
	h.maxCode[17] = 1 << 30 // sentinel, never reached: lengths stop at 16
	if ac {
		h.buildFastAC()
	}
	h.defined = true
	return nil
}

func (h *huffTable) buildFastAC() {
	for i, e := range h.fast {
		if e == 0 {
			continue
		}
		l := uint(e >> 8)
		sym := byte(e) // #nosec G115 -- the low byte is the symbol
		run, size := uint(sym>>4), uint(sym&15)
		if size == 0 || l+size > lutBits {
			continue
		}
		bits := int32(i>>(lutBits-l-size)) & (1<<size - 1) // #nosec G115 -- i < 1<<lutBits
		v := extend(bits, size)
		h.fastAC[i] = v<<16 | int32(run)<<8 | int32(l+size)
	}
}

// extend turns the size low bits of a coefficient into its signed value (F.2.2.1).
func extend(v int32, size uint) int32 {
	if v < 1<<(size-1) {
		v += -1<<size + 1
	}
	return v
}

// slow decodes a code longer than lutBits from the top of acc. ok is false for a bit
// pattern that is no code of the table.
func (h *huffTable) slow(acc uint64) (sym byte, length uint, ok bool) {
	for l := uint(lutBits + 1); l <= 16; l++ {
		code := int32(acc >> (64 - l)) // #nosec G115 -- at most 16 bits
		if code <= h.maxCode[l] {
			i := h.valPtr[l] + code
			if i < 0 || int(i) >= h.nVals {
				return 0, 0, false
			}
			return h.vals[i], l, true
		}
	}
	return 0, 0, false
}
