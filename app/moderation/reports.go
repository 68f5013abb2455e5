package moderation

import (
	"context"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
)

// Report files a complaint about a published image. Anyone signed in may,
// except its own contributor; reporting the same image again while the first
// report is open returns the first, with created false.
func (s *Service) Report(ctx context.Context, u *app.User, imagePublicID, reason, note string) (r *app.Report, created bool, err error) {
	if !u.Can(app.RoleBuyer) {
		return nil, false, app.Errorf(app.EUnauthorized, "Sign in to report an image.")
	}
	why, ok := app.ParseReportReason(reason)
	if !ok {
		return nil, false, app.Invalid(map[string]string{"reason": "Choose a reason: copyright, offensive, metadata or other."})
	}
	note = strings.TrimSpace(note)
	if err := catalog.CheckNote("note", note); err != nil {
		return nil, false, err
	}
	if why == app.ReportOther && note == "" {
		return nil, false, app.Invalid(map[string]string{"note": "Say what is wrong."})
	}
	img, err := s.db.ImageByPublicID(ctx, imagePublicID)
	if err != nil {
		return nil, false, err
	}
	if !img.Status.Public() {
		return nil, false, app.Errorf(app.ENotFound, "No such image.")
	}
	if img.ContributorID == u.ID {
		return nil, false, app.Errorf(app.EConflict, "You cannot report your own image; edit or delete it instead.")
	}
	rep := &app.Report{PublicID: app.NewPublicID(), ImageID: img.ID, ReporterID: u.ID, Reason: why, Note: note}
	created, err = s.db.CreateReport(ctx, rep)
	if err != nil {
		return nil, false, err
	}
	if created {
		s.log.InfoContext(ctx, "image reported", "image", img.PublicID, "reason", why, "report", rep.PublicID)
	}
	return rep, created, nil
}

// ReportLine is a report with what an admin needs to judge it.
type ReportLine struct {
	app.Report
	Image    *app.Image
	Reporter *app.User
	// Others is how many other open reports the same image has.
	Others int64
}

// Reports lists reports with the given status ("" for all), oldest first.
func (s *Service) Reports(ctx context.Context, admin *app.User, status app.ReportStatus, limit, offset int) ([]ReportLine, int64, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, 0, app.Errorf(app.EForbidden, "Only admins may see reports.")
	}
	list, total, err := s.db.ListReports(ctx, store.ReportFilter{Status: status, Limit: min(max(limit, 1), 200), Offset: max(offset, 0)})
	if err != nil {
		return nil, 0, err
	}
	open := map[int64]int64{}
	for _, r := range list {
		if r.Status == app.ReportOpen {
			open[r.ImageID]++
		}
	}
	imageIDs, reporterIDs := make([]int64, len(list)), make([]int64, len(list))
	for i, r := range list {
		imageIDs[i], reporterIDs[i] = r.ImageID, r.ReporterID
	}
	imgs, err := s.db.ImagesByIDs(ctx, imageIDs)
	if err != nil {
		return nil, 0, err
	}
	images := make(map[int64]*app.Image, len(imgs))
	for i := range imgs {
		images[imgs[i].ID] = &imgs[i]
	}
	reporters, err := s.db.UsersByIDs(ctx, reporterIDs)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ReportLine, 0, len(list))
	for _, r := range list {
		line := ReportLine{Report: r, Image: images[r.ImageID], Reporter: reporters[r.ReporterID]}
		if line.Image == nil {
			return nil, 0, app.Errorf(app.ENotFound, "No image %d.", r.ImageID)
		}
		if r.Status == app.ReportOpen {
			line.Others = open[r.ImageID] - 1
		}
		out = append(out, line)
	}
	return out, total, nil
}

// Dismiss closes a report without acting on the image.
func (s *Service) Dismiss(ctx context.Context, a Actor, reportID, note string) error {
	return s.audited(ctx, a, "report.dismiss", "report", note, func(ctx context.Context) (string, any, any, error) {
		r, err := s.db.ReportByPublicID(ctx, reportID)
		if err != nil {
			return "", nil, nil, err
		}
		if r.Status != app.ReportOpen {
			return "", nil, nil, app.Errorf(app.EConflict, "This report is already %s.", r.Status)
		}
		if _, err := s.db.ResolveReports(ctx, r.ImageID, r.ID, app.ReportDismissed, a.User.ID); err != nil {
			return "", nil, nil, err
		}
		return r.PublicID, map[string]any{"status": r.Status}, map[string]any{"status": app.ReportDismissed}, nil
	})
}

// TakeDownReported takes down the image a report is about, closing every
// open report on it as acted upon.
func (s *Service) TakeDownReported(ctx context.Context, a Actor, reportID, reason string) (*app.Image, error) {
	r, err := s.db.ReportByPublicID(ctx, reportID)
	if err != nil {
		return nil, err
	}
	img, err := s.db.ImageByID(ctx, r.ImageID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		reason = "Reported: " + r.Reason.Label()
	}
	return s.Remove(ctx, a, img.PublicID, reason)
}
