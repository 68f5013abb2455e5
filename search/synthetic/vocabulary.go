package synthetic

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// VocabularySize is the number of distinct keywords the catalogue draws from.
const VocabularySize = 50_000

// Keyword ranks follow a Zipf–Mandelbrot law, p(k) ∝ (k + zipfQ)^-zipfS. The exponent is the
// classic one for word frequencies; the offset keeps the commonest keyword on roughly one image
// in five, as in real libraries, instead of on nearly every image (which a pure Zipf law with 25
// draws an image would do, making the head terms match everything).
const (
	zipfS = 1.1
	zipfQ = 20.0
)

// category is one of the catalogue's fixed subjects: the slugs and names of app.Categories,
// copied because search/ must not import app/.
type category struct {
	slug, name string
	weight     float64 // share of the catalogue, relative
	words      string  // real photo words typical of it, commonest first; "_" joins a phrase
}

// categoryTable lists the categories with their share of a typical stock library and their
// topical words. A function, not a package-level variable, so that nothing can change it.
func categoryTable() []category {
	return []category{
		{"people", "People", 12, "people woman man portrait family child girl boy friends couple smiling senior teenager baby mother father love group kids laughing young_adult happy_family"},
		{"business", "Business & finance", 9, "business office meeting team teamwork businessman businesswoman laptop success finance money startup handshake corporate presentation workplace career strategy business_meeting coworkers"},
		{"nature", "Nature", 8, "nature forest tree flower leaf garden grass plant spring autumn sunlight park wild rain moss bloom meadow wildflowers blossom"},
		{"travel", "Travel & places", 8, "travel city tourism vacation street tourist landmark old_town new_york paris london rome tokyo journey adventure map hotel backpacker road_trip skyline"},
		{"landscapes", "Landscapes", 7, "landscape mountain sunset sunrise lake river beach sea ocean clouds hill valley desert snow coast waterfall horizon scenic panorama island field"},
		{"food", "Food & drink", 7, "food drink coffee breakfast healthy fruit vegetable restaurant dinner cooking kitchen salad bread cake wine beer dessert pizza chocolate ice_cream coffee_cup fresh"},
		{"technology", "Technology", 6, "technology computer smartphone digital internet data network phone screen code software innovation robot artificial_intelligence social_media cyber server device virtual_reality cloud_computing"},
		{"animals", "Animals & wildlife", 6, "animal dog cat bird pet puppy kitten horse wildlife cow fish lion elephant deer butterfly fox bear insect golden_retriever zoo"},
		{"backgrounds", "Backgrounds & textures", 6, "background texture abstract pattern wallpaper wood paper wall gradient bokeh copy_space surface grunge marble concrete geometric glitter fabric minimal backdrop"},
		{"architecture", "Architecture", 5, "architecture building house bridge tower church skyscraper facade window castle ruins temple stairs urban construction cathedral downtown real_estate modern_architecture"},
		{"health", "Health & wellness", 4, "health fitness medical doctor hospital yoga wellness medicine nurse spa relaxation meditation care mental_health massage pills therapy patient dentist healthcare"},
		{"fashion", "Fashion & beauty", 4, "fashion beauty model style makeup hair dress elegant glamour clothing shoes jewelry cosmetics skin_care lipstick runway accessories handbag hairstyle sunglasses"},
		{"holidays", "Holidays & celebrations", 4, "christmas holiday celebration party birthday gift halloween easter new_year wedding decoration christmas_tree fireworks valentine candles balloons festive santa thanksgiving ornament"},
		{"industry", "Industry & work", 3, "industry factory worker construction_site engineer industrial machine steel warehouse manufacturing energy oil solar_panel wind_turbine tools welding helmet logistics container power_plant"},
		{"education", "Education", 3, "education school student learning book classroom teacher university study library graduation pencil books knowledge exam homework notebook campus reading chalkboard"},
		{"sports", "Sports & fitness", 3, "sport running football soccer basketball tennis gym athlete cycling swimming exercise workout competition stadium golf skiing surfing marathon training"},
		{"interiors", "Interiors", 3, "interior living_room home bedroom furniture sofa apartment cozy decor room bathroom lamp table chair dining_room minimalist indoor window_light"},
		{"transport", "Transport", 3, "car transport train airplane road traffic bicycle truck bus ship boat airport highway motorcycle vehicle railway taxi electric_car parking station"},
		{"arts", "Arts & culture", 2, "art music painting culture museum concert dance guitar artist theater sculpture piano festival drawing gallery craft musician street_art photography camera"},
		{"science", "Science", 2, "science laboratory research microscope chemistry biology experiment dna space planet physics scientist test_tube molecule astronomy galaxy stars moon earth medical_research"},
	}
}

// generalWords are common across subjects; they rank with the head of every category.
const generalWords = "background people woman man sky water sunset summer winter beautiful young outdoors lifestyle light nobody closeup colorful white blue vintage modern concept happy day night horizontal vertical bright natural beauty"

// glueWords join keywords into titles; descriptionWords into descriptions. Mostly stop words,
// so that they weigh nothing in any engine's ranking.
func glueWords() []string {
	return []string{"with", "in", "on", "at", "and", "of", "the", "over", "near", "by", "for", "during", "under", "in the", "on a", "with a", "at the", "and the"}
}

func descriptionOpeners() []string {
	return []string{"A", "The", "This image shows", "Photo of", "An image of", "View of", "Here"}
}

func descriptionWords() []string {
	return []string{"a", "the", "with", "and", "in", "of", "on", "for", "is", "this", "image", "shows", "photo", "against", "near", "from", "its", "an", "as", "while"}
}

// stopWords are English stop words (Bleve's and PostgreSQL's lists agree on these): invented
// words must not be one of them, or an engine would silently drop them from queries.
func stopWords() []string {
	return strings.Fields("a about above after again against all am an and any are as at be because been before being below between both but by can did do does doing don down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same she should so some such t than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with you your yours yourself yourselves")
}

// vocabulary is the ranked keyword list with its samplers, identical for every seed.
type vocabulary struct {
	words        []string  // rank order: real words first, then invented ones
	zipf         *alias    // over words
	topics       [][]int32 // per category (categoryTable order): word indices, commonest first
	topicZipf    []*alias  // per category, over topics[c]
	categories   []category
	categoryPick *alias
	contributors []string
	contribPick  *alias
}

// vocabularySeed fixes the invented words and usernames, so that every seed shares them.
const vocabularySeed = 0x5eed_70ca_b01a

func newVocabulary() *vocabulary {
	cats := categoryTable()
	v := &vocabulary{categories: cats}

	// Real words: the general ones and each category's, interleaved by their rank within
	// their list, so that every subject's head words are near the head of the vocabulary.
	lists := make([][]string, 0, len(cats)+1)
	lists = append(lists, strings.Fields(generalWords))
	for _, c := range cats {
		lists = append(lists, strings.Fields(c.words))
	}
	index := make(map[string]int32, VocabularySize)
	for round := 0; ; round++ {
		more := false
		for _, l := range lists {
			if round >= len(l) {
				continue
			}
			more = true
			w := strings.ReplaceAll(l[round], "_", " ")
			if _, dup := index[w]; !dup {
				index[w] = int32(len(v.words)) // #nosec G115 -- fewer than VocabularySize words
				v.words = append(v.words, w)
			}
		}
		if !more {
			break
		}
	}
	v.topics = make([][]int32, len(cats))
	v.topicZipf = make([]*alias, len(cats))
	for ci, l := range lists[1:] {
		for _, w := range l {
			v.topics[ci] = append(v.topics[ci], index[strings.ReplaceAll(w, "_", " ")])
		}
		v.topicZipf[ci] = newZipf(len(v.topics[ci]), 1.0, 1.5)
	}

	// Invented words: pronounceable, short ones commoner (as in real languages), none equal
	// to a real word, a stop word or another invented word.
	taken := make(map[string]bool, VocabularySize+256)
	for w := range index {
		for _, part := range strings.Fields(w) {
			taken[part] = true
		}
	}
	for _, list := range [][]string{stopWords(), glueWords(), descriptionOpeners(), descriptionWords()} {
		for _, w := range list {
			for _, part := range strings.Fields(strings.ToLower(w)) {
				taken[part] = true
			}
		}
	}
	rng := rand.New(rand.NewPCG(vocabularySeed, 1)) // #nosec G404 -- synthetic data, not secrets
	for len(v.words) < VocabularySize {
		syllables := 2
		switch r := len(v.words); {
		case r > 30_000:
			syllables = 3 + rng.IntN(2)
		case r > 6_000:
			syllables = 3
		}
		w := inventWord(rng, syllables)
		if len(w) < 4 || len(w) > 12 || taken[w] {
			continue
		}
		taken[w] = true
		v.words = append(v.words, w)
	}
	v.zipf = newZipf(len(v.words), zipfS, zipfQ)

	weights := make([]float64, len(cats))
	for i, c := range cats {
		weights[i] = c.weight
	}
	v.categoryPick = newAlias(weights)

	// About 200 contributors; a few agencies upload most of the catalogue.
	suffixes := []string{"", "", "", "photo", "studio", "visuals", "images", "lens", "pix", "creative", "media"}
	for len(v.contributors) < 200 {
		name := inventWord(rng, 2+rng.IntN(2)) + suffixes[rng.IntN(len(suffixes))]
		if rng.IntN(5) == 0 {
			name += strconv.Itoa(1 + rng.IntN(9))
		}
		if taken[name] {
			continue
		}
		taken[name] = true
		v.contributors = append(v.contributors, name)
	}
	v.contribPick = newZipf(len(v.contributors), 0.9, 1)
	return v
}

// inventWord builds a pronounceable word of the given number of syllables. Final codas avoid
// "s" so that no invented word reads as another one's plural.
func inventWord(rng *rand.Rand, syllables int) string {
	onsets := [...]string{"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "b", "d", "l", "m", "n", "r", "s", "t", "br", "cr", "dr", "fr", "gr", "pr", "tr", "bl", "cl", "fl", "pl", "st", "sh", "ch", "th", "", ""}
	nuclei := [...]string{"a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "o", "ai", "ea", "ou", "io"}
	codas := [...]string{"", "", "", "", "", "", "n", "r", "l", "m", "s", "t", "nd", "rt"}
	finals := [...]string{"", "", "", "n", "r", "l", "m", "t", "nd", "x", "th", "sh", "k", "rk"}
	var b strings.Builder
	for i := range syllables {
		b.WriteString(onsets[rng.IntN(len(onsets))])
		b.WriteString(nuclei[rng.IntN(len(nuclei))])
		if i == syllables-1 {
			b.WriteString(finals[rng.IntN(len(finals))])
		} else {
			b.WriteString(codas[rng.IntN(len(codas))])
		}
	}
	return b.String()
}

// alias is Vose's alias table: drawing from any discrete distribution in constant time, so a
// million documents of 25 keywords each cost tens of millions of cheap draws.
type alias struct {
	prob  []float64
	alias []int32
}

func newAlias(weights []float64) *alias {
	n := len(weights)
	a := &alias{prob: make([]float64, n), alias: make([]int32, n)}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i)) // #nosec G115 -- tables are small
		} else {
			large = append(large, int32(i)) // #nosec G115 -- tables are small
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s], a.alias[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left is 1 up to rounding error.
	for _, i := range large {
		a.prob[i] = 1
	}
	for _, i := range small {
		a.prob[i] = 1
	}
	return a
}

func (a *alias) draw(rng *rand.Rand) int {
	i := rng.IntN(len(a.prob))
	if rng.Float64() < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}

// newZipf is an alias table for p(k) ∝ (k + q)^-s over ranks k = 0..n-1.
func newZipf(n int, s, q float64) *alias {
	w := make([]float64, n)
	for k := range w {
		w[k] = math.Pow(float64(k)+q, -s)
	}
	return newAlias(w)
}
