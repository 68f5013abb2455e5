package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/media"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/media/metadata"
)

// permanentError is a processing failure that retrying cannot fix: the file
// itself is unusable.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// processImage makes an uploaded image's derivatives and reads its metadata,
// then moves it to draft in one transaction that also finishes the job. It is
// idempotent: derivative keys derive from the content hash, so a job re-run
// after a crash overwrites what the first run wrote.
func (s *Service) processImage(ctx context.Context, job *app.Job) error {
	img, err := s.db.ImageByID(ctx, *job.ImageID)
	if app.ErrorCode(err) == app.ENotFound {
		return s.db.FinishJob(ctx, job.ID) // deleted while queued
	}
	if err != nil {
		return err
	}
	if img.Status != app.StatusProcessing {
		return s.db.FinishJob(ctx, job.ID) // already done by an earlier run
	}
	data, err := s.readOriginal(ctx, img)
	if err != nil {
		return err
	}
	meta, err := metadata.Read(data)
	if err != nil {
		s.log.WarnContext(ctx, "read metadata", "image", img.PublicID, "err", err)
	}
	done := s.startDecode()
	d, err := media.Derive(ctx, data, media.DeriveOptions{Orientation: meta.Orientation, WatermarkText: s.watermark})
	done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("derive %s: %w", img.PublicID, ctx.Err())
		}
		return permanentError{fmt.Errorf("the image could not be decoded: %w", err)}
	}

	keys := map[string]string{}
	for name := range d.Files {
		keys[name] = derivativeKey(img.SHA256, name)
	}
	if err := s.db.AddBlobIntents(ctx, values(keys)...); err != nil {
		return err
	}
	for name, b := range d.Files {
		if err := s.blobs.Put(ctx, keys[name], bytes.NewReader(b), int64(len(b)), "image/jpeg"); err != nil {
			return fmt.Errorf("store %s derivative of %s: %w", name, img.PublicID, err)
		}
	}

	return s.db.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.db.ImageForUpdate(ctx, img.PublicID)
		if err != nil {
			return err
		}
		if cur.Status != app.StatusProcessing {
			return s.db.FinishJob(ctx, job.ID)
		}
		applyDerived(cur, d, keys)
		applyMetadata(cur, &meta)
		if !cur.Status.CanBecome(app.StatusDraft) {
			return fmt.Errorf("image %s: %s cannot become draft", cur.PublicID, cur.Status)
		}
		cur.Status = app.StatusDraft
		if err := s.db.SaveImage(ctx, cur); err != nil {
			return err
		}
		if err := s.db.SetHashBands(ctx, cur.ID, d.PHash); err != nil {
			return err
		}
		if err := s.db.ClearBlobIntents(ctx, values(keys)...); err != nil {
			return err
		}
		return s.db.FinishJob(ctx, job.ID)
	})
}

func (s *Service) readOriginal(ctx context.Context, img *app.Image) ([]byte, error) {
	obj, err := s.blobs.Open(ctx, img.OriginalKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, permanentError{errors.New("the uploaded file is missing from storage")}
	}
	if err != nil {
		return nil, fmt.Errorf("open original of %s: %w", img.PublicID, err)
	}
	defer obj.Close()
	// The configured ceiling, not the run-time limit: the file was accepted
	// already, and lowering the limit since must not fail its processing.
	data, err := io.ReadAll(io.LimitReader(obj, s.lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read original of %s: %w", img.PublicID, err)
	}
	return data, nil
}

func applyDerived(img *app.Image, d *media.Derived, keys map[string]string) {
	img.Width, img.Height = d.Width, d.Height
	img.Orientation = app.OrientationOf(d.Width, d.Height)
	img.Megapixels = float64(int64(d.Width)*int64(d.Height)) / 1e6
	img.ThumbKey, img.PreviewKey = keys["thumb"], keys["preview"]
	img.Colors = app.StringList(append([]string{}, d.Colors...))
	img.Palette = app.StringList{}
	for _, sw := range d.Palette {
		img.Palette = append(img.Palette, sw.Hex)
	}
	img.PHash = int64(d.PHash) // #nosec G115 -- the hash's 64 bits are stored as they are
}

// applyMetadata copies what the file says about itself. Descriptive fields
// only prefill what the contributor has not written.
func applyMetadata(img *app.Image, m *metadata.Metadata) {
	img.CameraMake, img.CameraModel, img.Lens = m.CameraMake, m.CameraModel, m.Lens
	img.FocalLength, img.Aperture, img.ExposureTime, img.ISO = m.FocalLength, m.Aperture, m.ExposureTime, m.ISO
	if !m.TakenAt.IsZero() {
		t := m.TakenAt.UTC()
		img.TakenAt = &t
	}
	img.Copyright, img.Creator, img.Location = clip(m.Copyright, 500), clip(m.Creator, 200), clip(m.Location, 500)
	if m.GPS != nil {
		lat, lon := m.GPS.Latitude, m.GPS.Longitude
		img.GPSLatitude, img.GPSLongitude = &lat, &lon
	}
	if img.Title == "" {
		img.Title = clip(strings.TrimSpace(m.Title), MaxTitleLength)
	}
	if img.Description == "" {
		img.Description = clip(strings.TrimSpace(m.Caption), MaxDescriptionLength)
	}
	if len(img.Keywords) == 0 {
		kw := NormalizeKeywords(m.Keywords)
		if len(kw) > MaxKeywords {
			kw = kw[:MaxKeywords]
		}
		img.Keywords = kw
	}
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// failImage marks an image failed with a reason its owner will see, and
// deletes its blobs. The blobs go first: while the row is still processing
// it holds the file's hash, so no new upload can claim the same original key
// meanwhile; a crash in between leaves a job that finds the original missing
// and ends here again.
func (s *Service) failImage(ctx context.Context, imageID int64, reason string) error {
	img, err := s.db.ImageByID(ctx, imageID)
	if app.ErrorCode(err) == app.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if img.Status != app.StatusProcessing {
		return nil
	}
	keys := []string{img.OriginalKey}
	for _, sz := range media.DerivativeSizes() {
		keys = append(keys, derivativeKey(img.SHA256, sz.Name))
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := s.blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete blob %s of failed image: %w", k, err)
		}
	}
	img.Status, img.StatusReason = app.StatusFailed, clip(reason, 500)
	img.OriginalKey, img.ThumbKey, img.PreviewKey = "", "", ""
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.SaveImage(ctx, img); err != nil {
			return err
		}
		return s.db.ClearBlobIntents(ctx, keys...)
	})
	if err == nil {
		s.log.InfoContext(ctx, "image failed", "image", img.PublicID, "reason", reason)
	}
	return err
}

// SweepBlobIntents deletes blobs whose write was begun before cutoff but
// which no image came to reference (a crash between the write and the
// database commit), and forgets the intents. It returns how many blobs it
// deleted.
func (s *Service) SweepBlobIntents(ctx context.Context, cutoff time.Time) (int, error) {
	deleted := 0
	for {
		keys, err := s.db.StaleBlobIntents(ctx, cutoff, 500)
		if err != nil || len(keys) == 0 {
			return deleted, err
		}
		for _, key := range keys {
			used, err := s.blobReferenced(ctx, key)
			if err != nil {
				return deleted, err
			}
			if !used {
				if err := s.blobs.Delete(ctx, key); err != nil {
					return deleted, fmt.Errorf("delete orphan blob %s: %w", key, err)
				}
				deleted++
			}
			if err := s.db.ClearBlobIntents(ctx, key); err != nil {
				return deleted, err
			}
		}
	}
}

// blobReferenced reports whether a live image refers to key. Keys embed the
// content hash, so the hash's unique index answers.
func (s *Service) blobReferenced(ctx context.Context, key string) (bool, error) {
	sum := key[strings.LastIndexByte(key, '/')+1:]
	sum, _, _ = strings.Cut(sum, "-")
	img, err := s.db.ImageBySHA256(ctx, sum)
	if app.ErrorCode(err) == app.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(key, "originals/") {
		return img.OriginalKey == key, nil
	}
	// A derivative of an image still processing will be re-written by its
	// job's next run; keep it.
	return img.Status == app.StatusProcessing || img.ThumbKey == key || img.PreviewKey == key, nil
}
