package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
	"time"
)

const (
	// tmpDir holds Puts in progress. It sits inside the root so that the final
	// rename never crosses a filesystem boundary and is therefore atomic.
	tmpDir = ".tmp"
	// staleTmpAge is how old a temp file must be before NewLocal deletes it:
	// old enough that no live Put (in this or another process sharing the
	// directory) can still be writing it.
	staleTmpAge = time.Hour

	dirPerm  fs.FileMode = 0o750
	filePerm fs.FileMode = 0o640

	// maxSegment is NAME_MAX on the filesystems a server runs on (ext4, xfs,
	// btrfs, APFS): a longer path segment cannot be a file name.
	maxSegment = 255
)

// Local keeps blobs as files under a directory.
//
// Every access goes through an os.Root, so no key, symlink or race can reach
// outside the directory; on top of that, foreign symlinks inside it are not
// treated as blobs (Stat and Open report ErrNotFound, Walk skips them), since
// Local never creates one.
//
// Beyond ValidKey, Local rejects with ErrInvalidKey keys whose first segment
// is ".tmp" (reserved for Puts in progress) and keys with a segment longer
// than 255 bytes (the filesystem's limit on a name). A key cannot be both a blob and the directory
// of another ("a" and "a/b"): Put of the second fails.
type Local struct {
	root *os.Root
}

// NewLocal opens (creating it if needed) a blob directory and removes temp
// files that crashed Puts left behind more than an hour ago.
//
// The *os.Root it holds keeps one directory descriptor open for the life of
// the process; Local has no Close because a store lives as long as the server.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blob: local: empty directory name")
	}
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: local: create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: local: open %s: %w", dir, err)
	}
	l := &Local{root: root}
	if err := root.MkdirAll(tmpDir, dirPerm); err != nil {
		root.Close()
		return nil, fmt.Errorf("blob: local: create %s: %w", path.Join(dir, tmpDir), err)
	}
	if err := l.removeStaleTemps(time.Now().Add(-staleTmpAge)); err != nil {
		root.Close()
		return nil, fmt.Errorf("blob: local: %s: %w", dir, err)
	}
	return l, nil
}

func (l *Local) removeStaleTemps(before time.Time) error {
	entries, err := fs.ReadDir(l.root.FS(), tmpDir)
	if err != nil {
		return fmt.Errorf("clean temp files: %w", err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // finished or removed meanwhile
		}
		if err != nil {
			return fmt.Errorf("clean temp files: %w", err)
		}
		if fi.ModTime().Before(before) {
			if err := l.root.RemoveAll(path.Join(tmpDir, e.Name())); err != nil {
				return fmt.Errorf("clean temp files: %w", err)
			}
		}
	}
	return nil
}

// checkKey rejects invalid keys, the reserved temp directory and segments
// too long to be file names.
func checkKey(op, key string) error {
	if !ValidKey(key) || key == tmpDir || strings.HasPrefix(key, tmpDir+"/") {
		return fmt.Errorf("%s %q: %w", op, key, ErrInvalidKey)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if len(seg) > maxSegment {
			return fmt.Errorf("%s %q: %w: segment longer than %d bytes", op, key, ErrInvalidKey, maxSegment)
		}
	}
	return nil
}

// Put stores r under key atomically: the bytes go to a temp file that is
// synced and then renamed over the key, so readers see the old blob or the
// new one, never a part. size is -1 if unknown; otherwise a reader yielding
// a different number of bytes fails the Put. contentType is not stored (Local
// derives it from the key's extension).
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey("put", key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := l.put(ctx, key, r, size); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func (l *Local) put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	// Recreated on demand in case someone cleaned the directory by hand.
	if err := l.root.MkdirAll(tmpDir, dirPerm); err != nil {
		return err
	}
	tmp, f, err := l.createTemp()
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			// Best effort: the Put has already failed, and whatever is
			// left is removed by the next NewLocal's stale-file sweep.
			_ = l.root.Remove(tmp)
		}
	}()

	if _, err := io.Copy(f, newPutReader(ctx, r, size)); err != nil {
		return err
	}
	// Data must be on disk before the rename makes it visible, or a crash
	// could leave a complete-looking name over empty or partial content.
	if err := f.Sync(); err != nil {
		return err
	}
	cerr := f.Close()
	f = nil
	if cerr != nil {
		return cerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	dir := path.Dir(key)
	if err := l.root.MkdirAll(dir, dirPerm); err != nil {
		return err
	}
	if err := l.root.Rename(tmp, key); err != nil {
		return err
	}
	// The rename lives in the directory's entries; sync them so the blob
	// survives a crash. Cheap (one open), and best effort: the data is
	// already safe and a failure here does not make the Put untrue.
	if d, err := l.root.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// createTemp makes a new, exclusively created file in the temp directory.
// os.Root has no CreateTemp, so the name is random and O_EXCL guards clashes.
func (l *Local) createTemp() (string, *os.File, error) {
	for range 10 {
		var b [12]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand)
		name := path.Join(tmpDir, hex.EncodeToString(b[:]))
		f, err := l.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("cannot create a unique temp file")
}

// Open opens the blob under key, positioned at its start.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	if err := checkKey("open", key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if _, err := l.lstat(key); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	// Between the Lstat and here the file may have been swapped for a
	// symlink; os.Root still keeps the open inside the directory, and the
	// Stat below checks we got a regular file.
	f, err := l.root.Open(key)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, notFound(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, ErrNotFound)
	}
	return &localObject{File: f, info: localInfo(key, fi)}, nil
}

// Stat describes the blob under key.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := checkKey("stat", key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	fi, err := l.lstat(key)
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return localInfo(key, fi), nil
}

// lstat returns the key's file info, or ErrNotFound unless it is a regular
// file (directories and symlinks are not blobs).
func (l *Local) lstat(key string) (fs.FileInfo, error) {
	fi, err := l.root.Lstat(key)
	if err != nil {
		return nil, notFound(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrNotFound
	}
	return fi, nil
}

// Delete removes the blob under key; a missing key is not an error. Empty
// parent directories are left in place: removing them would race with a
// concurrent Put into the same directory.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := checkKey("delete", key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	fi, err := l.root.Lstat(key)
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if fi.IsDir() {
		return nil // a directory of other blobs, not a blob
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Walk calls fn for every blob whose key starts with prefix, in key order,
// and stops at fn's first error, which it returns. Files that are not blobs
// (temp files, symlinks, names that are not valid keys) are skipped.
func (l *Local) Walk(ctx context.Context, prefix string, fn func(Info) error) error {
	if !validPrefix(prefix) {
		return fmt.Errorf("walk %q: %w", prefix, ErrInvalidKey)
	}
	return l.walkDir(ctx, ".", prefix, fn)
}

// walkDir visits one directory. Siblings are sorted by name, with "/"
// appended to directory names: every key under directory "a" starts with
// "a/", so this order is exactly the byte order of the full keys ("a.b" <
// "a/x" because '.' < '/'), which plain name order would get wrong.
func (l *Local) walkDir(ctx context.Context, dir, prefix string, fn func(Info) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("walk %s: %w", prefix, err)
	}
	entries, err := fs.ReadDir(l.root.FS(), dir)
	if err != nil {
		if dir != "." && errors.Is(err, fs.ErrNotExist) {
			return nil // removed while walking
		}
		return fmt.Errorf("walk %s: %w", prefix, err)
	}
	sortName := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortName(a), sortName(b)) })

	for _, e := range entries {
		key := e.Name()
		if dir != "." {
			key = dir + "/" + e.Name()
		}
		switch {
		case dir == "." && e.Name() == tmpDir:
			continue
		case e.IsDir():
			// Descend only where keys can still match the prefix.
			sub := key + "/"
			if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := l.walkDir(ctx, key, prefix, fn); err != nil {
					return err
				}
			}
		case e.Type().IsRegular() && strings.HasPrefix(key, prefix) && ValidKey(key):
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted while walking
			}
			if err != nil {
				return fmt.Errorf("walk %s: %w", prefix, err)
			}
			if err := fn(localInfo(key, fi)); err != nil {
				return err
			}
		}
	}
	return nil
}

func localInfo(key string, fi fs.FileInfo) Info {
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime(), ContentType: contentTypeByExt(key)}
}

// notFound maps "no such file" and "a parent is a file" (ENOTDIR, as for
// "a/b" when "a" is a blob) to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return ErrNotFound
	}
	return err
}

// localObject is an open file plus the Info it was opened with.
type localObject struct {
	*os.File
	info Info
}

func (o *localObject) Info() Info { return o.info }
