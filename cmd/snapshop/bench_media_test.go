package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/media/synth"
)

func TestBenchMediaPrintsATable(t *testing.T) {
	e, stdout, stderr := testEnv(nil, "")
	err := runBenchMedia(context.Background(), []string{"--count", "1", "--runs", "1", "--width", "640", "--height", "480"}, e)
	if err != nil {
		t.Fatalf("bench media: %v\n%s", err, stderr)
	}
	out := stdout.String()
	for _, want := range []string{"ours ms", "MP/s", "photo-1.jpg", "jpeg", "0.3", "median", "Peak RSS of this process"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	t.Log("\n" + out)
}

func TestBenchMediaDirectory(t *testing.T) {
	dir := t.TempDir()
	b, err := synth.JPEG(300, 200, 2, 80)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"a.jpg": b, "notes.txt": []byte("not a photo"), "b.jpeg.bak": b} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e, stdout, _ := testEnv(nil, "")
	if err := runBenchMedia(context.Background(), []string{"--dir", dir, "--runs", "1"}, e); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	if !strings.Contains(out, "a.jpg") || !strings.Contains(out, "b.jpeg.bak") || strings.Contains(out, "notes.txt") {
		t.Errorf("photos are chosen by content:\n%s", out)
	}
}

func TestBenchMediaBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--runs", "0"}, {"--count", "0"}, {"--nope"}, {"extra"}, {"--dir", "/nonexistent/dir"}} {
		e, _, _ := testEnv(nil, "")
		err := runBenchMedia(context.Background(), args, e)
		if !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	e, _, stderr := testEnv(nil, "")
	if err := runBenchMedia(context.Background(), []string{"-h"}, e); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if strings.Contains(stderr.String(), "width") || !strings.Contains(stderr.String(), "--runs") {
		t.Errorf("help shows hidden flags or misses visible ones:\n%s", stderr)
	}
}

func TestParsePeakRSS(t *testing.T) {
	status := "Name:\tsnapshop\nVmPeak:\t  900000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  1000 kB\n"
	if got := parsePeakRSS(strings.NewReader(status)); got != "200 MB" {
		t.Errorf("got %q", got)
	}
	if got := parsePeakRSS(strings.NewReader("Name: x\n")); got != "unknown" {
		t.Errorf("got %q", got)
	}
}
