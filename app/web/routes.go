package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/snapshop/snapshop/app"
)

// routes registers every route Snapshop serves, grouped by who may use them.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RequestID())
	e.Use(s.observe, s.recoverPanics(), s.securityHeaders)

	// Operations and static files: no session, no database (but /readyz's ping).
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.handler()))
	e.GET("/static/*", s.assets.serve)

	// Pages, for everyone. The group's middleware also serves unknown paths,
	// so a 404 page still knows who is signed in.
	pages := e.Group("", bodyLimit("1M"), s.loadSession, s.csrf("form:_csrf,header:X-CSRF-Token", nil), s.identify)
	pages.GET("/", s.home)
	pages.GET("/search", s.search)
	pages.GET("/signup", s.signupForm)
	pages.POST("/signup", s.signupSubmit, s.limitByIP)
	pages.GET("/login", s.loginForm)
	pages.POST("/login", s.loginSubmit, s.limitByIP)
	pages.POST("/logout", s.logout)

	// Pages for any signed-in account.
	account := pages.Group("/account", requireUser)
	account.GET("", s.account)
	account.POST("/tokens", s.accountCreateToken)
	account.POST("/tokens/:id/revoke", s.accountRevokeToken)

	// Pages for admins.
	admin := pages.Group("/admin", requireRole(app.RoleAdmin))
	admin.GET("", s.adminHome)
	admin.GET("/users", s.adminUsers)

	// JSON API: bearer tokens, or the browser session plus X-CSRF-Token.
	api := e.Group("/api/v1", bodyLimit("1M"), s.loadSession, s.csrf("header:X-CSRF-Token", apiCSRFSkipper), s.identify)
	api.POST("/tokens", s.apiCreateToken, s.limitByIP)
	api.DELETE("/tokens/current", s.apiRevokeCurrentToken, requireUser)
	api.GET("/me", s.apiMe, requireUser)
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
