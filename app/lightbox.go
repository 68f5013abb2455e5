package app

import (
	"strings"
	"time"
)

// Lightbox is a named, ordered collection of images a signed-in user keeps
// for a project, and may share with a client for review by an unguessable
// link. Only the SHA-256 of that link's token is stored.
type Lightbox struct {
	ID        int64
	PublicID  string
	OwnerID   int64
	Name      string
	ShareHash *string    // hex SHA-256 of the share token; nil: not shared
	SharedAt  *time.Time // when the current link was made
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Shared reports whether the lightbox has a working share link.
func (b *Lightbox) Shared() bool { return b.ShareHash != nil }

// LightboxItem is one image in a lightbox, at a position, with what the
// client who reviewed it through the share link said about it.
type LightboxItem struct {
	ID            int64
	LightboxID    int64
	ImageID       int64
	Position      int
	ClientMark    ClientMark
	ClientComment string
	MarkedAt      *time.Time
	CreatedAt     time.Time
}

// ClientMark is a client's verdict on an image in a shared lightbox.
type ClientMark string

// Client marks. MarkNone means the client has not said.
const (
	MarkNone     ClientMark = ""
	MarkApproved ClientMark = "approved"
	MarkRejected ClientMark = "rejected"
)

// ParseClientMark returns the mark named s ("" is MarkNone).
func ParseClientMark(s string) (ClientMark, bool) {
	switch m := ClientMark(strings.ToLower(strings.TrimSpace(s))); m {
	case MarkNone, MarkApproved, MarkRejected:
		return m, true
	}
	return "", false
}

// Label is the mark as the owner and the client read it.
func (m ClientMark) Label() string {
	switch m {
	case MarkApproved:
		return "Approved"
	case MarkRejected:
		return "Not approved"
	}
	return "Not reviewed"
}

// Bounds on lightboxes.
const (
	LightboxNameMax   = 100  // characters in a lightbox's name
	ClientCommentMax  = 1000 // characters in a client's comment on one image
	LightboxesPerUser = 100  // default: lightboxes one account may keep
	ImagesPerLightbox = 500  // default: images one lightbox may hold
)
