package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// benchWorkDir prepares where a benchmark writes: dir, or a fresh temporary
// directory when dir is "". The named entries under it must not exist yet, so
// a run never mixes with (or deletes) an earlier one's files. Unless keep, the
// returned cleanup removes what the run made: the whole temporary directory,
// or only the named entries in a directory the user chose.
func benchWorkDir(cmd, dir string, keep bool, out io.Writer, names ...string) (root string, cleanup func(), err error) {
	root = dir
	if root == "" {
		if root, err = os.MkdirTemp("", "snapshop-bench-"+cmd+"-"); err != nil {
			return "", nil, fmt.Errorf("bench %s: %w", cmd, err)
		}
	} else if err := os.MkdirAll(root, 0o750); err != nil {
		return "", nil, fmt.Errorf("bench %s: %w", cmd, err)
	}
	for _, n := range names {
		if p := filepath.Join(root, n); exists(p) {
			return "", nil, usageError{fmt.Errorf("bench %s: %s exists: remove it or choose another directory", cmd, p)}
		}
	}
	if keep {
		fmt.Fprintf(out, "Files are kept in %s\n", root)
		return root, func() {}, nil
	}
	return root, func() {
		if dir == "" {
			_ = os.RemoveAll(root)
			return
		}
		for _, n := range names {
			_ = os.RemoveAll(filepath.Join(root, n))
		}
	}, nil
}

// sqliteFiles names a SQLite database file and the files SQLite keeps
// beside it, for benchWorkDir.
func sqliteFiles(name string) []string {
	return []string{name, name + "-wal", name + "-shm", name + "-journal"}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
