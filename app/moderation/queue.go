package moderation

import (
	"context"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// QueueItem is one pending image as a reviewer sees it.
type QueueItem struct {
	Image       app.Image
	Position    int64 // 1 is next
	Appeal      bool  // back after the contributor appealed a rejection
	Contributor *app.User
	History     History   // the contributor's record
	Suspects    []Suspect // near-duplicates across the catalogue
}

// History is a contributor's record of review decisions.
type History struct {
	Approved, Rejected, Removed, Pending int64
}

func historyOf(counts map[app.ImageStatus]int64) History {
	return History{
		Approved: counts[app.StatusApproved], Rejected: counts[app.StatusRejected],
		Removed: counts[app.StatusRemoved], Pending: counts[app.StatusPending],
	}
}

// Suspect is an image whose perceptual hash is close to a queued one.
type Suspect struct {
	Image    app.Image
	Distance int // Hamming distance of the hashes, 0–NearDistance
}

// Queue returns a page of the review queue, the longest waiting first, with
// what a reviewer needs beside each image, and how many wait in all.
func (s *Service) Queue(ctx context.Context, admin *app.User, limit, offset int) ([]QueueItem, int64, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, 0, app.Errorf(app.EForbidden, "Only admins may see the review queue.")
	}
	limit = min(max(limit, 1), 100)
	offset = max(offset, 0)
	imgs, total, err := s.db.ReviewQueue(ctx, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(imgs))
	for i, img := range imgs {
		ids[i] = img.ContributorID
	}
	users, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	counts, err := s.db.CountImagesByStatusOf(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	near, err := s.catalog.NearDuplicates(ctx, imgs, NearDistance)
	if err != nil {
		return nil, 0, err
	}
	out := make([]QueueItem, 0, len(imgs))
	for i, img := range imgs {
		out = append(out, QueueItem{
			Image: img, Position: int64(offset + i + 1), Appeal: img.AppealedAt != nil,
			Contributor: users[img.ContributorID], History: historyOf(counts[img.ContributorID]),
			Suspects: suspectsOf(near[img.ID]),
		})
	}
	return out, total, nil
}

// QueueImage returns one image for review (pending or not: an admin may
// look at any), with the same context as a queue entry.
func (s *Service) QueueImage(ctx context.Context, admin *app.User, publicID string) (*QueueItem, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, app.Errorf(app.EForbidden, "Only admins may review images.")
	}
	img, err := s.db.ImageByPublicID(ctx, publicID)
	if err != nil {
		return nil, err
	}
	it := &QueueItem{Image: *img, Appeal: img.AppealedAt != nil && img.Status == app.StatusPending}
	if it.Contributor, err = s.db.UserByID(ctx, img.ContributorID); err != nil {
		return nil, err
	}
	counts, err := s.db.CountImagesByStatus(ctx, img.ContributorID)
	if err != nil {
		return nil, err
	}
	it.History = historyOf(counts)
	pos, err := s.db.QueuePositions(ctx, []app.Image{*img})
	if err != nil {
		return nil, err
	}
	it.Position = pos[img.ID]
	near, err := s.catalog.NearDuplicates(ctx, []app.Image{*img}, NearDistance)
	if err != nil {
		return nil, err
	}
	it.Suspects = suspectsOf(near[img.ID])
	return it, nil
}

// suspectsOf are the near duplicates a reviewer is shown: not images still
// processing, or failed.
func suspectsOf(near []store.Near) []Suspect {
	out := make([]Suspect, 0, len(near))
	for _, n := range near {
		if n.Image.Status != app.StatusProcessing && n.Image.Status != app.StatusFailed {
			out = append(out, Suspect{Image: n.Image, Distance: n.Distance})
		}
	}
	return out
}

// Wait is where a contributor's pending image stands in the queue.
type Wait struct {
	Position int64
	// Estimate is how long until review at the pace of the last 7 days;
	// zero when there is no recent pace to go by.
	Estimate time.Duration
}

// Waits returns the queue position and estimated wait of each of the given
// images that is pending, keyed by image ID.
func (s *Service) Waits(ctx context.Context, imgs []app.Image) (map[int64]Wait, error) {
	pos, err := s.db.QueuePositions(ctx, imgs)
	if err != nil || len(pos) == 0 {
		return nil, err
	}
	const window = 7 * 24 * time.Hour
	reviewed, err := s.db.ReviewedSince(ctx, time.Now().Add(-window))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Wait, len(pos))
	for id, p := range pos {
		w := Wait{Position: p}
		if reviewed > 0 {
			w.Estimate = time.Duration(float64(window) * float64(p) / float64(reviewed))
		}
		out[id] = w
	}
	return out, nil
}
