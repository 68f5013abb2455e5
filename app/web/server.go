package web

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/lightbox"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/ratelimit"
	"github.com/snapshop/snapshop/app/searchsync"
)

// Config is what the web layer needs to know about its deployment.
type Config struct {
	BaseURL        string // https:// makes cookies Secure and adds HSTS
	TrustedProxies []netip.Prefix
	Dev            bool  // re-read templates on every render
	Views          fs.FS // layouts/, partials/, pages/
	Static         fs.FS // css/, js/, img/
	// Sign-in, sign-up and token requests allowed per client IP: a burst, then
	// one more per SignInRefill. Zero values mean 10 and 6 s.
	SignInBurst  int
	SignInRefill time.Duration
	// Upload requests allowed per account: a burst, then one more per
	// UploadRefill. The upload page sends one file per request. Zero
	// values mean 100 and 3 s (1,200 an hour).
	UploadBurst  int
	UploadRefill time.Duration
	// MaxInFlight bounds the page and API requests computing at once; the
	// rest queue in arrival order (see admission). Zero means four per CPU.
	MaxInFlight int
	Logger      *slog.Logger
}

func (c Config) secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Services are the domain services handlers call.
type Services struct {
	Auth       *auth.Service
	Catalog    *catalog.Service
	Search     *searchsync.Service
	Commerce   *commerce.Service
	Moderation *moderation.Service
	Lightboxes *lightbox.Service
	Views      *catalog.ViewCounter
	Sessions   scs.Store // sessions table; scs.CtxStore is used when implemented
	Health     Pinger
}

// Server is Snapshop's HTTP handler.
type Server struct {
	echo       *echo.Echo
	cfg        Config
	auth       *auth.Service
	catalog    *catalog.Service
	search     *searchsync.Service
	commerce   *commerce.Service
	moderation *moderation.Service
	lightboxes *lightbox.Service
	pageViews  *catalog.ViewCounter
	health     Pinger
	sessions   *scs.SessionManager
	views      *renderer
	admission  *admission
	assets     *assets
	metrics    *metrics
	ipLimiter  *ratelimit.Limiter
	log        *slog.Logger

	// shareLimiter bounds the marks anyone holding a share link may write.
	shareLimiter *ratelimit.Limiter
	// uploadLimiter bounds each account's upload requests.
	uploadLimiter *ratelimit.Limiter
}

// New builds the server: parses every template (failing on any error),
// indexes static files and registers the routes.
func New(cfg Config, svc Services) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SignInBurst == 0 {
		cfg.SignInBurst = 10
	}
	if cfg.SignInRefill == 0 {
		cfg.SignInRefill = 6 * time.Second
	}
	if cfg.UploadBurst == 0 {
		cfg.UploadBurst = 100
	}
	if cfg.UploadRefill == 0 {
		cfg.UploadRefill = 3 * time.Second
	}
	s := &Server{
		cfg:        cfg,
		auth:       svc.Auth,
		catalog:    svc.Catalog,
		search:     svc.Search,
		commerce:   svc.Commerce,
		moderation: svc.Moderation,
		lightboxes: svc.Lightboxes,
		pageViews:  svc.Views,
		health:     svc.Health,
		metrics:    newMetrics(),
		admission:  newAdmission(cfg.MaxInFlight),
		ipLimiter:  ratelimit.New(cfg.SignInRefill, cfg.SignInBurst),
		log:        cfg.Logger,

		// A client reviewing a lightbox marks one image after another: 60
		// at once, then one a second.
		shareLimiter: ratelimit.New(time.Second, 60),

		uploadLimiter: ratelimit.New(cfg.UploadRefill, cfg.UploadBurst),
	}

	// scs.New also starts an in-memory store with a cleanup ticker, which we
	// replace at once. Its StopCleanup races with that goroutine's start (scs
	// v2.9.0), so we leave the idle ticker be: one per server, doing nothing.
	s.metrics.watchAdmission(s.admission)
	if svc.Catalog != nil {
		s.metrics.watchCatalog(func() (int64, int64) { st := svc.Catalog.Stats(); return st.Decoding, st.PeakDecoding })
	}

	sm := scs.New()
	sm.Store = svc.Sessions
	sm.Lifetime = 30 * 24 * time.Hour
	sm.HashTokenInStore = true
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.secure()
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = true
	s.sessions = sm

	var err error
	if s.assets, err = newAssets(cfg.Static, cfg.Dev); err != nil {
		return nil, err
	}
	if s.views, err = newRenderer(cfg.Views, s.templateFuncs(), cfg.Dev); err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s.echo = e
	s.routes()
	return s, nil
}

// ipExtractor believes X-Forwarded-For only from the configured proxies;
// with none, the connection's own address is the client's, so nobody can
// dodge a rate limit by sending a header.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// NewHTTPServer wraps a handler in an http.Server with every timeout set:
// without them one slow client can hold a connection, and its goroutine,
// forever.
func NewHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large uploads on slow links
		WriteTimeout:      5 * time.Minute, // large downloads on slow links
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Routes lists every registered route as "METHOD path", for tests that walk
// the route table.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s", r.Method, r.Path))
	}
	return out
}
