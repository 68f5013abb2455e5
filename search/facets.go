package search

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Facets are counted one of two ways, whichever is cheaper for the result
// at hand. Every facet value has a bitmap of its documents; a large result
// is counted by intersecting it with each (a few dozen intersections of
// mostly dense containers). Each document also carries its facet values as
// small codes; a small result is counted by visiting its documents once and
// adding up their codes, which costs a few nanoseconds a document instead of
// an intersection per value. Both give the same counts (the tests run both).

// Positions of the facets in facetDefs.
const (
	facetCategory = iota
	facetOrientation
	facetColor
	facetUse
	facetReleased
	facetAI
	facetPrice
	facetSize
	numFacets
)

// facetMode picks how facets are counted: by the result's shape, or (in
// tests) always one way.
type facetMode int

const (
	facetsAuto facetMode = iota
	facetsByBitmaps
	facetsByScan
)

// scanFacets says whether to count the facets of base by visiting its
// documents. Intersections are cheap when base's containers are bitmaps or
// runs (a popcount of 1,024 words each, or a few ranges) and dear when they
// are arrays (a lookup per document, per facet value), so scan when most
// are arrays. Measured on a
// million-image catalogue (bench: facets of a result of N documents spread
// evenly; bitmaps / scan): 20,000 → 3.5 / 0.44 ms; 62,500 (arrays, just) →
// 7.1 / 0.87 ms; 100,000 (bitmaps) → 1.1 / 1.5 ms; 1,000,000 → 0.54 / 13 ms.
func (e *engine) scanFacets(base *roaring.Bitmap) bool {
	switch {
	case e.codes.overflow || e.facetMode == facetsByBitmaps:
		return false
	case e.facetMode == facetsByScan:
		return true
	}
	st := base.Stats()
	return (st.BitmapContainers+st.RunContainers)*2 < st.Containers
}

// facetDef is one facet: its name and, for those with a fixed set of
// values, the order they are shown in (others are shown by count).
type facetDef struct {
	name   string
	values []string
}

func facetDefs() [numFacets]facetDef {
	bands := make([]string, 0, 5)
	for _, b := range PriceBands() {
		bands = append(bands, b.Value)
	}
	sizes := make([]string, 0, 4)
	for _, s := range SizeSteps() {
		sizes = append(sizes, sizeValue(s))
	}
	return [numFacets]facetDef{
		facetCategory:    {FacetCategory, nil},
		facetOrientation: {FacetOrientation, []string{"landscape", "portrait", "square", "panorama"}},
		facetColor:       {FacetColor, nil},
		facetUse:         {FacetUse, []string{"commercial", "editorial"}},
		facetReleased:    {FacetReleased, []string{"yes", "no"}},
		facetAI:          {FacetAI, []string{"none", "assisted", "generated"}},
		facetPrice:       {FacetPrice, bands},
		facetSize:        {FacetSize, sizes},
	}
}

// facetCodes holds every slot's facet values as small numbers. A single-
// valued facet's code is its value's index in values plus one (0: none);
// colours are a bit set; the price code is the band's index plus one and the
// size code the number of size steps reached.
type facetCodes struct {
	values   [numFacets][]string
	index    [numFacets]map[string]uint8
	single   [numFacets][]uint8 // slot → code, for every facet but colour
	colors   []uint32           // slot → bit i set for the colour values[facetColor][i]
	overflow bool               // a facet had more values than its codes hold: count with bitmaps only
}

func newFacetCodes() facetCodes {
	var c facetCodes
	for f := range c.index {
		c.index[f] = map[string]uint8{}
	}
	return c
}

// code returns the code of value in facet f, assigning one if new; 0 when
// the facet has no codes left.
func (c *facetCodes) code(f int, value string) uint8 {
	if value == "" {
		return 0
	}
	if k, ok := c.index[f][value]; ok {
		return k
	}
	limit := 255
	if f == facetColor {
		limit = 32
	}
	if len(c.values[f]) >= limit {
		c.overflow = true
		return 0
	}
	c.values[f] = append(c.values[f], value)
	k := uint8(len(c.values[f])) // #nosec G115 -- at most 255, checked above
	c.index[f][value] = k
	return k
}

func (e *engine) facet(name, value string) *roaring.Bitmap {
	m := e.facets[name]
	bm := m[value]
	if bm == nil {
		bm = roaring.New()
		m[value] = bm
	}
	return bm
}

// addFacets records the facet values of d in slot s, the newest slot.
func (e *engine) addFacets(s uint32, d *Document) {
	c := &e.codes
	single := func(f int, value string) {
		if value != "" {
			e.facet(e.defs[f].name, value).Add(s)
		}
		c.single[f] = append(c.single[f], c.code(f, value))
	}
	single(facetCategory, d.Category)
	single(facetOrientation, d.Orientation)
	single(facetUse, d.Use)
	released := "no"
	if d.Released {
		released = "yes"
	}
	single(facetReleased, released)
	single(facetAI, d.AI)
	var colors uint32
	for _, v := range d.Colors {
		e.facet(FacetColor, v).Add(s)
		if k := c.code(facetColor, v); k > 0 {
			colors |= 1 << (k - 1)
		}
	}
	c.colors = append(c.colors, colors)
	var band uint8
	for i, b := range PriceBands() {
		if d.PriceCents >= b.MinCents && (b.MaxCents == 0 || d.PriceCents < b.MaxCents) {
			e.facet(FacetPrice, b.Value).Add(s)
			band = uint8(i + 1) // #nosec G115 -- five bands
		}
	}
	c.single[facetPrice] = append(c.single[facetPrice], band)
	var steps uint8
	for _, step := range SizeSteps() {
		if d.Megapixels >= step {
			e.facet(FacetSize, sizeValue(step)).Add(s)
			steps++
		}
	}
	c.single[facetSize] = append(c.single[facetSize], steps)
}

// filterSets returns, per facet with a filter, the documents it allows.
func (e *engine) filterSets(f Filters, within *roaring.Bitmap) map[string]*roaring.Bitmap {
	out := map[string]*roaring.Bitmap{}
	values := func(name string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var bms []*roaring.Bitmap
		for _, v := range vals {
			if bm := e.facets[name][v]; bm != nil {
				bms = append(bms, bm)
			}
		}
		out[name] = roaring.FastOr(bms...)
	}
	values(FacetCategory, f.Category)
	values(FacetOrientation, f.Orientation)
	values(FacetColor, f.Color)
	values(FacetUse, f.Use)
	values(FacetReleased, f.Released)
	values(FacetAI, f.AI)
	if f.MinPrice > 0 || f.MaxPrice > 0 {
		out[FacetPrice] = e.priceRange(f.MinPrice, f.MaxPrice, within)
	}
	if f.MinMP > 0 {
		if bm := e.facets[FacetSize][sizeValue(f.MinMP)]; bm != nil {
			out[FacetSize] = bm
		} else {
			out[FacetSize] = e.scan(within, func(s uint32) bool { return float64(e.mp[s]) >= f.MinMP })
		}
	}
	return out
}

// priceRange is the documents in within priced from min to max cents
// (inclusive), using a band's bitmap when the range is exactly one band.
func (e *engine) priceRange(minCents, maxCents int64, within *roaring.Bitmap) *roaring.Bitmap {
	for _, b := range PriceBands() {
		upper := b.MaxCents - 1
		if b.MaxCents == 0 {
			upper = 0
		}
		if minCents == b.MinCents && maxCents == upper {
			if bm := e.facets[FacetPrice][b.Value]; bm != nil {
				return bm
			}
		}
	}
	return e.scan(within, func(s uint32) bool {
		p := int64(e.price[s])
		return p >= minCents && (maxCents == 0 || p <= maxCents)
	})
}

func (e *engine) scan(within *roaring.Bitmap, keep func(uint32) bool) *roaring.Bitmap {
	out := roaring.New()
	buf := make([]uint32, 256)
	it := within.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, s := range buf[:n] {
			if keep(s) {
				out.Add(s)
			}
		}
	}
	return out
}

func andAll(base *roaring.Bitmap, sets map[string]*roaring.Bitmap, except string) *roaring.Bitmap {
	out := base.Clone()
	for name, s := range sets {
		if name != except {
			out.And(s)
		}
	}
	return out
}

// facetCounts counts, for every facet, each value among the documents that
// match the query and every filter but that facet's own: picking another
// value of a facet widens the choice instead of emptying it.
func (e *engine) facetCounts(match, result *roaring.Bitmap, filters map[string]*roaring.Bitmap, selected Filters) map[string][]FacetValue {
	base := result
	if len(filters) > 0 {
		base = match
	}
	var count func(f int, value string) int
	if e.scanFacets(base) {
		count = e.scanCounts(base, selected).count
	} else {
		count = e.bitmapCounter(match, result, filters)
	}
	sel := [numFacets][]string{
		facetCategory: selected.Category, facetOrientation: selected.Orientation, facetColor: selected.Color,
		facetUse: selected.Use, facetReleased: selected.Released, facetAI: selected.AI,
	}
	out := make(map[string][]FacetValue, numFacets)
	for f, def := range e.defs {
		var vals []FacetValue
		add := func(v string) {
			if n := count(f, v); n > 0 || slices.Contains(sel[f], v) {
				vals = append(vals, FacetValue{Value: v, Count: n})
			}
		}
		if def.values != nil {
			for _, v := range def.values {
				add(v)
			}
		} else {
			for v := range e.facets[def.name] {
				add(v)
			}
			slices.SortFunc(vals, func(a, b FacetValue) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return strings.Compare(a.Value, b.Value)
			})
		}
		out[def.name] = vals
	}
	return out
}

// bitmapCounter counts a facet value by intersecting its bitmap with the
// result, or for a facet with a filter, with the documents every other
// filter allows.
func (e *engine) bitmapCounter(match, result *roaring.Bitmap, filters map[string]*roaring.Bitmap) func(f int, value string) int {
	bases := map[string]*roaring.Bitmap{}
	for name := range filters {
		bases[name] = andAll(match, filters, name)
	}
	return func(f int, value string) int {
		name := e.defs[f].name
		bm := e.facets[name][value]
		if bm == nil {
			return 0
		}
		base := result
		if b := bases[name]; b != nil {
			base = b
		}
		return card(base.AndCardinality(bm))
	}
}

// codeFilter is one facet's filter, on codes.
type codeFilter struct {
	facet   int
	allowed [256]bool // single-valued facets
	colors  uint32    // colour: any of these bits
	steps   uint8     // size: at least this many steps
	minMP   float32   // size, when not a step: at least this
	minP    int64     // price: cents, inclusive
	maxP    int64     // 0: none
}

func (e *engine) codeFilters(sel Filters) []codeFilter {
	var out []codeFilter
	values := func(f int, vals []string) {
		if len(vals) == 0 {
			return
		}
		cf := codeFilter{facet: f}
		for _, v := range vals {
			k, ok := e.codes.index[f][v]
			switch {
			case !ok:
			case f == facetColor:
				cf.colors |= 1 << (k - 1)
			default:
				cf.allowed[k] = true
			}
		}
		out = append(out, cf)
	}
	values(facetCategory, sel.Category)
	values(facetOrientation, sel.Orientation)
	values(facetColor, sel.Color)
	values(facetUse, sel.Use)
	values(facetReleased, sel.Released)
	values(facetAI, sel.AI)
	if sel.MinPrice > 0 || sel.MaxPrice > 0 {
		out = append(out, codeFilter{facet: facetPrice, minP: sel.MinPrice, maxP: sel.MaxPrice})
	}
	if sel.MinMP > 0 {
		cf := codeFilter{facet: facetSize, minMP: float32(sel.MinMP)}
		for i, step := range SizeSteps() {
			if step == sel.MinMP {
				cf.steps = uint8(i + 1) // #nosec G115 -- four steps
			}
		}
		out = append(out, cf)
	}
	return out
}

func (e *engine) passes(cf *codeFilter, s uint32) bool {
	switch cf.facet {
	case facetColor:
		return e.codes.colors[s]&cf.colors != 0
	case facetPrice:
		p := int64(e.price[s])
		return p >= cf.minP && (cf.maxP == 0 || p <= cf.maxP)
	case facetSize:
		if cf.steps > 0 {
			return e.codes.single[facetSize][s] >= cf.steps
		}
		return e.mp[s] >= cf.minMP
	}
	return cf.allowed[e.codes.single[cf.facet][s]]
}

// codeCounts are facet counts by code.
type codeCounts struct {
	e      *engine
	single [numFacets][256]int
	colors [32]int
}

// scanCounts visits every document of base (the match set when there are
// filters, else the result) once: a document passing every filter counts
// for every facet; one failing exactly one filter counts for that filter's
// facet only, which is what picking another value there would add.
func (e *engine) scanCounts(base *roaring.Bitmap, sel Filters) *codeCounts {
	cc := &codeCounts{e: e}
	filters := e.codeFilters(sel)
	singles := []int{facetCategory, facetOrientation, facetUse, facetReleased, facetAI, facetPrice, facetSize}
	countOne := func(f int, s uint32) {
		if f == facetColor {
			for m := e.codes.colors[s]; m != 0; m &= m - 1 {
				cc.colors[bits.TrailingZeros32(m)]++
			}
			return
		}
		cc.single[f][e.codes.single[f][s]]++
	}
	buf := make([]uint32, 512)
	it := base.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
	slots:
		for _, s := range buf[:n] {
			failed := -1
			for i := range filters {
				if !e.passes(&filters[i], s) {
					if failed >= 0 {
						continue slots
					}
					failed = i
				}
			}
			if failed >= 0 {
				countOne(filters[failed].facet, s)
				continue
			}
			for _, f := range singles {
				cc.single[f][e.codes.single[f][s]]++
			}
			countOne(facetColor, s)
		}
	}
	return cc
}

func (cc *codeCounts) count(f int, value string) int {
	switch f {
	case facetColor:
		if k, ok := cc.e.codes.index[f][value]; ok {
			return cc.colors[k-1]
		}
		return 0
	case facetPrice:
		for i, b := range PriceBands() {
			if b.Value == value {
				return cc.single[f][i+1]
			}
		}
		return 0
	case facetSize:
		// A document reaching n steps counts for each of the first n.
		for i, step := range SizeSteps() {
			if sizeValue(step) == value {
				n := 0
				for steps := i + 1; steps <= len(SizeSteps()); steps++ {
					n += cc.single[f][steps]
				}
				return n
			}
		}
		return 0
	}
	if k, ok := cc.e.codes.index[f][value]; ok {
		return cc.single[f][k]
	}
	return 0
}
