package search

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// releaseMapped tells the kernel this process no longer needs the pages of
// the files under dir that it has mapped (Bleve mmaps every segment).
// Loading the engine reads every segment once; without this, each page read
// stays in the process's RSS until the mapping is closed, so the load's peak
// would be the whole index on disk plus the engine in the heap. The pages
// stay in the page cache and fault back in if a segment is read again, so
// this is only ever a hint: failures are ignored.
func releaseMapped(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }()
	prefix := abs + string(filepath.Separator)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasPrefix(fields[5], prefix) {
			continue
		}
		lo, hi, ok := parseRange(fields[0])
		if !ok {
			continue
		}
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_DONTNEED)
	}
}

// releaseMappedEvery calls releaseMapped(dir) every d until stop is called,
// for work that reads mapped files once and would otherwise keep every page
// it read in RSS until it closes them.
func releaseMappedEvery(dir string, d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				releaseMapped(dir)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func parseRange(s string) (lo, hi uintptr, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	l, err1 := strconv.ParseUint(a, 16, 64)
	h, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil || h <= l {
		return 0, 0, false
	}
	return uintptr(l), uintptr(h), true
}
