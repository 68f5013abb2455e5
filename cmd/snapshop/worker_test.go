package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/catalog"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
	"github.com/snapshop/snapshop/media/blob"
	"github.com/snapshop/snapshop/media/synth"
)

func TestWorkerNeedsPostgreSQL(t *testing.T) {
	e, _, _ := testEnv(databaseVars(t, store.SQLite), "")
	err := run(t.Context(), []string{"worker"}, e)
	if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "needs PostgreSQL") {
		t.Fatalf("worker on SQLite: %v, want a usage error naming PostgreSQL", err)
	}
}

// TestWorkerProcessesUploadsWithoutAServer: an upload queued by a server
// (here, the catalogue service on the shared database and blob store) is
// processed by `snapshop worker` alone, which stops cleanly when told and
// leaves a server's staged uploads in the shared data directory alone.
func TestWorkerProcessesUploadsWithoutAServer(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skip("needs PostgreSQL (" + storetest.EnvPostgres + "): worker processes share a database only there")
	}
	vars := databaseVars(t, store.Postgres)
	data := vars["SNAPSHOP_DATA"]
	e, _, _ := testEnv(vars, "")
	if err := run(t.Context(), []string{"migrate"}, e); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"user", "create", "--username", "cora", "--email", "cora@example.com", "--role", "contributor", "--password", "cora-password"}, e); err != nil {
		t.Fatal(err)
	}

	db, err := store.Open(t.Context(), store.Options{Dialect: store.Postgres, DSN: vars["DATABASE_URL"], Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs, err := blob.NewLocal(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	images, err := catalog.NewService(db, blobs, catalog.Options{
		Limits:  catalog.Limits{MaxFileBytes: 1 << 20, MinPixels: 1, MaxPixels: 1 << 20, MaxFiles: 1, MaxDrafts: 10, MaxPending: 10},
		TempDir: filepath.Join(data, "tmp"),
		Logger:  storetest.Logger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	cora, err := db.UserByUsername(t.Context(), "cora")
	if err != nil {
		t.Fatal(err)
	}
	photo, err := synth.JPEG(320, 240, 5, 85)
	if err != nil {
		t.Fatal(err)
	}
	st, err := images.Stage(t.Context(), "harbour.jpg", bytes.NewReader(photo))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	img, err := images.Ingest(t.Context(), cora, st)
	if err != nil {
		t.Fatal(err)
	}
	if img.Status != app.StatusProcessing {
		t.Fatalf("uploaded image is %s", img.Status)
	}
	inFlight := filepath.Join(data, "tmp", "upload-in-flight")
	if err := os.WriteFile(inFlight, []byte("a server's upload"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"worker", "--workers", "1"}, e) }()
	waitUntil(t, "the worker to process the upload", func() bool {
		got, err := db.ImageByPublicID(t.Context(), img.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status == app.StatusDraft
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if _, err := os.Stat(inFlight); err != nil {
		t.Fatalf("the worker touched the server's staging directory: %v", err)
	}
	left, err := filepath.Glob(filepath.Join(data, "worker-*"))
	if err != nil || len(left) != 0 {
		t.Fatalf("the worker left %v behind (%v)", left, err)
	}
}
