package lightbox

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
)

// Options configure the Service.
type Options struct {
	MaxLightboxes int // per account; 0 means app.LightboxesPerUser
	MaxImages     int // per lightbox; 0 means app.ImagesPerLightbox
	Logger        *slog.Logger
}

// Service keeps lightboxes.
type Service struct {
	db       *store.DB
	commerce *commerce.Service
	o        Options
	log      *slog.Logger
}

// NewService returns the lightbox service. Prices and the cart come from
// commerce.
func NewService(db *store.DB, com *commerce.Service, o Options) *Service {
	o.MaxLightboxes = cmp.Or(o.MaxLightboxes, app.LightboxesPerUser)
	o.MaxImages = cmp.Or(o.MaxImages, app.ImagesPerLightbox)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, commerce: com, o: o, log: o.Logger}
}

// Limits returns how many lightboxes an account may keep, and how many
// images one may hold.
func (s *Service) Limits() (lightboxes, images int) { return s.o.MaxLightboxes, s.o.MaxImages }

// errNoLightbox is the one answer for a lightbox that does not exist, is
// someone else's, or whose share link is wrong or revoked: none of them
// confirms that anything is there.
func errNoLightbox() error { return app.Errorf(app.ENotFound, "No such lightbox.") }

// errNoImage is the answer for an image that does not exist or is not
// published.
func errNoImage() error { return app.Errorf(app.ENotFound, "No such image.") }

// signedIn refuses anonymous callers (and suspended accounts).
func signedIn(u *app.User) error {
	if !u.Can(app.RoleBuyer) {
		return app.Errorf(app.EUnauthorized, "Sign in to use lightboxes.")
	}
	return nil
}

// lightboxOf returns one of owner's lightboxes; anything else is errNoLightbox.
func (s *Service) lightboxOf(ctx context.Context, owner *app.User, publicID string, lock bool) (*app.Lightbox, error) {
	if err := signedIn(owner); err != nil {
		return nil, err
	}
	get := s.db.LightboxOf
	if lock {
		get = s.db.LightboxForUpdate
	}
	b, err := get(ctx, owner.ID, strings.TrimSpace(publicID))
	if app.ErrorCode(err) == app.ENotFound {
		return nil, errNoLightbox()
	}
	return b, err
}

// checkName trims a lightbox name and checks it: 1–100 characters on one line.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "", app.Invalid(map[string]string{"name": "Give the lightbox a name."})
	case n > app.LightboxNameMax:
		return "", app.Invalid(map[string]string{"name": fmt.Sprintf("At most %d characters.", app.LightboxNameMax)})
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", app.Invalid(map[string]string{"name": "Use one line of ordinary text."})
	}
	return name, nil
}

// Create makes a lightbox for owner. An account keeps at most MaxLightboxes.
func (s *Service) Create(ctx context.Context, owner *app.User, name string) (*app.Lightbox, error) {
	if err := signedIn(owner); err != nil {
		return nil, err
	}
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	b := &app.Lightbox{OwnerID: owner.ID, Name: name}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// Lock the owner (on PostgreSQL) so two creations cannot both pass
		// the count.
		if _, err := s.db.UserForUpdate(ctx, owner.PublicID); err != nil {
			return err
		}
		n, err := s.db.CountLightboxes(ctx, owner.ID)
		if err != nil {
			return err
		}
		if n >= int64(s.o.MaxLightboxes) {
			return app.Errorf(app.EConflict, "You already have %d lightboxes, the most an account may keep. Delete one you no longer need first.", s.o.MaxLightboxes)
		}
		return s.db.CreateLightbox(ctx, b)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Summary is a lightbox as its owner's list shows it.
type Summary struct {
	Lightbox app.Lightbox
	Count    int64    // published images in it
	Holds    []string // which of the images asked about it holds (public IDs)
}

// maxAsked bounds the images List is asked about at once (one page of results).
const maxAsked = 100

// List returns owner's lightboxes, the most recently changed first. For
// each it says which of imageIDs (public IDs; optional) it holds, so that
// a page can show where its images are saved.
func (s *Service) List(ctx context.Context, owner *app.User, imageIDs ...string) ([]Summary, error) {
	if err := signedIn(owner); err != nil {
		return nil, err
	}
	if len(imageIDs) > maxAsked {
		return nil, app.Invalid(map[string]string{"image_id": fmt.Sprintf("Ask about at most %d images at once.", maxAsked)})
	}
	boxes, err := s.db.Lightboxes(ctx, owner.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(boxes))
	for i, b := range boxes {
		ids[i] = b.ID
	}
	counts, err := s.db.PublishedLightboxCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	holding := map[int64][]int64{}
	publicOf := map[int64]string{}
	if len(imageIDs) > 0 {
		imgs, err := s.db.ImagesByPublicIDs(ctx, imageIDs)
		if err != nil {
			return nil, err
		}
		asked := make([]int64, 0, len(imgs))
		for _, img := range imgs {
			if img.Status.Public() {
				asked = append(asked, img.ID)
				publicOf[img.ID] = img.PublicID
			}
		}
		if holding, err = s.db.LightboxesHolding(ctx, owner.ID, asked); err != nil {
			return nil, err
		}
	}
	out := make([]Summary, len(boxes))
	for i, b := range boxes {
		out[i] = Summary{Lightbox: b, Count: counts[b.ID], Holds: []string{}}
		for _, id := range holding[b.ID] {
			out[i].Holds = append(out[i].Holds, publicOf[id])
		}
	}
	return out, nil
}

// Entry is one published image in a lightbox, with its prices.
type Entry struct {
	Item     app.LightboxItem
	Image    *app.Image
	Standard int64 // a standard licence's price
	Extended int64 // an extended licence's price
}

// View is a lightbox as its owner sees it: the published images in order,
// the client's marks, and the price of licensing them all at each tier.
type View struct {
	Lightbox      app.Lightbox
	Entries       []Entry
	StandardCents int64 // every image at the standard licence
	ExtendedCents int64 // every image at the extended licence
	Approved      int   // images the client approved
	Marked        int   // images the client marked either way
}

// Get returns one of owner's lightboxes with its images.
func (s *Service) Get(ctx context.Context, owner *app.User, publicID string) (*View, error) {
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return nil, err
	}
	entries, err := s.entries(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	prices := s.commerce.Prices(ctx)
	v := &View{Lightbox: *b, Entries: entries}
	for i := range v.Entries {
		e := &v.Entries[i]
		e.Standard = prices.Price(e.Image, app.LicenseStandard)
		e.Extended = prices.Price(e.Image, app.LicenseExtended)
		v.StandardCents += e.Standard
		v.ExtendedCents += e.Extended
		if e.Item.ClientMark == app.MarkApproved {
			v.Approved++
		}
		if e.Item.ClientMark != app.MarkNone {
			v.Marked++
		}
	}
	return v, nil
}

// entries returns a lightbox's items whose images are published, in order.
func (s *Service) entries(ctx context.Context, lightboxID int64) ([]Entry, error) {
	items, err := s.db.LightboxItems(ctx, lightboxID)
	if err != nil {
		return nil, err
	}
	return s.withImages(ctx, items)
}

// withImages returns the items whose images are published, with them.
func (s *Service) withImages(ctx context.Context, items []app.LightboxItem) ([]Entry, error) {
	if len(items) == 0 {
		return []Entry{}, nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ImageID
	}
	imgs, err := s.db.ImagesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*app.Image, len(imgs))
	for i := range imgs {
		byID[imgs[i].ID] = &imgs[i]
	}
	out := make([]Entry, 0, len(items))
	for _, it := range items {
		if img := byID[it.ImageID]; img != nil && img.Status.Public() {
			out = append(out, Entry{Item: it, Image: img})
		}
	}
	return out, nil
}

// Rename changes a lightbox's name.
func (s *Service) Rename(ctx context.Context, owner *app.User, publicID, name string) (*app.Lightbox, error) {
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return nil, err
	}
	if err := s.db.UpdateLightbox(ctx, b.ID, map[string]any{"name": name}); err != nil {
		return nil, err
	}
	b.Name = name
	return b, nil
}

// Delete removes a lightbox, its images and its share link.
func (s *Service) Delete(ctx context.Context, owner *app.User, publicID string) error {
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return err
	}
	return s.db.DeleteLightbox(ctx, b.ID)
}

// published returns a published image by public ID; anything else is errNoImage.
func (s *Service) published(ctx context.Context, publicID string) (*app.Image, error) {
	img, err := s.db.ImageByPublicID(ctx, strings.TrimSpace(publicID))
	if app.ErrorCode(err) == app.ENotFound || err == nil && !img.Status.Public() {
		return nil, errNoImage()
	}
	return img, err
}

// Add puts a published image at the end of one of owner's lightboxes.
// Adding an image already there changes nothing (added is false). A
// lightbox holds at most MaxImages.
func (s *Service) Add(ctx context.Context, owner *app.User, publicID, imageID string) (b *app.Lightbox, img *app.Image, added bool, err error) {
	if err := signedIn(owner); err != nil {
		return nil, nil, false, err
	}
	if img, err = s.published(ctx, imageID); err != nil {
		return nil, nil, false, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if b, err = s.lightboxOf(ctx, owner, publicID, true); err != nil {
			return err
		}
		n, err := s.db.CountLightboxItems(ctx, b.ID)
		if err != nil {
			return err
		}
		if n >= int64(s.o.MaxImages) {
			held, err := s.db.LightboxesHolding(ctx, owner.ID, []int64{img.ID})
			if err != nil {
				return err
			}
			if len(held[b.ID]) > 0 {
				return nil // already there: nothing to add
			}
			return app.Errorf(app.EConflict, "“%s” already holds %d images, the most a lightbox may. Remove some, or start another lightbox.", b.Name, s.o.MaxImages)
		}
		if added, err = s.db.AddLightboxItem(ctx, &app.LightboxItem{LightboxID: b.ID, ImageID: img.ID}); err != nil || !added {
			return err
		}
		return s.db.UpdateLightbox(ctx, b.ID, map[string]any{})
	})
	if err != nil {
		return nil, nil, false, err
	}
	return b, img, added, nil
}

// Remove takes an image out of one of owner's lightboxes. Removing one that
// is not there changes nothing.
func (s *Service) Remove(ctx context.Context, owner *app.User, publicID, imageID string) (*app.Lightbox, error) {
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return nil, err
	}
	img, err := s.db.ImageByPublicID(ctx, strings.TrimSpace(imageID))
	if app.ErrorCode(err) == app.ENotFound {
		return nil, errNoImage()
	}
	if err != nil {
		return nil, err
	}
	removed, err := s.db.RemoveLightboxItem(ctx, b.ID, img.ID)
	if err != nil || !removed {
		return b, err
	}
	return b, s.db.UpdateLightbox(ctx, b.ID, map[string]any{})
}

// Move puts an image of one of owner's lightboxes at position to (1 is
// first) among its published images, and returns where it ended up (to,
// clamped to the list). Images not shown keep their place relative to
// their neighbours.
func (s *Service) Move(ctx context.Context, owner *app.User, publicID, imageID string, to int) (int, error) {
	return s.move(ctx, owner, publicID, imageID, func(int) int { return to - 1 })
}

// Step moves an image of one of owner's lightboxes by delta places (−1: one
// up) among its published images, and returns its new position (1 is first).
func (s *Service) Step(ctx context.Context, owner *app.User, publicID, imageID string, delta int) (int, error) {
	return s.move(ctx, owner, publicID, imageID, func(cur int) int { return cur + delta })
}

// move reorders a lightbox: target maps the image's current index among the
// published images to the wanted one (both from 0).
func (s *Service) move(ctx context.Context, owner *app.User, publicID, imageID string, target func(cur int) int) (int, error) {
	if err := signedIn(owner); err != nil {
		return 0, err
	}
	var at int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		b, err := s.lightboxOf(ctx, owner, publicID, true)
		if err != nil {
			return err
		}
		all, err := s.db.LightboxItems(ctx, b.ID)
		if err != nil {
			return err
		}
		shown, err := s.withImages(ctx, all)
		if err != nil {
			return err
		}
		cur := -1
		for i, e := range shown {
			if e.Image.PublicID == strings.TrimSpace(imageID) {
				cur = i
			}
		}
		if cur < 0 {
			return app.Errorf(app.ENotFound, "That image is not in this lightbox.")
		}
		at = min(max(target(cur), 0), len(shown)-1)
		if at == cur {
			return nil
		}
		order := reorder(all, shown, cur, at)
		changed := map[int64]int{}
		for i, it := range order {
			if it.Position != i+1 {
				changed[it.ID] = i + 1
			}
		}
		if err := s.db.SetLightboxPositions(ctx, b.ID, changed); err != nil {
			return err
		}
		return s.db.UpdateLightbox(ctx, b.ID, map[string]any{})
	})
	if err != nil {
		return 0, err
	}
	return at + 1, nil
}

// reorder returns all items in their new order after the shown item at
// index cur moves to index at among the shown ones: it goes just before the
// shown item that will follow it, or just after the one that will precede it.
func reorder(all []app.LightboxItem, shown []Entry, cur, at int) []app.LightboxItem {
	moving := shown[cur].Item.ID
	rest := make([]app.LightboxItem, 0, len(all))
	var item app.LightboxItem
	for _, it := range all {
		if it.ID == moving {
			item = it
			continue
		}
		rest = append(rest, it)
	}
	others := make([]int64, 0, len(shown)-1)
	for i, e := range shown {
		if i != cur {
			others = append(others, e.Item.ID)
		}
	}
	anchor, after := int64(0), false
	if at < len(others) {
		anchor = others[at]
	} else {
		anchor, after = others[len(others)-1], true
	}
	out := make([]app.LightboxItem, 0, len(all))
	for _, it := range rest {
		if it.ID == anchor && !after {
			out = append(out, item)
		}
		out = append(out, it)
		if it.ID == anchor && after {
			out = append(out, item)
		}
	}
	return out
}
