package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/snapshop/snapshop/app"
)

// routes registers every route Snapshop serves, grouped by who may use them.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RequestID())
	e.Use(s.observe, s.recoverPanics(), s.securityHeaders, s.deadline, s.admit)

	// Operations and static files: no session, no database (but /readyz's ping).
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	e.GET("/static/*", s.assets.serve)

	// Thumbnails and previews: public for published images, owner-only
	// otherwise. Read-only, so no CSRF cookie (and no Vary: Cookie to defeat
	// shared caches).
	media := e.Group("/media", s.loadSession, s.identify)
	media.GET("/:name", s.mediaFile)

	// Pages, for everyone. The group's middleware also serves unknown paths,
	// so a 404 page still knows who is signed in.
	pageCSRF := s.csrf("header:X-CSRF-Token,form:_csrf", func(c echo.Context) bool {
		// Upload posts are checked by their own route, after the role check;
		// the upload page itself (GET) still needs its token.
		return uploadRoutes[c.Path()] && c.Request().Method != http.MethodGet
	})
	pages := e.Group("", s.limitBody, s.loadSession, pageCSRF, s.identify)
	pages.GET("/", s.home)
	pages.GET("/search", s.searchPageHandler)
	pages.GET("/signup", s.signupForm)
	pages.POST("/signup", s.signupSubmit, s.limitByIP)
	pages.GET("/login", s.loginForm)
	pages.POST("/login", s.loginSubmit, s.limitByIP)
	pages.POST("/logout", s.logout)
	pages.GET("/images/:slug", s.imagePageHandler)
	pages.GET("/images/:id/related", s.relatedCards)
	pages.GET("/contributors/:username", s.portfolio)
	pages.GET("/licenses/:code", s.licenseVerify)

	// Buying: any signed-in account. (Not an Echo group: a group with
	// middleware also claims every unknown path under its prefix, and this
	// one's prefix is the whole site.)
	pages.GET("/cart", s.cartPage, requireUser)
	pages.POST("/cart/add", s.cartAdd, requireUser)
	pages.POST("/cart/remove", s.cartRemove, requireUser)
	pages.POST("/cart/checkout", s.cartCheckout, requireUser)
	pages.POST("/images/:id/buy", s.buyNow, requireUser)
	pages.GET("/images/:id/comp", s.comp, requireUser)
	pages.GET("/orders/:id", s.orderPage, requireUser)
	pages.GET("/licenses", s.licensesPage, requireUser)
	pages.GET("/licenses.csv", s.licensesCSV, requireUser)
	pages.GET("/licenses/:code/certificate", s.licenseCertificate, requireUser)
	pages.GET("/downloads/:code", s.download, requireUser)
	pages.GET("/wallet", s.walletPage, requireUser)
	pages.POST("/wallet/topup", s.walletTopUp, requireUser)
	pages.GET("/checkout/sandbox/:session", s.sandboxCheckout, requireUser)
	pages.POST("/images/:id/report", s.reportImage, requireUser)
	pages.POST("/checkout/sandbox/:session", s.sandboxPay, requireUser)

	// Lightboxes: the owner's only (anyone else's is a 404, like one that
	// does not exist).
	pages.GET("/lightboxes", s.lightboxesList, requireUser)
	pages.POST("/lightboxes", s.lightboxCreate, requireUser)
	pages.GET("/lightboxes/:id", s.lightboxShow, requireUser)
	pages.POST("/lightboxes/:id/rename", s.lightboxRename, requireUser)
	pages.POST("/lightboxes/:id/delete", s.lightboxDelete, requireUser)
	pages.POST("/lightboxes/:id/images", s.lightboxAdd, requireUser)
	pages.POST("/lightboxes/:id/images/:image/remove", s.lightboxRemove, requireUser)
	pages.POST("/lightboxes/:id/images/:image/move", s.lightboxMove, requireUser)
	pages.POST("/lightboxes/:id/share", s.lightboxShare, requireUser)
	pages.POST("/lightboxes/:id/share/revoke", s.lightboxRevoke, requireUser)
	pages.POST("/lightboxes/:id/cart", s.lightboxCart, requireUser)

	// A shared lightbox, for a client with the link and no account. The
	// pages' CSRF cookie works for anonymous visitors too.
	pages.GET("/share/:token", s.shareView)
	pages.POST("/share/:token/images/:image", s.shareMark, s.limitShareWrites)

	// Payment providers' notifications: signed by the provider, so no
	// session and no CSRF token.
	e.POST("/webhooks/:provider", s.webhook, s.limitBody)

	// Pages for any signed-in account.
	account := pages.Group("/account", requireUser)
	account.GET("", s.account)
	account.POST("/tokens", s.accountCreateToken)
	account.POST("/tokens/:id/revoke", s.accountRevokeToken)

	// Pages for contributors.
	contribute := pages.Group("/contribute", requireRole(app.RoleContributor))
	contribute.GET("", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/contribute/images") })
	contribute.GET("/upload", s.uploadForm)
	contribute.POST("/upload", s.uploadSubmit, s.csrf("header:X-CSRF-Token,form:_csrf", nil), s.limitUploads)
	contribute.GET("/images", s.myImages)
	contribute.POST("/images/bulk", s.bulkEdit)
	contribute.GET("/images/:id", s.editImage)
	contribute.POST("/images/:id", s.saveImage)
	contribute.POST("/images/:id/submit", s.submitImage)
	contribute.POST("/images/:id/delete", s.deleteImage)
	contribute.POST("/images/:id/appeal", s.appealImage)
	contribute.GET("/earnings", s.earningsPage)
	contribute.GET("/earnings.csv", s.earningsCSV)
	contribute.POST("/payouts", s.requestPayout)

	// Pages for admins. Every route here is in the 403 matrix test.
	admin := pages.Group("/admin", requireRole(app.RoleAdmin))
	admin.GET("", s.adminDashboard)
	admin.GET("/review", s.adminReview)
	admin.POST("/review/bulk", s.adminBulk)
	admin.GET("/images/:id", s.adminImage)
	admin.GET("/images/:id/original", s.adminOriginal)
	admin.POST("/images/:id/approve", s.adminApprove)
	admin.POST("/images/:id/reject", s.adminReject)
	admin.POST("/images/:id/remove", s.adminRemove)
	admin.POST("/images/:id/reinstate", s.adminReinstate)
	admin.GET("/reports", s.adminReports)
	admin.POST("/reports/:id/dismiss", s.adminDismissReport)
	admin.POST("/reports/:id/takedown", s.adminTakedownReport)
	admin.GET("/users", s.adminUsers)
	admin.POST("/users/:id/suspend", s.adminSuspend)
	admin.POST("/users/:id/unsuspend", s.adminUnsuspend)
	admin.POST("/users/:id/role", s.adminSetRole)
	admin.POST("/users/:id/share", s.adminSetShare)
	admin.GET("/orders", s.adminOrders)
	admin.POST("/orders/:id/refund", s.adminRefund)
	admin.GET("/payouts", s.adminPayouts)
	admin.POST("/payouts/:id/paid", s.adminPayoutPaid)
	admin.GET("/settings", s.adminSettings)
	admin.POST("/settings", s.adminSaveSettings)
	admin.GET("/audit", s.adminAudit)

	// JSON API: bearer tokens, or the browser session plus X-CSRF-Token.
	api := e.Group("/api/v1", s.limitBody, s.loadSession, s.csrf("header:X-CSRF-Token", apiCSRFSkipper), s.identify)
	api.POST("/tokens", s.apiCreateToken, s.limitByIP)
	api.DELETE("/tokens/current", s.apiRevokeCurrentToken, requireUser)
	api.GET("/me", s.apiMe, requireUser)
	api.GET("/me/images", s.apiMyImages, requireRole(app.RoleContributor))
	api.POST("/uploads", s.apiUpload, requireRole(app.RoleContributor), s.limitUploads)
	api.GET("/search", s.apiSearch)
	api.GET("/suggest", s.apiSuggest)
	api.GET("/images/:id", s.apiImage)
	api.GET("/images/:id/comp", s.comp, requireUser)
	api.PATCH("/images/:id", s.apiPatchImage, requireRole(app.RoleContributor))
	api.POST("/images/:id/submit", s.apiSubmitImage, requireRole(app.RoleContributor))
	api.POST("/orders", s.apiCreateOrder, requireUser)
	api.GET("/orders/:id", s.apiOrder, requireUser)
	api.GET("/me/licenses", s.apiMyLicenses, requireUser)
	api.GET("/me/wallet", s.apiMyWallet, requireUser)
	api.GET("/me/earnings", s.apiMyEarnings, requireRole(app.RoleContributor))
	api.POST("/images/:id/reports", s.apiReportImage, requireUser)
	api.POST("/images/:id/appeal", s.apiAppealImage, requireRole(app.RoleContributor))
	api.GET("/admin/queue", s.apiAdminQueue, requireRole(app.RoleAdmin))
	api.POST("/admin/images/:id/approve", s.apiAdminApprove, requireRole(app.RoleAdmin))
	api.POST("/admin/images/:id/reject", s.apiAdminReject, requireRole(app.RoleAdmin))
	api.POST("/admin/images/:id/remove", s.apiAdminRemove, requireRole(app.RoleAdmin))
	api.POST("/admin/images/:id/reinstate", s.apiAdminReinstate, requireRole(app.RoleAdmin))
	api.GET("/admin/reports", s.apiAdminReports, requireRole(app.RoleAdmin))
	api.POST("/admin/users/:id/suspend", s.apiAdminSuspend, requireRole(app.RoleAdmin))
	api.POST("/admin/users/:id/unsuspend", s.apiAdminUnsuspend, requireRole(app.RoleAdmin))
	api.POST("/admin/orders/:id/refund", s.apiRefund, requireRole(app.RoleAdmin))
	api.GET("/lightboxes", s.apiLightboxes, requireUser)
	api.POST("/lightboxes", s.apiCreateLightbox, requireUser)
	api.GET("/lightboxes/:id", s.apiLightbox, requireUser)
	api.PATCH("/lightboxes/:id", s.apiRenameLightbox, requireUser)
	api.DELETE("/lightboxes/:id", s.apiDeleteLightbox, requireUser)
	api.POST("/lightboxes/:id/images", s.apiAddToLightbox, requireUser)
	api.DELETE("/lightboxes/:id/images", s.apiRemoveFromLightbox, requireUser)
	api.DELETE("/lightboxes/:id/images/:image", s.apiRemoveFromLightbox, requireUser)
	api.PATCH("/lightboxes/:id/images/:image", s.apiMoveInLightbox, requireUser)
	api.POST("/lightboxes/:id/share", s.apiShareLightbox, requireUser)
	api.DELETE("/lightboxes/:id/share", s.apiRevokeLightboxShare, requireUser)
	api.POST("/lightboxes/:id/cart", s.apiLightboxToCart, requireUser)
}

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // observe resolves the error, so it logs the 500
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.ErrorContext(c.Request().Context(), "panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
			return err
		},
	})
}
