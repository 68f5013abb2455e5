package synth

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"
)

func TestPhotoIsDeterministic(t *testing.T) {
	a, b := Photo(300, 200, 42), Photo(300, 200, 42)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("the same seed gave different photos")
	}
	if c := Photo(300, 200, 43); bytes.Equal(a.Pix, c.Pix) {
		t.Fatal("different seeds gave the same photo")
	}
	if a.Rect != image.Rect(0, 0, 300, 200) {
		t.Errorf("bounds %v", a.Rect)
	}
	for i := 3; i < len(a.Pix); i += 4 {
		if a.Pix[i] != 0xff {
			t.Fatal("the photo is not opaque")
		}
	}
	for _, size := range [][2]int{{0, 10}, {10, 0}, {-1, -1}} {
		if p := Photo(size[0], size[1], 1); !p.Rect.Empty() {
			t.Errorf("Photo(%d, %d) is %v, want empty", size[0], size[1], p.Rect)
		}
	}
}

// TestPhotoLooksLikeAPhoto checks the properties fixtures rely on: not flat (neighbouring
// pixels differ, as in any photo), and not noise either (they differ only a little).
func TestPhotoLooksLikeAPhoto(t *testing.T) {
	p := Photo(600, 400, 5)
	var sum, flat float64
	n := 0
	for y := range 400 {
		for x := 1; x < 600; x++ {
			i := y*p.Stride + 4*x
			d := math.Abs(float64(p.Pix[i+1]) - float64(p.Pix[i-3]))
			sum += d
			if d == 0 {
				flat++
			}
			n++
		}
	}
	if mean := sum / float64(n); mean < 1 || mean > 12 {
		t.Errorf("mean neighbour difference %.2f, want a textured but smooth image", mean)
	}
	if flat/float64(n) > 0.5 {
		t.Errorf("%.0f%% of neighbours are identical: too flat", 100*flat/float64(n))
	}
}

// TestThemesDominate checks that the hue averaged over the photo is near the theme's.
func TestThemesDominate(t *testing.T) {
	want := map[string]float64{"blue": 215, "red": 356, "green": 115, "teal": 180, "purple": 272}
	for name, hue := range want {
		for n := range 3 {
			seed := SeedFor(name, n)
			if got := Themes()[seed%int64(len(Themes()))]; got != name {
				t.Fatalf("SeedFor(%q, %d) = %d, which is %s", name, n, seed, got)
			}
			p := Photo(200, 150, seed)
			var x, y float64 // mean hue as a vector, weighted by chroma
			for i := 0; i < len(p.Pix); i += 4 {
				r, g, b := float64(p.Pix[i]), float64(p.Pix[i+1]), float64(p.Pix[i+2])
				// Hue angle from the opponent axes.
				a, c := r-(g+b)/2, math.Sqrt(3)/2*(g-b)
				x, y = x+a, y+c
			}
			got := math.Mod(math.Atan2(y, x)*180/math.Pi+360, 360)
			if d := math.Abs(math.Remainder(got-hue, 360)); d > 25 {
				t.Errorf("%s (seed %d): mean hue %.0f°, want about %.0f°", name, seed, got, hue)
			}
		}
	}
	if SeedFor("mauve", 0) != -1 {
		t.Error("an unknown theme has a seed")
	}
	if Photo(10, 10, -3) == nil {
		t.Error("negative seeds must work")
	}
}

func TestJPEG(t *testing.T) {
	b, err := JPEG(320, 240, 1, 85)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Size() != image.Pt(320, 240) {
		t.Fatalf("decoded %v, %v", img.Bounds(), err)
	}
	if _, err := JPEG(0, 10, 1, 85); err == nil {
		t.Error("JPEG of an empty size succeeded")
	}
}

func BenchmarkPhoto24MP(b *testing.B) {
	for b.Loop() {
		Photo(6000, 4000, 1)
	}
}
