package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// TestPagesCostAFixedNumberOfQueries counts the SQL statements behind the pages `snapshop
// bench http` drives: a page must not cost a query per result (N+1), a static file none, and
// an anonymous visitor no session read.
func TestPagesCostAFixedNumberOfQueries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		storetest.RecordQueries(t, db)
		a := newTestApp(t, db)
		var q storetest.Queries
		h := a.srv.Config.Handler
		a.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(q.Mark(r.Context())))
		})
		cora := a.user("cora", app.RoleContributor)
		kite := a.publishAs(cora, 1, 400, 300, "Red kite over the ridge", "animals", "kite", "bird", "ridge", "sky", "raptor")
		post := a.publishAs(cora, 2, 400, 300, "Red kite on a post", "animals", "kite", "bird", "post", "field", "raptor")
		var sunset string
		for i := range 12 {
			sunset = a.publishAs(cora, int64(10+i), 400, 300, fmt.Sprintf("Sunset over the bay %d", i), "nature", "sunset", "bay", "sea", "dusk", "orange")
		}
		a.synced()

		// cost is the statements behind one request, leaving out reads of the run-time policy:
		// it is cached for 5 s in production, for a millisecond in these tests.
		cost := func(c *client, path string) []string {
			t.Helper()
			_ = q.Statements() // what came before
			c.get(path).mustStatus(t, http.StatusOK)
			var out []string
			for _, s := range q.Statements() {
				if !strings.Contains(s, "settings") {
					out = append(out, s)
				}
			}
			return out
		}
		same := func(what string, few, many []string, most int) {
			t.Helper()
			if len(few) != len(many) || len(many) > most {
				t.Errorf("%s: %d statements for few results, %d for many; want the same, at most %d\nfew:\n  %s\nmany:\n  %s",
					what, len(few), len(many), most, strings.Join(few, "\n  "), strings.Join(many, "\n  "))
			}
		}
		slug := func(id string) string {
			img, err := a.catalog.Image(t.Context(), nil, id)
			if err != nil {
				t.Fatal(err)
			}
			return "/images/" + img.Slug()
		}
		anon := a.client()
		anon.get("/") // a browser's first page: its CSRF cookie

		// 2 hits, then 12; 1 related image, then 8. Anonymous: no session to read.
		same("search page", cost(anon, "/search?q=kite"), cost(anon, "/search?q=sunset"), 1)
		same("search API", cost(anon, "/api/v1/search?q=kite"), cost(anon, "/api/v1/search?q=sunset"), 1)
		same("image page", cost(anon, slug(kite)), cost(anon, slug(sunset)), 2)                                     // image, contributor; related come after
		same("more like this", cost(anon, "/images/"+kite+"/related"), cost(anon, "/images/"+sunset+"/related"), 2) // image, cards
		same("suggest", cost(anon, "/api/v1/suggest?q=ki"), cost(anon, "/api/v1/suggest?q=su"), 0)
		same("home page", cost(anon, "/"), cost(anon, "/"), 1) // the newest images, not their count

		// Signed in: the session and the account, once a request.
		buyer := a.client()
		a.user("bea", app.RoleBuyer)
		buyer.signIn("bea")
		same("search page, signed in", cost(buyer, "/search?q=kite"), cost(buyer, "/search?q=sunset"), 3)
		same("image page, signed in", cost(buyer, slug(kite)), cost(buyer, slug(sunset)), 6) // and the licences held

		// Admin lists name people and images: one query for all of them,
		// however many rows.
		ada := a.client()
		a.user("ada", app.RoleAdmin)
		ada.signIn("ada")
		report := func(name, id string) {
			t.Helper()
			c := a.client()
			a.user(name, app.RoleBuyer)
			c.signIn(name)
			c.post("/images/"+id+"/report", url.Values{"reason": {"copyright"}}).mustStatus(t, http.StatusSeeOther)
		}
		report("rex", kite)
		fewReports := cost(ada, "/admin/reports")
		report("rio", sunset)
		report("ray", post)
		same("admin reports", fewReports, cost(ada, "/admin/reports"), 6)
		suspend := func(admin *client, name string) {
			t.Helper()
			u, err := a.db.UserByUsername(t.Context(), name)
			if err != nil {
				t.Fatal(err)
			}
			admin.post("/admin/users/"+u.PublicID+"/suspend", url.Values{}).mustStatus(t, http.StatusSeeOther)
		}
		suspend(ada, "rex")
		ada.get("/admin/audit") // shows, and so spends, the flash the action left
		fewEntries := cost(ada, "/admin/audit")
		ida := a.client()
		a.user("ida", app.RoleAdmin)
		ida.signIn("ida")
		suspend(ida, "rio")
		suspend(ida, "ray")
		same("admin audit log", fewEntries, cost(ada, "/admin/audit"), 6)

		// The review queue: each image's contributor, their record and the
		// near duplicates, for the whole page at once.
		a.pendingAs(cora, jpegFile(t, "q1.jpg", 400, 300, 41), "Harbour at dawn", "travel", "harbour", "boats", "dawn", "sea", "coast")
		fewPending := cost(ada, "/admin/review")
		otto := a.user("otto", app.RoleContributor)
		a.pendingAs(otto, jpegFile(t, "q2.jpg", 400, 300, 42), "Lighthouse in fog", "travel", "lighthouse", "fog", "coast", "sea", "night")
		a.pendingAs(otto, jpegFile(t, "q3.jpg", 400, 300, 43), "Gulls on a jetty", "animals", "gulls", "jetty", "birds", "pier", "sea")
		same("review queue", fewPending, cost(ada, "/admin/review"), 8)

		// Static files: never the database, whoever asks.
		asset := regexp.MustCompile(`/static/css/app\.[0-9a-f]{10}\.css`).FindString(anon.get("/").body)
		if asset == "" {
			t.Fatal("no stylesheet on the home page")
		}
		for name, c := range map[string]*client{"anonymous": anon, "signed in": buyer} {
			if s := cost(c, asset); len(s) != 0 {
				t.Errorf("static file, %s: %d statements:\n  %s", name, len(s), strings.Join(s, "\n  "))
			}
		}
	})
}
