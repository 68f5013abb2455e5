package catalog_test

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
)

func ptr[T any](v T) *T { return &v }

func complete() catalog.Description {
	return catalog.Description{
		Title:    ptr("Boats in the harbour"),
		Keywords: ptr([]string{"boats", "harbour", "sea", "morning", "fishing"}),
		Category: ptr("travel"),
		Usage:    ptr(app.UsageCommercial),
		AI:       ptr(app.AINone),
	}
}

func TestUploadProcessDescribeSubmitApprove(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		data := photo(t, 1600, 1000, 1)
		img := e.mustUpload(t, e.contrib, "../../etc/harbour.jpg", data)
		if img.Status != app.StatusProcessing || img.FileName != "harbour.jpg" || img.Format != "jpeg" {
			t.Fatalf("uploaded image %+v", img)
		}
		// The original is stored byte for byte under its content hash.
		if got := e.blobBytes(t, img.OriginalKey); !bytes.Equal(got, data) {
			t.Fatal("stored original differs from the upload")
		}
		if !strings.HasPrefix(img.OriginalKey, "originals/") || !strings.HasSuffix(img.OriginalKey, img.SHA256) {
			t.Fatalf("original key %q", img.OriginalKey)
		}

		e.process(t)
		img = e.image(t, img.PublicID)
		if img.Status != app.StatusDraft {
			t.Fatalf("after processing: %s (%s)", img.Status, img.StatusReason)
		}
		if img.Width != 1600 || img.Height != 1000 || img.Orientation != app.Landscape || img.Megapixels != 1.6 {
			t.Fatalf("dimensions %d×%d %s %.2f MP", img.Width, img.Height, img.Orientation, img.Megapixels)
		}
		if len(img.Colors) == 0 || len(img.Palette) == 0 || img.PHash == 0 {
			t.Fatalf("colours %v palette %v phash %x", img.Colors, img.Palette, img.PHash)
		}
		for key, edge := range map[string]int{img.ThumbKey: 400, img.PreviewKey: 1200} {
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(e.blobBytes(t, key)))
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if max(cfg.Width, cfg.Height) != edge {
				t.Fatalf("%s: %d×%d, want long edge %d", key, cfg.Width, cfg.Height, edge)
			}
		}

		// An incomplete draft cannot be submitted, and says what is missing.
		_, err := e.svc.Submit(t.Context(), e.contrib, img.PublicID)
		fields := app.ErrorFields(err)
		for _, f := range []string{"title", "keywords", "category", "usage", "ai_declaration"} {
			if fields[f] == "" {
				t.Errorf("submit of an empty draft: no message for %s (%v)", f, err)
			}
		}
		// Invalid descriptions change nothing.
		for name, d := range map[string]catalog.Description{
			"long title":    {Title: ptr(strings.Repeat("x", 201))},
			"empty title":   {Title: ptr("   ")},
			"many keywords": {Keywords: ptr(manyKeywords(51))},
			"category":      {Category: ptr("cats")},
			"usage":         {Usage: ptr(app.Usage("personal"))},
			"ai":            {AI: ptr(app.AIDeclaration("maybe"))},
		} {
			if _, err := e.svc.Describe(t.Context(), e.contrib, img.PublicID, d); app.ErrorCode(err) != app.EInvalid {
				t.Errorf("%s: %v", name, err)
			}
		}
		if got := e.image(t, img.PublicID); got.Title != "" || got.Category != "" {
			t.Fatalf("an invalid description was saved: %+v", got)
		}
		// Someone else cannot touch it.
		if _, err := e.svc.Describe(t.Context(), e.other, img.PublicID, complete()); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("other contributor's edit: %v", err)
		}

		d := complete()
		d.Keywords = ptr([]string{" Boats ", "HARBOUR", "sea", "sea", "morning", "fishing  boats"})
		img, err = e.svc.Describe(t.Context(), e.contrib, img.PublicID, d)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(img.Keywords, "|"); got != "boats|harbour|sea|morning|fishing boats" {
			t.Fatalf("keywords normalised to %q", got)
		}
		if img, err = e.svc.Submit(t.Context(), e.contrib, img.PublicID); err != nil || img.Status != app.StatusPending || img.SubmittedAt == nil {
			t.Fatalf("submit: %v %+v", err, img)
		}
		if _, err := e.svc.Describe(t.Context(), e.contrib, img.PublicID, complete()); app.ErrorCode(err) != app.EConflict {
			t.Fatalf("edit while in review: %v", err)
		}
		// Unpublished, it is invisible to others.
		if _, err := e.svc.Image(t.Context(), e.other, img.PublicID); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("pending image visible to another contributor: %v", err)
		}
		if _, err := e.svc.Image(t.Context(), nil, img.PublicID); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("pending image visible when signed out: %v", err)
		}
		if _, err := e.svc.Approve(t.Context(), e.contrib, img.PublicID); app.ErrorCode(err) != app.EForbidden {
			t.Fatalf("contributor approved own image: %v", err)
		}
		if _, err := e.svc.Approve(t.Context(), e.admin, img.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Image(t.Context(), nil, img.PublicID); err != nil {
			t.Fatalf("approved image not public: %v", err)
		}
	})
}

func TestBadUploadsAreRefusedAndStoreNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		good := photo(t, 300, 200, 2)
		cases := []struct {
			name, file string
			data       []byte
			code, msg  string
		}{
			{"zero bytes", "empty.jpg", nil, app.EInvalid, "not a JPEG, PNG or WebP"},
			{"text named .jpg", "notes.jpg", []byte("hello, this is not a photo\n"), app.EInvalid, "not a JPEG, PNG or WebP"},
			{"truncated JPEG", "cut.jpg", good[:len(good)/2], app.EInvalid, "damaged or incomplete"},
			{"pixel bomb", "bomb.png", pixelBomb(t, 50000, 50000), app.EInvalid, "too many pixels"},
			{"too small", "tiny.jpg", photo(t, 50, 50, 3), app.EInvalid, "too small"},
			{"too large", "huge.jpg", append(append([]byte{}, good...), make([]byte, 2<<20)...), app.ETooLarge, "larger than the 2 MB limit"},
			{"GIF", "anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), app.EInvalid, "not a JPEG, PNG or WebP"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				start := time.Now()
				_, err := e.upload(t, e.contrib, tc.file, tc.data)
				if app.ErrorCode(err) != tc.code || !strings.Contains(app.ErrorMessage(err), tc.msg) || !strings.Contains(app.ErrorMessage(err), tc.file) {
					t.Fatalf("err = %v (%q), want %s mentioning %q and the file", err, app.ErrorMessage(err), tc.code, tc.msg)
				}
				if tc.name == "pixel bomb" && time.Since(start) > 2*time.Second {
					t.Fatalf("pixel bomb took %v: it must be refused from its header", time.Since(start))
				}
			})
		}
		if _, err := e.upload(t, e.buyer, "mine.jpg", good); app.ErrorCode(err) != app.EForbidden {
			t.Fatalf("buyer upload: %v", err)
		}
		if keys := e.blobKeys(t); len(keys) != 0 {
			t.Fatalf("refused uploads left blobs: %v", keys)
		}
		if page, _, err := e.svc.MyImages(t.Context(), e.contrib, "", 10, 0); err != nil || page.Total != 0 {
			t.Fatalf("refused uploads left %d images (%v)", page.Total, err)
		}
		if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
			t.Fatalf("staging directory not cleaned: %v", left)
		}
	})
}

func TestExactReuploadIsRecognised(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		data := photo(t, 300, 200, 4)
		first := e.mustUpload(t, e.contrib, "a.jpg", data)
		_, err := e.upload(t, e.contrib, "a-again.jpg", data)
		if app.ErrorCode(err) != app.EConflict || !strings.Contains(app.ErrorMessage(err), first.PublicID) {
			t.Fatalf("own re-upload: %v", err)
		}
		_, err = e.upload(t, e.other, "stolen.jpg", data)
		if app.ErrorCode(err) != app.EConflict || !strings.Contains(app.ErrorMessage(err), "another contributor") {
			t.Fatalf("someone else's re-upload: %v", err)
		}
		if keys := e.blobKeys(t); len(keys) != 1 {
			t.Fatalf("blobs after re-uploads: %v", keys)
		}
	})
}

func TestMetadataPrefillsTheDescriptionAndOrientationApplies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Encoded landscape, displayed portrait (EXIF orientation 6: rotate 90° clockwise).
		data := withSegments(photo(t, 640, 480, 5), exifOrientation(6), xmpSegment())
		img := e.mustUpload(t, e.contrib, "harbour.jpg", data)
		e.process(t)
		img = e.image(t, img.PublicID)
		if img.Status != app.StatusDraft || img.Width != 480 || img.Height != 640 || img.Orientation != app.Portrait {
			t.Fatalf("image %s %d×%d %s (%s)", img.Status, img.Width, img.Height, img.Orientation, img.StatusReason)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(e.blobBytes(t, img.ThumbKey)))
		if err != nil || cfg.Width >= cfg.Height {
			t.Fatalf("thumbnail %d×%d not portrait (%v)", cfg.Width, cfg.Height, err)
		}
		if img.Title != "Harbour at dawn" || img.Description != "Fishing boats before sunrise." {
			t.Fatalf("title %q description %q", img.Title, img.Description)
		}
		if got := strings.Join(img.Keywords, "|"); got != "harbour|boats|dawn" {
			t.Fatalf("keywords %q", got)
		}
		if img.GPSLatitude == nil || *img.GPSLatitude < 51.49 || *img.GPSLatitude > 51.51 || img.GPSLongitude == nil || *img.GPSLongitude > -0.12 {
			t.Fatalf("GPS not recorded privately: %v %v", img.GPSLatitude, img.GPSLongitude)
		}
		// The derivatives carry no metadata at all.
		for _, key := range []string{img.ThumbKey, img.PreviewKey} {
			b := e.blobBytes(t, key)
			if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("http://ns.adobe.com/xap")) || bytes.Contains(b, []byte("Harbour")) {
				t.Fatalf("%s carries metadata", key)
			}
		}
	})
}

func TestUndecodableFileFailsAndLeavesNoBlobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		img := e.mustUpload(t, e.contrib, "broken.jpg", undecodable(t, photo(t, 300, 200, 6)))
		e.process(t)
		img = e.image(t, img.PublicID)
		if img.Status != app.StatusFailed || !strings.Contains(img.StatusReason, "could not be decoded") {
			t.Fatalf("status %s reason %q", img.Status, img.StatusReason)
		}
		if keys := e.blobKeys(t); len(keys) != 0 {
			t.Fatalf("failed image left blobs: %v", keys)
		}
		counts, err := db.JobCounts(t.Context())
		if err != nil || counts[app.JobFailed] != 1 {
			t.Fatalf("jobs %v %v", counts, err)
		}
		// The same bytes may be uploaded again (to fail again): a failure
		// does not hold the file's hash.
		if _, err := e.upload(t, e.contrib, "broken.jpg", undecodable(t, photo(t, 300, 200, 6))); err != nil {
			t.Fatalf("re-upload after failure: %v", err)
		}
		// The owner may delete the failed image.
		if err := e.svc.Delete(t.Context(), e.contrib, img.PublicID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestInterruptedJobIsResumed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		img := e.mustUpload(t, e.contrib, "a.jpg", photo(t, 300, 200, 7))
		// A worker claims the job and dies: its lease lapses at once.
		job, err := db.ClaimJob(t.Context(), "dead-worker", time.Millisecond)
		if err != nil || job == nil {
			t.Fatalf("claim: %v %v", job, err)
		}
		time.Sleep(5 * time.Millisecond)
		e.process(t)
		if got := e.image(t, img.PublicID); got.Status != app.StatusDraft {
			t.Fatalf("interrupted image is %s", got.Status)
		}
	})
}

func TestTransientStorageFailureIsRetried(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		e := newEnvWith(t, db, &flakyBlobs{Blobs: local, failed: map[string]bool{}})
		img := e.mustUpload(t, e.contrib, "a.jpg", photo(t, 300, 200, 8))
		e.process(t)
		if got := e.image(t, img.PublicID); got.Status != app.StatusDraft {
			t.Fatalf("after a transient failure the image is %s (%s)", got.Status, got.StatusReason)
		}
	})
}

func TestSweepDeletesOnlyOrphanBlobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		img := e.mustUpload(t, e.contrib, "kept.jpg", photo(t, 300, 200, 9))
		orphan := "originals/ab/ab" + strings.Repeat("0", 62)
		// A crash after writing a blob but before its row: the intent remains.
		if err := db.AddBlobIntents(t.Context(), orphan, img.OriginalKey); err != nil {
			t.Fatal(err)
		}
		if err := e.blobs.Put(t.Context(), orphan, strings.NewReader("orphan"), 6, ""); err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.SweepBlobIntents(t.Context(), time.Now().Add(time.Second))
		if err != nil || n != 1 {
			t.Fatalf("swept %d (%v), want 1", n, err)
		}
		keys := e.blobKeys(t)
		if len(keys) != 1 || keys[0] != img.OriginalKey {
			t.Fatalf("after sweep: %v", keys)
		}
		if n, _ := e.svc.SweepBlobIntents(t.Context(), time.Now().Add(time.Second)); n != 0 {
			t.Fatalf("second sweep deleted %d", n)
		}
	})
}

func TestNearDuplicatesAreFound(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		orig := photo(t, 1200, 800, 10)
		src, err := jpeg.Decode(bytes.NewReader(orig))
		if err != nil {
			t.Fatal(err)
		}
		// Re-saved smaller, at a lower quality, slightly cropped.
		copyImg := imaging.Resize(imaging.Crop(src, image.Rect(12, 8, 1188, 792)), 900, 0, imaging.Lanczos)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, copyImg, &jpeg.Options{Quality: 70}); err != nil {
			t.Fatal(err)
		}
		a := e.mustUpload(t, e.contrib, "original.jpg", orig)
		b := e.mustUpload(t, e.other, "copy.jpg", buf.Bytes())
		c := e.mustUpload(t, e.other, "unrelated.jpg", photo(t, 1200, 800, 11))
		e.process(t)
		first := e.image(t, a.PublicID)
		near, err := e.svc.NearDuplicates(t.Context(), []app.Image{*first}, 6)
		if err != nil {
			t.Fatal(err)
		}
		if dups := near[first.ID]; len(dups) != 1 || dups[0].Image.PublicID != b.PublicID {
			t.Fatalf("near duplicates of the original: %+v; want the copy only, not %s", dups, c.PublicID)
		}
	})
}

func TestBulkDescribeAndLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var ids []string
		for i := range 4 {
			ids = append(ids, e.mustUpload(t, e.contrib, "p.jpg", photo(t, 300, 200, int64(20+i))).PublicID)
		}
		e.process(t)
		d := complete()
		if _, err := e.svc.Describe(t.Context(), e.contrib, ids[3], d); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(t.Context(), e.contrib, ids[3]); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.BulkDescribe(t.Context(), e.contrib, append(ids, "nosuchimage"), []string{"Sky", "clouds"}, "nature")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Updated) != 3 || res.Skipped[ids[3]] == "" || res.Skipped["nosuchimage"] == "" {
			t.Fatalf("bulk result %+v", res)
		}
		got := e.image(t, ids[0])
		if got.Category != "nature" || strings.Join(got.Keywords, ",") != "sky,clouds" {
			t.Fatalf("bulk edit gave %q %v", got.Category, got.Keywords)
		}
		if res, _ := e.svc.BulkDescribe(t.Context(), e.other, ids, []string{"x"}, ""); len(res.Updated) != 0 {
			t.Fatalf("another contributor bulk-edited: %+v", res)
		}
		if _, err := e.svc.BulkDescribe(t.Context(), e.contrib, ids, nil, "pets"); app.ErrorCode(err) != app.EInvalid {
			t.Fatalf("bulk edit with a bad category: %v", err)
		}

		// At most 3 pending: ids[3] and two more submit; the next is refused.
		for _, id := range ids[:3] {
			if _, err := e.svc.Describe(t.Context(), e.contrib, id, d); err != nil {
				t.Fatal(err)
			}
		}
		for i, id := range ids[:3] {
			_, err := e.svc.Submit(t.Context(), e.contrib, id)
			if i < 2 && err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			if i == 2 && app.ErrorCode(err) != app.ETooMany {
				t.Fatalf("fourth pending image: %v", err)
			}
		}
		// At most 6 unsubmitted: one draft is left (ids[2]); 5 more fill the quota.
		for i := range 5 {
			e.mustUpload(t, e.contrib, "more.jpg", photo(t, 300, 200, int64(40+i)))
		}
		if _, err := e.upload(t, e.contrib, "one-too-many.jpg", photo(t, 300, 200, 50)); app.ErrorCode(err) != app.ETooMany {
			t.Fatalf("upload past the draft limit: %v", err)
		}
	})
}

func TestDerivativesFollowVisibility(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		img := e.mustUpload(t, e.contrib, "a.jpg", photo(t, 300, 200, 12))
		e.process(t)
		img = e.image(t, img.PublicID)
		name := catalog.DerivativeName(img.SHA256, "preview")
		for _, viewer := range []*app.User{nil, e.other, e.buyer} {
			if _, _, err := e.svc.Derivative(t.Context(), viewer, name); app.ErrorCode(err) != app.ENotFound {
				t.Fatalf("draft preview served to %v: %v", viewer, err)
			}
		}
		obj, public, err := e.svc.Derivative(t.Context(), e.contrib, name)
		if err != nil || public {
			t.Fatalf("owner's draft preview: public=%v err=%v", public, err)
		}
		obj.Close()
		for _, bad := range []string{"x.jpg", img.SHA256 + "-original-v1.jpg", strings.Repeat("0", 64) + "-thumb-v1.jpg", "../" + name} {
			if _, _, err := e.svc.Derivative(t.Context(), e.admin, bad); app.ErrorCode(err) != app.ENotFound {
				t.Fatalf("%q: %v", bad, err)
			}
		}
		if _, err := e.svc.Describe(t.Context(), e.contrib, img.PublicID, complete()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(t.Context(), e.contrib, img.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Approve(t.Context(), e.admin, img.PublicID); err != nil {
			t.Fatal(err)
		}
		obj, public, err = e.svc.Derivative(t.Context(), nil, name)
		if err != nil || !public {
			t.Fatalf("published preview: public=%v err=%v", public, err)
		}
		obj.Close()
		// A published image cannot be deleted by its contributor.
		if err := e.svc.Delete(t.Context(), e.contrib, img.PublicID); app.ErrorCode(err) != app.EConflict {
			t.Fatalf("delete published: %v", err)
		}
	})
}

func TestDeleteRemovesDraftAndItsFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		img := e.mustUpload(t, e.contrib, "a.jpg", photo(t, 300, 200, 13))
		e.process(t)
		if err := e.svc.Delete(t.Context(), e.other, img.PublicID); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("other contributor deleted it: %v", err)
		}
		if err := e.svc.Delete(t.Context(), e.contrib, img.PublicID); err != nil {
			t.Fatal(err)
		}
		if keys := e.blobKeys(t); len(keys) != 0 {
			t.Fatalf("deleted image left blobs: %v", keys)
		}
		if _, err := e.svc.Image(t.Context(), e.admin, img.PublicID); app.ErrorCode(err) != app.ENotFound {
			t.Fatalf("deleted image still there: %v", err)
		}
	})
}

func manyKeywords(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("keyword %d", i)
	}
	return out
}

func TestWorkerPoolBoundsImagesInMemory(t *testing.T) {
	e := newEnv(t, storetest.New(t, store.SQLite))
	for i := range 6 {
		e.mustUpload(t, e.contrib, "p.jpg", photo(t, 600, 400, int64(60+i)))
	}
	e.runWorkers(t, &catalog.Workers{Catalog: e.svc, DB: e.db, Count: 2, Poll: 5 * time.Millisecond})
	st := e.svc.Stats()
	if st.PeakDecoding < 1 || st.PeakDecoding > 2 || st.Decoding != 0 {
		t.Fatalf("decoding stats %+v: want a peak of 1–2 images with 2 workers, none left", st)
	}
	page, counts, err := e.svc.MyImages(t.Context(), e.contrib, app.StatusDraft, 10, 0)
	if err != nil || page.Total != 6 || counts[app.StatusDraft] != 6 {
		t.Fatalf("drafts: %d (%v) %v", page.Total, counts, err)
	}
}

func TestRuntimePolicyOverridesTheConfiguredLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var pol policyVar
		e := newEnvOpts(t, db, local, pol.get)
		ctx := t.Context()
		mid := padded(photo(t, 300, 200, 60), 1536<<10) // between a 1 MB policy and the 2 MB ceiling
		huge := padded(photo(t, 300, 200, 61), 3<<20)   // over the ceiling

		// A policy limit under the ceiling refuses a file between the two.
		pol.set(app.Policy{MaxUploadBytes: 1 << 20})
		if got := e.svc.EffectiveLimits(ctx).MaxFileBytes; got != 1<<20 {
			t.Fatalf("effective MaxFileBytes %d under a 1 MB policy", got)
		}
		_, err = e.upload(t, e.contrib, "mid.jpg", mid)
		if app.ErrorCode(err) != app.ETooLarge || !strings.Contains(app.ErrorMessage(err), "1 MB limit") {
			t.Fatalf("1.5 MB file under a 1 MB policy: %v", err)
		}
		// One above the ceiling does not raise it.
		pol.set(app.Policy{MaxUploadBytes: 8 << 20})
		if got, ceiling := e.svc.EffectiveLimits(ctx).MaxFileBytes, e.svc.Limits().MaxFileBytes; got != 2<<20 || ceiling != 2<<20 {
			t.Fatalf("effective MaxFileBytes %d, ceiling %d under an 8 MB policy; want both 2 MB", got, ceiling)
		}
		if _, err := e.upload(t, e.contrib, "huge.jpg", huge); app.ErrorCode(err) != app.ETooLarge {
			t.Fatalf("3 MB file over the 2 MB ceiling: %v", err)
		}
		a := e.mustUpload(t, e.contrib, "mid.jpg", mid)
		b := e.mustUpload(t, e.contrib, "b.jpg", photo(t, 300, 200, 62))
		e.process(t)

		// Price bounds: the configured $1–$100 until the policy narrows them.
		pol.set(app.Policy{})
		if lo, hi := e.svc.PriceBounds(ctx); lo != 100 || hi != 10_000 {
			t.Fatalf("price bounds under an empty policy: %d–%d", lo, hi)
		}
		pol.set(app.Policy{Prices: app.Prices{StandardCents: 400, MinCents: 200, MaxCents: 500}})
		if lo, hi := e.svc.PriceBounds(ctx); lo != 200 || hi != 500 {
			t.Fatalf("price bounds under a $2–$5 policy: %d–%d", lo, hi)
		}
		if got := e.svc.PriceCents(&app.Image{}); got != 400 {
			t.Fatalf("default price %d, want the policy's 400", got)
		}
		for _, p := range []int64{150, 600} {
			_, err := e.svc.Describe(ctx, e.contrib, a.PublicID, catalog.Description{PriceCents: ptr(p)})
			if msg := app.ErrorFields(err)["price"]; !strings.Contains(msg, "$2.00 to $5.00") {
				t.Fatalf("price %d under a $2–$5 policy: %v (%q)", p, err, msg)
			}
		}
		if _, err := e.svc.Describe(ctx, e.contrib, a.PublicID, catalog.Description{PriceCents: ptr(int64(450))}); err != nil {
			t.Fatalf("price within the policy's bounds: %v", err)
		}

		// At most 3 pending as configured; the policy allows only 1.
		pol.set(app.Policy{MaxPending: 1})
		for _, id := range []string{a.PublicID, b.PublicID} {
			if _, err := e.svc.Describe(ctx, e.contrib, id, complete()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Submit(ctx, e.contrib, a.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, e.contrib, b.PublicID); app.ErrorCode(err) != app.ETooMany {
			t.Fatalf("second pending image under a MaxPending 1 policy: %v", err)
		}
	})
}
