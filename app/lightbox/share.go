package lightbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
)

// tokenBytes is the share token's randomness: 160 bits from crypto/rand.
const tokenBytes = 20

// hashToken is what the database keeps of a share token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Share makes a new share link for one of owner's lightboxes and returns its
// token, which is shown this once: only its hash is stored. A link made
// before stops working.
func (s *Service) Share(ctx context.Context, owner *app.User, publicID string) (string, error) {
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return "", err
	}
	token := app.RandomToken(tokenBytes)
	now := time.Now().UTC()
	if err := s.db.UpdateLightbox(ctx, b.ID, map[string]any{"share_hash": hashToken(token), "shared_at": now}); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "lightbox shared", "lightbox", b.PublicID, "owner", owner.PublicID, "replaced", b.Shared())
	return token, nil
}

// Revoke ends a lightbox's share link: it answers as if it never existed.
func (s *Service) Revoke(ctx context.Context, owner *app.User, publicID string) error {
	b, err := s.lightboxOf(ctx, owner, publicID, false)
	if err != nil {
		return err
	}
	if !b.Shared() {
		return nil
	}
	if err := s.db.UpdateLightbox(ctx, b.ID, map[string]any{"share_hash": nil, "shared_at": nil}); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "lightbox share revoked", "lightbox", b.PublicID, "owner", owner.PublicID)
	return nil
}

// Shared is a lightbox as a client sees it through its share link: its name,
// who shared it, and its published images with the marks given so far.
type Shared struct {
	Lightbox app.Lightbox
	Owner    string // the owner's username
	Entries  []Entry
}

// maxToken bounds what is hashed: real tokens are 32 characters.
const maxToken = 100

// shared finds the lightbox a share token opens. A wrong, revoked or
// replaced token, and a lightbox whose owner is suspended, are all the same
// not_found.
func (s *Service) shared(ctx context.Context, token string) (*app.Lightbox, *app.User, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxToken {
		return nil, nil, errNoLightbox()
	}
	b, err := s.db.LightboxByShareHash(ctx, hashToken(token))
	if app.ErrorCode(err) == app.ENotFound {
		return nil, nil, errNoLightbox()
	}
	if err != nil {
		return nil, nil, err
	}
	owner, err := s.db.UserByID(ctx, b.OwnerID)
	if err != nil {
		return nil, nil, err
	}
	if owner.Status != app.UserActive {
		return nil, nil, errNoLightbox()
	}
	return b, owner, nil
}

// SharedView opens a lightbox by its share token, for anyone holding it.
func (s *Service) SharedView(ctx context.Context, token string) (*Shared, error) {
	b, owner, err := s.shared(ctx, token)
	if err != nil {
		return nil, err
	}
	entries, err := s.entries(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	return &Shared{Lightbox: *b, Owner: owner.Username, Entries: entries}, nil
}

// Mark records a client's verdict and comment on an image of a shared
// lightbox, replacing any earlier one. The comment is at most
// app.ClientCommentMax characters.
func (s *Service) Mark(ctx context.Context, token, imageID, mark, comment string) (*Entry, error) {
	m, ok := app.ParseClientMark(mark)
	if !ok {
		return nil, app.Invalid(map[string]string{"mark": "Choose approved or not approved."})
	}
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if !utf8.ValidString(comment) {
		return nil, app.Invalid(map[string]string{"comment": "The comment is not valid text."})
	}
	if n := utf8.RuneCountInString(comment); n > app.ClientCommentMax {
		return nil, app.Invalid(map[string]string{"comment": fmt.Sprintf("At most %d characters (this one has %d).", app.ClientCommentMax, n)})
	}
	b, _, err := s.shared(ctx, token)
	if err != nil {
		return nil, err
	}
	entries, err := s.entries(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Image.PublicID == strings.TrimSpace(imageID) })
	if i < 0 {
		return nil, app.Errorf(app.ENotFound, "That image is not in this lightbox.")
	}
	e := entries[i]
	if err := s.db.MarkLightboxItem(ctx, e.Item.ID, m, comment); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	e.Item.ClientMark, e.Item.ClientComment, e.Item.MarkedAt = m, comment, &now
	return &e, nil
}

// Skipped is an approved image that did not go into the cart, and why.
type Skipped struct {
	Image  *app.Image
	Reason string
}

// CartResult is what AddApprovedToCart did.
type CartResult struct {
	Added   []*app.Image
	Skipped []Skipped
}

// AddApprovedToCart puts exactly the images the client approved into the
// owner's cart at the standard licence. Images the owner cannot buy (their
// own) or already holds a standard licence for are skipped, with the reason.
func (s *Service) AddApprovedToCart(ctx context.Context, owner *app.User, publicID string) (*CartResult, error) {
	v, err := s.Get(ctx, owner, publicID)
	if err != nil {
		return nil, err
	}
	var approved []*app.Image
	for _, e := range v.Entries {
		if e.Item.ClientMark == app.MarkApproved {
			approved = append(approved, e.Image)
		}
	}
	if len(approved) == 0 {
		return nil, app.Errorf(app.EConflict, "No image in “%s” has been approved yet.", v.Lightbox.Name)
	}
	lines, err := s.commerce.AddImagesToCart(ctx, owner, approved, app.LicenseStandard)
	if err != nil {
		return nil, err
	}
	out := &CartResult{}
	for _, l := range lines {
		switch {
		case l.Held:
			out.Skipped = append(out.Skipped, Skipped{Image: l.Image, Reason: "You already hold a standard licence."})
		case l.Problem != "":
			out.Skipped = append(out.Skipped, Skipped{Image: l.Image, Reason: l.Problem})
		default:
			out.Added = append(out.Added, l.Image)
		}
	}
	return out, nil
}
