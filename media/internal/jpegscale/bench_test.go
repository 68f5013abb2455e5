package jpegscale

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"sync"
	"testing"
)

// photo24MP is a 6000×4000 photo-like JPEG at quality 90 (image/jpeg, so 4:2:0), made
// once per test binary because generating and encoding it takes a couple of seconds.
var photo24MP = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo(6000, 4000, 24), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkDecode24MP compares image/jpeg's full decode with Decode at every scale.
// MP/s counts source megapixels, so the figures compare directly.
func BenchmarkDecode24MP(b *testing.B) {
	data := photo24MP()
	const mp = 6000 * 4000 / 1e6
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/op")
		b.ReportMetric(mp*float64(b.N)/b.Elapsed().Seconds(), "MP/s")
	}
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	for _, s := range scales {
		b.Run(fmt.Sprintf("scale-%d", s), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Decode(bytes.NewReader(data), s); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}
