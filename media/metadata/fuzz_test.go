package metadata

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles are small well-formed files of every kind for the fuzzer to start from.
func seedFiles(t testing.TB) map[string][]byte {
	seeds := fixtures(t)
	const guid = "0123456789ABCDEF0123456789ABCDEF"
	ext := []byte(xmpPacket(` dc:description="ext"/>`))
	extSeg := append([]byte(jpegExtendedXMPHeader+guid), 0, 0, 0, byte(len(ext)), 0, 0, 0, 0)
	seeds["jpeg-extended-xmp"] = jpegWith(t, xmpSegment(xmpPacket(` xmpNote:HasExtendedXMP="`+guid+`"/>`)), segment(0xE1, append(extSeg, ext...)))
	seeds["jpeg-iptc-latin1"] = jpegWith(t, iptcSegment(append(iim(2, iimObjectName, "Caf\xe9"), iim(2, iimCity, "Z\xfcrich")...)))
	seeds["png-raw-profiles"] = pngWith(t,
		pngChunk("zTXt", append([]byte("Raw profile type exif\x00\x00"), zlibBytes(t, rawProfileText("exif", append([]byte("Exif\x00\x00"), cameraTIFF(binary.LittleEndian)...)))...)),
		pngChunk("tEXt", append([]byte("Raw profile type iptc\x00"), rawProfileText("iptc", photoshopBlock(photoshopIPTC, iim(2, iimKeywords, "k")))...)))
	seeds["png-itxt-plain"] = pngWith(t, iTXtXMP(t, xmpPacket(` exif:GPSLatitude="10,30.5N" exif:GPSLongitude="20,15,30W"/>`), false))
	return seeds
}

// FuzzRead: Read never panics, errs exactly for data without a supported signature, and
// everything it returns satisfies the documented caps.
func FuzzRead(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := Read(data)
		if supported := isJPEG(data) || isPNG(data) || isWebP(data); (err == nil) != supported {
			t.Fatalf("supported=%v, err=%v", supported, err)
		}
		checkInvariants(t, md)
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzRead from the builders when
// SNAPSHOP_WRITE_FUZZ_SEEDS=1; otherwise it checks the committed seeds stay small.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if os.Getenv("SNAPSHOP_WRITE_FUZZ_SEEDS") == "1" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		for name, data := range seedFiles(t) {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err != nil || info.Size() > 10<<10 {
			t.Errorf("seed %s too large or unreadable (%v)", e.Name(), err)
		}
	}
}
