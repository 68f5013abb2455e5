package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

// The five identities of the authorisation matrix, in the order each route
// is tried: those refused first, so that an allowed request that changes
// something (the admin's, usually) comes after the refusals it must not
// affect.
const (
	anon  = iota // no session, no token
	buyer        // bob: owns the orders, licences, lightboxes and checkout
	other        // otto: a contributor, not the owner of anything used here
	owner        // cora: the contributor who owns the images
	admin        // ada
	identities
)

var identityNames = [identities]string{"anonymous", "buyer", "other contributor", "owner", "admin"}

// route is how the matrix calls one route and what each identity gets.
type route struct {
	path string     // with {fixture} placeholders for real IDs
	form url.Values // page posts (the CSRF token is added); nil: empty
	body string     // API requests; "" means "{}" for unsafe methods
	want [identities]int
}

// login is the status of a page that needs a signed-in visitor, for an
// anonymous one: a trip to the sign-in form. (An anonymous post to such a
// page is a 401: there is nothing to come back to.)
const login = http.StatusSeeOther

// Status shorthands for the matrix.
const (
	s200 = http.StatusOK
	s201 = http.StatusCreated
	s202 = http.StatusAccepted
	s204 = http.StatusNoContent
	s302 = http.StatusFound
	s303 = http.StatusSeeOther
	s400 = http.StatusBadRequest
	s401 = http.StatusUnauthorized
	s402 = http.StatusPaymentRequired
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
	s409 = http.StatusConflict
	s410 = http.StatusGone
	s422 = http.StatusUnprocessableEntity
)

// all gives every identity the same status.
func all(s int) [identities]int { return [identities]int{s, s, s, s, s} }

// authzMatrix is the expected status of every route in the route table for
// each identity. A route added to routes.go without a line here fails
// TestAuthorizationMatrix.
var authzMatrix = map[string]route{
	// Operations and public pages.
	"GET /healthz":                {path: "/healthz", want: all(s200)},
	"GET /readyz":                 {path: "/readyz", want: all(s200)},
	"GET /metrics":                {path: "/metrics", want: all(s200)},
	"GET /static/*":               {path: "{css}", want: all(s200)},
	"GET /media/:name":            {path: "{thumb}", want: all(s200)},
	"GET /":                       {path: "/", want: all(s200)},
	"GET /search":                 {path: "/search?q=kite", want: all(s200)},
	"GET /signup":                 {path: "/signup", want: [identities]int{s200, s303, s303, s303, s303}},
	"POST /signup":                {path: "/signup", want: all(s422)},
	"GET /login":                  {path: "/login", want: [identities]int{s200, s303, s303, s303, s303}},
	"POST /login":                 {path: "/login", want: all(s401)},
	"POST /logout":                {path: "/logout", want: all(s303)},
	"GET /images/:slug":           {path: "/images/{slug}", want: all(s200)},
	"GET /images/:id/related":     {path: "/images/{pub}/related", want: all(s200)},
	"GET /contributors/:username": {path: "/contributors/cora", want: all(s200)},
	"GET /licenses/:code":         {path: "/licenses/{code}", want: all(s200)},
	"GET /share/:token":           {path: "/share/{share}", want: all(s200)},
	"POST /share/:token/images/:image": {path: "/share/{share}/images/{pub}", form: url.Values{"mark": {"approved"}},
		want: all(s303)},
	"POST /webhooks/:provider": {path: "/webhooks/sandbox", want: all(s422)},

	// Buying: any signed-in account; what is someone else's is a 404.
	"GET /cart":                       {path: "/cart", want: [identities]int{login, s200, s200, s200, s200}},
	"POST /cart/add":                  {path: "/cart/add", form: url.Values{"image_id": {"{pub2}"}, "license": {"standard"}}, want: [identities]int{s401, s303, s303, s303, s303}},
	"POST /cart/remove":               {path: "/cart/remove", form: url.Values{"image_id": {"{pub2}"}, "license": {"standard"}}, want: [identities]int{s401, s303, s303, s303, s303}},
	"POST /cart/checkout":             {path: "/cart/checkout", want: [identities]int{s401, s303, s303, s303, s303}},
	"POST /images/:id/buy":            {path: "/images/{pub}/buy", form: url.Values{"license": {"extended"}}, want: [identities]int{s401, s303, s303, s303, s303}},
	"GET /images/:id/comp":            {path: "/images/{pub}/comp", want: [identities]int{login, s200, s200, s200, s200}},
	"GET /orders/:id":                 {path: "/orders/{order}", want: [identities]int{login, s200, s404, s404, s200}},
	"GET /licenses":                   {path: "/licenses", want: [identities]int{login, s200, s200, s200, s200}},
	"GET /licenses.csv":               {path: "/licenses.csv", want: [identities]int{login, s200, s200, s200, s200}},
	"GET /licenses/:code/certificate": {path: "/licenses/{code}/certificate", want: [identities]int{login, s200, s404, s404, s200}},
	"GET /downloads/:code":            {path: "{download}", want: [identities]int{login, s200, s403, s403, s403}},
	"GET /wallet":                     {path: "/wallet", want: [identities]int{login, s200, s200, s200, s200}},
	"POST /wallet/topup":              {path: "/wallet/topup", form: url.Values{"pack": {"no-such-pack"}}, want: [identities]int{s401, s303, s303, s303, s303}},
	"GET /checkout/sandbox/:session":  {path: "/checkout/sandbox/{session}", want: [identities]int{login, s200, s404, s404, s404}},
	"POST /checkout/sandbox/:session": {path: "/checkout/sandbox/{session}", form: url.Values{"card": {"1234"}}, want: [identities]int{s401, s422, s404, s404, s404}},
	"POST /images/:id/report":         {path: "/images/{pub}/report", form: url.Values{"reason": {"no-such-reason"}}, want: [identities]int{s401, s303, s303, s303, s303}},

	// Lightboxes: the owner's only, not even an admin's.
	"GET /lightboxes":                           {path: "/lightboxes", want: [identities]int{login, s200, s200, s200, s200}},
	"POST /lightboxes":                          {path: "/lightboxes", form: url.Values{"name": {""}}, want: [identities]int{s401, s422, s422, s422, s422}},
	"GET /lightboxes/:id":                       {path: "/lightboxes/{lightbox}", want: [identities]int{login, s200, s404, s404, s404}},
	"POST /lightboxes/:id/rename":               {path: "/lightboxes/{lightbox}/rename", form: url.Values{"name": {""}}, want: [identities]int{s401, s422, s404, s404, s404}},
	"POST /lightboxes/:id/delete":               {path: "/lightboxes/{spareLightbox}/delete", want: [identities]int{s401, s303, s404, s404, s404}},
	"POST /lightboxes/:id/images":               {path: "/lightboxes/{lightbox}/images", form: url.Values{"image_id": {"{pub}"}}, want: [identities]int{s401, s303, s404, s404, s404}},
	"POST /lightboxes/:id/images/:image/remove": {path: "/lightboxes/{lightbox}/images/{pub2}/remove", want: [identities]int{s401, s303, s404, s404, s404}},
	"POST /lightboxes/:id/images/:image/move":   {path: "/lightboxes/{lightbox}/images/{pub}/move", form: url.Values{"direction": {"down"}}, want: [identities]int{s401, s303, s404, s404, s404}},
	"POST /lightboxes/:id/share":                {path: "/lightboxes/{spareLightbox2}/share", want: [identities]int{s401, s201, s404, s404, s404}},
	"POST /lightboxes/:id/share/revoke":         {path: "/lightboxes/{spareLightbox2}/share/revoke", want: [identities]int{s401, s303, s404, s404, s404}},
	"POST /lightboxes/:id/cart":                 {path: "/lightboxes/{spareLightbox2}/cart", want: [identities]int{s401, s303, s404, s404, s404}},

	// Any signed-in account's own page.
	"GET /account":                    {path: "/account", want: [identities]int{login, s200, s200, s200, s200}},
	"POST /account/tokens":            {path: "/account/tokens", form: url.Values{"name": {"matrix"}}, want: [identities]int{s401, s201, s201, s201, s201}},
	"POST /account/tokens/:id/revoke": {path: "/account/tokens/{spareToken}/revoke", want: [identities]int{s401, s303, s404, s404, s404}},

	// Contributors; another contributor's image is a 404.
	"GET /contribute":                    {path: "/contribute", want: [identities]int{login, s403, s302, s302, s302}},
	"GET /contribute/upload":             {path: "/contribute/upload", want: [identities]int{login, s403, s200, s200, s200}},
	"POST /contribute/upload":            {path: "/contribute/upload", want: [identities]int{s401, s403, s400, s400, s400}},
	"GET /contribute/images":             {path: "/contribute/images", want: [identities]int{login, s403, s200, s200, s200}},
	"POST /contribute/images/bulk":       {path: "/contribute/images/bulk", form: url.Values{"images": {"{draft}"}, "keywords": {"kite, bird"}}, want: [identities]int{s401, s403, s303, s303, s303}},
	"GET /contribute/images/:id":         {path: "/contribute/images/{draft}", want: [identities]int{login, s403, s404, s200, s200}},
	"POST /contribute/images/:id":        {path: "/contribute/images/{draft}", form: url.Values{"title": {""}}, want: [identities]int{s401, s403, s404, s422, s422}},
	"POST /contribute/images/:id/submit": {path: "/contribute/images/{pending}/submit", want: [identities]int{s401, s403, s404, s409, s409}},
	"POST /contribute/images/:id/delete": {path: "/contribute/images/{spareDraft}/delete", want: [identities]int{s401, s403, s404, s303, s404}},
	"POST /contribute/images/:id/appeal": {path: "/contribute/images/{pending}/appeal", want: [identities]int{s401, s403, s404, s303, s404}},
	"GET /contribute/earnings":           {path: "/contribute/earnings", want: [identities]int{login, s403, s200, s200, s200}},
	"GET /contribute/earnings.csv":       {path: "/contribute/earnings.csv", want: [identities]int{login, s403, s200, s200, s200}},
	"POST /contribute/payouts":           {path: "/contribute/payouts", want: [identities]int{s401, s403, s303, s303, s303}},

	// Admins only.
	"GET /admin":                       {path: "/admin", want: adminGet(s200)},
	"GET /admin/review":                {path: "/admin/review", want: adminGet(s200)},
	"POST /admin/review/bulk":          {path: "/admin/review/bulk", form: url.Values{"action": {"approve"}}, want: adminOnly(s303)},
	"GET /admin/images/:id":            {path: "/admin/images/{pending}", want: adminGet(s200)},
	"GET /admin/images/:id/original":   {path: "/admin/images/{pending}/original", want: adminGet(s200)},
	"POST /admin/images/:id/approve":   {path: "/admin/images/{toApprove}/approve", want: adminOnly(s303)},
	"POST /admin/images/:id/reject":    {path: "/admin/images/{pending}/reject", want: adminOnly(s303)},
	"POST /admin/images/:id/remove":    {path: "/admin/images/{toRemove}/remove", form: url.Values{"reason": {"matrix"}}, want: adminOnly(s303)},
	"POST /admin/images/:id/reinstate": {path: "/admin/images/{removed}/reinstate", want: adminOnly(s303)},
	"GET /admin/reports":               {path: "/admin/reports", want: adminGet(s200)},
	"POST /admin/reports/:id/dismiss":  {path: "/admin/reports/{report}/dismiss", want: adminOnly(s303)},
	"POST /admin/reports/:id/takedown": {path: "/admin/reports/{report2}/takedown", want: adminOnly(s303)},
	"GET /admin/users":                 {path: "/admin/users", want: adminGet(s200)},
	"POST /admin/users/:id/suspend":    {path: "/admin/users/{sam}/suspend", want: adminOnly(s303)},
	"POST /admin/users/:id/unsuspend":  {path: "/admin/users/{sam}/unsuspend", want: adminOnly(s303)},
	"POST /admin/users/:id/role":       {path: "/admin/users/{sam}/role", form: url.Values{"role": {"emperor"}}, want: adminOnly(s303)},
	"POST /admin/users/:id/share":      {path: "/admin/users/{sam}/share", form: url.Values{"share": {"x"}}, want: adminOnly(s303)},
	"GET /admin/orders":                {path: "/admin/orders", want: adminGet(s200)},
	"POST /admin/orders/:id/refund":    {path: "/admin/orders/{refundable}/refund", want: adminOnly(s303)},
	"GET /admin/payouts":               {path: "/admin/payouts", want: adminGet(s200)},
	"POST /admin/payouts/:id/paid":     {path: "/admin/payouts/{payout}/paid", want: adminOnly(s303)},
	"GET /admin/settings":              {path: "/admin/settings", want: adminGet(s200)},
	"POST /admin/settings":             {path: "/admin/settings", form: url.Values{"standard_price": {"free"}}, want: adminOnly(s422)},
	"GET /admin/audit":                 {path: "/admin/audit", want: adminGet(s200)},

	// The JSON API, with bearer tokens: 401 without one, 403 for the wrong
	// role, 404 for what is someone else's.
	"POST /api/v1/tokens":                         {path: "/api/v1/tokens", body: `{"login":"nobody","password":"x"}`, want: all(s401)},
	"DELETE /api/v1/tokens/current":               {path: "/api/v1/tokens/current", want: [identities]int{s401, s204, s204, s204, s204}},
	"GET /api/v1/me":                              {path: "/api/v1/me", want: [identities]int{s401, s200, s200, s200, s200}},
	"GET /api/v1/me/images":                       {path: "/api/v1/me/images", want: [identities]int{s401, s403, s200, s200, s200}},
	"POST /api/v1/uploads":                        {path: "/api/v1/uploads", want: [identities]int{s401, s403, s400, s400, s400}},
	"GET /api/v1/search":                          {path: "/api/v1/search?q=kite", want: all(s200)},
	"GET /api/v1/suggest":                         {path: "/api/v1/suggest?q=ki", want: all(s200)},
	"GET /api/v1/images/:id":                      {path: "/api/v1/images/{pending}", want: [identities]int{s404, s404, s404, s200, s200}},
	"GET /api/v1/images/:id/comp":                 {path: "/api/v1/images/{pub}/comp", want: [identities]int{s401, s200, s200, s200, s200}},
	"PATCH /api/v1/images/:id":                    {path: "/api/v1/images/{draft}", body: `{"title":""}`, want: [identities]int{s401, s403, s404, s422, s422}},
	"POST /api/v1/images/:id/submit":              {path: "/api/v1/images/{pending}/submit", want: [identities]int{s401, s403, s404, s409, s409}},
	"POST /api/v1/orders":                         {path: "/api/v1/orders", want: [identities]int{s401, s422, s422, s422, s422}},
	"GET /api/v1/orders/:id":                      {path: "/api/v1/orders/{order}", want: [identities]int{s401, s200, s404, s404, s200}},
	"GET /api/v1/me/licenses":                     {path: "/api/v1/me/licenses", want: [identities]int{s401, s200, s200, s200, s200}},
	"GET /api/v1/me/wallet":                       {path: "/api/v1/me/wallet", want: [identities]int{s401, s200, s200, s200, s200}},
	"GET /api/v1/me/earnings":                     {path: "/api/v1/me/earnings", want: [identities]int{s401, s403, s200, s200, s200}},
	"POST /api/v1/images/:id/reports":             {path: "/api/v1/images/{pub}/reports", body: `{"reason":"no-such-reason"}`, want: [identities]int{s401, s422, s422, s422, s422}},
	"POST /api/v1/images/:id/appeal":              {path: "/api/v1/images/{pending}/appeal", want: [identities]int{s401, s403, s404, s409, s404}},
	"GET /api/v1/admin/queue":                     {path: "/api/v1/admin/queue", want: adminOnly(s200)},
	"POST /api/v1/admin/images/:id/approve":       {path: "/api/v1/admin/images/{toApprove2}/approve", want: adminOnly(s200)},
	"POST /api/v1/admin/images/:id/reject":        {path: "/api/v1/admin/images/{pending}/reject", want: adminOnly(s422)},
	"POST /api/v1/admin/images/:id/remove":        {path: "/api/v1/admin/images/{toRemove2}/remove", body: `{"reason":"matrix"}`, want: adminOnly(s200)},
	"POST /api/v1/admin/images/:id/reinstate":     {path: "/api/v1/admin/images/{removed2}/reinstate", want: adminOnly(s200)},
	"GET /api/v1/admin/reports":                   {path: "/api/v1/admin/reports", want: adminOnly(s200)},
	"POST /api/v1/admin/users/:id/suspend":        {path: "/api/v1/admin/users/{sam}/suspend", want: adminOnly(s200)},
	"POST /api/v1/admin/users/:id/unsuspend":      {path: "/api/v1/admin/users/{sam}/unsuspend", want: adminOnly(s200)},
	"POST /api/v1/admin/orders/:id/refund":        {path: "/api/v1/admin/orders/{refundable2}/refund", want: adminOnly(s200)},
	"GET /api/v1/lightboxes":                      {path: "/api/v1/lightboxes", want: [identities]int{s401, s200, s200, s200, s200}},
	"POST /api/v1/lightboxes":                     {path: "/api/v1/lightboxes", body: `{"name":""}`, want: [identities]int{s401, s422, s422, s422, s422}},
	"GET /api/v1/lightboxes/:id":                  {path: "/api/v1/lightboxes/{lightbox}", want: [identities]int{s401, s200, s404, s404, s404}},
	"PATCH /api/v1/lightboxes/:id":                {path: "/api/v1/lightboxes/{lightbox}", body: `{"name":"Kites"}`, want: [identities]int{s401, s200, s404, s404, s404}},
	"DELETE /api/v1/lightboxes/:id":               {path: "/api/v1/lightboxes/{spareLightbox3}", want: [identities]int{s401, s204, s404, s404, s404}},
	"POST /api/v1/lightboxes/:id/images":          {path: "/api/v1/lightboxes/{lightbox}/images", body: `{"image_id":"{pub}"}`, want: [identities]int{s401, s200, s404, s404, s404}},
	"DELETE /api/v1/lightboxes/:id/images":        {path: "/api/v1/lightboxes/{lightbox}/images", body: `{"image_id":"{pub2}"}`, want: [identities]int{s401, s204, s404, s404, s404}},
	"DELETE /api/v1/lightboxes/:id/images/:image": {path: "/api/v1/lightboxes/{lightbox}/images/{pub2}", want: [identities]int{s401, s204, s404, s404, s404}},
	"PATCH /api/v1/lightboxes/:id/images/:image":  {path: "/api/v1/lightboxes/{lightbox}/images/{pub}", body: `{"position":1}`, want: [identities]int{s401, s200, s404, s404, s404}},
	"POST /api/v1/lightboxes/:id/share":           {path: "/api/v1/lightboxes/{spareLightbox4}/share", want: [identities]int{s401, s201, s404, s404, s404}},
	"DELETE /api/v1/lightboxes/:id/share":         {path: "/api/v1/lightboxes/{spareLightbox4}/share", want: [identities]int{s401, s204, s404, s404, s404}},
	"POST /api/v1/lightboxes/:id/cart":            {path: "/api/v1/lightboxes/{spareLightbox4}/cart", want: [identities]int{s401, s409, s404, s404, s404}},
}

// adminGet is an admin page: others sign in first, or get a 403.
func adminGet(s int) [identities]int { return [identities]int{login, s403, s403, s403, s} }

// adminOnly is an admin action (a page's post or the API): 401 without a
// session or token, 403 with anyone else's.
func adminOnly(s int) [identities]int { return [identities]int{s401, s403, s403, s403, s} }

// TestAuthorizationMatrix walks every route of the route table as an
// anonymous visitor, a buyer, a contributor who owns nothing involved,
// the contributor who owns the images, and an admin — pages with the
// session (and the CSRF token), the API with bearer tokens — on real
// fixtures (published and pending images, an order, a licence and its
// signed download link, lightboxes, a checkout session, a report, a payout),
// and checks each status against authzMatrix. A route without an entry, or
// an entry without a route, fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	a := newTestApp(t, storetest.New(t, store.SQLite))
	fx := authzFixtures(a)

	var routes []string
	for _, r := range a.web.Routes() {
		if !slices.Contains(routes, r) {
			routes = append(routes, r)
		}
	}
	slices.Sort(routes)
	for _, r := range routes {
		if _, ok := authzMatrix[r]; !ok {
			t.Errorf("route %q has no line in authzMatrix: say who may use it", r)
		}
	}
	for r := range authzMatrix {
		if !slices.Contains(routes, r) {
			t.Errorf("authzMatrix has %q, which is not in the route table", r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	names := [identities]string{"", "bob", "otto", "cora", "ada"}
	sessions := [identities]*client{a.client()}
	for i := buyer; i < identities; i++ {
		sessions[i] = a.client()
		sessions[i].signIn(names[i])
	}
	tokens := [identities]string{}
	for i := buyer; i < identities; i++ {
		tokens[i] = a.token(names[i])
	}

	print := os.Getenv("SNAPSHOP_AUTHZ_PRINT") != ""
	for _, r := range routes {
		spec := authzMatrix[r]
		method, pattern, _ := strings.Cut(r, " ")
		target := fx.Replace(spec.path)
		var got [identities]int
		for who := anon; who < identities; who++ {
			c, token := sessions[who], tokens[who]
			switch {
			case pattern == "/logout":
				// Signing out ends the session the other routes use.
				c = a.client()
				if who != anon {
					c.signIn(names[who])
				}
			case pattern == "/api/v1/tokens/current" && who != anon:
				token = a.token(names[who]) // revoked by the call
			}
			var res *response
			switch {
			case strings.HasPrefix(pattern, "/api/"):
				body := fx.Replace(spec.body)
				if body == "" && method != http.MethodGet {
					body = "{}"
				}
				res = c.api(method, target, token, body)
			case pattern == "/webhooks/:provider":
				res = c.request(method, target, strings.NewReader(`{"id":"evt_forged","type":"paid"}`), map[string]string{"Content-Type": "application/json"})
			case method == http.MethodGet:
				res = c.get(target)
			default:
				form := url.Values{}
				for k, vs := range spec.form {
					for _, v := range vs {
						form.Add(k, fx.Replace(v))
					}
				}
				res = c.post(target, form)
			}
			got[who] = res.StatusCode
			checkSecurityHeaders(t, r+" as "+identityNames[who], res, false)
			if !print && res.StatusCode != spec.want[who] {
				t.Errorf("%s as %s (%s %s): status %d, want %d\n%.300s", r, identityNames[who], method, target, res.StatusCode, spec.want[who], res.body)
			}
			if method == http.MethodGet && who == anon && spec.want[who] == login && res.StatusCode == login && !strings.HasPrefix(res.location(), "/login") {
				t.Errorf("%s anonymous: sent to %q, not to sign in", r, res.location())
			}
		}
		if print {
			fmt.Printf("%-45q %v\n", r, got)
		}
	}
}

var cssHref = regexp.MustCompile(`href="(/static/css/[^"]+)"`)

// authzFixtures makes the things the matrix's routes name, and returns a
// replacer of their {placeholders} by real IDs.
func authzFixtures(a *testApp) *strings.Replacer {
	t := a.t
	ctx := context.Background()
	bob := a.user("bob", app.RoleBuyer)
	cora := a.user("cora", app.RoleContributor)
	a.user("otto", app.RoleContributor)
	a.user("ada", app.RoleAdmin)
	sam := a.user("sam", app.RoleBuyer)

	// Cora's images: published, pending and a draft.
	kw := []string{"kite", "bird", "ridge", "sky", "flight"}
	var pub []string
	for i := range 9 {
		pub = append(pub, a.publishAs(cora, int64(100+i), 400, 300, fmt.Sprintf("Red kite %d", i), "animals", kw...))
	}
	var pending []string
	for i := range 3 {
		pending = append(pending, a.pendingAs(cora, jpegFile(t, "p.jpg", 400, 300, int64(200+i)), fmt.Sprintf("Kite pending %d", i), "animals", kw...))
	}
	up := decode[uploadResp](t, a.client().uploadAPI(a.token("cora"), jpegFile(t, "d.jpg", 400, 300, 300), jpegFile(t, "e.jpg", 400, 300, 301)))
	a.process()
	draft, spareDraft := up.Images[0].ID, up.Images[1].ID
	a.takeDown(pub[5])
	a.takeDown(pub[6])

	// Bob's purchases: one kept (its licence and download link), two for
	// the admins to refund; two extended licences give Cora a payout.
	a.fundWallet(bob, "50")
	a.fundWallet(bob, "50")
	var orders []string
	for i, img := range []string{pub[0], pub[1], pub[2]} {
		res, err := a.commerce.CreateOrder(ctx, bob, fmt.Sprintf("matrix-%d", i), commerce.OrderRequest{Payment: app.PayWallet, Items: []commerce.Line{{ImageID: img, License: app.LicenseExtended}}})
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, res.Order.PublicID)
	}
	payout, err := a.commerce.RequestPayout(ctx, cora)
	if err != nil {
		t.Fatal(err)
	}
	held, err := a.commerce.Licenses(ctx, bob, 10, 0)
	if err != nil || len(held) == 0 {
		t.Fatalf("licences %v %v", held, err)
	}
	var code string
	for _, h := range held {
		if h.Image.PublicID == pub[0] {
			code = h.License.Code
		}
	}
	lic := decode[struct {
		Licenses []struct {
			Code        string
			DownloadURL string `json:"download_url"`
		}
	}](t, a.client().api("GET", "/api/v1/me/licenses", a.token("bob"), ""))
	var download string
	for _, l := range lic.Licenses {
		if l.Code == code {
			u, err := url.Parse(l.DownloadURL)
			if err != nil {
				t.Fatal(err)
			}
			download = u.RequestURI()
		}
	}
	topup, err := a.commerce.TopUp(ctx, bob, "matrix-topup", "25")
	if err != nil {
		t.Fatal(err)
	}

	// Bob's lightboxes, one shared.
	box := func(name string) string {
		b, err := a.lightboxes.Create(ctx, bob, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.lightboxes.Add(ctx, bob, b.PublicID, pub[0]); err != nil {
			t.Fatal(err)
		}
		return b.PublicID
	}
	lightbox := box("Kites")
	share, err := a.lightboxes.Share(ctx, bob, lightbox)
	if err != nil {
		t.Fatal(err)
	}

	// Reports by Bob, for the admins to dismiss and act on.
	report := func(img string) string {
		r, _, err := a.moderation.Report(ctx, bob, img, "metadata", "matrix")
		if err != nil {
			t.Fatal(err)
		}
		return r.PublicID
	}

	// A token of Bob's for the account page to revoke (the matrix's own
	// are issued later).
	if _, err := a.auth.IssueToken(ctx, bob, "spare"); err != nil {
		t.Fatal(err)
	}
	tokens, err := a.auth.Tokens(ctx, bob.ID)
	if err != nil || len(tokens) == 0 {
		t.Fatalf("tokens %v %v", tokens, err)
	}

	pubImg, err := a.catalog.Image(ctx, nil, pub[0])
	if err != nil {
		t.Fatal(err)
	}
	c := a.client()
	home := c.get("/").body
	css := cssHref.FindStringSubmatch(home)
	if css == nil {
		t.Fatal("no stylesheet on the home page")
	}
	return strings.NewReplacer(
		"{css}", css[1],
		"{thumb}", thumbPath(t, c, pubImg),
		"{pub}", pub[0], "{pub2}", pub[3],
		"{toRemove}", pub[4], "{toRemove2}", pub[7],
		"{removed}", pub[5], "{removed2}", pub[6],
		"{pending}", pending[0], "{toApprove}", pending[1], "{toApprove2}", pending[2],
		"{draft}", draft, "{spareDraft}", spareDraft,
		"{slug}", pubImg.Slug(),
		"{order}", orders[0], "{refundable}", orders[1], "{refundable2}", orders[2],
		"{code}", code, "{download}", download,
		"{session}", topup.Order.ProviderSession,
		"{lightbox}", lightbox, "{share}", share,
		"{spareLightbox}", box("Spare"), "{spareLightbox2}", box("Spare 2"),
		"{spareLightbox3}", box("Spare 3"), "{spareLightbox4}", box("Spare 4"),
		"{report}", report(pub[0]), "{report2}", report(pub[8]),
		"{sam}", sam.PublicID,
		"{payout}", payout.PublicID,
		"{spareToken}", tokens[0].PublicID,
	)
}
