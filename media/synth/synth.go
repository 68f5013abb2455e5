package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// themes are the dominant hues, in the order seeds cycle through them. Keeping the sky and the
// ground in one colour family makes the named colour cover most of the picture, so a test can
// ask for "a blue photo" by seed alone.
//
// A function rather than a package-level variable: the table must not be mutable.
func themeTable() [8]theme {
	return [8]theme{
		{"blue", 215, 0.62, 0},
		{"red", 356, 0.66, 0},
		{"green", 115, 0.50, 0},
		{"orange", 28, 0.78, 0.16}, // dark orange reads as brown
		{"purple", 272, 0.45, 0},
		{"teal", 180, 0.55, 0},
		{"yellow", 56, 0.80, 0.14}, // and dark yellow as olive
		{"pink", 325, 0.58, 0.06},
	}
}

type theme struct {
	name string
	hue  float64 // degrees
	sat  float64
	lift float64 // added to the ground's lightness, for hues whose dark shades change name
}

// Themes returns the names of the dominant colours Photo cycles through: the photo made with
// seed s is dominated by Themes()[s mod len(Themes())] (taking the non-negative remainder).
func Themes() []string {
	themes := themeTable()
	names := make([]string, len(themes))
	for i, t := range themes {
		names[i] = t.name
	}
	return names
}

// SeedFor returns the n-th seed (n ≥ 0) whose photo is dominated by the named theme, or -1 when
// the name is not one of Themes().
func SeedFor(theme string, n int) int64 {
	themes := themeTable()
	for i, t := range themes {
		if t.name == theme {
			return int64(n)*int64(len(themes)) + int64(i)
		}
	}
	return -1
}

// shape is a soft-edged ellipse: a sun, a cloud, a rock, a tree crown.
type shape struct {
	cx, cy, rx, ry float64
	r, g, b        float64
	opacity        float64
}

// scene is everything random about one photo, drawn once from the seed so that each pixel is a
// pure function of its position: rows can then be rendered in parallel and still be
// deterministic.
type scene struct {
	w, h      int
	seed      uint64
	horizon   []float64    // per column, in pixels from the top
	sky       [][3]float64 // per row: the sky gradient
	ground    [][3]float64 // per depth below the horizon: the ground gradient
	coarse    []*noise     // cloud- and terrain-sized texture, everywhere
	fine      []*noise     // foliage-sized texture: full strength on the ground, faint in the sky
	warmth    *noise       // a slow red/blue shift, as light varies across a real scene
	skyDetail float32      // how much of the fine texture shows in the sky
	shapes    []shape
}

// Photo returns a deterministic photo-like image (smooth sky and ground gradients, a horizon of
// hills, soft shapes, texture and fine grain — something that compresses and resizes like a
// real photograph, not flat colour) of the given size. The seed varies the composition and the
// dominant hue (see Themes). Non-positive sizes give an empty image.
func Photo(width, height int, seed int64) *image.NRGBA {
	if width <= 0 || height <= 0 {
		return image.NewNRGBA(image.Rectangle{})
	}
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	sc := newScene(width, height, seed)
	// Rows are independent, so bands render in parallel; a 6000×4000 photo is dominated by
	// per-pixel arithmetic, which the cores share evenly.
	workers := min(runtime.GOMAXPROCS(0), max(1, height/64))
	var wg sync.WaitGroup
	for i := range workers {
		y0, y1 := height*i/workers, height*(i+1)/workers
		wg.Go(func() { sc.render(img, y0, y1) })
	}
	wg.Wait()
	return img
}

// JPEG returns Photo encoded as a baseline JPEG (4:2:0) at the given quality (1–100).
func JPEG(width, height int, seed int64, quality int) ([]byte, error) {
	if width <= 0 || height <= 0 {
		return nil, fmt.Errorf("synth: invalid size %d×%d", width, height)
	}
	p := Photo(width, height, seed)
	// Photo is opaque, so its bytes read the same as RGBA; image/jpeg has a fast path for
	// *image.RGBA and converts other types pixel by pixel through the color.Color interface.
	rgba := &image.RGBA{Pix: p.Pix, Stride: p.Stride, Rect: p.Rect}
	var buf bytes.Buffer
	buf.Grow(width * height / 4)
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("synth: encode %d×%d JPEG: %w", width, height, err)
	}
	return buf.Bytes(), nil
}

func newScene(w, h int, seed int64) *scene {
	themes := themeTable()
	n := int64(len(themes))
	th := themes[((seed%n)+n)%n]
	useed := uint64(seed)                               // #nosec G115 -- the seed's bits, negative or not, are all that matter
	rng := rand.New(rand.NewPCG(useed, 0x5eed_0f_5a5a)) // #nosec G404 -- fixtures, not secrets
	sc := &scene{w: w, h: h, seed: useed*0x9e3779b97f4a7c15 + 1}
	fw, fh := float64(w), float64(h)
	short := math.Min(fw, fh)
	between := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }

	// The horizon: a tilted line with two octaves of hills, so low frequencies — what a
	// perceptual hash sees — differ from seed to seed.
	base := fh * between(0.3, 0.7)
	tilt := between(-0.25, 0.25)
	a1, f1, p1 := fh*between(0.03, 0.12), between(1, 3), between(0, 2*math.Pi)
	a2, f2, p2 := fh*between(0.01, 0.04), between(4, 9), between(0, 2*math.Pi)
	sc.horizon = make([]float64, w)
	for x := range w {
		u := float64(x) / fw
		sc.horizon[x] = base + tilt*fh*(u-0.5) + a1*math.Sin(2*math.Pi*f1*u+p1) + a2*math.Sin(2*math.Pi*f2*u+p2)
	}

	// Sky and ground share the theme's hue family; which of the two is brighter is left to
	// the seed (a bright day, a dusk, a snowfield under a dark sky).
	skyHue := th.hue + between(-8, 8)
	groundHue := th.hue + between(-14, 14)
	skyTop, skyBottom := between(0.30, 0.42), between(0.55, 0.68)
	groundNear, groundFar := between(0.22, 0.32)+th.lift, between(0.38, 0.48)+th.lift
	if rng.IntN(3) == 0 {
		skyTop, skyBottom = 0.26+th.lift, 0.40+th.lift
		groundNear, groundFar = between(0.55, 0.62), between(0.45, 0.52)
	}
	sc.sky = make([][3]float64, h)
	for y := range h {
		t := smooth(float64(y) / fh)
		sc.sky[y] = hslToRGB(skyHue, th.sat, skyTop+(skyBottom-skyTop)*t)
	}
	sc.ground = make([][3]float64, h)
	for d := range h {
		t := smooth(math.Min(1, float64(d)/(fh*0.6)))
		sc.ground[d] = hslToRGB(groundHue, th.sat*0.9, groundFar+(groundNear-groundFar)*t)
	}

	// Texture: octaves of value noise, from hills-and-clouds size down to a few pixels, so
	// that there is detail at every scale for the resizer and the JPEG encoder to work on.
	sc.coarse = []*noise{newNoise(rng, w, h, short/5, 16), newNoise(rng, w, h, short/20, 9)}
	sc.fine = []*noise{
		newNoise(rng, w, h, math.Max(4, short/90), 9),
		newNoise(rng, w, h, 5, 8),   // in pixels: a sharp photo has detail down to
		newNoise(rng, w, h, 1.7, 9), // the sensor's resolution, whatever its size
	}
	sc.warmth = newNoise(rng, w, h, short/3, 10)
	sc.skyDetail = 0.2

	// Soft shapes: a few accents in the complementary hue and a few in the theme's own, big
	// enough to matter to the composition, small enough to leave the theme dominant.
	count := 3 + rng.IntN(4)
	for i := range count {
		hue := th.hue + between(-20, 20)
		light := between(0.2, 0.75)
		if i%3 == 0 {
			hue = th.hue + 180 + between(-30, 30)
			light = between(0.45, 0.8)
		}
		c := hslToRGB(hue, between(0.35, 0.8), light)
		sc.shapes = append(sc.shapes, shape{
			cx: fw * between(0.05, 0.95), cy: fh * between(0.05, 0.95),
			rx: short * between(0.04, 0.16), ry: short * between(0.04, 0.16),
			r: c[0], g: c[1], b: c[2], opacity: between(0.55, 0.9),
		})
	}
	return sc
}

// render fills rows [y0, y1) of img.
func (sc *scene) render(img *image.NRGBA, y0, y1 int) {
	w := sc.w
	row := make([]float32, 3*w)
	coarse, fine, warmth := make([]float32, w), make([]float32, w), make([]float32, w)
	for y := y0; y < y1; y++ {
		clear(coarse)
		clear(fine)
		for _, n := range sc.coarse {
			n.addRow(coarse, y)
		}
		for _, n := range sc.fine {
			n.addRow(fine, y)
		}
		clear(warmth)
		sc.warmth.addRow(warmth, y)
		sky := sc.sky[y]
		fy := float64(y)
		for x := range w {
			// Antialiased horizon: blend over about two pixels.
			d := fy - sc.horizon[x]
			var c [3]float64
			detail := fine[x]
			switch {
			case d <= -1:
				c = sky
				detail *= sc.skyDetail
			case d >= 1:
				c = sc.ground[min(int(d), sc.h-1)]
			default:
				g := sc.ground[0]
				t := (d + 1) / 2
				c = [3]float64{sky[0] + (g[0]-sky[0])*t, sky[1] + (g[1]-sky[1])*t, sky[2] + (g[2]-sky[2])*t}
			}
			tex := coarse[x] + detail
			row[3*x] = float32(c[0]) + tex + warmth[x]
			row[3*x+1] = float32(c[1]) + tex
			row[3*x+2] = float32(c[2]) + tex - warmth[x]
		}
		for i := range sc.shapes {
			sc.shapes[i].paint(row, fy, w)
		}
		pix := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			// Fine grain from a hash of the position: film-like luminance noise, ±5 levels,
			// with a little chroma noise.
			hsh := mix(sc.seed ^ uint64(y)<<32 ^ uint64(x)) // #nosec G115 -- x, y ≥ 0
			grain := float32(int(hsh&15)+int(hsh>>4&15)-30) / 3
			pix[4*x] = clamp8(row[3*x] + grain + float32(int(hsh>>8&3)-1))
			pix[4*x+1] = clamp8(row[3*x+1] + grain)
			pix[4*x+2] = clamp8(row[3*x+2] + grain + float32(int(hsh>>10&3)-1))
			pix[4*x+3] = 0xff
		}
	}
}

// paint blends the shape into one row of float RGB.
func (s *shape) paint(row []float32, y float64, w int) {
	dy := (y - s.cy) / s.ry
	if dy <= -1 || dy >= 1 {
		return
	}
	half := s.rx * math.Sqrt(1-dy*dy)
	x0, x1 := max(0, int(s.cx-half)), min(w-1, int(s.cx+half)+1)
	const soft = 0.35 // fraction of the radius over which the edge fades
	for x := x0; x <= x1; x++ {
		dx := (float64(x) - s.cx) / s.rx
		d2 := dx*dx + dy*dy
		if d2 >= 1 {
			continue
		}
		a := float32(math.Min(1, (1-d2)/soft) * s.opacity)
		i := 3 * x
		row[i] += (float32(s.r) - row[i]) * a
		row[i+1] += (float32(s.g) - row[i+1]) * a
		row[i+2] += (float32(s.b) - row[i+2]) * a
	}
}

// noise is one octave of value noise: random values on a grid of square cells, smoothly
// interpolated in between. The per-column cell index and weight are precomputed so that a row
// costs two multiply-adds a pixel.
type noise struct {
	grid []float32 // (gw+1) × (gh+1) values in ±amp
	gw   int
	cell float64
	ix   []int32   // per column: the cell to the left
	wx   []float32 // per column: the smoothed weight of the cell to the right
}

func newNoise(rng *rand.Rand, w, h int, cell float64, amp float32) *noise {
	cell = math.Max(cell, 1)
	gw, gh := int(float64(w)/cell)+2, int(float64(h)/cell)+2
	n := &noise{gw: gw, cell: cell, grid: make([]float32, (gw+1)*(gh+1))}
	for i := range n.grid {
		n.grid[i] = amp * float32(2*rng.Float64()-1)
	}
	n.ix, n.wx = make([]int32, w), make([]float32, w)
	for x := range w {
		g := float64(x) / cell
		n.ix[x] = int32(g)
		n.wx[x] = float32(smooth(g - math.Floor(g)))
	}
	return n
}

// addRow adds row y of the noise to dst.
func (n *noise) addRow(dst []float32, y int) {
	g := float64(y) / n.cell
	gy := int(g)
	t := float32(smooth(g - float64(gy)))
	r0 := n.grid[gy*(n.gw+1) : (gy+1)*(n.gw+1)]
	r1 := n.grid[(gy+1)*(n.gw+1) : (gy+2)*(n.gw+1)]
	for x := range dst {
		i := n.ix[x]
		a := r0[i] + (r1[i]-r0[i])*t
		b := r0[i+1] + (r1[i+1]-r0[i+1])*t
		dst[x] += a + (b-a)*n.wx[x]
	}
}

// mix is SplitMix64's finaliser: a fast, well-distributed hash of a pixel position.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// hslToRGB converts hue (degrees, any value), saturation and lightness (0–1) to RGB in 0–255.
func hslToRGB(h, s, l float64) [3]float64 {
	h = math.Mod(math.Mod(h, 360)+360, 360) / 360
	q := l + s - l*s
	if l < 0.5 {
		q = l * (1 + s)
	}
	p := 2*l - q
	ch := func(t float64) float64 {
		t = math.Mod(t+1, 1)
		switch {
		case t < 1.0/6:
			return p + (q-p)*6*t
		case t < 0.5:
			return q
		case t < 2.0/3:
			return p + (q-p)*(2.0/3-t)*6
		}
		return p
	}
	return [3]float64{255 * ch(h+1.0/3), 255 * ch(h), 255 * ch(h-1.0/3)}
}
