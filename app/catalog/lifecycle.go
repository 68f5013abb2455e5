package catalog

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
)

// MaxNoteRunes bounds a reviewer's note, a takedown reason and an appeal.
const MaxNoteRunes = 2000

// decide moves an image an admin acts on from status from to status to,
// after mutate has filled in the why. It is the one place review decisions
// change an image, so every decision checks the same transition table.
func (s *Service) decide(ctx context.Context, admin *app.User, publicID string, from, to app.ImageStatus, verb string, mutate func(img *app.Image)) (*app.Image, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.EForbidden, "Only admins can %s images.", verb)
	}
	var out *app.Image
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		img, err := s.db.ImageForUpdate(ctx, publicID)
		if err != nil {
			return err
		}
		if img.Status != from || !img.Status.CanBecome(to) {
			return app.Errorf(app.EConflict, "This image is %s and cannot be %s.", img.Status, pastTense(verb))
		}
		img.Status = to
		mutate(img)
		out = img
		return s.db.SaveImage(ctx, img)
	})
	return out, err
}

func pastTense(verb string) string {
	switch verb {
	case "take down":
		return "taken down"
	case "reinstate":
		return "reinstated"
	}
	return verb + "d"
}

// Approve publishes a pending image: it becomes searchable (through the
// change log written with it) and buyable.
func (s *Service) Approve(ctx context.Context, admin *app.User, publicID string) (*app.Image, error) {
	return s.decide(ctx, admin, publicID, app.StatusPending, app.StatusApproved, "approve", func(img *app.Image) {
		now := time.Now().UTC()
		img.StatusReason, img.RejectReasons, img.ReviewedAt = "", nil, &now
	})
}

// Reject refuses a pending image for reasons from the taxonomy, with a note
// the contributor reads. "Other" needs the note to say what is wrong.
func (s *Service) Reject(ctx context.Context, admin *app.User, publicID string, reasons []string, note string) (*app.Image, error) {
	list, err := rejectReasons(reasons, note)
	if err != nil {
		return nil, err
	}
	return s.decide(ctx, admin, publicID, app.StatusPending, app.StatusRejected, "reject", func(img *app.Image) {
		now := time.Now().UTC()
		img.StatusReason, img.RejectReasons, img.ReviewedAt = strings.TrimSpace(note), list, &now
	})
}

func rejectReasons(reasons []string, note string) (app.StringList, error) {
	var list app.StringList
	for _, r := range reasons {
		reason, ok := app.ParseRejectReason(strings.TrimSpace(r))
		if !ok {
			return nil, app.Invalid(map[string]string{"reasons": "Unknown reason " + quoteShort(r) + "."})
		}
		if !slices.Contains(list, string(reason)) {
			list = append(list, string(reason))
		}
	}
	if len(list) == 0 {
		return nil, app.Invalid(map[string]string{"reasons": "Choose at least one reason."})
	}
	if err := CheckNote("note", note); err != nil {
		return nil, err
	}
	if slices.Contains(list, string(app.RejectOther)) && strings.TrimSpace(note) == "" {
		return nil, app.Invalid(map[string]string{"note": "Say what is wrong when the reason is “other”."})
	}
	return list, nil
}

// TakeDown removes a published image from search and from sale at once; its
// previews stop being served. Licences already sold stay valid.
func (s *Service) TakeDown(ctx context.Context, admin *app.User, publicID, reason string) (*app.Image, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, app.Invalid(map[string]string{"reason": "Say why the image is taken down."})
	}
	if err := CheckNote("reason", reason); err != nil {
		return nil, err
	}
	return s.decide(ctx, admin, publicID, app.StatusApproved, app.StatusRemoved, "take down", func(img *app.Image) {
		img.StatusReason = strings.TrimSpace(reason)
	})
}

// Reinstate publishes a taken-down image again.
func (s *Service) Reinstate(ctx context.Context, admin *app.User, publicID string) (*app.Image, error) {
	return s.decide(ctx, admin, publicID, app.StatusRemoved, app.StatusApproved, "reinstate", func(img *app.Image) {
		img.StatusReason = ""
	})
}

// Appeal returns a rejected image to the review queue, marked as an appeal,
// with the contributor's argument. Each image may be appealed once.
func (s *Service) Appeal(ctx context.Context, u *app.User, publicID, note string) (*app.Image, error) {
	if err := CheckNote("note", note); err != nil {
		return nil, err
	}
	var out *app.Image
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		img, err := s.db.ImageForUpdate(ctx, publicID)
		if err != nil {
			return err
		}
		if img.ContributorID != u.ID || !u.Can(app.RoleContributor) {
			return app.Errorf(app.ENotFound, "No such image.")
		}
		if img.Status != app.StatusRejected {
			return app.Errorf(app.EConflict, "Only a rejected image can be appealed; this one is %s.", img.Status)
		}
		if img.AppealedAt != nil {
			return app.Errorf(app.EConflict, "This image has already been appealed once.")
		}
		now := time.Now().UTC()
		img.Status, img.AppealedAt, img.AppealNote, img.SubmittedAt = app.StatusPending, &now, strings.TrimSpace(note), &now
		out = img
		return s.db.SaveImage(ctx, img)
	})
	return out, err
}

// CheckNote checks a note a person writes for others (a reviewer's note, a
// takedown reason, an appeal, a report): valid text within MaxNoteRunes. A
// failure is a field error on field.
func CheckNote(field, s string) error {
	if utf8.RuneCountInString(s) > MaxNoteRunes {
		return app.Invalid(map[string]string{field: "Keep it under 2,000 characters."})
	}
	if !utf8.ValidString(s) {
		return app.Invalid(map[string]string{field: "Not valid text."})
	}
	return nil
}

func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return "“" + s + "”"
}
