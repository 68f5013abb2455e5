package main

import (
	"context"
	"fmt"
)

// runMigrate applies pending migrations and reports what it did.
func runMigrate(ctx context.Context, args []string, e env) error {
	cfg, _, err := loadConfig("migrate", args, e, flagSetFor)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	db, err := openStore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s schema is at version %d\n", db.Dialect(), v)
	return nil
}
