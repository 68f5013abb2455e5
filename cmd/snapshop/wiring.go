package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/store"
)

// newLogger builds the process logger from the configuration.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Level()}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the configured database and, if migrate is set, brings
// its schema up to date; either way it checks the schema matches the code.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*store.DB, error) {
	dbc, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{Dialect: dbc.Dialect, DSN: dbc.DSN, Logger: log})
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		for _, m := range applied {
			log.Info("applied migration", "migration", m)
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("check schema: %w", err)
	}
	return db, nil
}
