package xmp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fuzzPacket is small, so that the fuzzer spends its time on the image bytes.
var fuzzPacket = []byte("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>" +
	`<x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>`)

// insertedAt returns the smallest offset k with out == in[:k] + block + in[k:], or -1 when
// out is not in with block inserted somewhere.
func insertedAt(in, out, block []byte) int {
	if len(out) != len(in)+len(block) {
		return -1
	}
	prefix := 0 // bytes in and out share at the start
	for prefix < len(in) && in[prefix] == out[prefix] {
		prefix++
	}
	suffix := 0 // and at the end
	for suffix < len(in) && in[len(in)-1-suffix] == out[len(out)-1-suffix] {
		suffix++
	}
	for k := len(in) - suffix; k <= prefix; k++ {
		if bytes.Equal(out[k:k+len(block)], block) {
			return k
		}
	}
	return -1
}

// FuzzEmbed: Embed never panics; it fails only with ErrMalformed and then writes nothing;
// when it succeeds, the output is the input with exactly our block inserted, and Extract
// finds our packet first.
func FuzzEmbed(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, isPNG bool) {
		format, block := "jpeg", xmpSegment(fuzzPacket)
		if isPNG {
			format, block = "png", xmpChunk(fuzzPacket)
		}
		var out bytes.Buffer
		err := Embed(&out, bytes.NewReader(data), format, fuzzPacket)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Embed: %v, want only ErrMalformed from the image bytes", err)
			}
			if out.Len() != 0 {
				t.Fatalf("Embed failed after writing %d bytes", out.Len())
			}
			return
		}
		k := insertedAt(data, out.Bytes(), block)
		if k < 0 {
			t.Fatalf("output (%d bytes) is not the input (%d bytes) with our block inserted", out.Len(), len(data))
		}
		if k < 2 {
			t.Fatalf("block inserted at %d, before the end of the SOI or signature", k)
		}
		got, err := Extract(bytes.NewReader(out.Bytes()), format)
		if err != nil || !bytes.Equal(got, fuzzPacket) {
			t.Fatalf("Extract(output) = %q, %v; want our packet", got, err)
		}
		// Extract must not panic on the input either, whatever it is.
		_, _ = Extract(bytes.NewReader(data), format)
	})
}

// representable reports whether s reads back unchanged after xml.EscapeText, worked out
// through encoding/xml rather than the package's own check.
func representable(s string) bool {
	var b bytes.Buffer
	b.WriteString("<v>")
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return false
	}
	b.WriteString("</v>")
	var got string
	return xml.Unmarshal(b.Bytes(), &got) == nil && got == s
}

var simpleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// FuzzPacket: whatever the text, Packet either refuses it or returns well-formed XML that
// reads back as exactly the given values; it refuses nothing that XML can carry unchanged
// under a plain ASCII name.
func FuzzPacket(f *testing.F) {
	f.Add("Harbour <at> dawn", "Licensed to Zoë & co", "LicenseCode", "SNAP-1")
	f.Add("", "\x00", "1st", "]]>")
	f.Add("\r\n\t", "\uFFFE", "名前", "\"'")
	f.Add("0", "0", "\u03a2", "0") // a fifth-edition name encoding/xml refuses
	f.Fuzz(func(t *testing.T, title, rights, name, value string) {
		fields := Fields{
			Title: title, Rights: rights, Creator: value, UsageTerms: title, WebStatement: rights,
			Marked: true, Snapshop: []Property{{name, value}, {"Fixed", title}},
		}
		p, err := Packet(fields)
		if err == nil {
			checkProps(t, readProps(t, p), wantProps(fields))
			return
		}
		size := 3*len(title) + 2*len(rights) + 2*len(value)
		if errors.Is(err, ErrTooLarge) {
			if 5*size+2000 < MaxPacketSize { // escaping makes at most 5 bytes of 1
				t.Fatalf("ErrTooLarge for %d bytes of text", size)
			}
			return
		}
		if representable(title) && representable(rights) && representable(value) &&
			simpleName.MatchString(name) && name != "Fixed" {
			t.Fatalf("Packet refused representable text: %v", err)
		}
	})
}

// seedFiles are small inputs for FuzzEmbed, JPEG and PNG, with and without the segments
// Embed treats specially.
func seedFiles(t testing.TB) map[string]struct {
	data  []byte
	isPNG bool
} {
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 4)
	}
	jpg, pngFile := encodeJPEG(t, gray), encodePNG(t, gray)
	type seed = struct {
		data  []byte
		isPNG bool
	}
	return map[string]seed{
		"jpeg":                   {jpg, false},
		"jpeg-jfif-jfxx-exif":    {spliceJPEG(jpg, jfifSegment(), jfxxSegment(), exifSegment()), false},
		"jpeg-exif-xmp-fill":     {concat(soi, []byte{0xFF}, exifSegment(), xmpSegment(fuzzPacket), []byte{0xFF}, jpg[2:]), false},
		"jpeg-truncated":         {concat(soi, jfifSegment()[:9]), false},
		"png":                    {pngFile, true},
		"png-xmp":                {splicePNG(pngFile, xmpChunk(fuzzPacket)), true},
		"png-compressed-xmp":     {splicePNG(pngFile, compressedXMPChunk(t, fuzzPacket)), true},
		"png-truncated-ihdr-crc": {pngFile[:pngIHDREnd-2], true},
	}
}

// TestFuzzSeeds regenerates testdata/fuzz/FuzzEmbed when SNAPSHOP_WRITE_FUZZ_SEEDS=1.
// Otherwise it checks the committed seeds: all there, small, and still what their names say
// (accepted by Embed, or malformed for the truncated ones), so the fuzzer keeps starting
// from both sides.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzEmbed")
	seeds := seedFiles(t)
	if os.Getenv("SNAPSHOP_WRITE_FUZZ_SEEDS") == "1" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		for name, s := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbool(%v)\n", s.data, s.isPNG)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(body) > 2<<10 {
			t.Errorf("%s: %d bytes, keep seeds under 2 KiB", e.Name(), len(body))
		}
		data, isPNG, err := parseSeed(string(body))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		format := map[bool]string{false: "jpeg", true: "png"}[isPNG]
		var out bytes.Buffer
		err = Embed(&out, bytes.NewReader(data), format, fuzzPacket)
		if malformed := strings.Contains(e.Name(), "truncated"); malformed != errors.Is(err, ErrMalformed) || !malformed && err != nil {
			t.Errorf("%s: Embed as %s: %v", e.Name(), format, err)
		}
	}
	var want []string
	for name := range seeds {
		want = append(want, "seed-"+name)
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("seed files %v, want %v (regenerate with SNAPSHOP_WRITE_FUZZ_SEEDS=1)", names, want)
	}
}

// parseSeed reads a corpus file of FuzzEmbed's two arguments.
func parseSeed(body string) ([]byte, bool, error) {
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		return nil, false, errors.New("not a go test fuzz v1 file of two values")
	}
	quoted, ok := strings.CutPrefix(lines[1], "[]byte(")
	quoted, ok2 := strings.CutSuffix(quoted, ")")
	if !ok || !ok2 {
		return nil, false, fmt.Errorf("first value %.40q… is not a []byte", lines[1])
	}
	data, err := strconv.Unquote(quoted)
	if err != nil {
		return nil, false, fmt.Errorf("first value: %w", err)
	}
	switch lines[2] {
	case "bool(false)":
		return []byte(data), false, nil
	case "bool(true)":
		return []byte(data), true, nil
	}
	return nil, false, fmt.Errorf("second value %q is not a bool", lines[2])
}
