package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/moderation"
	"github.com/snapshop/snapshop/app/store"
)

// runWorker runs image processing without a web server: an extra process
// that takes jobs from the same PostgreSQL database and blob store as the
// servers (each claims with FOR UPDATE SKIP LOCKED, so no job runs twice),
// plus the orphan-blob sweep. It neither migrates nor serves: start it once
// the servers (or `snapshop migrate`) have brought the schema up to date.
func runWorker(ctx context.Context, args []string, e env) error {
	cfg, _, err := loadConfig("worker", args, e, bindWorker)
	if err != nil {
		return err
	}
	dbc, err := cfg.Database()
	if err != nil {
		return usageError{fmt.Errorf("invalid configuration: %w", err)}
	}
	if dbc.Dialect != store.Postgres {
		// A SQLite database belongs to one process: its server's workers.
		return usageError{fmt.Errorf("snapshop worker needs PostgreSQL (DATABASE_URL=postgres://…); on SQLite, raise serve's --workers instead")}
	}
	log := newLogger(cfg, e.stderr)
	log.Info("starting snapshop worker", "config", cfg)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	settings := moderation.NewSettings(db, policyDefaults(cfg), 0, log)
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	// Its own (empty) staging directory: a server sharing the data
	// directory keeps its uploads in flight.
	tmp, err := os.MkdirTemp(cfg.DataDir, "worker-")
	if err != nil {
		return fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	images, err := newCatalogIn(ctx, cfg, log, db, blobs, settings, filepath.Join(tmp, "tmp"))
	if err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	workers := &catalog.Workers{Catalog: images, DB: db, Count: cfg.Workers, Logger: log}
	g.Go(func() error { return workers.Run(gctx) })
	sweeper := &catalog.Sweeper{Catalog: images, Logger: log}
	g.Go(func() error { return sweeper.Run(gctx) })
	err = g.Wait()
	log.Info("worker stopped", "err", err)
	return err
}

// bindWorker registers the flags of `snapshop worker`.
func bindWorker(c *config.Config, fs *flag.FlagSet) {
	c.BindCommon(fs)
	fs.IntVar(&c.Workers, "workers", c.Workers, "image-processing workers; 0 means one per core [SNAPSHOP_WORKERS]")
}
