package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/synth"
)

// pendingAs uploads f as owner, processes it, describes it completely and
// submits it for review, returning its public ID.
func (a *testApp) pendingAs(owner *app.User, f file, title, category string, keywords ...string) string {
	a.t.Helper()
	up := decode[uploadResp](a.t, a.client().uploadAPI(a.token(owner.Username), f))
	if len(up.Images) != 1 {
		a.t.Fatalf("upload: %+v", up)
	}
	id := up.Images[0].ID
	a.process()
	ctx := a.t.Context()
	usage, ai := app.UsageCommercial, app.AINone
	if _, err := a.catalog.Describe(ctx, owner, id, catalog.Description{Title: &title, Keywords: &keywords, Category: &category, Usage: &usage, AI: &ai}); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.catalog.Submit(ctx, owner, id); err != nil {
		a.t.Fatal(err)
	}
	return id
}

// auditCount is how many audit entries there are.
func (a *testApp) auditCount() int64 {
	a.t.Helper()
	_, n, err := a.db.ListAudit(a.t.Context(), store.AuditFilter{Limit: 1})
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

// searchIDs returns the IDs the search API finds for q.
func (c *client) searchIDs(q string) []string {
	c.t.Helper()
	c.app.synced()
	res := decode[searchResp](c.t, c.api("GET", "/api/v1/search?q="+url.QueryEscape(q), "", "").mustStatus(c.t, http.StatusOK))
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestAdminRoutesRefuseEveryoneElse walks the route table: every route under
// /admin and /api/v1/admin answers 403 to a buyer and to a contributor, by
// session and by API token, and sends anonymous visitors to sign in.
func TestAdminRoutesRefuseEveryoneElse(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	a.user("bob", app.RoleBuyer)
	a.user("cora", app.RoleContributor)
	anon := a.client()
	sessions := map[string]*client{}
	for _, name := range []string{"bob", "cora"} {
		c := a.client()
		c.signIn(name)
		sessions[name] = c
	}
	tokens := map[string]string{"bob": a.token("bob"), "cora": a.token("cora")}
	param := regexp.MustCompile(`:[a-z]+`)
	var checked int
	for _, r := range a.web.Routes() {
		method, path, _ := strings.Cut(r, " ")
		isAPI := strings.HasPrefix(path, "/api/v1/admin/")
		if !isAPI && path != "/admin" && !strings.HasPrefix(path, "/admin/") {
			continue
		}
		checked++
		target := param.ReplaceAllString(path, "x1")
		for name, c := range sessions {
			var res *response
			switch {
			case isAPI && method == http.MethodGet:
				res = c.api(method, target, tokens[name], "")
			case isAPI:
				res = c.api(method, target, tokens[name], "{}")
			case method == http.MethodGet:
				res = c.get(target)
			default:
				res = c.post(target, url.Values{})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as %s: status %d, want 403", method, target, name, res.StatusCode)
			}
		}
		var res *response
		if isAPI {
			res = anon.api(method, target, "", "{}")
			if res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s anonymous: status %d, want 401 or 403", method, target, res.StatusCode)
			}
		} else if method == http.MethodGet {
			res = anon.get(target)
			if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/login") {
				t.Errorf("%s %s anonymous: status %d to %q, want a redirect to sign in", method, target, res.StatusCode, res.location())
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d admin routes found; the walk is broken", checked)
	}
}

// TestReviewDecisions: approve makes an image searchable; reject shows the
// contributor the reasons; a metadata rejection may be fixed and resubmitted,
// a quality rejection may not; an appeal returns it to the queue once.
func TestReviewDecisions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("ada", app.RoleAdmin)
		ada := a.client()
		ada.signIn("ada")
		co := a.client()
		co.signIn("cora")
		kw := []string{"harbour", "boats", "dawn", "water", "mist"}
		first := a.pendingAs(cora, jpegFile(t, "a.jpg", 400, 300, 11), "Harbour at dawn", "travel", kw...)
		second := a.pendingAs(cora, jpegFile(t, "b.jpg", 400, 300, 12), "Lighthouse in fog", "travel", "lighthouse", "fog", "coast", "sea", "night")
		third := a.pendingAs(cora, jpegFile(t, "c.jpg", 400, 300, 13), "Gulls on a jetty", "animals", "gulls", "jetty", "birds", "pier", "sea")

		// The queue, oldest first, and the contributor's view of it.
		q := decode[struct {
			Total int
			Items []struct {
				Position int
				Image    struct{ ID string }
			}
		}](t, ada.api("GET", "/api/v1/admin/queue", a.token("ada"), "").mustStatus(t, http.StatusOK))
		if q.Total != 3 || len(q.Items) != 3 || q.Items[0].Image.ID != first || q.Items[2].Image.ID != third || q.Items[2].Position != 3 {
			t.Fatalf("queue = %+v, want the three images oldest first", q)
		}
		co.get("/contribute/images/"+third).mustStatus(t, http.StatusOK).mustContain(t, "3rd in the review queue")
		// Reviewers may zoom into the original, inside the admin area only.
		firstImg, err := a.db.ImageByPublicID(t.Context(), first)
		if err != nil {
			t.Fatal(err)
		}
		orig := ada.get("/admin/images/"+first+"/original").mustStatus(t, http.StatusOK)
		if orig.body != string(a.original(firstImg)) || orig.Header.Get("Cache-Control") != "private, no-store" {
			t.Error("the admin's original is not the upload, or may be cached")
		}
		before := a.auditCount()

		// Approve → searchable at once.
		ada.post("/admin/images/"+first+"/approve", url.Values{}).mustStatus(t, http.StatusSeeOther)
		if ids := anonSearch(a, "harbour"); !contains(ids, first) {
			t.Fatalf("approved image not found in search: %v", ids)
		}
		// Approving twice is refused and leaves no audit row.
		res := ada.api("POST", "/api/v1/admin/images/"+first+"/approve", a.token("ada"), "")
		res.mustStatus(t, http.StatusConflict)

		// Reject for a quality reason: reasons shown; no resubmission.
		ada.api("POST", "/api/v1/admin/images/"+second+"/reject", a.token("ada"), `{"reasons":["out_of_focus","noise"],"note":"The lamp is blurred."}`).mustStatus(t, http.StatusOK)
		co.get("/contribute/images/"+second).mustStatus(t, http.StatusOK).mustContain(t, "Out of focus", "Noise or artefacts", "The lamp is blurred.", "Appeal (once)")
		if _, err := a.catalog.Submit(t.Context(), cora, second); app.ErrorCode(err) != app.EConflict {
			t.Fatalf("resubmit after a quality rejection: %v, want a conflict", err)
		}
		// Bad reasons are refused with 422 and change nothing.
		ada.api("POST", "/api/v1/admin/images/"+third+"/reject", a.token("ada"), `{"reasons":["blurry"]}`).mustStatus(t, http.StatusUnprocessableEntity)
		ada.api("POST", "/api/v1/admin/images/"+third+"/reject", a.token("ada"), `{"reasons":["other"]}`).mustStatus(t, http.StatusUnprocessableEntity)

		// Reject for a metadata reason: fix and resubmit.
		ada.post("/admin/images/"+third+"/reject", url.Values{"reasons": {"keyword_spam"}, "note": {"Drop “pier”."}}).mustStatus(t, http.StatusSeeOther)
		if _, err := a.catalog.Submit(t.Context(), cora, third); err != nil {
			t.Fatalf("resubmit after a metadata rejection: %v", err)
		}

		// Appeal the quality rejection: back in the queue, marked; once only.
		co.post("/contribute/images/"+second+"/appeal", url.Values{"note": {"It is fog, not blur."}}).mustStatus(t, http.StatusSeeOther)
		page := ada.get("/admin/review").mustStatus(t, http.StatusOK)
		page.mustContain(t, "Lighthouse in fog", "It is fog, not blur.", `badge-appeal`)
		ada.post("/admin/images/"+second+"/reject", url.Values{"reasons": {"out_of_focus"}}).mustStatus(t, http.StatusSeeOther)
		co.api("POST", "/api/v1/images/"+second+"/appeal", a.token("cora"), `{"note":"again"}`).mustStatus(t, http.StatusConflict)

		// Decisions leave exactly one audit row each: approve, reject, reject, reject again.
		if got := a.auditCount() - before; got != 4 {
			t.Errorf("%d audit rows for 4 decisions", got)
		}
		// Someone else's image cannot be appealed.
		other := a.user("olga", app.RoleContributor)
		if _, err := a.catalog.Appeal(t.Context(), other, second, ""); app.ErrorCode(err) != app.ENotFound {
			t.Errorf("appeal of someone else's image: %v, want not found", err)
		}
	})
}

func anonSearch(a *testApp, q string) []string {
	return a.client().searchIDs(q)
}

// TestBulkReview approves and rejects several images at once, skipping one
// that is no longer pending.
func TestBulkReview(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	a.user("ada", app.RoleAdmin)
	ada := a.client()
	ada.signIn("ada")
	var ids []string
	for i := range 4 {
		ids = append(ids, a.pendingAs(cora, jpegFile(t, "x.jpg", 300, 300, int64(40+i)), fmt.Sprintf("Bulk photo %d", i), "nature", "tree", "leaf", "forest", "green", "moss"))
	}
	ada.post("/admin/images/"+ids[0]+"/approve", url.Values{}).mustStatus(t, http.StatusSeeOther)
	ada.post("/admin/review/bulk", url.Values{"decision": {"approve"}, "ids": {ids[0], ids[1], ids[2]}}).mustStatus(t, http.StatusSeeOther)
	ada.get("/admin/review").mustContain(t, "2 images approved. 1 skipped")
	ada.post("/admin/review/bulk", url.Values{"decision": {"reject"}, "ids": {ids[3]}, "reasons": {"composition"}}).mustStatus(t, http.StatusSeeOther)
	for i, want := range []app.ImageStatus{app.StatusApproved, app.StatusApproved, app.StatusApproved, app.StatusRejected} {
		img, err := a.db.ImageByPublicID(t.Context(), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if img.Status != want {
			t.Errorf("image %d: %s, want %s", i, img.Status, want)
		}
	}
}

// TestTakedownKeepsLicences: a report, then a takedown: the image leaves
// search and sale, its previews stop, but the buyer who licensed it still
// downloads the original. Reinstating brings it back.
func TestTakedownKeepsLicences(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		bob := a.user("bob", app.RoleBuyer)
		a.user("ada", app.RoleAdmin)
		a.user("rita", app.RoleBuyer)
		id := a.publishAs(cora, 21, 400, 300, "Copied painting", "arts", "painting", "canvas", "oil", "museum", "frame")
		a.fundWallet(bob, "10")
		if _, err := a.commerce.CreateOrder(t.Context(), bob, "k1", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: id, License: app.LicenseStandard}}}); err != nil {
			t.Fatal(err)
		}
		img, err := a.db.ImageByPublicID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		anon := a.client()
		thumb := thumbPath(t, anon, img)
		anon.get(thumb).mustStatus(t, http.StatusOK)

		rita := a.client()
		rita.signIn("rita")
		res := rita.api("POST", "/api/v1/images/"+id+"/reports", a.token("rita"), `{"reason":"copyright","note":"This is my painting."}`).mustStatus(t, http.StatusCreated)
		rep := decode[struct{ ID, Status string }](t, res)
		rita.api("POST", "/api/v1/images/"+id+"/reports", a.token("rita"), `{"reason":"copyright"}`).mustStatus(t, http.StatusOK)
		rita.api("POST", "/api/v1/images/"+id+"/reports", a.token("rita"), `{"reason":"spam"}`).mustStatus(t, http.StatusUnprocessableEntity)
		a.client().api("POST", "/api/v1/images/"+id+"/reports", "", `{"reason":"copyright"}`).mustStatus(t, http.StatusUnauthorized)

		ada := a.client()
		ada.signIn("ada")
		ada.get("/admin/reports").mustStatus(t, http.StatusOK).mustContain(t, "This is my painting.")
		before := a.auditCount()
		ada.post("/admin/reports/"+rep.ID+"/takedown", url.Values{"reason": {"Copyright claim upheld"}}).mustStatus(t, http.StatusSeeOther)
		if n := a.auditCount() - before; n != 1 {
			t.Errorf("takedown left %d audit rows, want 1", n)
		}

		if ids := anonSearch(a, "painting"); contains(ids, id) {
			t.Error("taken-down image still in search")
		}
		anon.get(thumb).mustStatus(t, http.StatusNotFound)
		anon.get("/images/"+img.Slug()).mustStatus(t, http.StatusNotFound)
		if _, err := a.commerce.CreateOrder(t.Context(), bob, "k2", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: id, License: app.LicenseExtended}}}); err == nil {
			t.Error("a taken-down image was sold")
		}
		// The earlier buyer still downloads the original.
		held, err := a.commerce.Licenses(t.Context(), bob, 10, 0)
		if err != nil || len(held) != 1 || held[0].DownloadURL == "" {
			t.Fatalf("licences after takedown: %+v, %v", held, err)
		}
		be := a.client()
		be.signIn("bob")
		dl := be.get(held[0].DownloadURL).mustStatus(t, http.StatusOK)
		if !bytes.Contains([]byte(dl.body), a.original(img)[len(a.original(img))-64:]) {
			t.Error("download after takedown is not the original")
		}
		be.get("/licenses").mustContain(t, "stays valid")
		var reports []app.Report
		reports, _, err = a.db.ListReports(t.Context(), store.ReportFilter{ImageID: img.ID})
		if err != nil || len(reports) != 1 || reports[0].Status != app.ReportActioned {
			t.Errorf("reports after takedown: %+v %v", reports, err)
		}

		// Reinstate: back in search.
		ada.post("/admin/images/"+id+"/reinstate", url.Values{}).mustStatus(t, http.StatusSeeOther)
		if ids := anonSearch(a, "painting"); !contains(ids, id) {
			t.Error("reinstated image not in search")
		}
		anon.get(thumb).mustStatus(t, http.StatusOK)
	})
}

// thumbPath is the path of an image's thumbnail, as its owner or the public sees it.
func thumbPath(t *testing.T, c *client, img *app.Image) string {
	t.Helper()
	res := decode[struct {
		ThumbURL string `json:"thumb_url"`
	}](t, c.api("GET", "/api/v1/images/"+img.PublicID, "", "").mustStatus(t, http.StatusOK))
	u, err := url.Parse(res.ThumbURL)
	if err != nil || u.Path == "" {
		t.Fatalf("thumb URL %q", res.ThumbURL)
	}
	return u.Path
}

// TestSuspendAccount: a suspended contributor cannot sign in, their token is
// refused and their images leave search; reinstating undoes all three.
func TestSuspendAccount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		a.user("ada", app.RoleAdmin)
		id := a.publishAs(cora, 31, 300, 300, "Autumn maple", "nature", "maple", "autumn", "leaves", "red", "tree")
		token := a.token("cora")
		session := a.client()
		session.signIn("cora")
		ada := a.client()
		ada.signIn("ada")
		before := a.auditCount()
		ada.post("/admin/users/"+cora.PublicID+"/suspend", url.Values{"note": {"Stolen images"}}).mustStatus(t, http.StatusSeeOther)

		res := a.client().post("/login", url.Values{"login": {"cora"}, "password": {"cora-password"}})
		if res.StatusCode == http.StatusSeeOther {
			t.Error("a suspended account signed in")
		}
		a.client().api("GET", "/api/v1/me", token, "").mustStatus(t, http.StatusUnauthorized)
		if res := session.get("/contribute/images"); res.StatusCode == http.StatusOK {
			t.Error("a suspended account's session still works")
		}
		if ids := anonSearch(a, "maple"); contains(ids, id) {
			t.Error("a suspended contributor's image is still in search")
		}
		// An admin cannot suspend themselves.
		adaUser, err := a.auth.UserByUsername(t.Context(), "ada")
		if err != nil {
			t.Fatal(err)
		}
		ada.post("/admin/users/"+adaUser.PublicID+"/suspend", url.Values{}).mustStatus(t, http.StatusSeeOther)
		ada.get("/admin/users").mustContain(t, "cannot change your own account")

		ada.api("POST", "/api/v1/admin/users/"+cora.PublicID+"/unsuspend", a.token("ada"), "").mustStatus(t, http.StatusOK)
		a.client().api("GET", "/api/v1/me", token, "").mustStatus(t, http.StatusOK)
		if ids := anonSearch(a, "maple"); !contains(ids, id) {
			t.Error("a reinstated contributor's image is not back in search")
		}
		if n := a.auditCount() - before; n != 2 {
			t.Errorf("%d audit rows for suspend + reinstate (and a refused self-suspension)", n)
		}
	})
}

// TestEveryAdminActionIsAudited performs each kind of admin action once
// through the pages and checks each left exactly one audit row naming the
// admin, the target, the state before and after, and the request.
func TestEveryAdminActionIsAudited(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	bob := a.user("bob", app.RoleBuyer)
	adaUser := a.user("ada", app.RoleAdmin)
	ada := a.client()
	ada.signIn("ada")
	published := a.publishAs(cora, 51, 300, 300, "Snowy owl", "animals", "owl", "snow", "bird", "white", "winter")
	pending := a.pendingAs(cora, jpegFile(t, "p.jpg", 300, 300, 52), "Barn owl", "animals", "owl", "barn", "bird", "night", "hunt")
	a.fundWallet(bob, "10")
	o, err := a.commerce.CreateOrder(t.Context(), bob, "audit", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: published, License: app.LicenseStandard}}})
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := a.moderation.Report(t.Context(), bob, published, "metadata", "Wrong owl")
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		action, path string
		form         url.Values
		targetType   string
		target       string
	}{
		{"image.approve", "/admin/images/" + pending + "/approve", nil, "image", pending},
		{"image.remove", "/admin/images/" + pending + "/remove", url.Values{"reason": {"Duplicate"}}, "image", pending},
		{"image.reinstate", "/admin/images/" + pending + "/reinstate", nil, "image", pending},
		{"report.dismiss", "/admin/reports/" + rep.PublicID + "/dismiss", nil, "report", rep.PublicID},
		{"user.role", "/admin/users/" + bob.PublicID + "/role", url.Values{"role": {"contributor"}}, "user", "bob"},
		{"user.share", "/admin/users/" + cora.PublicID + "/share", url.Values{"share_percent": {"70"}}, "user", "cora"},
		{"user.suspend", "/admin/users/" + cora.PublicID + "/suspend", nil, "user", "cora"},
		{"user.reinstate", "/admin/users/" + cora.PublicID + "/unsuspend", nil, "user", "cora"},
		{"order.refund", "/admin/orders/" + o.Order.PublicID + "/refund", nil, "order", o.Order.PublicID},
		{"settings.update", "/admin/settings", url.Values{
			"standard": {"4"}, "extended": {"40"}, "min_price": {"1"}, "max_price": {"100"},
			"share": {"65"}, "payout_min": {"20"}, "max_upload": {"2"}, "max_pending": {"10"},
		}, "settings", "policy"},
	}
	for _, st := range steps {
		before := a.auditCount()
		ada.post(st.path, st.form).mustStatus(t, http.StatusSeeOther)
		if n := a.auditCount() - before; n != 1 {
			t.Errorf("%s: %d audit rows, want 1", st.action, n)
			continue
		}
		list, _, err := a.db.ListAudit(t.Context(), store.AuditFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := list[0]
		if e.Action != st.action || e.ActorID != adaUser.ID || e.TargetType != st.targetType || e.TargetID != st.target || e.RequestID == "" || e.After == "" || e.Before == "" {
			t.Errorf("%s: audit entry %+v", st.action, e)
		}
		if !json.Valid([]byte(e.Before)) || !json.Valid([]byte(e.After)) || e.Before == e.After {
			t.Errorf("%s: before %s after %s", st.action, e.Before, e.After)
		}
		// A repeat that changes nothing is refused and leaves no row (the
		// settings and share posts are idempotent in effect too).
		before = a.auditCount()
		ada.post(st.path, st.form)
		if n := a.auditCount() - before; n != 0 {
			t.Errorf("%s repeated: %d audit rows, want 0", st.action, n)
		}
	}
	// The settings took effect: the new default price is quoted.
	if err := a.commerce.AddToCart(t.Context(), bob, commerce.Line{ImageID: pending, License: app.LicenseStandard}); err != nil {
		t.Fatal(err)
	}
	q, err := a.commerce.Cart(t.Context(), bob)
	if err != nil {
		t.Fatal(err)
	}
	if q.TotalCents != 400 {
		t.Errorf("price after settings change: %d cents, want 400", q.TotalCents)
	}
	// The log page lists and filters them.
	ada.get("/admin/audit?action=order.refund").mustStatus(t, http.StatusOK).mustContain(t, o.Order.PublicID, "1 entry")
	// The log is append-only in the database itself.
	if err := a.db.DB().Exec("UPDATE audit_log SET action = 'x'").Error; err == nil {
		t.Error("audit log rows can be updated")
	}
	if err := a.db.DB().Exec("DELETE FROM audit_log").Error; err == nil {
		t.Error("audit log rows can be deleted")
	}
}

// TestNearDuplicateSuspects: a re-saved, resized and slightly cropped copy
// of a published photo shows the original as a suspect in the queue; an
// unrelated photo shows none.
func TestNearDuplicateSuspects(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := newTestApp(t, db)
		cora := a.user("cora", app.RoleContributor)
		thief := a.user("thief", app.RoleContributor)
		a.user("ada", app.RoleAdmin)
		orig := synth.Photo(800, 600, 77)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, orig, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		original := a.pendingAs(cora, file{"orig.jpg", buf.Bytes()}, "Stone bridge", "architecture", "bridge", "stone", "river", "arch", "old")
		ada := a.client()
		ada.signIn("ada")
		ada.post("/admin/images/"+original+"/approve", url.Values{}).mustStatus(t, http.StatusSeeOther)

		// The copy: 1 % cropped off each side, resized to 70 %, re-encoded at quality 70.
		b := orig.Bounds()
		dx, dy := b.Dx()/100, b.Dy()/100
		crop := image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy)
		copied := imaging.Resize(imaging.Crop(orig, crop), b.Dx()*70/100, 0, imaging.Lanczos)
		buf.Reset()
		if err := jpeg.Encode(&buf, copied, &jpeg.Options{Quality: 70}); err != nil {
			t.Fatal(err)
		}
		copyID := a.pendingAs(thief, file{"copy.jpg", buf.Bytes()}, "Old bridge", "architecture", "bridge", "stone", "river", "arch", "old")
		unrelated := a.pendingAs(thief, jpegFile(t, "other.jpg", 800, 600, 4242), "Desert road", "travel", "desert", "road", "sand", "heat", "empty")

		type item struct {
			Image    struct{ ID string }
			Suspects []struct {
				ID       string
				Distance int
			} `json:"near_duplicates"`
		}
		q := decode[struct{ Items []item }](t, ada.api("GET", "/api/v1/admin/queue", a.token("ada"), "").mustStatus(t, http.StatusOK))
		found := map[string]item{}
		for _, it := range q.Items {
			found[it.Image.ID] = it
		}
		if s := found[copyID].Suspects; len(s) != 1 || s[0].ID != original {
			t.Errorf("suspects of the copy: %+v, want the original", s)
		}
		if s := found[unrelated].Suspects; len(s) != 0 {
			t.Errorf("suspects of an unrelated photo: %+v, want none", s)
		}
		ada.get("/admin/review").mustContain(t, "Near-duplicates (1)", "Stone bridge")
	})
}

// TestDashboard sums sales by period and draws the daily chart.
func TestDashboard(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	cora := a.user("cora", app.RoleContributor)
	bob := a.user("bob", app.RoleBuyer)
	a.user("ada", app.RoleAdmin)
	id := a.publishAs(cora, 61, 300, 300, "Red tram", "transport", "tram", "red", "city", "street", "rail")
	a.fundWallet(bob, "10")
	if _, err := a.commerce.CreateOrder(t.Context(), bob, "d1", commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{
		{ImageID: id, License: app.LicenseStandard},
	}}); err != nil {
		t.Fatal(err)
	}
	ada := a.client()
	ada.signIn("ada")
	page := ada.get("/admin").mustStatus(t, http.StatusOK)
	// One $3 sale today: today, 7 and 30 days all show it; platform share 40 %.
	if n := strings.Count(page.body, `<td class="num">1</td><td class="num">$3</td><td class="num">$1.20</td>`); n != 3 {
		t.Errorf("sales rows with 1 sale, $3, $1.20: %d, want 3\n%s", n, page.body)
	}
	page.mustContain(t, "<svg", "30 days: 1 sold for $3", "Red tram", "cora")
	if strings.Count(page.body, `class="bar"`) != 30 {
		t.Errorf("chart bars: %d, want 30", strings.Count(page.body, `class="bar"`))
	}
}
