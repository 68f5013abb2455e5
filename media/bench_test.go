package media

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/snapshop/snapshop/media/synth"
)

// BenchmarkDerive24MP runs the whole pipeline (decode, orient, thumbnail, watermarked preview,
// colours, pHash, encode) on a 6000×4000 JPEG at quality 90, with the scaled decoder and with a
// forced full-size image/jpeg decode, reporting ms/op, megapixels per second and the peak heap.
func BenchmarkDerive24MP(b *testing.B) {
	const w, h = 6000, 4000
	data := synthJPEG(b, w, h, 1, 90)
	for _, bc := range []struct {
		name   string
		scaled bool
	}{{"scaled", true}, {"fullDecode", false}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := deriveConfig{sizes: DerivativeSizes(), scaledJPEG: bc.scaled}
			runtime.GC()
			stop := samplePeakHeap()
			b.ResetTimer()
			for b.Loop() {
				if _, err := derive(context.Background(), data, DeriveOptions{Orientation: 6}, cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			peak := stop()
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perOp*1000, "ms/op")
			b.ReportMetric(w*h/1e6/perOp, "MP/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// samplePeakHeap polls the heap size (live objects and garbage not yet swept, which is what
// the process actually holds) until the returned function is called, and returns its maximum.
// runtime/metrics reads without stopping the world, unlike runtime.ReadMemStats.
func samplePeakHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkWatermark1200 renders the tile and stamps it over a 1200×800 preview: the budget is
// well under 20 ms.
func BenchmarkWatermark1200(b *testing.B) {
	img := fit(synth.Photo(1200, 800, 3), 1200)
	for b.Loop() {
		wm, err := newWatermark("snapshop", 1200)
		if err != nil {
			b.Fatal(err)
		}
		wm.apply(img)
	}
}
