package web_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/app/web"
)

// TestUploadsAreRateLimitedPerAccount: after its burst, an account's next
// upload is a 429 with Retry-After that stores nothing, through the API and
// the page's form alike (one allowance); another account, even from the
// same address, still uploads.
func TestUploadsAreRateLimitedPerAccount(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite), func(c *web.Config) { c.UploadBurst, c.UploadRefill = 3, time.Hour })
	a.user("cora", app.RoleContributor)
	a.user("otto", app.RoleContributor)
	cora, otto := a.token("cora"), a.token("otto")
	c := a.client()
	for i := range 3 {
		c.uploadAPI(cora, jpegFile(t, "a.jpg", 400, 300, int64(i+1))).mustStatus(t, http.StatusAccepted)
	}
	blobs := a.blobCount()

	res := c.uploadAPI(cora, jpegFile(t, "b.jpg", 400, 300, 10))
	mustAPIError(t, res, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}

	// The page's form spends the same allowance.
	page := a.client()
	page.signIn("cora")
	ct, body := multipartBody(t, map[string]string{"_csrf": page.csrf()}, jpegFile(t, "c.jpg", 400, 300, 11))
	page.request("POST", "/contribute/upload", body, map[string]string{"Content-Type": ct}).mustStatus(t, http.StatusTooManyRequests)

	if n := a.blobCount(); n != blobs {
		t.Fatalf("refused uploads stored blobs: %d, then %d", blobs, n)
	}
	images := decode[struct {
		Images []struct{ ID string }
	}](t, c.api("GET", "/api/v1/me/images", cora, "").mustStatus(t, http.StatusOK))
	if len(images.Images) != 3 {
		t.Fatalf("cora has %d images, want the 3 accepted", len(images.Images))
	}

	// Per account, not per address.
	c.uploadAPI(otto, jpegFile(t, "d.jpg", 400, 300, 12)).mustStatus(t, http.StatusAccepted)
}
