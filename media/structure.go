package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// The structural checks below walk a file's container — JPEG marker segments, PNG chunks, RIFF
// chunks — from start to end in constant memory, without decoding pixels. They catch what a
// header alone cannot: an upload cut short, or a header glued to garbage.

// walkBuffer is the read buffer of the structural walks: big enough that scanning a 20 MB JPEG
// costs a few hundred reads, small enough not to matter next to an upload.
const walkBuffer = 32 << 10

// checkJPEG walks the marker segments up to each start-of-scan, skips the entropy-coded data
// after it (stuffed FF 00 bytes and restart markers belong to the data), and requires the
// end-of-image marker after the last scan. Bytes after EOI are allowed: cameras append data
// there, and the derivatives are re-encoded anyway.
func checkJPEG(r io.ReaderAt, size int64) error {
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), walkBuffer)
	truncated := fmt.Errorf("%w: the JPEG is truncated (it has no end-of-image marker)", ErrCorrupt)
	if _, err := br.Discard(2); err != nil { // SOI, already sniffed
		return truncated
	}
	var frame, scan bool
	var marker byte // a marker found at the end of entropy-coded data, handled next
	for {
		if marker == 0 {
			b, err := br.ReadByte()
			if err != nil {
				return truncated
			}
			if b != 0xff {
				return fmt.Errorf("%w: the JPEG has stray bytes where a marker should be", ErrCorrupt)
			}
			if marker, err = readMarker(br); err != nil {
				return truncated
			}
		}
		m := marker
		marker = 0
		switch {
		case m == 0xd9: // EOI
			if !scan {
				return fmt.Errorf("%w: the JPEG ends before any image data", ErrCorrupt)
			}
			return nil
		case m == 0x01 || m >= 0xd0 && m <= 0xd7: // TEM and RSTn stand alone
			continue
		case m == 0x00 || m == 0xd8:
			return fmt.Errorf("%w: the JPEG has a misplaced marker FF%02X", ErrCorrupt, m)
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return truncated
		}
		n := int(binary.BigEndian.Uint16(lb[:]))
		if n < 2 {
			return fmt.Errorf("%w: the JPEG has a segment of invalid length", ErrCorrupt)
		}
		if _, err := br.Discard(n - 2); err != nil {
			return truncated
		}
		switch {
		case isSOF(m):
			frame = true
		case m == 0xda: // SOS
			if !frame {
				return fmt.Errorf("%w: the JPEG has image data before its frame header", ErrCorrupt)
			}
			scan = true
			var err error
			if marker, err = skipEntropyData(br); err != nil {
				return truncated
			}
		}
	}
}

// readMarker reads the marker code after an FF byte, skipping fill bytes (repeated FFs).
func readMarker(br *bufio.Reader) (byte, error) {
	for {
		m, err := br.ReadByte()
		if err != nil || m != 0xff {
			return m, err
		}
	}
}

// skipEntropyData reads through entropy-coded data and returns the first real marker after it.
func skipEntropyData(br *bufio.Reader) (byte, error) {
	for {
		// ReadSlice finds the next FF with bytes.IndexByte over the buffer: the scan runs at
		// memory speed rather than a byte at a time.
		if _, err := br.ReadSlice(0xff); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			return 0, err
		}
		m, err := readMarker(br)
		if err != nil {
			return 0, err
		}
		if m == 0x00 || m >= 0xd0 && m <= 0xd7 { // a stuffed FF data byte, or RSTn
			continue
		}
		return m, nil
	}
}

// isSOF reports whether m starts a frame (SOF0–SOF15, except DHT, JPG and DAC, which share
// the range).
func isSOF(m byte) bool {
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc
}

// checkPNG walks the chunks by their lengths, checks each CRC, and requires IHDR first, at
// least one IDAT, and IEND. Data after IEND is allowed, as after a JPEG's EOI.
func checkPNG(r io.ReaderAt, size int64) error {
	truncated := fmt.Errorf("%w: the PNG is truncated (it has no IEND chunk)", ErrCorrupt)
	buf := make([]byte, walkBuffer)
	off := int64(8) // the signature, already sniffed
	var data bool
	for first := true; ; first = false {
		if off+12 > size {
			return truncated
		}
		var hdr [8]byte
		if err := readFullAt(r, hdr[:], off); err != nil {
			return truncated
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := hdr[4:8]
		if n > 1<<31-1 || !isChunkType(typ) {
			return fmt.Errorf("%w: the PNG has a damaged chunk at byte %d", ErrCorrupt, off)
		}
		// Lengths are capped by the file size before anything is read, so a huge declared
		// length costs nothing.
		if off+12+n > size {
			return truncated
		}
		crc := crc32.NewIEEE()
		crc.Write(typ)
		if copied, err := io.CopyBuffer(crc, io.NewSectionReader(r, off+8, n), buf); err != nil || copied != n {
			return truncated
		}
		var want [4]byte
		if err := readFullAt(r, want[:], off+8+n); err != nil {
			return truncated
		}
		if crc.Sum32() != binary.BigEndian.Uint32(want[:]) {
			return fmt.Errorf("%w: the PNG's %s chunk fails its checksum", ErrCorrupt, typ)
		}
		switch string(typ) {
		case "IHDR":
			if !first {
				return fmt.Errorf("%w: the PNG has a second IHDR chunk", ErrCorrupt)
			}
		case "IDAT":
			data = true
		case "IEND":
			if !data {
				return fmt.Errorf("%w: the PNG has no image data", ErrCorrupt)
			}
			return nil
		}
		if first && string(typ) != "IHDR" {
			return fmt.Errorf("%w: the PNG does not start with IHDR", ErrCorrupt)
		}
		off += 12 + n
	}
}

func isChunkType(b []byte) bool {
	for _, c := range b {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// checkWebP checks that the RIFF container fits the file and walks its chunks: each must fit
// the container, and one must hold the image (VP8 or VP8L). Animated WebP is refused as
// unsupported, since the decoder reads still images only.
func checkWebP(r io.ReaderAt, size int64) error {
	var h [12]byte
	if err := readFullAt(r, h[:], 0); err != nil {
		return fmt.Errorf("%w: the WebP ends inside its header", ErrCorrupt)
	}
	end := 8 + int64(binary.LittleEndian.Uint32(h[4:8]))
	if end < 12 {
		return fmt.Errorf("%w: the WebP declares an impossible size", ErrCorrupt)
	}
	if end > size {
		return fmt.Errorf("%w: the WebP is truncated (%d of its %d bytes are present)", ErrCorrupt, size, end)
	}
	var image bool
	for off := int64(12); off < end; {
		var ch [8]byte
		if off+8 > end {
			return fmt.Errorf("%w: the WebP has a cut chunk header at byte %d", ErrCorrupt, off)
		}
		if err := readFullAt(r, ch[:], off); err != nil {
			return fmt.Errorf("%w: the WebP is truncated", ErrCorrupt)
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		if off+8+n > end {
			return fmt.Errorf("%w: the WebP's %q chunk runs past the end of the file", ErrCorrupt, ch[:4])
		}
		switch string(ch[:4]) {
		case "VP8 ", "VP8L":
			image = true
		case "ANIM", "ANMF":
			return fmt.Errorf("%w: animated WebP images are not accepted", ErrUnsupported)
		}
		off += 8 + n + n&1 // chunks are padded to an even length
	}
	if !image {
		return fmt.Errorf("%w: the WebP has no image data", ErrCorrupt)
	}
	return nil
}

// readFullAt reads len(p) bytes at off. Unlike a bare ReadAt, it accepts io.EOF alongside a
// full read, which ReaderAt implementations may return at the very end of the data.
func readFullAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}
