package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/media"
)

// Staged is one uploaded file, copied to a temporary file while it arrives
// and hashed on the way, so that a large upload never sits in memory and
// nothing is stored before it has been checked.
type Staged struct {
	Name     string // the client's file name, sanitised; for display only
	Size     int64
	SHA256   string
	TooLarge bool // the file exceeded the size limit; the rest was not kept
	file     *os.File
	maxBytes int64 // the size limit it was staged under, for Ingest to check against
}

// Close removes the temporary file.
func (st *Staged) Close() error {
	if st.file == nil {
		return nil
	}
	name := st.file.Name()
	_ = st.file.Close()
	st.file = nil
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove staged upload: %w", err)
	}
	return nil
}

// Stage copies at most the size limit in force (plus one byte, to notice
// excess) of r into a temporary file. The caller must Close the result.
func (s *Service) Stage(ctx context.Context, name string, r io.Reader) (*Staged, error) {
	f, err := os.CreateTemp(s.tmp, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("stage upload: %w", err)
	}
	// The limit is read once and kept with the file, so that Ingest checks
	// it against the limit it was received under even if an admin changes
	// the policy in between.
	st := &Staged{Name: SanitizeFileName(name), file: f, maxBytes: s.EffectiveLimits(ctx).MaxFileBytes}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, st.maxBytes+1))
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("receive %s: %w", st.Name, err)
	}
	st.Size, st.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	st.TooLarge = n > st.maxBytes
	return st, nil
}

// ctxReader stops a long copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// SanitizeFileName keeps the last path element of a client-supplied name,
// without control characters, at most 200 bytes. It is only ever displayed:
// storage keys come from the content hash, so no name can reach the disk.
func SanitizeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "upload"
	}
	return name
}

// Ingest accepts a staged file from contributor u: it checks the file from its
// header (format by content, size, pixel count, completeness), recognises an
// exact re-upload, stores the original under its content hash and queues its
// processing. Anything refused is an *app.Error naming the file, and leaves
// nothing stored.
func (s *Service) Ingest(ctx context.Context, u *app.User, st *Staged) (*app.Image, error) {
	if !u.Can(app.RoleContributor) {
		return nil, app.Errorf(app.EForbidden, "Only contributor accounts can upload photos.")
	}
	lim := s.lim
	lim.MaxFileBytes = st.maxBytes
	if st.TooLarge {
		return nil, app.Errorf(app.ETooLarge, "%s is larger than the %d MB limit.", st.Name, lim.MaxFileBytes>>20)
	}
	info, err := media.Inspect(st.file, st.Size, media.Limits{MaxBytes: lim.MaxFileBytes, MinPixels: lim.MinPixels, MaxPixels: lim.MaxPixels})
	if err != nil {
		return nil, inspectError(st.Name, err, lim)
	}
	if dup, err := s.db.ImageBySHA256(ctx, st.SHA256); err == nil {
		return nil, duplicateError(st.Name, u, dup)
	} else if app.ErrorCode(err) != app.ENotFound {
		return nil, err
	}
	counts, err := s.db.CountImagesByStatus(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if n := counts[app.StatusProcessing] + counts[app.StatusDraft]; n >= int64(s.lim.MaxDrafts) {
		return nil, app.Errorf(app.ETooMany, "You have %d unsubmitted images. Describe and submit some before uploading more.", n)
	}

	key := originalKey(st.SHA256)
	if _, err := st.file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind %s: %w", st.Name, err)
	}
	if err := s.db.AddBlobIntents(ctx, key); err != nil {
		return nil, err
	}
	if err := s.blobs.Put(ctx, key, st.file, st.Size, info.ContentType); err != nil {
		return nil, fmt.Errorf("store original %s: %w", st.Name, err)
	}
	img := &app.Image{
		ContributorID: u.ID,
		Status:        app.StatusProcessing,
		OriginalKey:   key,
		SHA256:        st.SHA256,
		FileSize:      st.Size,
		FileName:      st.Name,
		Format:        string(info.Format),
		Width:         info.Width,
		Height:        info.Height,
		Keywords:      app.StringList{},
		Colors:        app.StringList{},
		Palette:       app.StringList{},
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.CreateImage(ctx, img); err != nil {
			return err
		}
		if err := s.db.EnqueueJob(ctx, &app.Job{Kind: app.JobProcessImage, ImageID: &img.ID}); err != nil {
			return err
		}
		return s.db.ClearBlobIntents(ctx, key)
	})
	if err != nil {
		// The blob is content-addressed: if another upload of the same bytes
		// won a race, the blob is its own and must stay.
		if app.ErrorCode(err) == app.EConflict {
			return nil, app.Errorf(app.EConflict, "%s is already in the catalogue.", st.Name)
		}
		// Otherwise the intent stays: the sweep deletes the blob unless a
		// row comes to reference it.
		return nil, err
	}
	s.log.InfoContext(ctx, "image uploaded", "image", img.PublicID, "user_id", u.ID, "bytes", st.Size, "format", info.Format)
	s.nudge()
	return img, nil
}

func inspectError(name string, err error, lim Limits) error {
	detail := err.Error()
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return &app.Error{Code: app.ETooLarge, Message: fmt.Sprintf("%s is larger than the %d MB limit.", name, lim.MaxFileBytes>>20), Err: err}
	case errors.Is(err, media.ErrUnsupported):
		return &app.Error{Code: app.EInvalid, Message: fmt.Sprintf("%s is not a JPEG, PNG or WebP image.", name), Err: err}
	case errors.Is(err, media.ErrCorrupt):
		return &app.Error{Code: app.EInvalid, Message: fmt.Sprintf("%s is damaged or incomplete (%s).", name, detail), Err: err}
	case errors.Is(err, media.ErrTooFewPixels):
		return &app.Error{Code: app.EInvalid, Message: fmt.Sprintf("%s is too small: photos need at least %.0f megapixels (%s).", name, float64(lim.MinPixels)/1e6, detail), Err: err}
	case errors.Is(err, media.ErrTooManyPixels):
		return &app.Error{Code: app.EInvalid, Message: fmt.Sprintf("%s has too many pixels: at most %.0f megapixels (%s).", name, float64(lim.MaxPixels)/1e6, detail), Err: err}
	}
	return fmt.Errorf("inspect %s: %w", name, err)
}

func duplicateError(name string, u *app.User, dup *app.Image) error {
	if dup.ContributorID == u.ID {
		return app.Errorf(app.EConflict, "You have already uploaded %s (image %s).", name, dup.PublicID)
	}
	return app.Errorf(app.EConflict, "%s is already in the catalogue, uploaded by another contributor.", name)
}

// originalKey is where an original is kept: by content hash, so the same
// bytes are stored once and a key reveals nothing a URL could reach.
func originalKey(sum string) string { return "originals/" + sum[:2] + "/" + sum }

// derivativeVersion changes whenever the pipeline's output changes, so that
// immutable cached copies of old derivatives are never served for new ones.
const derivativeVersion = "v1"

// DerivativeName is the public file name of one derivative of a file.
func DerivativeName(sum, size string) string {
	return sum + "-" + size + "-" + derivativeVersion + ".jpg"
}

func derivativeKey(sum, size string) string {
	return filepath.ToSlash(filepath.Join("derived", sum[:2], DerivativeName(sum, size)))
}
