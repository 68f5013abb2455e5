package jpegscale

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// bufSize is the read buffer. Large enough that the 8-byte refill fast path almost never
// has to compact it, small enough not to matter next to the image planes.
const bufSize = 16 << 10

// maxEmptyReads bounds how often a reader may return (0, nil) before we give up, so a
// misbehaving reader cannot make Decode spin forever.
const maxEmptyReads = 100

// source buffers the underlying reader and, inside entropy-coded segments, feeds a
// 64-bit accumulator with 0xFF00 unstuffed.
//
// The accumulator holds n valid bits, most significant first. When a marker or the end
// of input interrupts the entropy-coded data, fill pads with zero bits and counts them in
// pad: the last pad of the n valid bits are fake. A decoder that consumes any of them
// (n < pad) has read past the real data, which is how truncated and corrupt scans are
// detected without a check on every bit.
type source struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte in buf
	end  int   // end of valid bytes in buf
	rerr error // sticky error from r, io.EOF included

	acc    uint64
	n      uint
	pad    uint
	marker byte // marker met in entropy-coded data and not yet handled; 0 if none
}

func newSource(r io.Reader) *source {
	return &source{r: r, buf: make([]byte, bufSize)}
}

// more compacts the buffer and reads once more from r. It returns false if no byte
// could be added because r is exhausted or failed.
func (s *source) more() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	for range maxEmptyReads {
		k, err := s.r.Read(s.buf[s.end:])
		if k < 0 || k > len(s.buf)-s.end {
			s.rerr = errors.New("reader returned an invalid count")
			return false
		}
		s.end += k
		if err != nil {
			s.rerr = err
			return k > 0
		}
		if k > 0 {
			return true
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// readErr is the error to report when input ran out: io.ErrUnexpectedEOF for a plain
// end of file, the reader's own error otherwise.
func (s *source) readErr() error {
	if s.rerr == nil || errors.Is(s.rerr, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return s.rerr
}

func (s *source) readByte() (byte, error) {
	if s.pos == s.end && !s.more() {
		if errors.Is(s.rerr, io.EOF) {
			return 0, io.EOF
		}
		return 0, s.readErr()
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

func (s *source) readFull(p []byte) error {
	for len(p) > 0 {
		if s.pos == s.end && !s.more() {
			return s.readErr()
		}
		k := copy(p, s.buf[s.pos:s.end])
		s.pos += k
		p = p[k:]
	}
	return nil
}

func (s *source) skip(n int) error {
	for n > 0 {
		if s.pos == s.end && !s.more() {
			return s.readErr()
		}
		k := min(n, s.end-s.pos)
		s.pos += k
		n -= k
	}
	return nil
}

// hasFF reports whether any byte of x is 0xFF (the classic "has zero byte" test on ^x,
// which is exact for the yes/no answer).
func hasFF(x uint64) bool {
	v := ^x
	return (v-0x0101010101010101)&^v&0x8080808080808080 != 0
}

// fill tops the accumulator up to more than 56 bits, so that a caller holding fewer than
// 32 bits can then decode any Huffman code (≤ 16 bits) plus its extra bits (≤ 15).
func (s *source) fill() {
	for s.n <= 56 {
		if s.marker != 0 {
			s.padBytes()
			return
		}
		if s.end-s.pos < 8 {
			s.more()
		}
		if s.end-s.pos >= 8 {
			// Fast path: eight bytes with no 0xFF need no unstuffing.
			x := binary.BigEndian.Uint64(s.buf[s.pos:])
			if !hasFF(x) {
				nb := (64 - s.n) >> 3
				sh := 64 - 8*nb
				s.acc |= x >> sh << sh >> s.n
				s.n += 8 * nb
				s.pos += int(nb)
				continue
			}
		}
		if s.pos == s.end {
			s.padBytes()
			return
		}
		b := s.buf[s.pos]
		s.pos++
		if b == 0xFF {
			m, ok := s.afterFF()
			if !ok {
				s.padBytes()
				return
			}
			if m != 0 {
				s.marker = m
				s.padBytes()
				return
			}
		}
		s.acc |= uint64(b) << (56 - s.n)
		s.n += 8
	}
}

// afterFF reads what follows a 0xFF in entropy-coded data: 0 for a stuffed 0xFF data
// byte, otherwise the marker code (fill bytes 0xFF skipped). ok is false at end of input.
func (s *source) afterFF() (m byte, ok bool) {
	for {
		if s.pos == s.end && !s.more() {
			return 0, false
		}
		b := s.buf[s.pos]
		s.pos++
		if b != 0xFF {
			return b, true
		}
	}
}

// padBytes fills the accumulator with zero bits that are counted as fake.
func (s *source) padBytes() {
	k := (64 - s.n) &^ 7
	s.n += k
	s.pad += k
}

// short reports whether decoding consumed bits that were not in the input.
func (s *source) short() bool { return s.n < s.pad }

// resetBits drops whatever is left in the accumulator, as at a restart marker or the end
// of a scan: those bits are byte-alignment padding.
func (s *source) resetBits() {
	s.acc, s.n, s.pad = 0, 0, 0
}

// nextMarker returns the next marker: the one that ended the last entropy-coded segment
// if fill met it, otherwise the next 0xFF xx with xx not 0 (stuffing) or 0xFF (fill),
// skipping whatever data bytes come first. At a clean end of input the error is io.EOF.
func (s *source) nextMarker() (byte, error) {
	if m := s.marker; m != 0 {
		s.marker = 0
		return m, nil
	}
	for {
		b, err := s.readByte()
		if err != nil {
			return 0, err
		}
		if b != 0xFF {
			continue
		}
		m, ok := s.afterFF()
		if !ok {
			return 0, fmt.Errorf("looking for a marker: %w", s.eofErr())
		}
		if m != 0 {
			return m, nil
		}
	}
}

// eofErr is io.EOF at a clean end of input (so callers can tell it apart), or the
// reader's error.
func (s *source) eofErr() error {
	if s.rerr == nil || errors.Is(s.rerr, io.EOF) {
		return io.EOF
	}
	return s.rerr
}
