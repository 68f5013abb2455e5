package main

import (
	"context"
	"fmt"
)

// runReindex asks every server to rebuild its search index. A Bleve index
// belongs to the process that opened it, so the command cannot rebuild a
// live index itself: it records the request in the database, and each
// server builds a fresh index beside its live one, catches it up with the
// change log and swaps it in. A server that is not running answers the
// request when it next starts.
func runReindex(ctx context.Context, args []string, e env) error {
	cfg, _, err := loadConfig("reindex", args, e, flagSetFor)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, newLogger(cfg, e.stderr), cfg.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.RequestSearchRebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rebuild #%d requested: each running server builds a fresh index beside its live one and swaps it in within seconds; a stopped server does so when it starts\n", n)
	return nil
}
