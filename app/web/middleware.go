package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/snapshop/snapshop/app"
)

const (
	userContextKey  = "snapshop.user"
	tokenContextKey = "snapshop.token"
	csrfContextKey  = "csrf"
	sessionUserKey  = "user_id"
	flashKey        = "flash"
	flashKindKey    = "flash_kind"
	sessionCookie   = "snapshop_session"
	csrfCookie      = "snapshop_csrf"
)

// observe logs every request with its ID and feeds the request metrics. It
// resolves errors itself (c.Error) so that it sees the final status.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		elapsed := time.Since(start)
		route := c.Path()
		if route == "" || res.Status == http.StatusNotFound && c.Path() == "/*" {
			route = "unmatched"
		}
		s.metrics.observe(req.Method, route, res.Status, elapsed)
		path := req.URL.Path
		if strings.HasPrefix(route, "/share/") {
			// A lightbox's share token is a secret stored only as a hash:
			// log the route, not the link.
			path = route
		}
		attrs := []any{
			"request_id", res.Header().Get(echo.HeaderXRequestID),
			"method", req.Method,
			"path", path,
			"route", route,
			"status", res.Status,
			"bytes", res.Size,
			"dur_ms", float64(elapsed.Microseconds()) / 1000,
			"ip", c.RealIP(),
		}
		if u := currentUser(c); u != nil {
			attrs = append(attrs, "user_id", u.ID)
		}
		s.log.InfoContext(req.Context(), "request", attrs...)
		return nil
	}
}

// securityHeaders sets the headers every response carries. The CSP allows
// only our own scripts, styles and images: templates use no inline code.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.cfg.secure() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// loadSession loads the browser session named by the cookie, and commits it
// just before the response is written if a handler changed it. A database
// failure here is returned as an error (503 when the database is down).
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		var token string
		if ck, err := req.Cookie(sessionCookie); err == nil {
			token = ck.Value
		}
		ctx, err := s.sessions.Load(req.Context(), token)
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		c.SetRequest(req.WithContext(ctx))
		c.Set(sessionLoadedKey, true)
		// (The CSRF middleware, which runs on every route with a session,
		// adds "Vary: Cookie".)
		c.Response().Before(func() { s.commitSession(c) })
		return next(c)
	}
}

const sessionLoadedKey = "snapshop.session"

func (s *Server) hasSession(c echo.Context) bool { return c.Get(sessionLoadedKey) != nil }

func (s *Server) commitSession(c echo.Context) {
	ctx := c.Request().Context()
	w := c.Response().Writer
	switch s.sessions.Status(ctx) {
	case scs.Modified:
		token, expiry, err := s.sessions.Commit(ctx)
		if err != nil {
			// Headers are being written: too late to fail the request. The
			// change (a sign-in, a flash) is lost and the user will see so.
			s.log.ErrorContext(ctx, "commit session", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
			return
		}
		s.sessions.WriteSessionCookie(ctx, w, token, expiry)
	case scs.Destroyed:
		s.sessions.WriteSessionCookie(ctx, w, "", time.Time{})
	}
}

// csrf checks the token of every unsafe request: a hidden _csrf field in
// forms, or the X-CSRF-Token header from scripts. It is Echo's double-submit
// middleware with one change: Echo 4.16 lets a request through on
// "Sec-Fetch-Site: same-origin" alone and gives forms a constant dummy token;
// we want a real token on every post, so that header is hidden from it.
func (s *Server) csrf(lookup string, skip middleware.Skipper) echo.MiddlewareFunc {
	mw := middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper:        skip,
		TokenLookup:    lookup,
		ContextKey:     csrfContextKey,
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieMaxAge:   7 * 24 * 3600,
		CookieHTTPOnly: true,
		CookieSecure:   s.cfg.secure(),
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(error, echo.Context) error {
			return app.Errorf(app.EForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := mw(next)
		return func(c echo.Context) error {
			c.Request().Header.Del("Sec-Fetch-Site")
			return h(c)
		}
	}
}

// apiCSRFSkipper skips the check for API requests that a cookie cannot
// authenticate: those with an Authorization header (which then decides alone
// who is calling) and those with no session cookie at all.
func apiCSRFSkipper(c echo.Context) bool {
	if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
		return true
	}
	_, err := c.Request().Cookie(sessionCookie)
	return err != nil
}

// identify finds who is calling: the bearer token's owner when an
// Authorization header is present (never falling back to the cookie), else
// the session's user.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || token == "" {
				return app.Errorf(app.EUnauthorized, "Use Authorization: Bearer <token>.")
			}
			u, t, err := s.auth.TokenUser(ctx, strings.TrimSpace(token))
			if err != nil {
				return err
			}
			c.Set(userContextKey, u)
			c.Set(tokenContextKey, t)
			return next(c)
		}
		if !s.hasSession(c) {
			return next(c)
		}
		id := s.sessions.GetInt64(ctx, sessionUserKey)
		if id == 0 {
			return next(c)
		}
		u, err := s.auth.ActiveUser(ctx, id)
		switch {
		case app.ErrorCode(err) == app.ENotFound:
			// Deleted or suspended since sign-in: end the session.
			if err := s.sessions.Destroy(ctx); err != nil {
				return fmt.Errorf("end session: %w", err)
			}
		case err != nil:
			return err
		default:
			c.Set(userContextKey, u)
		}
		return next(c)
	}
}

// currentUser returns who is signed in, or nil.
func currentUser(c echo.Context) *app.User {
	u, _ := c.Get(userContextKey).(*app.User)
	return u
}

// requireRole lets through only signed-in users whose role includes role;
// others get 401 (pages: a trip to the sign-in form) or 403.
func requireRole(role app.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return app.Errorf(app.EUnauthorized, "Sign in to continue.")
			}
			if !u.Can(role) {
				return app.Errorf(app.EForbidden, "Your account does not have access to this page.")
			}
			return next(c)
		}
	}
}

// requireUser lets through any signed-in user.
var requireUser = requireRole(app.RoleBuyer)

// limitByIP spends one of the client IP's allowance for this kind of request.
func (s *Server) limitByIP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if !s.ipLimiter.Allow(ip) {
			wait := s.ipLimiter.Wait(ip)
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return app.Errorf(app.ETooMany, "Too many attempts from your network. Try again in a minute.")
		}
		return next(c)
	}
}

// limitUploads spends one of the signed-in account's upload allowance: each
// upload costs hashing, inspection and a background job, so one account (or
// a stolen token) cannot flood the server, whatever its address. It runs
// after the role and CSRF checks, so nobody else can spend it.
func (s *Server) limitUploads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := "user:" + strconv.FormatInt(currentUser(c).ID, 10)
		if !s.uploadLimiter.Allow(key) {
			wait := s.uploadLimiter.Wait(key)
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return app.Errorf(app.ETooMany, "You are uploading faster than allowed. Wait %d seconds and try again; nothing from this request was stored.", int(wait.Seconds())+1)
		}
		return next(c)
	}
}

// formBodyLimit bounds every request body but an upload's.
const formBodyLimit = 1 << 20

// limitBody bounds the request body before anything parses it: 1 MB, or
// for upload routes, enough for a full batch of the largest files.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int64(formBodyLimit)
		if uploadRoutes[c.Path()] {
			limit = s.uploadLimit()
		}
		req := c.Request()
		if req.ContentLength > limit {
			return app.Errorf(app.ETooLarge, "The request is larger than allowed.")
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}
