package moderation

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// Dashboard is the admins' overview.
type Dashboard struct {
	PendingReviews  int64
	PendingAppeals  int64
	OpenReports     int64
	Periods         []Period // today, 7 days, 30 days
	Daily           []Day    // the last 30 days, oldest first, one per day
	TopImages       []TopImage
	TopContributors []TopContributor
}

// Period sums sales over some days.
type Period struct {
	Label         string
	Sales         int64 // licences sold
	GrossCents    int64 // what buyers paid for them
	PlatformCents int64 // the platform's share
}

// Day is one day's sales.
type Day struct {
	Date       time.Time // midnight UTC
	Sales      int64
	GrossCents int64
}

// TopImage is one of the best-selling images of the last 30 days.
type TopImage struct {
	Image      *app.Image
	Sales      int64
	GrossCents int64
}

// TopContributor is one of the best-earning contributors of the last 30 days.
type TopContributor struct {
	User       *app.User
	Sales      int64
	GrossCents int64
}

// dashboardDays is how far back the dashboard looks.
const dashboardDays = 30

// Dashboard sums up the queue, the reports and the last 30 days' sales as of
// now. Sales are licences in paid orders (refunded ones drop out), counted
// on the UTC day they were paid.
func (s *Service) Dashboard(ctx context.Context, admin *app.User, now time.Time) (*Dashboard, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.EForbidden, "Only admins may see the dashboard.")
	}
	d := &Dashboard{}
	counts, err := s.db.CountStatuses(ctx)
	if err != nil {
		return nil, err
	}
	d.PendingReviews = counts[app.StatusPending]
	if _, d.OpenReports, err = s.db.ListReports(ctx, store.ReportFilter{Status: app.ReportOpen, Limit: 1}); err != nil {
		return nil, err
	}
	if d.PendingAppeals, err = s.db.PendingAppeals(ctx); err != nil {
		return nil, err
	}

	today := dayStart(now)
	first := today.AddDate(0, 0, -(dashboardDays - 1))
	sales, err := s.db.SalesSince(ctx, first)
	if err != nil {
		return nil, err
	}
	d.Daily = make([]Day, dashboardDays)
	for i := range d.Daily {
		d.Daily[i].Date = first.AddDate(0, 0, i)
	}
	d.Periods = []Period{{Label: "Today"}, {Label: "7 days"}, {Label: "30 days"}}
	spans := []int{1, 7, 30}
	byImage := map[int64]*TopImage{}
	byContributor := map[int64]*TopContributor{}
	for _, r := range sales {
		day := int(dayStart(r.PaidAt).Sub(first) / (24 * time.Hour))
		if day < 0 || day >= dashboardDays {
			continue
		}
		d.Daily[day].Sales++
		d.Daily[day].GrossCents += r.PriceCents
		for i, span := range spans {
			if day >= dashboardDays-span {
				d.Periods[i].Sales++
				d.Periods[i].GrossCents += r.PriceCents
				d.Periods[i].PlatformCents += r.PlatformCents
			}
		}
		ti := byImage[r.ImageID]
		if ti == nil {
			ti = &TopImage{Image: &app.Image{ID: r.ImageID}}
			byImage[r.ImageID] = ti
		}
		ti.Sales++
		ti.GrossCents += r.PriceCents
		tc := byContributor[r.ContributorID]
		if tc == nil {
			tc = &TopContributor{User: &app.User{ID: r.ContributorID}}
			byContributor[r.ContributorID] = tc
		}
		tc.Sales++
		tc.GrossCents += r.PriceCents
	}
	if d.TopImages, err = s.topImages(ctx, byImage, 5); err != nil {
		return nil, err
	}
	if d.TopContributors, err = s.topContributors(ctx, byContributor, 5); err != nil {
		return nil, err
	}
	return d, nil
}

// ranked is a seller (image or contributor) with its sales.
type ranked interface {
	key() int64
	revenue() (gross, sales int64)
}

func (t TopImage) key() int64                    { return t.Image.ID }
func (t TopImage) revenue() (int64, int64)       { return t.GrossCents, t.Sales }
func (t TopContributor) key() int64              { return t.User.ID }
func (t TopContributor) revenue() (int64, int64) { return t.GrossCents, t.Sales }

// best returns the n best of m: highest gross, then most sales, then the
// lower ID, so ties come out the same way every time.
func best[T ranked](m map[int64]*T, n int) []T {
	list := make([]T, 0, len(m))
	for _, t := range m {
		list = append(list, *t)
	}
	slices.SortFunc(list, func(a, b T) int {
		ag, as := a.revenue()
		bg, bs := b.revenue()
		return cmp.Or(cmp.Compare(bg, ag), cmp.Compare(bs, as), cmp.Compare(a.key(), b.key()))
	})
	return list[:min(n, len(list))]
}

func (s *Service) topImages(ctx context.Context, m map[int64]*TopImage, n int) ([]TopImage, error) {
	list := best(m, n)
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].Image.ID
	}
	imgs, err := s.db.ImagesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*app.Image, len(imgs))
	for i := range imgs {
		byID[imgs[i].ID] = &imgs[i]
	}
	for i := range list {
		if img := byID[list[i].Image.ID]; img != nil {
			list[i].Image = img
		}
	}
	return list, nil
}

func (s *Service) topContributors(ctx context.Context, m map[int64]*TopContributor, n int) ([]TopContributor, error) {
	list := best(m, n)
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].User.ID
	}
	users, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].User = users[list[i].User.ID]
	}
	return list, nil
}

// dayStart is midnight UTC of t's day.
func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
