package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/search"
)

// NearDistance is the Hamming distance between perceptual hashes within
// which two images are shown to reviewers as near-duplicate suspects: a
// re-saved, resized or slightly cropped copy lands well inside it, unrelated
// photos almost never do. It is the distance "more like this" collapses
// copies within, so that both agree on what a copy is.
const NearDistance = search.NearDuplicateBits

// Actor is who performs an admin action, and from which request: the audit
// log records both.
type Actor struct {
	User      *app.User
	RequestID string
	IP        string
}

// Options configure the service.
type Options struct {
	Logger *slog.Logger
}

// Service carries out admin actions.
type Service struct {
	db       *store.DB
	catalog  *catalog.Service
	commerce *commerce.Service
	settings *Settings
	log      *slog.Logger
}

// NewService returns the moderation service.
func NewService(db *store.DB, cat *catalog.Service, com *commerce.Service, settings *Settings, o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, catalog: cat, commerce: com, settings: settings, log: o.Logger}
}

// audited runs act as an admin action: refused unless a is an active admin,
// and recorded in the audit log in the same transaction, so an action and
// its record commit or roll back together. act returns the target's ID and
// its state before and after (anything JSON can hold).
func (s *Service) audited(ctx context.Context, a Actor, action, targetType, note string, act func(ctx context.Context) (target string, before, after any, err error)) error {
	if !a.User.Can(app.RoleAdmin) {
		return app.Errorf(app.EForbidden, "Only admins may do that.")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		target, before, after, err := act(ctx)
		if err != nil {
			return err
		}
		e := &app.AuditEntry{
			ActorID: a.User.ID, Action: action, TargetType: targetType, TargetID: target,
			Before: snapshot(before), After: snapshot(after), Note: strings.TrimSpace(note),
			RequestID: a.RequestID, IP: a.IP,
		}
		if err := s.db.AppendAudit(ctx, e); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "admin action", "admin", a.User.Username, "action", action, "target", targetType+":"+target, "request_id", a.RequestID)
		return nil
	})
}

func snapshot(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// imageState is what the audit log keeps of an image before and after a decision.
type imageState struct {
	Status  app.ImageStatus `json:"status"`
	Reasons []string        `json:"reasons,omitempty"`
	Note    string          `json:"note,omitempty"`
}

func stateOf(img *app.Image) imageState {
	return imageState{Status: img.Status, Reasons: img.RejectReasons, Note: img.StatusReason}
}

// decideImage wraps a catalogue decision in the audit log.
func (s *Service) decideImage(ctx context.Context, a Actor, action, publicID, note string, decide func(ctx context.Context) (*app.Image, error)) (*app.Image, error) {
	var out *app.Image
	err := s.audited(ctx, a, action, "image", note, func(ctx context.Context) (string, any, any, error) {
		before, err := s.db.ImageForUpdate(ctx, publicID)
		if err != nil {
			return "", nil, nil, err
		}
		if out, err = decide(ctx); err != nil {
			return "", nil, nil, err
		}
		return publicID, stateOf(before), stateOf(out), nil
	})
	return out, err
}

// Approve publishes a pending image; search picks it up from the change log
// written in the same transaction.
func (s *Service) Approve(ctx context.Context, a Actor, publicID string) (*app.Image, error) {
	return s.decideImage(ctx, a, "image.approve", publicID, "", func(ctx context.Context) (*app.Image, error) {
		return s.catalog.Approve(ctx, a.User, publicID)
	})
}

// Reject refuses a pending image with reasons from the taxonomy and a note.
func (s *Service) Reject(ctx context.Context, a Actor, publicID string, reasons []string, note string) (*app.Image, error) {
	return s.decideImage(ctx, a, "image.reject", publicID, note, func(ctx context.Context) (*app.Image, error) {
		return s.catalog.Reject(ctx, a.User, publicID, reasons, note)
	})
}

// Remove takes a published image down (from search, sale and its previews)
// and closes the open reports on it as acted upon. Licences already sold
// stay valid.
func (s *Service) Remove(ctx context.Context, a Actor, publicID, reason string) (*app.Image, error) {
	return s.decideImage(ctx, a, "image.remove", publicID, reason, func(ctx context.Context) (*app.Image, error) {
		img, err := s.catalog.TakeDown(ctx, a.User, publicID, reason)
		if err != nil {
			return nil, err
		}
		if _, err := s.db.ResolveReports(ctx, img.ID, 0, app.ReportActioned, a.User.ID); err != nil {
			return nil, err
		}
		return img, nil
	})
}

// Reinstate publishes a taken-down image again.
func (s *Service) Reinstate(ctx context.Context, a Actor, publicID, note string) (*app.Image, error) {
	return s.decideImage(ctx, a, "image.reinstate", publicID, note, func(ctx context.Context) (*app.Image, error) {
		return s.catalog.Reinstate(ctx, a.User, publicID)
	})
}

// Decision is a bulk review decision.
type Decision string

// Bulk decisions.
const (
	DecideApprove Decision = "approve"
	DecideReject  Decision = "reject"
)

// BulkResult says what a bulk decision did to each image.
type BulkResult struct {
	Done    []string          // public IDs decided
	Skipped map[string]string // public ID → why not
}

// Bulk applies one decision to several pending images. Each is decided (and
// audited) on its own, so one that cannot be (already decided by another
// reviewer) is skipped with the reason and the rest go through.
func (s *Service) Bulk(ctx context.Context, a Actor, ids []string, d Decision, reasons []string, note string) (BulkResult, error) {
	res := BulkResult{Skipped: map[string]string{}}
	if !a.User.Can(app.RoleAdmin) {
		return res, app.Errorf(app.EForbidden, "Only admins may do that.")
	}
	if len(ids) == 0 {
		return res, app.Invalid(map[string]string{"images": "Select at least one image."})
	}
	if len(ids) > 200 {
		return res, app.Invalid(map[string]string{"images": "Decide at most 200 images at a time."})
	}
	for _, id := range ids {
		var err error
		switch d {
		case DecideApprove:
			_, err = s.Approve(ctx, a, id)
		case DecideReject:
			_, err = s.Reject(ctx, a, id, reasons, note)
		default:
			return res, app.Invalid(map[string]string{"decision": "Choose approve or reject."})
		}
		switch app.ErrorCode(err) {
		case "":
			res.Done = append(res.Done, id)
		case app.EConflict, app.ENotFound:
			res.Skipped[id] = app.ErrorMessage(err)
		default:
			// Bad reasons are the same for every image: stop at the first.
			return res, err
		}
	}
	return res, nil
}
