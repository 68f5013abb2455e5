package app

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ImageStatus is where an image is in its life:
// processing → draft → pending → approved or rejected; approved → removed;
// processing → failed when the file cannot be used.
type ImageStatus string

// Image statuses.
const (
	StatusProcessing ImageStatus = "processing" // uploaded; derivatives being made
	StatusFailed     ImageStatus = "failed"     // the file could not be processed
	StatusDraft      ImageStatus = "draft"      // processed; the contributor describes it
	StatusPending    ImageStatus = "pending"    // submitted for review
	StatusApproved   ImageStatus = "approved"   // published: searchable and for sale
	StatusRejected   ImageStatus = "rejected"   // refused by a reviewer, with reasons
	StatusRemoved    ImageStatus = "removed"    // taken down after publication
)

// ImageStatuses lists the statuses in lifecycle order.
func ImageStatuses() []ImageStatus {
	return []ImageStatus{StatusProcessing, StatusFailed, StatusDraft, StatusPending, StatusApproved, StatusRejected, StatusRemoved}
}

// transitions says which status may follow which.
var transitions = map[ImageStatus][]ImageStatus{
	StatusProcessing: {StatusDraft, StatusFailed},
	StatusDraft:      {StatusPending},
	StatusPending:    {StatusApproved, StatusRejected},
	StatusRejected:   {StatusPending},
	StatusApproved:   {StatusRemoved},
	StatusRemoved:    {StatusApproved},
}

// CanBecome reports whether an image in status s may move to next.
func (s ImageStatus) CanBecome(next ImageStatus) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// Editable reports whether the contributor may change the image's
// description in this status (not while it is being processed or reviewed).
func (s ImageStatus) Editable() bool {
	return s == StatusDraft || s == StatusRejected || s == StatusApproved
}

// Public reports whether anyone may see an image in this status.
func (s ImageStatus) Public() bool { return s == StatusApproved }

// Usage is what a licence may be used for.
type Usage string

// Usages.
const (
	UsageCommercial Usage = "commercial"
	UsageEditorial  Usage = "editorial"
)

// AIDeclaration says how much of an image was made by generative AI.
type AIDeclaration string

// AI declarations.
const (
	AINone      AIDeclaration = "none"
	AIAssisted  AIDeclaration = "assisted"
	AIGenerated AIDeclaration = "generated"
)

// Orientation is an image's shape as displayed.
type Orientation string

// Orientations.
const (
	Landscape Orientation = "landscape"
	Portrait  Orientation = "portrait"
	Square    Orientation = "square"
	Panorama  Orientation = "panorama"
)

// OrientationOf classifies displayed dimensions: within 5 % of square is
// square; 2:1 or wider (or taller) is a panorama.
func OrientationOf(width, height int) Orientation {
	if width <= 0 || height <= 0 {
		return ""
	}
	w, h := float64(width), float64(height)
	switch {
	case w/h >= 2 || h/w >= 2:
		return Panorama
	case w/h <= 1.05 && h/w <= 1.05:
		return Square
	case w > h:
		return Landscape
	default:
		return Portrait
	}
}

// Category is one of the fixed subjects images are filed under.
type Category struct {
	Slug string
	Name string
}

// Categories returns the fixed category list, alphabetical by name.
func Categories() []Category {
	return []Category{
		{"animals", "Animals & wildlife"},
		{"architecture", "Architecture"},
		{"arts", "Arts & culture"},
		{"backgrounds", "Backgrounds & textures"},
		{"business", "Business & finance"},
		{"education", "Education"},
		{"fashion", "Fashion & beauty"},
		{"food", "Food & drink"},
		{"health", "Health & wellness"},
		{"holidays", "Holidays & celebrations"},
		{"industry", "Industry & work"},
		{"interiors", "Interiors"},
		{"landscapes", "Landscapes"},
		{"nature", "Nature"},
		{"people", "People"},
		{"science", "Science"},
		{"sports", "Sports & fitness"},
		{"technology", "Technology"},
		{"transport", "Transport"},
		{"travel", "Travel & places"},
	}
}

// CategoryName returns the display name of a category slug.
func CategoryName(slug string) (string, bool) {
	for _, c := range Categories() {
		if c.Slug == slug {
			return c.Name, true
		}
	}
	return "", false
}

// StringList is a list of strings kept in one database column as JSON.
type StringList []string

// Value implements driver.Valuer.
func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *StringList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan StringList from %T", src)
	}
	if len(b) == 0 {
		*l = nil
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// Image is one uploaded photo and everything known about it. The original
// file is private; only the derivatives (thumb, preview) are ever served.
type Image struct {
	ID            int64
	PublicID      string
	ContributorID int64
	Status        ImageStatus
	StatusReason  string // why it failed, was rejected or taken down; shown to its owner
	// The reviewer's reasons for a rejection (app.RejectReason values), and
	// the contributor's one appeal against it.
	RejectReasons StringList
	AppealedAt    *time.Time
	AppealNote    string

	// The original, stored byte for byte under a content-hash key.
	OriginalKey string
	SHA256      string
	FileSize    int64
	FileName    string // as uploaded, sanitised; shown to its owner only
	Format      string // jpeg, png, webp

	// Displayed size, after EXIF orientation.
	Width       int
	Height      int
	Orientation Orientation
	Megapixels  float64

	// The description, written by the contributor (prefilled from the file).
	Title           string
	Description     string
	Keywords        StringList
	Category        string
	Usage           Usage
	ModelRelease    bool
	PropertyRelease bool
	AI              AIDeclaration `gorm:"column:ai_declaration"`

	// From the file's EXIF, IPTC and XMP.
	CameraMake   string
	CameraModel  string
	Lens         string
	FocalLength  float64
	Aperture     float64
	ExposureTime string
	ISO          int `gorm:"column:iso"`
	TakenAt      *time.Time
	Copyright    string
	Creator      string
	// Private: never shown or served to anyone but the server.
	GPSLatitude  *float64 `gorm:"column:gps_latitude"`
	GPSLongitude *float64 `gorm:"column:gps_longitude"`
	Location     string

	// Made by the media pipeline.
	ThumbKey   string
	PreviewKey string
	Colors     StringList // colour buckets, largest share first
	Palette    StringList // dominant colours as #rrggbb, largest share first
	PHash      int64      `gorm:"column:phash"` // 64-bit perceptual hash, bits as stored

	// Sales: the standard licence's price (0 means the platform default),
	// and how often the image sold and was viewed.
	PriceCents int64
	Sales      int64
	Views      int64

	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt *time.Time
	ReviewedAt  *time.Time
}

// Slug is the image's URL path segment: words from its title, then its public
// ID, which alone identifies it (so a changed title never breaks a link).
func (img *Image) Slug() string {
	words := Slugify(img.Title, 60)
	if words == "" {
		return img.PublicID
	}
	return words + "-" + img.PublicID
}

// PublicIDFromSlug returns the public ID at the end of a slug.
func PublicIDFromSlug(slug string) string {
	if i := strings.LastIndexByte(slug, '-'); i >= 0 {
		return slug[i+1:]
	}
	return slug
}

// Slugify lowercases s and keeps ASCII letters and digits, joining words with
// hyphens, in at most limit bytes.
func Slugify(s string, limit int) string {
	var b strings.Builder
	pendingDash := false
	for _, r := range strings.ToLower(s) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if pendingDash && b.Len() > 0 {
				if b.Len()+1 >= limit {
					break
				}
				b.WriteByte('-')
			}
			if b.Len() >= limit {
				break
			}
			b.WriteRune(r)
			pendingDash = false
			continue
		}
		pendingDash = true
	}
	return strings.TrimRight(b.String(), "-")
}
