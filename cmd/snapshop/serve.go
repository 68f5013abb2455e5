package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/lightbox"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/searchsync"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/web"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/static"
	"github.com/snapshop/snapshop/views"
)

func runServe(ctx context.Context, args []string, e env) error {
	cfg, _, err := loadConfig("serve", args, e, (*config.Config).BindServe)
	if err != nil {
		return err
	}
	m := NewMain(cfg, e.stdout, e.stderr)
	return m.Run(ctx)
}

// Main is the whole server process: explicit wiring in one place, so a test
// can start the real program on port :0 and stop it by cancelling a context.
type Main struct {
	Config config.Config
	Stdout io.Writer // demo credentials
	Stderr io.Writer // logs
	// AuthOptions override account settings (tests make hashing cheap).
	AuthOptions auth.Options

	ready chan struct{}
	addr  string
}

// NewMain returns a Main for cfg, which must be validated.
func NewMain(cfg config.Config, stdout, stderr io.Writer) *Main {
	return &Main{Config: cfg, Stdout: stdout, Stderr: stderr, ready: make(chan struct{})}
}

// Ready is closed once the server is listening.
func (m *Main) Ready() <-chan struct{} { return m.ready }

// Addr is the address the server listens on, once Ready.
func (m *Main) Addr() string { return m.addr }

// Run starts everything and blocks until ctx is cancelled, then shuts down in
// order: stop accepting and finish in-flight requests (up to the configured
// grace period), stop background loops, close the database.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	log := newLogger(cfg, m.Stderr)
	log.Info("starting snapshop", "config", cfg)

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	secret, err := cfg.LoadSecretKey()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, log, cfg.Migrate)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()

	// What admins may change at run time, over the configured defaults.
	settings := moderation.NewSettings(db, policyDefaults(cfg), 0, log)

	authOpts := m.AuthOptions
	authOpts.Logger = log
	accounts, err := auth.NewService(db, authOpts)
	if err != nil {
		return err
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	images, err := newCatalog(ctx, cfg, log, db, blobs, settings)
	if err != nil {
		return err
	}
	var demoUsers map[app.Role]*app.User
	if cfg.Demo {
		if demoUsers, err = seedDemo(ctx, accounts, m.Stdout); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	index := searchsync.New(db, searchsync.Options{
		Dir:               filepath.Join(cfg.DataDir, "index"),
		DefaultPriceCents: cfg.Prices.StandardCents,
		Logger:            log,
	})
	views := &catalog.ViewCounter{DB: db, Logger: log}
	shop, err := newCommerce(cfg, log, db, secret, settings)
	if err != nil {
		return err
	}
	if buyer := demoUsers[app.RoleBuyer]; buyer != nil {
		if err := seedDemoWallet(ctx, shop, buyer, m.Stdout); err != nil {
			return fmt.Errorf("demo wallet: %w", err)
		}
	}
	admin := moderation.NewService(db, images, shop, settings, moderation.Options{Logger: log})
	boxes := lightbox.NewService(db, shop, lightbox.Options{Logger: log})
	srv, err := newWebServer(cfg, log, db, web.Services{Auth: accounts, Catalog: images, Search: index, Views: views, Commerce: shop, Moderation: admin, Lightboxes: boxes})
	if err != nil {
		return err
	}
	httpServer := web.NewHTTPServer(cfg.Addr, srv, log)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	m.addr = ln.Addr().String()
	log.Info("listening", "addr", m.addr, "url", cfg.BaseURL)
	close(m.ready)

	// Loops outlive the signal until HTTP has drained: in-flight requests may
	// still need them.
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down", "grace", cfg.ShutdownTimeout.String())
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		err := httpServer.Shutdown(shutdownCtx)
		stopLoops()
		if err != nil {
			return fmt.Errorf("shut down http: %w", err)
		}
		return nil
	})
	sessionSweeper := &auth.SessionSweeper{Sessions: db.Sessions(), Logger: log}
	g.Go(func() error { return sessionSweeper.Run(loopCtx) })
	g.Go(func() error { return index.Run(loopCtx) })
	g.Go(func() error { return views.Run(loopCtx) })
	workers := &catalog.Workers{Catalog: images, DB: db, Count: cfg.Workers, Logger: log}
	g.Go(func() error { return workers.Run(loopCtx) })
	blobSweeper := &catalog.Sweeper{Catalog: images, Logger: log}
	g.Go(func() error { return blobSweeper.Run(loopCtx) })
	if demoUsers != nil {
		// The catalogue fills in the background: the site is usable at once.
		g.Go(func() error {
			if err := seedDemoImages(loopCtx, images, demoUsers, log); err != nil && loopCtx.Err() == nil {
				log.Error("demo catalogue", "err", err)
			}
			return nil
		})
	}

	err = g.Wait()
	log.Info("stopped", "err", err)
	return err
}

// policyDefaults is the run-time policy as configured, before any admin
// changes it.
func policyDefaults(cfg config.Config) app.Policy {
	p := cfg.Prices
	return app.Policy{
		Prices:         app.Prices{StandardCents: p.StandardCents, ExtendedCents: p.ExtendedCents, MinCents: p.MinCents, MaxCents: p.MaxCents},
		ShareBP:        p.ShareBP,
		PayoutMinCents: p.PayoutMinCents,
		MaxUploadBytes: int64(cfg.Uploads.MaxFileMB) << 20,
		MaxPending:     cfg.Uploads.MaxPending,
	}
}

// newCommerce builds the shop: Stripe when its keys are configured,
// otherwise the built-in sandbox card page.
func newCommerce(cfg config.Config, log *slog.Logger, db *store.DB, secret []byte, settings *moderation.Settings) (*commerce.Service, error) {
	// The sandbox's card page is on this server: a path, whatever address
	// the browser reached it by.
	var provider commerce.Provider = commerce.NewSandbox(secret, "")
	if cfg.Stripe.SecretKey != "" {
		st, err := commerce.NewStripe(commerce.StripeConfig{SecretKey: cfg.Stripe.SecretKey, WebhookSecret: cfg.Stripe.WebhookSecret})
		if err != nil {
			return nil, err
		}
		provider = st
	}
	p := cfg.Prices
	return commerce.NewService(db, ledger.New(db), commerce.Options{
		Prices:         app.Prices{StandardCents: p.StandardCents, ExtendedCents: p.ExtendedCents, MinCents: p.MinCents, MaxCents: p.MaxCents},
		DefaultShareBP: p.ShareBP,
		PayoutMinCents: p.PayoutMinCents,
		Policy:         settings.Policy,
		Provider:       provider,
		Signer:         commerce.NewSigner(secret),
		BaseURL:        cfg.BaseURL,
		Logger:         log,
	})
}

// openBlobs opens the configured blob store: an S3-compatible bucket, or a
// directory under the data directory.
func openBlobs(ctx context.Context, cfg config.Config) (catalog.Blobs, error) {
	if cfg.S3.Bucket == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	}
	return blob.NewS3(ctx, blob.S3Config{
		Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, Bucket: cfg.S3.Bucket, Prefix: cfg.S3.Prefix,
		AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey, Insecure: cfg.S3.Insecure, PathStyle: cfg.S3.PathStyle,
	})
}

// newCatalog builds the catalogue and recovers from a crash: staged uploads
// of a dead process are deleted, and on SQLite — where this process alone
// uses the database, so no upload can be in flight yet — every leftover blob
// intent is reconciled now. (On PostgreSQL the periodic sweep does it once
// intents are old enough not to belong to another process's upload.)
func newCatalog(ctx context.Context, cfg config.Config, log *slog.Logger, db *store.DB, blobs catalog.Blobs, settings *moderation.Settings) (*catalog.Service, error) {
	return newCatalogIn(ctx, cfg, log, db, blobs, settings, filepath.Join(cfg.DataDir, "tmp"))
}

// newCatalogIn is newCatalog with uploads staged in tmp, which is emptied
// first (a worker process, which stages nothing, passes its own).
func newCatalogIn(ctx context.Context, cfg config.Config, log *slog.Logger, db *store.DB, blobs catalog.Blobs, settings *moderation.Settings, tmp string) (*catalog.Service, error) {
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("clear staging directory: %w", err)
	}
	u := cfg.Uploads
	images, err := catalog.NewService(db, blobs, catalog.Options{
		Limits: catalog.Limits{
			MaxFileBytes: int64(u.MaxFileMB) << 20,
			MinPixels:    int64(u.MinMegapixels * 1e6),
			MaxPixels:    int64(u.MaxMegapixels * 1e6),
			MaxFiles:     u.MaxFiles,
			MaxDrafts:    u.MaxDrafts,
			MaxPending:   u.MaxPending,
		},
		TempDir:           tmp,
		Watermark:         cfg.Watermark,
		DefaultPriceCents: cfg.Prices.StandardCents,
		MinPriceCents:     cfg.Prices.MinCents,
		MaxPriceCents:     cfg.Prices.MaxCents,
		Policy:            settings.Policy,
		Logger:            log,
	})
	if err != nil {
		return nil, err
	}
	if db.Dialect() == store.SQLite {
		n, err := images.SweepBlobIntents(ctx, time.Now().Add(time.Second))
		if err != nil {
			return nil, fmt.Errorf("recover interrupted uploads: %w", err)
		}
		if n > 0 {
			log.Info("deleted blobs of interrupted uploads", "count", n)
		}
	}
	return images, nil
}

// newWebServer wires the HTTP layer to the services.
func newWebServer(cfg config.Config, log *slog.Logger, db *store.DB, svc web.Services) (*web.Server, error) {
	proxies, err := cfg.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	wc := web.Config{
		BaseURL:        cfg.BaseURL,
		TrustedProxies: proxies,
		Dev:            cfg.Dev,
		MaxInFlight:    cfg.MaxInFlight,
		Views:          views.FS,
		Static:         static.FS,
		Logger:         log,
	}
	if cfg.Dev {
		// Edit templates and CSS, reload the page: no rebuild. Run from the
		// repository root.
		wc.Views, wc.Static = os.DirFS("views"), os.DirFS("static")
	}
	svc.Sessions, svc.Health = db.Sessions(), db
	return web.New(wc, svc)
}

// flagSetFor is a helper for subcommands that only need the common flags.
func flagSetFor(c *config.Config, fs *flag.FlagSet) { c.BindCommon(fs) }
