package jpegscale

// Inverse DCTs, one per output scale. Each reads a dequantized block laid out as the
// top-left (8/scale)×(8/scale) coefficients in natural (row-major) order, and writes
// level-shifted, clamped samples to dst with the given stride.
//
// The 8×8 transform is the Loeffler–Ligtenberg–Moschytz factorisation used by libjpeg's
// "islow" IDCT (13-bit fixed-point constants, two extra bits kept between the passes).
// The reduced transforms treat the low-frequency corner of the 8-point DCT as an N-point
// DCT of the downsampled signal: an orthonormal 8-point coefficient is √(8/N) times the
// matching N-point one, so the N-point IDCT of the corner, divided by 8/N per dimension,
// yields the block shrunk by 8/N. For N = 1 that is exactly the block mean (DC/8).

const (
	constBits = 13
	pass1Bits = 2

	fix0298631336 = 2446  // 0.298631336 · 2^13
	fix0390180644 = 3196  // 0.390180644 · 2^13
	fix0541196100 = 4433  // 0.541196100 · 2^13
	fix0765366865 = 6270  // 0.765366865 · 2^13
	fix0899976223 = 7373  // 0.899976223 · 2^13
	fix1175875602 = 9633  // 1.175875602 · 2^13
	fix1501321110 = 12299 // 1.501321110 · 2^13
	fix1847759065 = 15137 // 1.847759065 · 2^13
	fix1961570560 = 16069 // 1.961570560 · 2^13
	fix2053119869 = 16819 // 2.053119869 · 2^13
	fix2562915447 = 20995 // 2.562915447 · 2^13
	fix3072711026 = 25172 // 3.072711026 · 2^13
)

// clamp saturates v to a sample. The comparison is on the unsigned value so the common
// in-range case costs one well-predicted branch.
func clamp(v int32) byte {
	if uint32(v) > 255 { // #nosec G115 -- negative values wrap above 255 on purpose
		return byte(^(v >> 31)) // #nosec G115 -- 0 for negative v, 255 for large v
	}
	return byte(v) // #nosec G115 -- 0 ≤ v ≤ 255 here
}

// idct8 is the full 8×8 inverse DCT (scale 1).
func idct8(in *block, dst []byte, stride int) {
	var ws [64]int32
	// Pass 1: columns, results scaled up by 2^pass1Bits.
	for c := range 8 {
		s0, s1, s2, s3 := in[c], in[8+c], in[16+c], in[24+c]
		s4, s5, s6, s7 := in[32+c], in[40+c], in[48+c], in[56+c]
		if s1|s2|s3|s4|s5|s6|s7 == 0 {
			// Columns with only a DC term are common: every output is the same.
			dc := s0 << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		// Even part.
		z1 := (s2 + s6) * fix0541196100
		t2 := z1 - s6*fix1847759065
		t3 := z1 + s2*fix0765366865
		t0 := (s0 + s4) << constBits
		t1 := (s0 - s4) << constBits
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2
		// Odd part.
		o0, o1, o2, o3 := odd8(s7, s5, s3, s1)
		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		ws[c] = (t10 + o3 + rnd) >> sh
		ws[56+c] = (t10 - o3 + rnd) >> sh
		ws[8+c] = (t11 + o2 + rnd) >> sh
		ws[48+c] = (t11 - o2 + rnd) >> sh
		ws[16+c] = (t12 + o1 + rnd) >> sh
		ws[40+c] = (t12 - o1 + rnd) >> sh
		ws[24+c] = (t13 + o0 + rnd) >> sh
		ws[32+c] = (t13 - o0 + rnd) >> sh
	}
	// Pass 2: rows, removing the 2^pass1Bits and the DCT's factor 8, adding the level
	// shift of 128 (folded into the even part so it costs nothing per sample).
	const sh = constBits + pass1Bits + 3
	const bias = 128<<sh + 1<<(sh-1)
	for r := range 8 {
		row := ws[r*8 : r*8+8 : r*8+8]
		out := dst[r*stride : r*stride+8 : r*stride+8]
		s0, s1, s2, s3 := row[0], row[1], row[2], row[3]
		s4, s5, s6, s7 := row[4], row[5], row[6], row[7]
		if s1|s2|s3|s4|s5|s6|s7 == 0 {
			v := clamp((s0 + (128<<(pass1Bits+3) + 1<<(pass1Bits+2))) >> (pass1Bits + 3))
			out[0], out[1], out[2], out[3] = v, v, v, v
			out[4], out[5], out[6], out[7] = v, v, v, v
			continue
		}
		z1 := (s2 + s6) * fix0541196100
		t2 := z1 - s6*fix1847759065
		t3 := z1 + s2*fix0765366865
		t0 := (s0+s4)<<constBits + bias
		t1 := (s0-s4)<<constBits + bias
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2
		o0, o1, o2, o3 := odd8(s7, s5, s3, s1)
		out[0] = clamp((t10 + o3) >> sh)
		out[7] = clamp((t10 - o3) >> sh)
		out[1] = clamp((t11 + o2) >> sh)
		out[6] = clamp((t11 - o2) >> sh)
		out[2] = clamp((t12 + o1) >> sh)
		out[5] = clamp((t12 - o1) >> sh)
		out[3] = clamp((t13 + o0) >> sh)
		out[4] = clamp((t13 - o0) >> sh)
	}
}

// odd8 is the odd half of the 8-point LLM IDCT, taking the coefficients 7, 5, 3, 1.
func odd8(t0, t1, t2, t3 int32) (o0, o1, o2, o3 int32) {
	z1 := t0 + t3
	z2 := t1 + t2
	z3 := t0 + t2
	z4 := t1 + t3
	z5 := (z3 + z4) * fix1175875602
	t0 *= fix0298631336
	t1 *= fix2053119869
	t2 *= fix3072711026
	t3 *= fix1501321110
	z1 *= -fix0899976223
	z2 *= -fix2562915447
	z3 = z3*-fix1961570560 + z5
	z4 = z4*-fix0390180644 + z5
	return t0 + z1 + z3, t1 + z2 + z4, t2 + z2 + z3, t3 + z1 + z4
}

// idct4 makes a 4×4 block (scale 2) from the 4×4 lowest frequencies. The 4-point
// transform is written like libjpeg's: the even part is left √2 too large and the
// rotation constants carry the same √2, so each pass is 3 multiplications and the total
// surplus, (√2)² per pass pair times the 8/4 per dimension, is a shift by 3.
func idct4(in *block, dst []byte, stride int) {
	var ws [16]int32
	const sh1 = constBits - pass1Bits
	const rnd1 = 1 << (sh1 - 1)
	for c := range 4 {
		s0, s1, s2, s3 := in[c], in[4+c], in[8+c], in[12+c]
		if s1|s2|s3 == 0 {
			dc := s0 << pass1Bits
			ws[c], ws[4+c], ws[8+c], ws[12+c] = dc, dc, dc, dc
			continue
		}
		e0 := (s0+s2)<<constBits + rnd1
		e1 := (s0-s2)<<constBits + rnd1
		z1 := (s1 + s3) * fix0541196100
		o0 := z1 + s1*fix0765366865
		o1 := z1 - s3*fix1847759065
		ws[c] = (e0 + o0) >> sh1
		ws[12+c] = (e0 - o0) >> sh1
		ws[4+c] = (e1 + o1) >> sh1
		ws[8+c] = (e1 - o1) >> sh1
	}
	const sh = constBits + pass1Bits + 3
	const bias = 128<<sh + 1<<(sh-1)
	for r := range 4 {
		s0, s1, s2, s3 := ws[r*4], ws[r*4+1], ws[r*4+2], ws[r*4+3]
		out := dst[r*stride : r*stride+4 : r*stride+4]
		e0 := (s0+s2)<<constBits + bias
		e1 := (s0-s2)<<constBits + bias
		z1 := (s1 + s3) * fix0541196100
		o0 := z1 + s1*fix0765366865
		o1 := z1 - s3*fix1847759065
		out[0] = clamp((e0 + o0) >> sh)
		out[3] = clamp((e0 - o0) >> sh)
		out[1] = clamp((e1 + o1) >> sh)
		out[2] = clamp((e1 - o1) >> sh)
	}
}

// idct2 makes a 2×2 block (scale 4) from the 2×2 lowest frequencies: the 2-point IDCT
// is a sum and a difference, and with the 8/2 per dimension the whole is a division by 8.
func idct2(in *block, dst []byte, stride int) {
	const bias = 128<<3 + 1<<2
	a, b := in[0]+in[2]+bias, in[0]-in[2]+bias // columns: rows 0 and 1 without the u=1 term
	out0 := dst[0:2:2]
	out1 := dst[stride : stride+2 : stride+2]
	out0[0] = clamp((a + in[1] + in[3]) >> 3)
	out0[1] = clamp((a - in[1] - in[3]) >> 3)
	out1[0] = clamp((b + in[1] - in[3]) >> 3)
	out1[1] = clamp((b - in[1] + in[3]) >> 3)
}

// idct1 makes one sample (scale 8): the mean of the block, DC/8.
func idct1(in *block, dst []byte, _ int) {
	dst[0] = clamp((in[0] + 128<<3 + 1<<2) >> 3)
}

// idctRect is the separable IDCT for blocks whose output is nh wide and nv tall with
// nh ≠ nv. It serves chroma of 4:2:2-like files at reduced scales, where the block is
// decoded at a larger size horizontally than vertically so the chroma plane keeps the
// output's resolution (see component.nh). Rarer than the square kernels, so it is
// written generically.
func idctRect(in *block, nh, nv int, dst []byte, stride int) {
	var ws [64]int32
	var col, out [8]int32
	const sh1 = constBits - pass1Bits
	for c := range nh {
		for r := range nv {
			col[r] = in[r*nh+c]
		}
		idct1D(col[:nv], out[:nv])
		for r := range nv {
			ws[r*nh+c] = (out[r] + 1<<(sh1-1)) >> sh1
		}
	}
	const sh = constBits + pass1Bits + 3
	const bias = 128<<sh + 1<<(sh-1)
	for r := range nv {
		idct1D(ws[r*nh:r*nh+nh], out[:nh])
		row := dst[r*stride : r*stride+nh]
		for c := range row {
			row[c] = clamp((out[c] + bias) >> sh)
		}
	}
}

// idct1D is a 1-, 2-, 4- or 8-point IDCT with outputs scaled by 2^constBits. Every size
// has the same gain, 2√2 over the orthonormal transform, so two passes of any sizes
// need the same final shift.
func idct1D(in, out []int32) {
	switch len(in) {
	case 1:
		out[0] = in[0] << constBits
	case 2:
		out[0] = (in[0] + in[1]) << constBits
		out[1] = (in[0] - in[1]) << constBits
	case 4:
		e0 := (in[0] + in[2]) << constBits
		e1 := (in[0] - in[2]) << constBits
		z1 := (in[1] + in[3]) * fix0541196100
		o0 := z1 + in[1]*fix0765366865
		o1 := z1 - in[3]*fix1847759065
		out[0], out[3] = e0+o0, e0-o0
		out[1], out[2] = e1+o1, e1-o1
	case 8:
		z1 := (in[2] + in[6]) * fix0541196100
		t2 := z1 - in[6]*fix1847759065
		t3 := z1 + in[2]*fix0765366865
		t0 := (in[0] + in[4]) << constBits
		t1 := (in[0] - in[4]) << constBits
		t10, t13 := t0+t3, t0-t3
		t11, t12 := t1+t2, t1-t2
		o0, o1, o2, o3 := odd8(in[7], in[5], in[3], in[1])
		out[0], out[7] = t10+o3, t10-o3
		out[1], out[6] = t11+o2, t11-o2
		out[2], out[5] = t12+o1, t12-o1
		out[3], out[4] = t13+o0, t13-o0
	}
}
