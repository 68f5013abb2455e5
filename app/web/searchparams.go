package web

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/search"
)

// searchParams is a search as the URL states it — the same parameters for
// the page and the API, so that every filter state is a shareable link.
type searchParams struct {
	Q           string
	Mode        string // "all" or "any"
	Category    []string
	Orientation []string
	Color       []string
	Use         []string
	Released    string // "", "yes" or "no"
	AI          []string
	MinPrice    string // dollars, as typed
	MaxPrice    string
	MinMP       string
	Sort        string
	Page        int
	PerPage     int
	Like        string // an image's public ID: "more like this" instead of the query
}

func parseSearchParams(v url.Values) searchParams {
	return searchParams{
		Q: strings.TrimSpace(v.Get("q")), Mode: v.Get("mode"),
		Category: v["category"], Orientation: v["orientation"], Color: v["color"], Use: v["use"],
		Released: v.Get("released"), AI: v["ai"],
		MinPrice: v.Get("min_price"), MaxPrice: v.Get("max_price"), MinMP: v.Get("min_mp"),
		Sort: v.Get("sort"), Page: atoiDefault(v.Get("page"), 1), PerPage: atoiDefault(v.Get("per_page"), 0),
		Like: strings.TrimSpace(v.Get("like")),
	}
}

// request validates the parameters into a search request; a bad value is a
// field error.
func (p *searchParams) request(facets bool) (search.Request, map[string]string) {
	errs := map[string]string{}
	r := search.Request{Query: p.Q, Any: p.Mode == "any", Sort: search.Sort(p.Sort), Page: p.Page, PerPage: p.PerPage, Facets: facets}
	switch r.Sort {
	case "", search.SortRelevance, search.SortNewest, search.SortPopular, search.SortUndiscovered, search.SortPriceAsc, search.SortPriceDesc:
	default:
		errs["sort"] = "Sort by relevance, newest, popular, undiscovered, price_asc or price_desc."
	}
	if p.Mode != "" && p.Mode != "all" && p.Mode != "any" {
		errs["mode"] = "Use mode=all or mode=any."
	}
	if p.Page < 1 {
		errs["page"] = "Pages start at 1."
	}
	if p.PerPage < 0 || p.PerPage > search.MaxPerPage {
		errs["per_page"] = fmt.Sprintf("Ask for 1 to %d results a page.", search.MaxPerPage)
	}
	if p.PerPage > 0 && p.Page > 0 && p.Page*p.PerPage > search.MaxDepth {
		errs["page"] = fmt.Sprintf("Results stop at number %d: narrow the search.", search.MaxDepth)
	}
	f := &r.Filters
	f.Category = known(p.Category, categorySlugs(), "category", errs)
	f.Orientation = known(p.Orientation, []string{"landscape", "portrait", "square", "panorama"}, "orientation", errs)
	f.Color = known(p.Color, colorBuckets(), "color", errs)
	f.Use = known(p.Use, []string{"commercial", "editorial"}, "use", errs)
	f.AI = known(p.AI, []string{"none", "assisted", "generated"}, "ai", errs)
	if p.Released != "" {
		f.Released = known([]string{p.Released}, []string{"yes", "no"}, "released", errs)
	}
	f.MinPrice = cents(p.MinPrice, "min_price", errs)
	f.MaxPrice = cents(p.MaxPrice, "max_price", errs)
	if f.MaxPrice > 0 && f.MinPrice > f.MaxPrice {
		errs["max_price"] = "The maximum price is below the minimum."
	}
	if p.MinMP != "" {
		mp, err := strconv.ParseFloat(p.MinMP, 64)
		if err != nil || mp < 0 || mp > 1000 || math.IsNaN(mp) {
			errs["min_mp"] = "Give a number of megapixels."
		}
		f.MinMP = mp
	}
	if len(errs) == 0 {
		return r, nil
	}
	return r, errs
}

func known(vals, allowed []string, field string, errs map[string]string) []string {
	var out []string
	for _, v := range vals {
		if v == "" {
			continue
		}
		if !slices.Contains(allowed, v) {
			errs[field] = fmt.Sprintf("Unknown %s %q.", field, v)
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// cents reads a price in dollars ("3", "2.50").
func cents(s, field string, errs map[string]string) int64 {
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 100_000 || math.IsNaN(f) {
		errs[field] = "Give a price in dollars, such as 5 or 2.50."
		return 0
	}
	return int64(math.Round(f * 100))
}

func categorySlugs() []string {
	var out []string
	for _, c := range app.Categories() {
		out = append(out, c.Slug)
	}
	return out
}

func colorBuckets() []string {
	return []string{"red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "black", "gray", "white"}
}

// values renders the parameters back into a query string, in a stable order.
func (p searchParams) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("like", p.Like)
	set("q", p.Q)
	if p.Mode == "any" {
		v.Set("mode", "any")
	}
	for _, kv := range []struct {
		k    string
		vals []string
	}{{"category", p.Category}, {"orientation", p.Orientation}, {"color", p.Color}, {"use", p.Use}, {"ai", p.AI}} {
		for _, x := range kv.vals {
			v.Add(kv.k, x)
		}
	}
	set("released", p.Released)
	set("min_price", p.MinPrice)
	set("max_price", p.MaxPrice)
	set("min_mp", p.MinMP)
	set("sort", p.Sort)
	if p.Page > 1 {
		v.Set("page", strconv.Itoa(p.Page))
	}
	if p.PerPage > 0 {
		v.Set("per_page", strconv.Itoa(p.PerPage))
	}
	return v
}

func (p searchParams) url() string {
	if q := p.values().Encode(); q != "" {
		return "/search?" + q
	}
	return "/search"
}
