package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
)

// Description rules.
const (
	MaxTitleLength       = 200  // characters
	MaxDescriptionLength = 2000 // characters
	MinKeywords          = 5
	MaxKeywords          = 50
	maxKeywordLength     = 50
)

// Description is a change to an image's description: nil fields are left as
// they are (so it serves PATCH as well as the full form).
type Description struct {
	Title           *string
	Description     *string
	Keywords        *[]string
	Category        *string
	Usage           *app.Usage
	ModelRelease    *bool
	PropertyRelease *bool
	AI              *app.AIDeclaration
	// PriceCents is the standard licence's price; 0 means the platform's.
	PriceCents *int64
}

// NormalizeKeywords trims, lowercases and collapses the spaces of each
// keyword, drops empty ones and keeps the first of any repeats, in order.
// An item holding the edit form's separators ("new york, usa" from a file's
// IPTC or the API) is split as the form would split it: the form shows
// keywords joined by commas, so saving it untouched must not change them.
func NormalizeKeywords(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, item := range in {
		for _, k := range SplitKeywords(item) {
			k = strings.Join(strings.Fields(strings.ToLower(k)), " ")
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// SplitKeywords splits a form's keyword field on commas, semicolons and new lines.
func SplitKeywords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
}

// apply validates d and writes it into img, returning a message per invalid
// field (img is then partly changed and must be discarded).
func (d *Description) apply(img *app.Image) map[string]string {
	errs := map[string]string{}
	if d.Title != nil {
		t := strings.TrimSpace(*d.Title)
		switch {
		case t == "":
			errs["title"] = "Give the image a title."
		case utf8.RuneCountInString(t) > MaxTitleLength:
			errs["title"] = "Use at most 200 characters."
		}
		img.Title = t
	}
	if d.Description != nil {
		t := strings.TrimSpace(*d.Description)
		if utf8.RuneCountInString(t) > MaxDescriptionLength {
			errs["description"] = "Use at most 2,000 characters."
		}
		img.Description = t
	}
	if d.Keywords != nil {
		kw := NormalizeKeywords(*d.Keywords)
		switch {
		case len(kw) > MaxKeywords:
			errs["keywords"] = "Use at most 50 keywords."
		case longestRunes(kw) > maxKeywordLength:
			errs["keywords"] = "Keep each keyword under 50 characters."
		}
		img.Keywords = kw
	}
	if d.Category != nil {
		if _, ok := app.CategoryName(*d.Category); !ok && *d.Category != "" {
			errs["category"] = "Choose a category from the list."
		}
		img.Category = *d.Category
	}
	if d.Usage != nil {
		if *d.Usage != app.UsageCommercial && *d.Usage != app.UsageEditorial && *d.Usage != "" {
			errs["usage"] = "Choose commercial or editorial."
		}
		img.Usage = *d.Usage
	}
	if d.ModelRelease != nil {
		img.ModelRelease = *d.ModelRelease
	}
	if d.PropertyRelease != nil {
		img.PropertyRelease = *d.PropertyRelease
	}
	if d.AI != nil {
		switch *d.AI {
		case app.AINone, app.AIAssisted, app.AIGenerated, "":
		default:
			errs["ai_declaration"] = "Choose none, assisted or generated."
		}
		img.AI = *d.AI
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func longestRunes(list []string) int {
	n := 0
	for _, s := range list {
		n = max(n, utf8.RuneCountInString(s))
	}
	return n
}

// incomplete returns what an image still lacks before it can be submitted.
func incomplete(img *app.Image) map[string]string {
	errs := map[string]string{}
	if strings.TrimSpace(img.Title) == "" {
		errs["title"] = "Give the image a title."
	}
	if n := len(img.Keywords); n < MinKeywords {
		errs["keywords"] = fmt.Sprintf("Add at least %d keywords (you have %d).", MinKeywords, n)
	}
	if img.Category == "" {
		errs["category"] = "Choose a category."
	}
	if img.Usage == "" {
		errs["usage"] = "Choose commercial or editorial use."
	}
	if img.AI == "" {
		errs["ai_declaration"] = "Say whether generative AI was used."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ownImage loads, with a row lock, an image u owns (admins may act on any);
// anyone else gets ENotFound, as if it did not exist.
func (s *Service) ownImage(ctx context.Context, u *app.User, publicID string) (*app.Image, error) {
	img, err := s.db.ImageForUpdate(ctx, publicID)
	if err != nil {
		return nil, err
	}
	if img.ContributorID != u.ID && !u.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.ENotFound, "No such image.")
	}
	return img, nil
}

// Describe changes an image's description. Its owner may do so while the
// image is a draft, rejected or approved — not while processing or in review.
func (s *Service) Describe(ctx context.Context, u *app.User, publicID string, d Description) (*app.Image, error) {
	// Read before the transaction: the policy source may query the
	// database itself, and must not do so on the transaction's connection.
	t := s.terms(ctx)
	var out *app.Image
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		img, err := s.ownImage(ctx, u, publicID)
		if err != nil {
			return err
		}
		if !img.Status.Editable() {
			return app.Errorf(app.EConflict, "This image is %s and cannot be edited now.", img.Status)
		}
		errs := d.apply(img)
		if d.PriceCents != nil {
			if p := *d.PriceCents; p != 0 && (p < t.minPrice || p > t.maxPrice) {
				if errs == nil {
					errs = map[string]string{}
				}
				errs["price"] = fmt.Sprintf("Set a price from %s to %s, or leave it empty for the platform's %s.",
					app.Dollars(t.minPrice), app.Dollars(t.maxPrice), app.Dollars(t.price))
			}
			img.PriceCents = *d.PriceCents
		}
		if errs != nil {
			return app.Invalid(errs)
		}
		out = img
		return s.db.SaveImage(ctx, img)
	})
	return out, err
}

// Submit sends a complete draft (or a corrected rejected image) for review.
func (s *Service) Submit(ctx context.Context, u *app.User, publicID string) (*app.Image, error) {
	maxPending := s.EffectiveLimits(ctx).MaxPending // before the transaction, as in Describe
	var out *app.Image
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		img, err := s.ownImage(ctx, u, publicID)
		if err != nil {
			return err
		}
		if !img.Status.CanBecome(app.StatusPending) {
			return app.Errorf(app.EConflict, "This image is %s and cannot be submitted.", img.Status)
		}
		if img.Status == app.StatusRejected && !app.Resubmittable(img.RejectReasons) {
			return app.Errorf(app.EConflict, "This image was rejected for reasons an edit cannot fix; you may appeal the decision instead.")
		}
		if errs := incomplete(img); errs != nil {
			e := app.Invalid(errs)
			e.Message = "Complete the description before submitting."
			return e
		}
		counts, err := s.db.CountImagesByStatus(ctx, img.ContributorID)
		if err != nil {
			return err
		}
		if n := counts[app.StatusPending]; n >= int64(maxPending) {
			return app.Errorf(app.ETooMany, "You already have %d images waiting for review. Submit more once some have been reviewed.", n)
		}
		now := time.Now().UTC()
		img.Status, img.StatusReason, img.RejectReasons, img.SubmittedAt = app.StatusPending, "", nil, &now
		out = img
		return s.db.SaveImage(ctx, img)
	})
	return out, err
}

// BulkResult says what a bulk edit did.
type BulkResult struct {
	Updated []string          // public IDs changed
	Skipped map[string]string // public ID → why it was left alone
}

// BulkDescribe adds keywords to, and/or sets the category of, several of u's
// images at once. Images that cannot take the change are skipped with a
// reason; the others are changed together.
func (s *Service) BulkDescribe(ctx context.Context, u *app.User, publicIDs []string, addKeywords []string, category string) (BulkResult, error) {
	res := BulkResult{Skipped: map[string]string{}}
	add := NormalizeKeywords(addKeywords)
	if len(add) == 0 && category == "" {
		return res, app.Invalid(map[string]string{"keywords": "Give keywords to add or a category to set."})
	}
	if category != "" {
		if _, ok := app.CategoryName(category); !ok {
			return res, app.Invalid(map[string]string{"category": "Choose a category from the list."})
		}
	}
	if len(publicIDs) == 0 {
		return res, app.Invalid(map[string]string{"images": "Select at least one image."})
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		for _, id := range publicIDs {
			img, err := s.ownImage(ctx, u, id)
			if app.ErrorCode(err) == app.ENotFound {
				res.Skipped[id] = "not found"
				continue
			}
			if err != nil {
				return err
			}
			if img.Status != app.StatusDraft && img.Status != app.StatusRejected {
				res.Skipped[id] = "only drafts and rejected images can be bulk edited"
				continue
			}
			kw := NormalizeKeywords(append(append([]string{}, img.Keywords...), add...))
			if len(kw) > MaxKeywords {
				res.Skipped[id] = "would have more than 50 keywords"
				continue
			}
			img.Keywords = kw
			if category != "" {
				img.Category = category
			}
			if err := s.db.SaveImage(ctx, img); err != nil {
				return err
			}
			res.Updated = append(res.Updated, id)
		}
		return nil
	})
	return res, err
}

// Delete removes one of u's images that is not published (a draft, a
// failed or rejected upload) together with its files.
func (s *Service) Delete(ctx context.Context, u *app.User, publicID string) error {
	var keys []string
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		img, err := s.ownImage(ctx, u, publicID)
		if err != nil {
			return err
		}
		switch img.Status {
		case app.StatusDraft, app.StatusFailed, app.StatusRejected:
		default:
			return app.Errorf(app.EConflict, "This image is %s and cannot be deleted.", img.Status)
		}
		keys = []string{img.OriginalKey, img.ThumbKey, img.PreviewKey}
		// Record the keys first: if the blob deletes below fail or the
		// process dies, the sweep finishes the job.
		if err := s.db.AddBlobIntents(ctx, nonEmpty(keys)...); err != nil {
			return err
		}
		return s.db.DeleteImage(ctx, img.ID)
	})
	if err != nil {
		return err
	}
	for _, k := range nonEmpty(keys) {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.WarnContext(ctx, "delete blob of deleted image", "key", k, "err", err)
			continue
		}
		if err := s.db.ClearBlobIntents(ctx, k); err != nil {
			s.log.WarnContext(ctx, "clear blob intent", "key", k, "err", err)
		}
	}
	return nil
}

func nonEmpty(list []string) []string {
	out := list[:0:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
