package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/media/blob"
)

// canSee reports whether viewer (nil when signed out) may see img: everyone
// sees published images; owners and admins see theirs in any status.
func canSee(viewer *app.User, img *app.Image) bool {
	if img.Status.Public() {
		return true
	}
	return viewer != nil && (viewer.ID == img.ContributorID || viewer.Can(app.RoleAdmin))
}

// Image returns an image viewer may see; anything else is ENotFound, so that
// unpublished images cannot even be confirmed to exist.
func (s *Service) Image(ctx context.Context, viewer *app.User, publicID string) (*app.Image, error) {
	img, err := s.db.ImageByPublicID(ctx, publicID)
	if err != nil {
		return nil, err
	}
	if !canSee(viewer, img) {
		return nil, app.Errorf(app.ENotFound, "No such image.")
	}
	return img, nil
}

// ImagePage is one page of images plus the total matching.
type ImagePage struct {
	Images []app.Image
	Total  int64
}

// MyImages lists u's images, optionally of one status, newest first, with the
// count of each status for the tabs.
func (s *Service) MyImages(ctx context.Context, u *app.User, status app.ImageStatus, limit, offset int) (ImagePage, map[app.ImageStatus]int64, error) {
	f := store.ImageFilter{ContributorID: u.ID, Limit: limit, Offset: offset}
	if status != "" {
		f.Statuses = []app.ImageStatus{status}
	}
	imgs, total, err := s.db.ListImages(ctx, f)
	if err != nil {
		return ImagePage{}, nil, err
	}
	counts, err := s.db.CountImagesByStatus(ctx, u.ID)
	if err != nil {
		return ImagePage{}, nil, err
	}
	return ImagePage{Images: imgs, Total: total}, counts, nil
}

// Detail is an image with its contributor.
type Detail struct {
	Image       *app.Image
	Contributor *app.User
}

// Detail returns an image viewer may see, with its contributor.
func (s *Service) Detail(ctx context.Context, viewer *app.User, publicID string) (*Detail, error) {
	img, err := s.Image(ctx, viewer, publicID)
	if err != nil {
		return nil, err
	}
	u, err := s.db.UserByID(ctx, img.ContributorID)
	if err != nil {
		return nil, err
	}
	return &Detail{Image: img, Contributor: u}, nil
}

// Portfolio returns an active contributor and their published images, newest
// first.
func (s *Service) Portfolio(ctx context.Context, username string, limit, offset int) (*app.User, ImagePage, error) {
	u, err := s.db.UserByUsername(ctx, strings.ToLower(username))
	if err != nil {
		return nil, ImagePage{}, err
	}
	if !u.Can(app.RoleContributor) {
		return nil, ImagePage{}, app.Errorf(app.ENotFound, "No such contributor.")
	}
	imgs, total, err := s.db.ListImages(ctx, store.ImageFilter{
		ContributorID: u.ID, Statuses: []app.ImageStatus{app.StatusApproved}, Limit: limit, Offset: offset,
	})
	return u, ImagePage{Images: imgs, Total: total}, err
}

// Recent returns the most recently published images.
func (s *Service) Recent(ctx context.Context, limit int) ([]app.Image, error) {
	imgs, _, err := s.db.ListImages(ctx, store.ImageFilter{Statuses: []app.ImageStatus{app.StatusApproved}, Limit: limit, NoTotal: true})
	return imgs, err
}

// PublishedCards returns the published images among ids, in the order
// given, with only the fields a result card shows (see
// store.ImageCardsByIDs): search results and related images hydrated from
// the database, where any image that left the catalogue since it was
// indexed is dropped.
func (s *Service) PublishedCards(ctx context.Context, ids []int64) ([]app.Image, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	imgs, err := s.db.ImageCardsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]app.Image, len(imgs))
	for _, img := range imgs {
		byID[img.ID] = img
	}
	out := make([]app.Image, 0, len(ids))
	for _, id := range ids {
		if img, ok := byID[id]; ok && img.Status.Public() {
			out = append(out, img)
		}
	}
	return out, nil
}

// ImagesByIDs returns the images with the given public IDs that viewer may
// see, in the order given.
func (s *Service) ImagesByIDs(ctx context.Context, viewer *app.User, ids []string) ([]app.Image, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	imgs, _, err := s.db.ListImages(ctx, store.ImageFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]app.Image, len(imgs))
	for _, img := range imgs {
		byID[img.PublicID] = img
	}
	out := make([]app.Image, 0, len(ids))
	for _, id := range ids {
		if img, ok := byID[id]; ok && canSee(viewer, &img) {
			out = append(out, img)
		}
	}
	return out, nil
}

// Derivative opens a derivative by its public file name (see DerivativeName)
// for viewer. public says whether anyone may see it, so shared caches may keep
// it; otherwise it is only for its owner and admins.
func (s *Service) Derivative(ctx context.Context, viewer *app.User, name string) (obj blob.Object, public bool, err error) {
	sum, size, ok := parseDerivativeName(name)
	if !ok {
		return nil, false, app.Errorf(app.ENotFound, "No such file.")
	}
	img, err := s.db.ImageBySHA256(ctx, sum)
	if err != nil {
		return nil, false, err
	}
	key := derivativeKey(sum, size)
	if !canSee(viewer, img) || (key != img.ThumbKey && key != img.PreviewKey) {
		return nil, false, app.Errorf(app.ENotFound, "No such file.")
	}
	obj, err = s.blobs.Open(ctx, key)
	if err != nil {
		return nil, false, err
	}
	return obj, img.Status.Public(), nil
}

// parseDerivativeName splits "<sha256>-<size>-<version>.jpg".
func parseDerivativeName(name string) (sum, size string, ok bool) {
	rest, found := strings.CutSuffix(name, "-"+derivativeVersion+".jpg")
	if !found {
		return "", "", false
	}
	sum, size, found = strings.Cut(rest, "-")
	if !found || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || (size != "thumb" && size != "preview") {
		return "", "", false
	}
	return sum, size, true
}

// Comp opens the watermarked preview of a published image for a signed-in
// viewer to try in a layout before buying: a comp. It is never the
// original, and only published images have one (anything else is
// ENotFound, whoever asks).
func (s *Service) Comp(ctx context.Context, viewer *app.User, publicID string) (*app.Image, blob.Object, error) {
	if viewer == nil {
		return nil, nil, app.Errorf(app.EUnauthorized, "Sign in to download comps.")
	}
	img, err := s.db.ImageByPublicID(ctx, publicID)
	if err != nil {
		return nil, nil, err
	}
	if !img.Status.Public() || img.PreviewKey == "" {
		return nil, nil, app.Errorf(app.ENotFound, "No such image.")
	}
	obj, err := s.blobs.Open(ctx, img.PreviewKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open preview of %s: %w", img.PublicID, err)
	}
	return img, obj, nil
}

// NearDuplicates returns, for each of imgs, the other images whose
// perceptual hashes are within maxDistance bits of its own (at most 6), by
// image ID. Images still processing, or failed, have no hash to compare.
func (s *Service) NearDuplicates(ctx context.Context, imgs []app.Image, maxDistance int) (map[int64][]store.Near, error) {
	hashes := make(map[int64]uint64, len(imgs))
	for _, img := range imgs {
		if img.Status != app.StatusProcessing && img.Status != app.StatusFailed {
			hashes[img.ID] = uint64(img.PHash) // #nosec G115 -- the stored bits are the hash
		}
	}
	return s.db.SimilarHashes(ctx, hashes, maxDistance)
}

// OpenOriginal opens an image's original file. Originals are private: the
// only caller is the licensed download, after commerce has checked the
// link and the licence.
func (s *Service) OpenOriginal(ctx context.Context, img *app.Image) (blob.Object, error) {
	obj, err := s.blobs.Open(ctx, img.OriginalKey)
	if err != nil {
		return nil, fmt.Errorf("open original of %s: %w", img.PublicID, err)
	}
	return obj, nil
}
