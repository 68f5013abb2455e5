package synthetic

import (
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/snapshop/snapshop/search"
)

// KeywordsPerImage is how many distinct keywords every generated image has.
const KeywordsPerImage = 25

// Epoch is the latest approval date a generated document can have. The dates span the three
// years before it (ApprovalSpan), fixed rather than taken from the clock so that a seed always
// yields the same documents.
func Epoch() time.Time { return time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC) }

// ApprovalSpan is how far back from Epoch approval dates go.
const ApprovalSpan = 3 * 365 * 24 * time.Hour

// Stream tags keep documents, queries and prefixes of one seed independent of each other.
const (
	streamDocuments = 0x0d0c_0000_0000_0000
	streamQueries   = 0x0e55_0000_0000_0000
	streamPrefixes  = 0x0f1e_0000_0000_0000
)

// Catalogue yields n documents with IDs 1..n. Each document depends only on the seed, its ID
// and n (which scales the time axis), never on the documents before it, and none is kept after
// it is yielded: slices in a document are its own.
func Catalogue(n int, seed int64) iter.Seq[search.Document] {
	return func(yield func(search.Document) bool) {
		g := newGenerator(seed)
		for id := 1; id <= n; id++ {
			if !yield(g.document(id, n)) {
				return
			}
		}
	}
}

// colorTable lists the colour buckets, as the search package spells them, and how often each
// is among an image's colours.
func colorTable() ([]string, []float64) {
	return []string{"red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "gray", "white"},
		[]float64{7, 7, 6, 10, 5, 14, 4, 5, 9, 10, 10, 13}
}

// generator holds what drawing a document needs; one per goroutine.
type generator struct {
	v      *vocabulary
	seed   uint64
	src    *rand.PCG
	rng    *rand.Rand
	colors []string
	colorW *alias
	kw     []int32 // scratch: the current image's keyword indices, topical ones first
	buf    []byte  // scratch for titles and descriptions
}

func newGenerator(seed int64) *generator {
	src := rand.NewPCG(0, 0)
	colors, weights := colorTable()
	return &generator{
		v:      newVocabulary(),
		seed:   uint64(seed), // #nosec G115 -- a seed: any bit pattern will do
		src:    src,
		rng:    rand.New(src), // #nosec G404 -- synthetic data, not secrets
		colors: colors,
		colorW: newAlias(weights),
		kw:     make([]int32, 0, KeywordsPerImage),
		buf:    make([]byte, 0, 512),
	}
}

// reseed starts the random stream of one item, so that items are independent of each other.
func (g *generator) reseed(stream uint64, i int) {
	g.src.Seed(mix(g.seed^stream), mix(uint64(i))) // #nosec G115 -- i ≥ 0
}

// mix is SplitMix64's finaliser: neighbouring IDs get unrelated PCG streams.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (g *generator) document(id, n int) search.Document {
	g.reseed(streamDocuments, id)
	rng := g.rng
	ci := g.v.categoryPick.draw(rng)
	cat := g.v.categories[ci]
	topical := g.drawKeywords(ci)

	d := search.Document{
		ID:           uint32(id), // #nosec G115 -- IDs fit search's uint32
		Keywords:     make([]string, len(g.kw)),
		Contributor:  g.v.contributors[g.v.contribPick.draw(rng)],
		Category:     cat.slug,
		CategoryName: cat.name,
	}
	for i, k := range g.kw {
		d.Keywords[i] = g.v.words[k]
	}
	d.Title = g.title(topical)
	d.Description = g.description()

	switch u := rng.Float64(); {
	case u < 0.55:
		d.Orientation = "landscape"
	case u < 0.85:
		d.Orientation = "portrait"
	case u < 0.95:
		d.Orientation = "square"
	default:
		d.Orientation = "panorama"
	}
	ncolors := 1
	switch u := rng.Float64(); {
	case u < 0.2:
		ncolors = 3
	case u < 0.6:
		ncolors = 2
	}
	d.Colors = make([]string, 0, ncolors)
	for len(d.Colors) < ncolors {
		c := g.colors[g.colorW.draw(rng)]
		if !slices.Contains(d.Colors, c) {
			d.Colors = append(d.Colors, c)
		}
	}
	d.Use = "commercial"
	if rng.Float64() < 0.15 {
		d.Use = "editorial"
	}
	d.Released = rng.Float64() < 0.40
	switch u := rng.Float64(); {
	case u < 0.85:
		d.AI = "none"
	case u < 0.95:
		d.AI = "assisted"
	default:
		d.AI = "generated"
	}
	d.PriceCents = g.price()
	d.Megapixels = g.megapixels(d.Orientation == "panorama")
	d.ApprovedAt = g.approvedAt(id, n)
	d.Sales, d.Views = g.popularity()
	return d
}

// drawKeywords fills g.kw with KeywordsPerImage distinct keyword indices: 6–10 from the
// category's own words, then the rest from the whole vocabulary. It returns how many are
// topical. Real keywording works like this: a contributor names the subject first, then adds
// generic and idiosyncratic terms.
func (g *generator) drawKeywords(ci int) int {
	rng := g.rng
	g.kw = g.kw[:0]
	topics, tz := g.v.topics[ci], g.v.topicZipf[ci]
	want := 6 + rng.IntN(5)
	for tries := 0; len(g.kw) < want && tries < 100; tries++ {
		g.addKeyword(topics[tz.draw(rng)])
	}
	topical := len(g.kw)
	for len(g.kw) < KeywordsPerImage {
		g.addKeyword(int32(g.v.zipf.draw(rng))) // #nosec G115 -- fewer than VocabularySize words
	}
	return topical
}

func (g *generator) addKeyword(k int32) {
	for _, have := range g.kw {
		if have == k {
			return
		}
	}
	g.kw = append(g.kw, k)
}

// contentWord picks a title word: mostly one of the image's subject keywords, sometimes any of
// its keywords, now and then a word it was not keyworded with.
func (g *generator) contentWord(topical int) string {
	rng := g.rng
	switch u := rng.Float64(); {
	case u < 0.65:
		return g.v.words[g.kw[rng.IntN(topical)]]
	case u < 0.92:
		return g.v.words[g.kw[rng.IntN(len(g.kw))]]
	default:
		return g.v.words[g.v.zipf.draw(rng)]
	}
}

// title is 4–10 words: keywords joined by glue words, starting with a capital.
func (g *generator) title(topical int) string {
	rng := g.rng
	glue := glueWords()
	want := 4 + rng.IntN(7)
	b := g.buf[:0]
	words, end := 0, 0
	for {
		w := g.contentWord(topical)
		k := wordCount(w)
		if words > 0 && words+k > 10 {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
		words += k
		end = len(b)
		if words >= want {
			break
		}
		gl := glue[rng.IntN(len(glue))]
		if words+wordCount(gl)+1 > 10 {
			break
		}
		b = append(b, ' ')
		b = append(b, gl...)
		words += wordCount(gl)
	}
	b = b[:end] // never end on a glue word
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	g.buf = b
	return string(b)
}

// description is 15–40 words in sentences of 6–14, each an opener and then keywords of the
// image, and other vocabulary, joined by filler words.
func (g *generator) description() string {
	rng := g.rng
	openers := descriptionOpeners()
	filler := descriptionWords()
	// A sentence ends at most one word (the second of a phrase) past want, and none starts
	// within two words of it: 17–39 wanted makes 15–40.
	want := 17 + rng.IntN(23)
	b := g.buf[:0]
	words := 0
	for want-words > 2 {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		o := openers[rng.IntN(len(openers))]
		if words+wordCount(o)+2 > want {
			o = openers[0] // one word, so that the sentence's first keyword still fits
		}
		b = append(b, o...)
		words += wordCount(o)
		sentenceEnd := words + 5 + rng.IntN(9)
		for {
			var w string
			if rng.Float64() < 0.65 {
				w = g.v.words[g.kw[rng.IntN(len(g.kw))]]
			} else {
				w = g.v.words[g.v.zipf.draw(rng)]
			}
			b = append(b, ' ')
			b = append(b, w...)
			words += wordCount(w)
			if words >= sentenceEnd || words+2 > want {
				break
			}
			f := filler[rng.IntN(len(filler))]
			b = append(b, ' ')
			b = append(b, f...)
			words += wordCount(f)
		}
		b = append(b, '.')
	}
	g.buf = b
	return string(b)
}

// price is in cents: most images at the standard 300, the rest spread log-normally between
// 200 and 5000, in steps of 50.
func (g *generator) price() int64 {
	rng := g.rng
	if rng.Float64() < 0.6 {
		return 300
	}
	p := math.Exp(math.Log(550) + 0.85*rng.NormFloat64())
	p = math.Round(min(max(p, 200), 5000)/50) * 50
	return int64(p)
}

// megapixels follows camera sensors (12–61 MP), cropped somewhat; panoramas are stitched.
func (g *generator) megapixels(panorama bool) float64 {
	rng := g.rng
	sensors := [...]float64{12, 16, 20, 24, 24, 24, 26, 30, 33, 36, 42, 45, 45, 50, 61}
	mp := sensors[rng.IntN(len(sensors))] * (0.45 + 0.55*rng.Float64())
	if panorama {
		mp *= 1.5 + rng.Float64()
	}
	return math.Round(min(max(mp, 4), 60)*10) / 10
}

// approvedAt grows with the ID, as in a live catalogue, over three years before Epoch; uploads
// increase over time (density rising linearly) and approval lags upload by a few days.
func (g *generator) approvedAt(id, n int) time.Time {
	rng := g.rng
	x := (float64(id) - rng.Float64()) / float64(n)
	t := Epoch().Add(-ApprovalSpan).Add(time.Duration(math.Sqrt(max(x, 0)) * float64(ApprovalSpan)))
	t = t.Add(-time.Duration(rng.ExpFloat64() * float64(36*time.Hour)))
	t = t.Add(time.Duration(rng.IntN(24*3600)) * time.Second).Truncate(time.Second)
	if end := Epoch(); t.After(end) {
		t = end
	}
	if earliest := Epoch().Add(-ApprovalSpan); t.Before(earliest) {
		t = earliest
	}
	return t
}

// popularity: most images never sell; sales among the rest are Pareto-distributed up to a few
// hundred, and views far exceed sales.
func (g *generator) popularity() (sales, views int64) {
	rng := g.rng
	if rng.Float64() >= 0.62 {
		sales = int64(min(math.Floor(1/math.Pow(1-rng.Float64(), 1/1.1)), 900))
	}
	views = sales * int64(20+rng.IntN(60))
	views += int64(min(math.Floor(8/math.Pow(1-rng.Float64(), 1/1.3)), 250_000))
	return sales, views
}

func wordCount(s string) int { return strings.Count(s, " ") + 1 }
