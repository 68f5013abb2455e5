package app

import "time"

// RejectReason is one reason from the reviewers' taxonomy for refusing an image.
type RejectReason string

// Reject reasons. The metadata ones can be fixed by editing the description;
// the others are about the picture itself.
const (
	RejectFocus            RejectReason = "out_of_focus"
	RejectNoise            RejectReason = "noise"
	RejectExposure         RejectReason = "exposure"
	RejectComposition      RejectReason = "composition"
	RejectTrademark        RejectReason = "trademark"
	RejectModelRelease     RejectReason = "model_release"
	RejectPropertyRelease  RejectReason = "property_release"
	RejectKeywordSpam      RejectReason = "keyword_spam"
	RejectDuplicate        RejectReason = "duplicate"
	RejectIntellectualProp RejectReason = "ip_concern"
	RejectAIUndeclared     RejectReason = "ai_undeclared"
	RejectOther            RejectReason = "other"
)

// RejectReasons lists the taxonomy in the order reviewers see it.
func RejectReasons() []RejectReason {
	return []RejectReason{
		RejectFocus, RejectNoise, RejectExposure, RejectComposition, RejectTrademark,
		RejectModelRelease, RejectPropertyRelease, RejectKeywordSpam, RejectDuplicate,
		RejectIntellectualProp, RejectAIUndeclared, RejectOther,
	}
}

var rejectLabels = map[RejectReason]string{
	RejectFocus:            "Out of focus",
	RejectNoise:            "Noise or artefacts",
	RejectExposure:         "Exposure problems",
	RejectComposition:      "Composition",
	RejectTrademark:        "Visible trademark or logo",
	RejectModelRelease:     "Missing model release",
	RejectPropertyRelease:  "Missing property release",
	RejectKeywordSpam:      "Keyword spam",
	RejectDuplicate:        "Duplicate or near-duplicate",
	RejectIntellectualProp: "Intellectual-property concern",
	RejectAIUndeclared:     "AI use not declared",
	RejectOther:            "Other",
}

// ParseRejectReason returns the reason named s.
func ParseRejectReason(s string) (RejectReason, bool) {
	r := RejectReason(s)
	_, ok := rejectLabels[r]
	return r, ok
}

// Label is the reason as a contributor reads it.
func (r RejectReason) Label() string { return rejectLabels[r] }

// Fixable reports whether the contributor can answer the reason by editing
// the description (keywords, releases, AI declaration) and submitting again.
// "Other" counts as fixable: the reviewer's note says what to change.
func (r RejectReason) Fixable() bool {
	switch r {
	case RejectModelRelease, RejectPropertyRelease, RejectKeywordSpam, RejectAIUndeclared, RejectOther:
		return true
	}
	return false
}

// Resubmittable reports whether an image rejected for these reasons may be
// edited and submitted again: only when every reason is fixable.
func Resubmittable(reasons []string) bool {
	if len(reasons) == 0 {
		return true
	}
	for _, s := range reasons {
		if r, ok := ParseRejectReason(s); !ok || !r.Fixable() {
			return false
		}
	}
	return true
}

// ReportReason is why someone reports a published image.
type ReportReason string

// Report reasons.
const (
	ReportCopyright ReportReason = "copyright"
	ReportOffensive ReportReason = "offensive"
	ReportMetadata  ReportReason = "metadata"
	ReportOther     ReportReason = "other"
)

var reportLabels = map[ReportReason]string{
	ReportCopyright: "Copyright claim",
	ReportOffensive: "Offensive content",
	ReportMetadata:  "Wrong metadata",
	ReportOther:     "Other",
}

// ReportReasons lists the report reasons in display order.
func ReportReasons() []ReportReason {
	return []ReportReason{ReportCopyright, ReportOffensive, ReportMetadata, ReportOther}
}

// ParseReportReason returns the reason named s.
func ParseReportReason(s string) (ReportReason, bool) {
	r := ReportReason(s)
	_, ok := reportLabels[r]
	return r, ok
}

// Label is the reason as people read it.
func (r ReportReason) Label() string { return reportLabels[r] }

// ReportStatus is where a report is: open until an admin acts on it.
type ReportStatus string

// Report statuses.
const (
	ReportOpen      ReportStatus = "open"
	ReportDismissed ReportStatus = "dismissed" // looked at; nothing to do
	ReportActioned  ReportStatus = "actioned"  // the image was taken down
)

// Report is one person's complaint about a published image.
type Report struct {
	ID         int64
	PublicID   string
	ImageID    int64
	ReporterID int64
	Reason     ReportReason
	Note       string
	Status     ReportStatus
	ResolvedBy *int64
	ResolvedAt *time.Time
	CreatedAt  time.Time
}

// AuditEntry records one admin action: who did what to which target, the
// target's state before and after (JSON), and the request it came from.
// Entries are append-only.
type AuditEntry struct {
	ID         int64
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string // the target's public ID (or username)
	Before     string
	After      string
	Note       string
	RequestID  string
	IP         string `gorm:"column:ip"`
	CreatedAt  time.Time
}

// TableName keeps GORM from pluralising the log.
func (AuditEntry) TableName() string { return "audit_log" }

// Policy is what admins may change at run time without a restart: prices,
// the contributors' default share, the payout threshold and upload limits.
// Zero fields mean "the configured default".
type Policy struct {
	Prices         Prices `json:"prices"`
	ShareBP        int64  `json:"share_bp"`
	PayoutMinCents int64  `json:"payout_min_cents"`
	MaxUploadBytes int64  `json:"max_upload_bytes"`
	MaxPending     int    `json:"max_pending"`
}
