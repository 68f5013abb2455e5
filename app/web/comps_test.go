package web_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/xmp"
)

// TestCompIsTheMarkedPreviewNeverTheOriginal: a signed-in user downloads a
// published image's comp — the watermarked preview with XMP saying it is a
// comp, not licensed — and never the original; nobody gets a comp of an
// unpublished or taken-down image.
func TestCompIsTheMarkedPreviewNeverTheOriginal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("bea", app.RoleBuyer)
		ada := a.user("ada", app.RoleAdmin)
		// Bigger than the 1200 px preview, so that the two differ in size too.
		id := a.publishAs(cora, 11, 1600, 1200, "Harbour at dawn", "travel", "harbour", "boats", "dawn", "sea", "quay")
		img, err := a.catalog.Image(t.Context(), nil, id)
		if err != nil {
			t.Fatal(err)
		}
		bea := a.client()
		bea.signIn("bea")
		compURL := "/images/" + id + "/comp"
		bea.get("/images/"+img.Slug()).mustStatus(t, http.StatusOK).mustContain(t, `href="`+compURL+`"`, "Download comp")
		if strings.Contains(a.client().get("/images/"+img.Slug()).body, compURL) {
			t.Error("a signed-out visitor is offered a comp")
		}

		res := bea.get(compURL).mustStatus(t, http.StatusOK)
		if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != "image/jpeg" || cd != `attachment; filename="snapshop-comp-`+id+`.jpg"` {
			t.Fatalf("comp headers: %q, %q", ct, cd)
		}
		comp := []byte(res.body)
		orig := a.original(img)
		if bytes.Equal(comp, orig) || bytes.Contains(comp, orig[len(orig)/2:]) {
			t.Fatal("the comp carries the original")
		}
		preview := []byte(bea.get("/media/"+catalog.DerivativeName(img.SHA256, "preview")).mustStatus(t, http.StatusOK).body)
		if !bytes.HasSuffix(comp, preview[len(preview)/2:]) {
			t.Fatal("the comp is not the watermarked preview")
		}
		got, err := jpeg.DecodeConfig(bytes.NewReader(comp))
		if err != nil {
			t.Fatalf("the comp is not a JPEG: %v", err)
		}
		want, err := jpeg.DecodeConfig(bytes.NewReader(preview))
		if err != nil {
			t.Fatal(err)
		}
		if got.Width != want.Width || got.Height != want.Height || got.Width >= img.Width {
			t.Fatalf("comp %d×%d, preview %d×%d, original %d×%d", got.Width, got.Height, want.Width, want.Height, img.Width, img.Height)
		}
		packet, err := xmp.Extract(bytes.NewReader(comp), "jpeg")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			"<snapshop:Comp>True</snapshop:Comp>", "<snapshop:ImageID>" + id + "</snapshop:ImageID>",
			"Comp for layout and mock-up only. Not licensed",
			"<xmpRights:WebStatement>http://snapshop.test/images/" + img.Slug() + "</xmpRights:WebStatement>",
		} {
			if !bytes.Contains(packet, []byte(s)) {
				t.Errorf("comp XMP lacks %q:\n%s", s, packet)
			}
		}
		if bytes.Contains(packet, []byte("xmpRights:Marked")) {
			t.Errorf("a comp claims a rights status:\n%s", packet)
		}
		// Scripts: a bearer token works; without one, 401.
		a.client().api("GET", "/api/v1"+compURL, a.token("bea"), "").mustStatus(t, http.StatusOK)
		mustAPIError(t, a.client().api("GET", "/api/v1"+compURL, "", ""), http.StatusUnauthorized, "unauthorized")
		// Signed out: to the sign-in page, and back.
		if res := a.client().get(compURL).mustStatus(t, http.StatusSeeOther); !strings.HasPrefix(res.location(), "/login?next=") {
			t.Fatalf("signed out: to %q", res.location())
		}

		// Unpublished: no comp, not even for its owner.
		pending := a.pendingAs(cora, jpegFile(t, "q.jpg", 400, 300, 12), "Quay", "travel", "quay", "boats", "sea", "harbour", "rope")
		bea.get("/images/"+pending+"/comp").mustStatus(t, http.StatusNotFound)
		owner := a.client()
		owner.signIn("cora")
		owner.get("/images/"+pending+"/comp").mustStatus(t, http.StatusNotFound)
		// Taken down: none either.
		if _, err := a.catalog.TakeDown(t.Context(), ada, id, "copyright claim"); err != nil {
			t.Fatal(err)
		}
		bea.get(compURL).mustStatus(t, http.StatusNotFound)
		bea.get("/images/nosuchimage/comp").mustStatus(t, http.StatusNotFound)
	})
}
