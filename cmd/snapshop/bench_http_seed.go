package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/search"
	"github.com/snapshop/snapshop/search/synthetic"
)

const (
	// httpSeedBatch is how many images are inserted per transaction while seeding.
	httpSeedBatch = 1000
	// httpMaxSlugs bounds how many image pages the load generator spreads its requests over,
	// so that the list it keeps stays small beside the server it measures.
	httpMaxSlugs = 20_000
)

// httpCatalogue is what seeding leaves for the load generator.
type httpCatalogue struct {
	images int
	slugs  []string // image page paths' last segments, a spread sample of the catalogue
}

// seedHTTPCatalogue writes n published images from the synthetic generator, with their
// ~200 contributors, straight into the database through the store, as if each had been
// uploaded, processed and approved. Their thumbnails and previews are named but not stored:
// the pages measured only link to them.
func seedHTTPCatalogue(ctx context.Context, db *store.DB, n int, seed int64, now time.Time) (*httpCatalogue, error) {
	contributors := map[string]int64{}
	every := max(1, n/httpMaxSlugs)
	cat := &httpCatalogue{images: n, slugs: make([]string, 0, min(n, httpMaxSlugs+1))}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed)) // #nosec G115 G404 -- synthetic data, not secrets
	batch := make([]search.Document, 0, httpSeedBatch)
	flush := func() error {
		err := db.InTx(ctx, func(ctx context.Context) error {
			for i := range batch {
				d := &batch[i]
				uid, ok := contributors[d.Contributor]
				if !ok {
					u, err := checkoutUser(ctx, db, d.Contributor, app.RoleContributor)
					if err != nil {
						return err
					}
					uid = u.ID
					contributors[d.Contributor] = uid
				}
				img := httpImage(d, uid, rng, now)
				if err := db.CreateImage(ctx, img); err != nil {
					return err
				}
				if int(d.ID)%every == 0 && len(cat.slugs) < httpMaxSlugs {
					cat.slugs = append(cat.slugs, img.Slug())
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	for d := range synthetic.Catalogue(n, seed) {
		batch = append(batch, d)
		if len(batch) == httpSeedBatch {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("seed images: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("seed images: %w", err)
	}
	// A deterministic shuffle: consecutive requests must not walk the table in ID order.
	rng.Shuffle(len(cat.slugs), func(i, j int) { cat.slugs[i], cat.slugs[j] = cat.slugs[j], cat.slugs[i] })
	return cat, nil
}

// httpImage is the published image row for synthetic document d. Approval dates keep their
// distance from the generator's epoch but end now, so that the newest images are new, as on a
// live site.
func httpImage(d *search.Document, contributorID int64, rng *rand.Rand, now time.Time) *app.Image {
	sum := sha256.Sum256(binary.BigEndian.AppendUint32([]byte("snapshop-bench-http"), d.ID))
	hexSum := hex.EncodeToString(sum[:])
	approved := now.Add(-synthetic.Epoch().Sub(d.ApprovedAt)).UTC()
	submitted := approved.Add(-time.Duration(1+rng.IntN(72)) * time.Hour)
	w, h := httpDimensions(d.Orientation, d.Megapixels)
	price := d.PriceCents
	if price == 300 {
		price = 0 // the platform's price, as most contributors leave it
	}
	palette := make(app.StringList, len(d.Colors))
	for i := range palette {
		palette[i] = fmt.Sprintf("#%06x", rng.IntN(1<<24))
	}
	img := &app.Image{
		ContributorID: contributorID,
		Status:        app.StatusApproved,
		OriginalKey:   "originals/" + hexSum[:2] + "/" + hexSum,
		SHA256:        hexSum,
		FileSize:      int64(d.Megapixels * 400_000),
		FileName:      fmt.Sprintf("IMG_%04d.jpg", d.ID%10_000),
		Format:        "jpeg",
		Width:         w, Height: h,
		Orientation: app.Orientation(d.Orientation),
		Megapixels:  d.Megapixels,
		Title:       d.Title, Description: d.Description, Keywords: app.StringList(d.Keywords),
		Category: d.Category, Usage: app.Usage(d.Use), ModelRelease: d.Released, PropertyRelease: rng.IntN(5) == 0,
		AI:         app.AIDeclaration(d.AI),
		CameraMake: "Canon", CameraModel: "EOS R5", Lens: "RF24-105mm F4 L IS USM",
		FocalLength: float64(24 + rng.IntN(82)), Aperture: 4, ExposureTime: "1/250", ISO: 100 << rng.IntN(5),
		ThumbKey:   "derived/" + hexSum[:2] + "/" + catalog.DerivativeName(hexSum, "thumb"),
		PreviewKey: "derived/" + hexSum[:2] + "/" + catalog.DerivativeName(hexSum, "preview"),
		Colors:     app.StringList(d.Colors),
		Palette:    palette,
		PHash:      int64(rng.Uint64()), // #nosec G115 -- the stored bits are the hash
		PriceCents: price,
		Sales:      d.Sales, Views: d.Views,
		SubmittedAt: &submitted, ReviewedAt: &approved,
	}
	if rng.IntN(3) == 0 {
		taken := submitted.Add(-time.Duration(rng.IntN(90*24)) * time.Hour)
		img.TakenAt = &taken
	}
	return img
}

// httpDimensions turns an orientation and a size in megapixels into pixels.
func httpDimensions(orientation string, mp float64) (w, h int) {
	ratio := map[string]float64{"landscape": 1.5, "portrait": 2.0 / 3, "square": 1, "panorama": 3}[orientation]
	if ratio == 0 {
		ratio = 1.5
	}
	hf := math.Sqrt(mp * 1e6 / ratio)
	return int(hf * ratio), int(hf)
}
