package metadata

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image/png"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// rawProfileText encodes data the way ImageMagick writes "Raw profile type" text chunks.
func rawProfileText(name string, data []byte) []byte {
	h := hex.EncodeToString(data)
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%s\n%8d\n", name, len(data))
	for len(h) > 72 {
		sb.WriteString(h[:72] + "\n")
		h = h[72:]
	}
	sb.WriteString(h + "\n")
	return []byte(sb.String())
}

func TestPNG(t *testing.T) {
	packet := xmpPacket(fullXMPBody)
	tests := []struct {
		name   string
		chunks [][]byte
	}{
		{"eXIf and uncompressed iTXt", [][]byte{pngChunk("eXIf", cameraTIFF(binary.BigEndian)), iTXtXMP(t, packet, false)}},
		{"eXIf and compressed iTXt", [][]byte{pngChunk("eXIf", cameraTIFF(binary.LittleEndian)), iTXtXMP(t, packet, true)}},
		{"raw profiles (zTXt exif, tEXt xmp)", [][]byte{
			pngChunk("zTXt", append([]byte("Raw profile type exif\x00\x00"), zlibBytes(t, rawProfileText("exif", append([]byte("Exif\x00\x00"), cameraTIFF(binary.BigEndian)...)))...)),
			pngChunk("tEXt", append([]byte("Raw profile type xmp\x00"), rawProfileText("xmp", []byte(packet))...)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := pngWith(t, tt.chunks...)
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Fatalf("fixture is not a valid PNG: %v", err)
			}
			md := mustRead(t, data)
			if md.CameraModel != "Canon EOS 5D Mark IV" || md.ExposureTime != "1/250" || md.GPS == nil || md.Orientation != 6 {
				t.Errorf("EXIF not read: %+v", md)
			}
			if md.Title != "XMP Sunset" || md.Location != "Bondi Beach, Sydney, NSW, Australia" ||
				!reflect.DeepEqual(md.Keywords, []string{"sunset", "Beach", "Café"}) {
				t.Errorf("XMP not read: %+v", md)
			}
		})
	}
}

// TestPNGRawIPTC reads IPTC from ImageMagick profiles, as raw IIM and as Photoshop resources.
func TestPNGRawIPTC(t *testing.T) {
	records := append(iimUTF8(), iim(2, iimObjectName, "Raw IPTC")...)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"iim", records},
		{"8bim", photoshopBlock(photoshopIPTC, records)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			chunk := pngChunk("zTXt", append([]byte("Raw profile type iptc\x00\x00"), zlibBytes(t, rawProfileText("iptc", tt.data))...))
			if md := mustRead(t, pngWith(t, chunk)); md.Title != "Raw IPTC" {
				t.Errorf("Title = %q", md.Title)
			}
		})
	}
}

// TestPNGDecompressionBomb: a compressed XMP chunk that inflates far beyond the cap is cut at
// it, and only the first one is inflated however many there are.
func TestPNGDecompressionBomb(t *testing.T) {
	huge := xmpPacket(` dc:title="Bomb"/>`) + strings.Repeat(" ", 4<<20)
	chunk := iTXtXMP(t, huge, true)
	chunks := make([][]byte, 100)
	for i := range chunks {
		chunks[i] = chunk
	}
	data := pngWith(t, chunks...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	md := mustRead(t, data)
	runtime.ReadMemStats(&after)
	if md.Title != "Bomb" {
		t.Errorf("Title = %q", md.Title)
	}
	// Inflating every chunk would allocate over 100 MB; one capped inflation a few MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Errorf("Read allocated %d MB for a %d KB file", alloc>>20, len(data)>>10)
	}
	if got := inflate(chunk[8+len(pngXMPKeyword)+5:], maxProfile); len(got) != maxProfile {
		t.Errorf("inflate returned %d bytes, want the %d cap", len(got), maxProfile)
	}
}

func TestWebP(t *testing.T) {
	packet := []byte(xmpPacket(fullXMPBody))
	for _, prefix := range []string{"", "Exif\x00\x00"} {
		t.Run(fmt.Sprintf("prefix %q", prefix), func(t *testing.T) {
			data := webpWith(
				riffChunk("ICCP", []byte("odd")), // an odd-length chunk before, to test padding
				riffChunk("EXIF", append([]byte(prefix), cameraTIFF(binary.LittleEndian)...)),
				riffChunk("XMP ", packet),
			)
			md := mustRead(t, data)
			if md.CameraMake != "Canon" || md.ISO != 400 || md.GPS == nil || md.Title != "XMP Sunset" || md.Creator != "Ann Author, Bob Builder" {
				t.Errorf("got %+v", md)
			}
		})
	}
	// Without metadata chunks a WebP is still a WebP.
	if md := mustRead(t, webpWith()); !reflect.DeepEqual(md, Metadata{}) {
		t.Errorf("empty WebP: %+v", md)
	}
	// Data after the RIFF container is not read.
	data := webpWith()
	data = append(data, riffChunk("XMP ", packet)...)
	if md := mustRead(t, data); md.Title != "" {
		t.Errorf("read past the RIFF size: %+v", md)
	}
}
