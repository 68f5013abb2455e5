package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapshop/snapshop/media/blob"
)

func newLocal(t *testing.T) *blob.Local {
	t.Helper()
	l, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newLocalAt returns a store and its directory.
func newLocalAt(t *testing.T) (*blob.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	l, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

func TestLocal(t *testing.T) {
	t.Parallel()
	testStore(t, func(t *testing.T) store { return newLocal(t) })
}

func TestLocalCreatesDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "x", "y")
	if _, err := blob.NewLocal(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		t.Fatalf("NewLocal did not create %s: %v", dir, err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewLocal(file); err == nil {
		t.Error("NewLocal on a regular file succeeded")
	}
	if _, err := blob.NewLocal(""); err == nil {
		t.Error(`NewLocal("") succeeded`)
	}
}

func TestLocalLayoutAndPermissions(t *testing.T) {
	t.Parallel()
	l, dir := newLocalAt(t)
	mustPut(t, l, "originals/ab/cd.jpg", data(10, 0))

	fi, err := os.Lstat(filepath.Join(dir, "originals", "ab", "cd.jpg"))
	if err != nil {
		t.Fatalf("blob is not at root/key: %v", err)
	}
	// The process umask may only take bits away.
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&^0o640 != 0 || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("file mode %v, want -rw-r----- (or stricter for group)", fi.Mode())
	}
	for _, d := range []string{"originals", "originals/ab"} {
		fi, err := os.Lstat(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm()&^0o750 != 0 || fi.Mode().Perm()&0o700 != 0o700 {
			t.Errorf("%s mode %v, want drwxr-x---", d, fi.Mode())
		}
	}
}

func tmpEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestLocalNoTempFilesLeft(t *testing.T) {
	t.Parallel()
	l, dir := newLocalAt(t)
	for _, tt := range failedPuts() {
		if err := l.Put(t.Context(), "k", tt.r(), tt.size, ""); err == nil {
			t.Errorf("%s: Put succeeded", tt.name)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancellingReader{r: bytes.NewReader(data(100_000, 0)), cancel: cancel}
	if err := l.Put(ctx, "k", r, -1, ""); err == nil {
		t.Error("cancelled Put succeeded")
	}
	// A blob whose key is taken by a directory cannot be renamed into place.
	mustPut(t, l, "taken/child", data(1, 0))
	if err := l.Put(t.Context(), "taken", bytes.NewReader(data(5, 0)), 5, ""); err == nil {
		t.Error("Put over a directory succeeded")
	}
	mustPut(t, l, "ok", data(100, 0))
	if names := tmpEntries(t, dir); len(names) != 0 {
		t.Errorf(".tmp holds %q after Puts finished", names)
	}
}

func TestLocalStaleTempFilesCleaned(t *testing.T) {
	t.Parallel()
	l, dir := newLocalAt(t)
	mustPut(t, l, "kept", data(10, 0))
	tmp := filepath.Join(dir, ".tmp")
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{"stale", "fresh"} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(filepath.Join(tmp, "stale"), old, old); err != nil {
		t.Fatal(err)
	}
	if keys := walkKeys(t, l, ""); !slices.Equal(keys, []string{"kept"}) {
		t.Errorf("Walk reports temp files: %q", keys)
	}

	l2, err := blob.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Only the stale one: a fresh one may belong to a Put still running in
	// another process.
	if names := tmpEntries(t, dir); !slices.Equal(names, []string{"fresh"}) {
		t.Errorf(".tmp holds %q after NewLocal, want only the fresh file", names)
	}
	if got := readAll(t, l2, "kept"); len(got) != 10 {
		t.Error("NewLocal lost a blob")
	}
}

func TestLocalReservedKeys(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	for _, key := range []string{".tmp", ".tmp/x"} {
		if err := l.Put(t.Context(), key, bytes.NewReader(nil), 0, ""); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := l.Stat(t.Context(), key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := l.Delete(t.Context(), key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	// A segment that cannot be a file name is rejected as invalid too.
	long := strings.Repeat("a", 256)
	if err := l.Put(t.Context(), "x/"+long, bytes.NewReader(nil), 0, ""); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("Put(256-byte segment) = %v, want ErrInvalidKey", err)
	}
	mustPut(t, l, strings.Repeat("b", 255), nil)
	// Keys that merely start alike are ordinary.
	mustPut(t, l, ".tmpx", data(1, 0))
	mustPut(t, l, "a/.tmp", data(1, 0))
	if keys := walkKeys(t, l, ""); !slices.Equal(keys, []string{".tmpx", "a/.tmp", strings.Repeat("b", 255)}) {
		t.Errorf("Walk = %q", keys)
	}
}

// TestLocalSymlinksNotFollowed plants symlinks inside the root that point
// outside it. Local reads through an os.Root, which refuses to leave the
// directory, and treats symlinks as not being blobs at all.
func TestLocalSymlinksNotFollowed(t *testing.T) {
	t.Parallel()
	l, dir := newLocalAt(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.jpg")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"abs.jpg": secret,
		"rel.jpg": filepath.Join("..", "..", filepath.Base(outside), "secret.jpg"),
		"dirlink": outside,
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("cannot create symlinks here: %v", err)
		}
	}
	// The relative link does resolve outside, for the OS.
	if b, err := os.ReadFile(filepath.Join(dir, "rel.jpg")); err != nil || string(b) != "secret" {
		t.Fatalf("test setup: rel.jpg does not reach the secret: %v", err)
	}

	for _, key := range []string{"abs.jpg", "rel.jpg", "dirlink/secret.jpg"} {
		o, err := l.Open(t.Context(), key)
		if err == nil {
			b, _ := io.ReadAll(o)
			o.Close()
			t.Errorf("Open(%q) followed a symlink out of the root and read %q", key, b)
			continue
		}
		if _, err := l.Stat(t.Context(), key); err == nil {
			t.Errorf("Stat(%q) followed a symlink out of the root", key)
		}
	}
	if keys := walkKeys(t, l, ""); len(keys) != 0 {
		t.Errorf("Walk reports symlinks: %q", keys)
	}
	// Deleting the key removes the link, never its target.
	if err := l.Delete(t.Context(), "abs.jpg"); err != nil {
		t.Errorf("Delete(abs.jpg) = %v", err)
	}
	if _, err := os.Stat(secret); err != nil {
		t.Errorf("Delete reached outside the root: %v", err)
	}
	// Writing through a planted directory link must not escape either.
	if err := l.Put(t.Context(), "dirlink/new.jpg", bytes.NewReader(data(3, 0)), 3, ""); err == nil {
		t.Error("Put through a symlinked directory out of the root succeeded")
	}
	if _, err := os.Lstat(filepath.Join(outside, "new.jpg")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Put wrote outside the root: %v", err)
	}
}

func TestLocalWalkSkipsForeignFiles(t *testing.T) {
	t.Parallel()
	l, dir := newLocalAt(t)
	mustPut(t, l, "a/ok.jpg", data(1, 0))
	for _, name := range []string{"README.TXT", "a/Upper.jpg", "a/with space"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if keys := walkKeys(t, l, ""); !slices.Equal(keys, []string{"a/ok.jpg"}) {
		t.Errorf("Walk = %q, want only the valid key", keys)
	}
}
