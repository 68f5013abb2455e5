package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/search"
)

const pageSearch = "search"

// freshWindow is how recently an image must have been approved to be given
// one of the few places the first page of a relevance search keeps for new
// images (see search/fresh.go).
const freshWindow = 14 * 24 * time.Hour

// searchImages runs a search and hydrates its hits from the database, in
// result order, dropping any image no longer visible (the index trails the
// database by a moment).
func (s *Server) searchImages(c echo.Context, r search.Request) (*search.Result, []app.Image, error) {
	ctx := c.Request().Context()
	// To the hour, so that paging through one search sees one first page.
	r.FreshSince = time.Now().Truncate(time.Hour).Add(-freshWindow)
	res, err := s.search.Search(ctx, r)
	switch {
	case errors.Is(err, search.ErrNotReady):
		return nil, nil, app.Errorf(app.EUnavailable, "Search is starting up. Try again in a minute.")
	case errors.Is(err, search.ErrTooDeep):
		return nil, nil, app.Invalid(map[string]string{"page": fmt.Sprintf("Results stop at number %d: narrow the search.", search.MaxDepth)})
	case err != nil:
		return nil, nil, err
	}
	ids := make([]int64, len(res.IDs))
	for i, id := range res.IDs {
		ids[i] = int64(id)
	}
	imgs, err := s.catalog.PublishedCards(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	return res, imgs, nil
}

// facetOption is one clickable filter value.
type facetOption struct {
	Value    string
	Label    string
	Count    int
	Selected bool
	URL      string // the search with this value toggled
}

type facetGroup struct {
	Name    string
	Label   string
	Options []facetOption
}

type searchPage struct {
	Page
	Like       *app.Image // "more like" this image, instead of a query
	Params     searchParams
	Errors     map[string]string
	Total      int
	TookMS     float64
	Hits       template.HTML // the results' cards (see cardGrid)
	Facets     []facetGroup
	Sorts      []facetOption
	Suggestion string
	SuggestURL string
	PrevURL    string
	NextURL    string
	PageNum    int
	Pages      int
	ClearURL   string
	Filtered   bool
}

func (s *Server) searchPageHandler(c echo.Context) error {
	p := parseSearchParams(c.QueryParams())
	r, errs := p.request(true)
	like, errs, err := s.withLike(c, p.Like, &r, errs)
	if err != nil {
		return err
	}
	data := searchPage{Page: s.page(c, "Search"), Like: like, Params: p, Errors: errs, PageNum: max(p.Page, 1)}
	switch {
	case like != nil:
		data.Title = "More like " + orDefault(like.Title, "this photo")
	case p.Q != "":
		data.Title = p.Q + " — photos"
	}
	if errs != nil {
		return s.renderPage(c, http.StatusUnprocessableEntity, pageSearch, &data)
	}
	res, imgs, err := s.searchImages(c, r)
	if fields := app.ErrorFields(err); fields != nil {
		data.Errors = fields
		return s.renderPage(c, http.StatusUnprocessableEntity, pageSearch, &data)
	}
	if err != nil {
		return err
	}
	data.Total, data.TookMS = res.Total, float64(res.Took.Microseconds())/1000
	data.Hits = s.cardGrid(imgs, func(img *app.Image) (template.HTML, bool) {
		return highlightHTML(s.search.Highlight(img.Title, res.Highlight)), isFresh(res, img)
	})
	data.Facets = facetGroups(p, res.Facets)
	data.Sorts = sortOptions(p)
	if res.Suggestion != "" {
		sp := p
		sp.Q, sp.Page = res.Suggestion, 1
		data.Suggestion, data.SuggestURL = res.Suggestion, sp.url()
	}
	perPage := r.PerPage
	if perPage == 0 {
		perPage = 48
	}
	data.Pages = min((res.Total+perPage-1)/perPage, search.MaxDepth/perPage)
	if data.PageNum > 1 {
		pp := p
		pp.Page = data.PageNum - 1
		data.PrevURL = pp.url()
	}
	if data.PageNum < data.Pages {
		pp := p
		pp.Page = data.PageNum + 1
		data.NextURL = pp.url()
	}
	clear := searchParams{Q: p.Q, Sort: p.Sort, Like: p.Like}
	data.ClearURL = clear.url()
	data.Filtered = len(p.Category)+len(p.Orientation)+len(p.Color)+len(p.Use)+len(p.AI) > 0 || p.Released != "" || p.MinPrice != "" || p.MaxPrice != "" || p.MinMP != ""
	return s.renderPage(c, http.StatusOK, pageSearch, &data)
}

// isFresh reports whether img is a new image the search promoted.
func isFresh(res *search.Result, img *app.Image) bool {
	return slices.Contains(res.Fresh, uint32(img.ID)) // #nosec G115 -- image IDs fit the index's
}

// withLike resolves the like parameter, the published image a "more like
// this" search starts from, into r. An unknown or unpublished image is a
// field error, added to errs.
func (s *Server) withLike(c echo.Context, publicID string, r *search.Request, errs map[string]string) (*app.Image, map[string]string, error) {
	if publicID == "" {
		return nil, errs, nil
	}
	img, err := s.catalog.Image(c.Request().Context(), nil, publicID)
	if app.ErrorCode(err) == app.ENotFound {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["like"] = "No published photo has that ID."
		return nil, errs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	r.Like = likeOf(img)
	return img, errs, nil
}

// facetGroups turns facet counts into links that toggle each value.
func facetGroups(p searchParams, facets map[string][]search.FacetValue) []facetGroup {
	toggle := func(list []string, v string) []string {
		if slices.Contains(list, v) {
			return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == v })
		}
		return append(slices.Clone(list), v)
	}
	var out []facetGroup
	add := func(name, label string, labelOf func(string) string, selected func(string) bool, with func(string) searchParams) {
		g := facetGroup{Name: name, Label: label}
		for _, fv := range facets[name] {
			np := with(fv.Value)
			np.Page = 1
			g.Options = append(g.Options, facetOption{Value: fv.Value, Label: labelOf(fv.Value), Count: fv.Count, Selected: selected(fv.Value), URL: np.url()})
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	multi := func(name, label string, labelOf func(string) string, list func(*searchParams) *[]string) {
		add(name, label, labelOf,
			func(v string) bool { return slices.Contains(*list(&p), v) },
			func(v string) searchParams { np := p; *list(&np) = toggle(*list(&p), v); return np })
	}
	title := func(v string) string { return strings.ToUpper(v[:1]) + v[1:] }
	multi(search.FacetCategory, "Category", func(v string) string { n, _ := app.CategoryName(v); return n }, func(q *searchParams) *[]string { return &q.Category })
	multi(search.FacetOrientation, "Orientation", title, func(q *searchParams) *[]string { return &q.Orientation })
	multi(search.FacetColor, "Colour", title, func(q *searchParams) *[]string { return &q.Color })
	multi(search.FacetUse, "Licence use", title, func(q *searchParams) *[]string { return &q.Use })
	add(search.FacetReleased, "Model release",
		func(v string) string { return map[string]string{"yes": "Released", "no": "Not released"}[v] },
		func(v string) bool { return p.Released == v },
		func(v string) searchParams {
			np := p
			if np.Released == v {
				np.Released = ""
			} else {
				np.Released = v
			}
			return np
		})
	multi(search.FacetAI, "Generative AI", func(v string) string {
		return map[string]string{"none": "Not used", "assisted": "Assisted", "generated": "AI-generated"}[v]
	}, func(q *searchParams) *[]string { return &q.AI })
	bands := map[string]search.PriceBand{}
	for _, b := range search.PriceBands() {
		bands[b.Value] = b
	}
	add(search.FacetPrice, "Price", func(v string) string { return bands[v].Label },
		func(v string) bool {
			b := bands[v]
			return p.MinPrice == dollars(b.MinCents) && p.MaxPrice == dollars(max(b.MaxCents-1, 0))
		},
		func(v string) searchParams {
			np, b := p, bands[v]
			if np.MinPrice == dollars(b.MinCents) && np.MaxPrice == dollars(max(b.MaxCents-1, 0)) {
				np.MinPrice, np.MaxPrice = "", ""
			} else {
				np.MinPrice, np.MaxPrice = dollars(b.MinCents), dollars(max(b.MaxCents-1, 0))
			}
			return np
		})
	add(search.FacetSize, "Size", func(v string) string { return "At least " + v + " MP" },
		func(v string) bool { return p.MinMP == v },
		func(v string) searchParams {
			np := p
			if np.MinMP == v {
				np.MinMP = ""
			} else {
				np.MinMP = v
			}
			return np
		})
	return out
}

// dollars renders cents as a URL price ("" for zero).
func dollars(c int64) string {
	if c <= 0 {
		return ""
	}
	if c%100 == 0 {
		return fmt.Sprintf("%d", c/100)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

func sortOptions(p searchParams) []facetOption {
	current := p.Sort
	if current == "" {
		current = string(search.SortRelevance)
		if p.Q == "" {
			current = string(search.SortNewest)
		}
	}
	var out []facetOption
	for _, o := range []struct{ v, label string }{
		{"relevance", "Most relevant"}, {"newest", "Newest"}, {"popular", "Most popular"},
		{"undiscovered", "Undiscovered"}, {"price_asc", "Price: low to high"}, {"price_desc", "Price: high to low"},
	} {
		np := p
		np.Sort, np.Page = o.v, 1
		out = append(out, facetOption{Value: o.v, Label: o.label, Selected: current == o.v, URL: np.url()})
	}
	return out
}

// searchHitJSON is one result in the API.
type searchHitJSON struct {
	ID         string `json:"id"`
	Slug       string `json:"slug"`
	Title      string `json:"title"`
	ThumbURL   string `json:"thumb_url"`
	PreviewURL string `json:"preview_url"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	PriceCents int64  `json:"price_cents"`
	New        bool   `json:"new"` // a new image given a place on the first page
}

type facetValueJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

type searchJSON struct {
	Total      int                         `json:"total"`
	TookMS     float64                     `json:"took_ms"`
	Page       int                         `json:"page"`
	PerPage    int                         `json:"per_page"`
	Hits       []searchHitJSON             `json:"hits"`
	Facets     map[string][]facetValueJSON `json:"facets"`
	Suggestion string                      `json:"suggestion"`
}

func (s *Server) apiSearch(c echo.Context) error {
	p := parseSearchParams(c.QueryParams())
	r, errs := p.request(true)
	_, errs, err := s.withLike(c, p.Like, &r, errs)
	if err != nil {
		return err
	}
	if errs != nil {
		return app.Invalid(errs)
	}
	res, imgs, err := s.searchImages(c, r)
	if err != nil {
		return err
	}
	perPage := r.PerPage
	if perPage == 0 {
		perPage = 48
	}
	out := searchJSON{
		Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000, Page: max(r.Page, 1), PerPage: perPage,
		Hits: make([]searchHitJSON, 0, len(imgs)), Facets: map[string][]facetValueJSON{}, Suggestion: res.Suggestion,
	}
	for i := range imgs {
		img := &imgs[i]
		out.Hits = append(out.Hits, searchHitJSON{
			ID: img.PublicID, Slug: img.Slug(), Title: img.Title, ThumbURL: thumbURL(img), PreviewURL: previewURL(img),
			Width: img.Width, Height: img.Height, PriceCents: s.catalog.PriceCents(img), New: isFresh(res, img),
		})
	}
	for name, vals := range res.Facets {
		list := make([]facetValueJSON, len(vals))
		for i, v := range vals {
			list[i] = facetValueJSON{Value: v.Value, Count: v.Count}
		}
		out.Facets[name] = list
	}
	return c.JSON(http.StatusOK, out)
}

// apiSuggest completes what is typed in the search box.
func (s *Server) apiSuggest(c echo.Context) error {
	q := c.QueryParam("q")
	if len(q) > search.MaxQueryLength {
		return app.Invalid(map[string]string{"q": "The prefix is too long."})
	}
	list, err := s.search.Suggest(c.Request().Context(), q, 8)
	if errors.Is(err, search.ErrNotReady) {
		list, err = nil, nil
	}
	if err != nil {
		return err
	}
	if list == nil {
		list = []string{}
	}
	// Suggestions change slowly; let the browser keep them for a minute.
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, map[string][]string{"suggestions": list})
}
