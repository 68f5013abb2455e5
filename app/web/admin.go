package web

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/media"
)

const (
	pageAdminDashboard = "admin_dashboard"
	pageAdminReview    = "admin_review"
	pageAdminReports   = "admin_reports"
	pageAdminUsers     = "admin_users"
	pageAdminOrders    = "admin_orders"
	pageAdminSettings  = "admin_settings"
	pageAdminAudit     = "admin_audit"
)

// actor is the signed-in admin and the request they act through, for the
// audit log.
func actor(c echo.Context) moderation.Actor {
	return moderation.Actor{
		User:      currentUser(c),
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		IP:        c.RealIP(),
	}
}

// adminDone answers an admin form post: a refused action (a conflict, bad
// input, something gone) comes back as an error message on the page the
// admin came from; anything else is a real error.
func (s *Server) adminDone(c echo.Context, err error, back, success string) error {
	switch app.ErrorCode(err) {
	case "":
		s.flash(c, "success", success)
	case app.EConflict, app.EInvalid, app.ENotFound:
		s.flash(c, "error", fullMessage(err))
	default:
		return err
	}
	return redirect(c, back)
}

// backTo is the admin page a form came from (its "back" field), or fallback.
// Only paths inside the admin area are followed.
func backTo(c echo.Context, fallback string) string {
	if b := safeNext(c.FormValue("back")); strings.HasPrefix(b, "/admin") {
		return b
	}
	return fallback
}

// pager is the previous/next links of a paged admin list.
type pager struct {
	PageNum          int
	PrevURL, NextURL string
}

func newPager(c echo.Context, pageNum, perPage int, total int64) pager {
	link := func(p int) string {
		v := c.QueryParams()
		v.Set("page", strconv.Itoa(p))
		return c.Request().URL.Path + "?" + v.Encode()
	}
	p := pager{PageNum: pageNum}
	if pageNum > 1 {
		p.PrevURL = link(pageNum - 1)
	}
	if int64(pageNum*perPage) < total {
		p.NextURL = link(pageNum + 1)
	}
	return p
}

func pageParam(c echo.Context) int { return max(atoiDefault(c.QueryParam("page"), 1), 1) }

// --- dashboard -------------------------------------------------------------

type adminDashboardPage struct {
	Page
	*moderation.Dashboard
	Chart salesChart
}

func (s *Server) adminDashboard(c echo.Context) error {
	d, err := s.moderation.Dashboard(c.Request().Context(), currentUser(c), time.Now())
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageAdminDashboard, &adminDashboardPage{
		Page: s.page(c, "Admin dashboard"), Dashboard: d, Chart: newSalesChart(d.Daily),
	})
}

// salesChart is the geometry of the dashboard's bar chart of daily sales,
// drawn as SVG by the template: computed here, so the template only places
// what it is given.
type salesChart struct {
	Width, Height int
	Baseline      int // the y of the bars' foot
	Bars          []chartBar
	MaxCents      int64
	Summary       string // the chart in words, for screen readers
}

type chartBar struct {
	X, Y, W, H int
	Label      string // "2 Nov: 3 sales, $9"
	Tick       string // a date under every 7th bar
}

func newSalesChart(days []moderation.Day) salesChart {
	const width, height, top, bottom = 600, 160, 10, 20
	ch := salesChart{Width: width, Height: height, Baseline: height - bottom}
	var total, sales int64
	for _, d := range days {
		ch.MaxCents = max(ch.MaxCents, d.GrossCents)
		total += d.GrossCents
		sales += d.Sales
	}
	if len(days) == 0 {
		return ch
	}
	slot := width / len(days)
	for i, d := range days {
		h := 0
		if ch.MaxCents > 0 {
			h = int(d.GrossCents * int64(height-top-bottom) / ch.MaxCents)
		}
		if d.GrossCents > 0 {
			h = max(h, 1)
		}
		b := chartBar{
			X: i*slot + 1, W: slot - 2, H: h, Y: height - bottom - h,
			Label: fmt.Sprintf("%s: %d sales, %s", d.Date.Format("2 Jan"), d.Sales, money(d.GrossCents)),
		}
		if i%7 == 0 {
			b.Tick = d.Date.Format("2 Jan")
		}
		ch.Bars = append(ch.Bars, b)
	}
	ch.Summary = fmt.Sprintf("Daily sales over the last %d days: %d sold for %s; the best day took %s.",
		len(days), sales, money(total), money(ch.MaxCents))
	return ch
}

// --- review queue ------------------------------------------------------------

const reviewPerPage = 20

type adminReviewPage struct {
	Page
	Items   []moderation.QueueItem
	Total   int64
	Reasons []app.RejectReason
	Single  bool // one image, opened from elsewhere (a report, the audit log)
	pager
}

func (s *Server) adminReview(c echo.Context) error {
	pageNum := pageParam(c)
	items, total, err := s.moderation.Queue(c.Request().Context(), currentUser(c), reviewPerPage, (pageNum-1)*reviewPerPage)
	if err != nil {
		return err
	}
	data := adminReviewPage{Page: s.page(c, "Review queue"), Items: items, Total: total, Reasons: app.RejectReasons(), pager: newPager(c, pageNum, reviewPerPage, total)}
	data.Query = ""
	return s.renderPage(c, http.StatusOK, pageAdminReview, &data)
}

// adminImage shows one image as a reviewer sees it, whatever its status.
func (s *Server) adminImage(c echo.Context) error {
	it, err := s.moderation.QueueImage(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	data := adminReviewPage{Page: s.page(c, "Review: "+it.Image.Title), Items: []moderation.QueueItem{*it}, Total: 1, Reasons: app.RejectReasons(), Single: true}
	data.Query = ""
	return s.renderPage(c, http.StatusOK, pageAdminReview, &data)
}

// adminOriginal streams an image's original inline, for reviewers to zoom
// in. Only admins reach it; the response is private and never cached.
func (s *Server) adminOriginal(c echo.Context) error {
	ctx := c.Request().Context()
	img, err := s.catalog.Image(ctx, currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	obj, err := s.catalog.OpenOriginal(ctx, img)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set(echo.HeaderContentType, cmp.Or(media.Format(img.Format).ContentType(), "image/jpeg"))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	h.Set(echo.HeaderContentLength, strconv.FormatInt(obj.Info().Size, 10))
	c.Response().WriteHeader(http.StatusOK)
	if _, err := io.Copy(c.Response(), obj); err != nil {
		return fmt.Errorf("stream original of %s: %w", img.PublicID, err)
	}
	return nil
}

func (s *Server) adminApprove(c echo.Context) error {
	img, err := s.moderation.Approve(c.Request().Context(), actor(c), c.Param("id"))
	return s.adminDone(c, err, backTo(c, "/admin/review"), "Approved “"+titleOf(img)+"”; it is now searchable.")
}

func (s *Server) adminReject(c echo.Context) error {
	form, _ := c.FormParams()
	img, err := s.moderation.Reject(c.Request().Context(), actor(c), c.Param("id"), form["reasons"], c.FormValue("note"))
	return s.adminDone(c, err, backTo(c, "/admin/review"), "Rejected “"+titleOf(img)+"”; the contributor sees why.")
}

func (s *Server) adminRemove(c echo.Context) error {
	img, err := s.moderation.Remove(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("reason"))
	return s.adminDone(c, err, backTo(c, "/admin/reports"), "Took down “"+titleOf(img)+"”: gone from search and sale; existing licences stay valid.")
}

func (s *Server) adminReinstate(c echo.Context) error {
	img, err := s.moderation.Reinstate(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	return s.adminDone(c, err, backTo(c, "/admin/reports"), "Reinstated “"+titleOf(img)+"”.")
}

func (s *Server) adminBulk(c echo.Context) error {
	form, _ := c.FormParams()
	res, err := s.moderation.Bulk(c.Request().Context(), actor(c), form["ids"], moderation.Decision(c.FormValue("decision")), form["reasons"], c.FormValue("note"))
	msg := fmt.Sprintf("%d images %s.", len(res.Done), pastDecision(c.FormValue("decision")))
	if len(res.Skipped) > 0 {
		msg += fmt.Sprintf(" %d skipped (already decided or gone).", len(res.Skipped))
	}
	return s.adminDone(c, err, backTo(c, "/admin/review"), msg)
}

func pastDecision(d string) string {
	if d == string(moderation.DecideReject) {
		return "rejected"
	}
	return "approved"
}

func titleOf(img *app.Image) string {
	if img == nil {
		return ""
	}
	return img.Title
}

// --- reports ---------------------------------------------------------------------

const reportsPerPage = 50

type adminReportsPage struct {
	Page
	Status   string
	Statuses []app.ReportStatus
	Reports  []moderation.ReportLine
	Total    int64
	pager
}

func (s *Server) adminReports(c echo.Context) error {
	st := app.ReportStatus(c.QueryParam("status"))
	switch st {
	case app.ReportOpen, app.ReportDismissed, app.ReportActioned:
	case "all":
		st = ""
	default:
		st = app.ReportOpen
	}
	pageNum := pageParam(c)
	list, total, err := s.moderation.Reports(c.Request().Context(), currentUser(c), st, reportsPerPage, (pageNum-1)*reportsPerPage)
	if err != nil {
		return err
	}
	data := adminReportsPage{
		Page: s.page(c, "Reports"), Status: string(st), Reports: list, Total: total,
		Statuses: []app.ReportStatus{app.ReportOpen, app.ReportActioned, app.ReportDismissed},
		pager:    newPager(c, pageNum, reportsPerPage, total),
	}
	data.Query = ""
	return s.renderPage(c, http.StatusOK, pageAdminReports, &data)
}

func (s *Server) adminDismissReport(c echo.Context) error {
	err := s.moderation.Dismiss(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	return s.adminDone(c, err, "/admin/reports", "Report dismissed.")
}

func (s *Server) adminTakedownReport(c echo.Context) error {
	img, err := s.moderation.TakeDownReported(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("reason"))
	return s.adminDone(c, err, "/admin/reports", "Took down “"+titleOf(img)+"”: gone from search and sale; existing licences stay valid.")
}

// --- users -------------------------------------------------------------------------

type adminUsersPage struct {
	Page
	Search         string
	Role           string
	Users          []app.User
	Total          int64
	RoleList       []app.Role
	DefaultShareBP int64
	pager
}

const adminUsersPerPage = 50

func (s *Server) adminUsers(c echo.Context) error {
	q := c.QueryParam("q")
	role, _ := app.ParseRole(c.QueryParam("role"))
	pageNum := pageParam(c)
	ctx := c.Request().Context()
	list, err := s.auth.ListUsers(ctx, q, role, adminUsersPerPage, (pageNum-1)*adminUsersPerPage)
	if err != nil {
		return err
	}
	data := adminUsersPage{
		Page:           s.page(c, "Users"),
		Search:         q,
		Role:           string(role),
		Users:          list.Users,
		Total:          list.Total,
		RoleList:       []app.Role{app.RoleBuyer, app.RoleContributor, app.RoleAdmin},
		DefaultShareBP: s.moderation.Policy(ctx).ShareBP,
		pager:          newPager(c, pageNum, adminUsersPerPage, list.Total),
	}
	data.Query = "" // the header's search box is for images, not users
	return s.renderPage(c, http.StatusOK, pageAdminUsers, &data)
}

func (s *Server) adminSuspend(c echo.Context) error {
	u, err := s.moderation.Suspend(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	return s.adminDone(c, err, backTo(c, "/admin/users"), "Suspended "+usernameOf(u)+": signed out everywhere, tokens refused, images out of search.")
}

func (s *Server) adminUnsuspend(c echo.Context) error {
	u, err := s.moderation.Unsuspend(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	return s.adminDone(c, err, backTo(c, "/admin/users"), "Reinstated "+usernameOf(u)+".")
}

func (s *Server) adminSetRole(c echo.Context) error {
	u, err := s.moderation.SetRole(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("role"))
	return s.adminDone(c, err, backTo(c, "/admin/users"), usernameOf(u)+" is now "+roleNameOf(u)+".")
}

func (s *Server) adminSetShare(c echo.Context) error {
	bp, err := percentToBP(c.FormValue("share_percent"))
	if err == nil {
		var u *app.User
		u, err = s.moderation.SetShare(c.Request().Context(), actor(c), c.Param("id"), bp)
		return s.adminDone(c, err, backTo(c, "/admin/users"), fmt.Sprintf("%s's share is now %s.", usernameOf(u), sharePercent(bp)))
	}
	return s.adminDone(c, err, backTo(c, "/admin/users"), "")
}

// percentToBP reads "62.5" (per cent, up to two decimals; empty means the
// platform default) as basis points.
func percentToBP(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 100 {
		return 0, app.Invalid(map[string]string{"share_percent": "Give a share between 0 and 100 per cent."})
	}
	return int64(f*100 + 0.5), nil
}

func sharePercent(bp int64) string {
	if bp == 0 {
		return "the platform default"
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(bp)/100), "0"), ".") + " %"
}

func usernameOf(u *app.User) string {
	if u == nil {
		return ""
	}
	return u.Username
}

func roleNameOf(u *app.User) string {
	if u == nil {
		return ""
	}
	return strings.ToLower(roleName(u.Role))
}

// --- money -----------------------------------------------------------------------

const ordersPerPage = 50

type adminOrdersPage struct {
	Page
	Status   string
	Statuses []app.OrderStatus
	Orders   []moderation.OrderLine
	Total    int64
	pager
}

func (s *Server) adminOrders(c echo.Context) error {
	st := app.OrderStatus(c.QueryParam("status"))
	statuses := []app.OrderStatus{app.OrderPending, app.OrderPaid, app.OrderFailed, app.OrderRefunded}
	if !slices.Contains(statuses, st) {
		st = ""
	}
	pageNum := pageParam(c)
	list, total, err := s.moderation.Orders(c.Request().Context(), currentUser(c), st, ordersPerPage, (pageNum-1)*ordersPerPage)
	if err != nil {
		return err
	}
	data := adminOrdersPage{Page: s.page(c, "Orders"), Status: string(st), Statuses: statuses, Orders: list, Total: total, pager: newPager(c, pageNum, ordersPerPage, total)}
	data.Query = ""
	return s.renderPage(c, http.StatusOK, pageAdminOrders, &data)
}

func (s *Server) adminRefund(c echo.Context) error {
	o, err := s.moderation.Refund(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	msg := ""
	if o != nil {
		msg = "Order " + o.PublicID + " refunded through the ledger; its licences are revoked."
	}
	return s.adminDone(c, err, backTo(c, "/admin/orders"), msg)
}

func (s *Server) adminPayoutPaid(c echo.Context) error {
	p, err := s.moderation.PayPayout(c.Request().Context(), actor(c), c.Param("id"), c.FormValue("note"))
	msg := ""
	if p != nil {
		msg = "Payout of " + money(p.AmountCents) + " marked paid."
	}
	return s.adminDone(c, err, "/admin/payouts", msg)
}

// --- settings ----------------------------------------------------------------------

type adminSettingsPage struct {
	Page
	Policy   app.Policy
	Defaults app.Policy
	Errors   map[string]string
	Form     map[string]string
}

func (s *Server) adminSettings(c echo.Context) error {
	p := s.moderation.Policy(c.Request().Context())
	return s.renderSettings(c, http.StatusOK, p, policyForm(p), nil)
}

func (s *Server) renderSettings(c echo.Context, status int, p app.Policy, form, errs map[string]string) error {
	data := adminSettingsPage{Page: s.page(c, "Settings"), Policy: p, Defaults: s.moderation.Defaults(), Form: form, Errors: errs}
	data.Query = ""
	return s.renderPage(c, status, pageAdminSettings, &data)
}

// policyForm is a policy as the settings form shows it: dollars, per cent, MB.
func policyForm(p app.Policy) map[string]string {
	return map[string]string{
		"standard":    dollarsField(p.Prices.StandardCents),
		"extended":    dollarsField(p.Prices.ExtendedCents),
		"min_price":   dollarsField(p.Prices.MinCents),
		"max_price":   dollarsField(p.Prices.MaxCents),
		"share":       strconv.FormatFloat(float64(p.ShareBP)/100, 'f', -1, 64),
		"payout_min":  dollarsField(p.PayoutMinCents),
		"max_upload":  strconv.FormatInt(p.MaxUploadBytes>>20, 10),
		"max_pending": strconv.Itoa(p.MaxPending),
	}
}

func (s *Server) adminSaveSettings(c echo.Context) error {
	form := map[string]string{}
	for _, k := range []string{"standard", "extended", "min_price", "max_price", "share", "payout_min", "max_upload", "max_pending"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	errs := map[string]string{}
	cents := func(field, key string) int64 {
		v, ok := parseDollars(form[key])
		if !ok || v == 0 {
			errs[field] = "Give an amount in dollars, like 3 or 2.50."
		}
		return v
	}
	var p app.Policy
	p.Prices.StandardCents = cents("standard_cents", "standard")
	p.Prices.ExtendedCents = cents("extended_cents", "extended")
	p.Prices.MinCents = cents("min_cents", "min_price")
	p.Prices.MaxCents = cents("max_cents", "max_price")
	p.PayoutMinCents = cents("payout_min_cents", "payout_min")
	if bp, err := percentToBP(form["share"]); err != nil || bp == 0 {
		errs["share_bp"] = "Give a share between 0 and 100 per cent."
	} else {
		p.ShareBP = bp
	}
	if mb, err := strconv.ParseInt(form["max_upload"], 10, 64); err != nil || mb < 1 || mb > 1<<20 {
		errs["max_upload_bytes"] = "Give a whole number of megabytes."
	} else {
		p.MaxUploadBytes = mb << 20
	}
	if n, err := strconv.Atoi(form["max_pending"]); err != nil {
		errs["max_pending"] = "Give a whole number."
	} else {
		p.MaxPending = n
	}
	var err error = app.Invalid(errs)
	if len(errs) == 0 {
		err = s.moderation.SavePolicy(c.Request().Context(), actor(c), p)
	}
	if app.ErrorCode(err) == app.EInvalid {
		return s.renderSettings(c, http.StatusUnprocessableEntity, p, form, app.ErrorFields(err))
	}
	return s.adminDone(c, err, "/admin/settings", "Settings saved; they apply to new quotes, uploads and payout requests.")
}

// --- audit log ----------------------------------------------------------------------

const auditPerPage = 100

type adminAuditPage struct {
	Page
	Entries    []moderation.AuditLine
	Total      int64
	Actions    []string
	Action     string
	TargetType string
	TargetID   string
	Actor      string
	pager
}

func (s *Server) adminAudit(c echo.Context) error {
	ctx := c.Request().Context()
	f := store.AuditFilter{
		Action: c.QueryParam("action"), TargetType: c.QueryParam("target_type"), TargetID: strings.TrimSpace(c.QueryParam("target")),
		Limit: auditPerPage, Offset: (pageParam(c) - 1) * auditPerPage,
	}
	data := adminAuditPage{Page: s.page(c, "Audit log"), Action: f.Action, TargetType: f.TargetType, TargetID: f.TargetID, Actor: strings.TrimSpace(c.QueryParam("actor"))}
	data.Query = ""
	if data.Actor != "" {
		u, err := s.auth.UserByUsername(ctx, data.Actor)
		if app.ErrorCode(err) == app.ENotFound {
			data.Flash = &Flash{Kind: "error", Message: "No admin called " + data.Actor + "."}
			return s.renderPage(c, http.StatusOK, pageAdminAudit, &data)
		}
		if err != nil {
			return err
		}
		f.ActorID = u.ID
	}
	list, total, err := s.moderation.Audit(ctx, currentUser(c), f)
	if err != nil {
		return err
	}
	if data.Actions, err = s.moderation.AuditActions(ctx); err != nil {
		return err
	}
	data.Entries, data.Total, data.pager = list, total, newPager(c, pageParam(c), auditPerPage, total)
	return s.renderPage(c, http.StatusOK, pageAdminAudit, &data)
}

// auditTargetURL links an audit entry's target to where an admin can see it.
func auditTargetURL(targetType, id string) string {
	switch targetType {
	case "image":
		return "/admin/images/" + url.PathEscape(id)
	case "user":
		return "/admin/users?q=" + url.QueryEscape(id)
	case "order":
		return "/orders/" + url.PathEscape(id)
	case "payout":
		return "/admin/payouts"
	case "report":
		return "/admin/reports?status=all"
	case "settings":
		return "/admin/settings"
	}
	return ""
}
