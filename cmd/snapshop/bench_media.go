package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/snapshop/snapshop/media"
	"github.com/snapshop/snapshop/media/synth"
)

// runBenchMedia times the image pipeline (media.Derive) on a directory of photos, or on
// generated 6000×4000 ones, and compares it with libvips' vipsthumbnail when that is installed:
//
//	snapshop bench media [--dir DIR] [--count N] [--runs N]
func runBenchMedia(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("snapshop bench media", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", "", "directory of JPEG and PNG photos to process (default: generate --count synthetic 6000×4000 JPEGs)")
	count := fs.Int("count", 5, "how many synthetic photos to generate when --dir is not given")
	runs := fs.Int("runs", 3, "how many times each photo is processed; the median is reported")
	// Hidden: the size of generated photos, so that tests can run the command quickly.
	width := fs.Int("width", 6000, "")
	height := fs.Int("height", 4000, "")
	hidden := map[string]bool{"width": true, "height": true}
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: snapshop bench media [flags]\n\nTimes media.Derive (and vipsthumbnail, when installed) on photos.\n\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			if !hidden[f.Name] {
				fmt.Fprintf(fs.Output(), "  --%s\n    \t%s (default %q)\n", f.Name, f.Usage, f.DefValue)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	case *runs < 1:
		return usageError{errors.New("--runs must be at least 1")}
	case *dir == "" && *count < 1:
		return usageError{errors.New("--count must be at least 1")}
	case *width < 16 || *height < 16 || *width*(*height) > 100_000_000:
		return usageError{errors.New("--width and --height must be at least 16 and make at most 100 megapixels")}
	}

	if *dir == "" {
		tmp, err := os.MkdirTemp("", "snapshop-bench-media-")
		if err != nil {
			return fmt.Errorf("bench media: %w", err)
		}
		defer os.RemoveAll(tmp)
		fmt.Fprintf(e.stdout, "Generating %d synthetic %d×%d JPEGs (quality 90) in %s\n", *count, *width, *height, tmp)
		for i := range *count {
			b, err := synth.JPEG(*width, *height, int64(i+1), 90)
			if err != nil {
				return fmt.Errorf("bench media: %w", err)
			}
			if err := os.WriteFile(filepath.Join(tmp, fmt.Sprintf("photo-%d.jpg", i+1)), b, 0o600); err != nil {
				return fmt.Errorf("bench media: %w", err)
			}
		}
		*dir = tmp
	}
	photos, err := findBenchPhotos(*dir)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		return usageError{fmt.Errorf("no JPEG or PNG photos in %s", *dir)}
	}

	// Measure the pipeline, not the generation of its input: return the generator's memory to
	// the OS and restart the peak-RSS count where the kernel allows it.
	runtime.GC()
	debug.FreeOSMemory()
	peakReset := resetPeakRSS() == nil

	vips, _ := exec.LookPath("vipsthumbnail") // #nosec G204 -- a fixed tool name from PATH
	vipsOut := ""
	if vips != "" {
		if vipsOut, err = os.MkdirTemp("", "snapshop-bench-vips-"); err != nil {
			return fmt.Errorf("bench media: %w", err)
		}
		defer os.RemoveAll(vipsOut)
	}

	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "file\tformat\tsize\tMP\tours ms\tMP/s\t"
	if vips != "" {
		header += "vips ms\tours/vips\t"
	}
	fmt.Fprintln(tw, header)
	var ours, theirs, ratios, rates []float64
	for _, p := range photos {
		data, err := os.ReadFile(p.path)
		if err != nil {
			return fmt.Errorf("bench media: %w", err)
		}
		mp := float64(p.info.Width) * float64(p.info.Height) / 1e6
		ms, err := timeBenchRuns(ctx, *runs, func() error {
			_, err := media.Derive(ctx, data, media.DeriveOptions{})
			return err
		})
		if err != nil {
			return fmt.Errorf("bench media: %s: %w", p.name, err)
		}
		ours = append(ours, ms)
		rates = append(rates, mp/(ms/1000))
		row := fmt.Sprintf("%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t", p.name, p.info.Format, benchMB(len(data)), mp, ms, mp/(ms/1000))
		if vips != "" {
			out := filepath.Join(vipsOut, "%s.jpg")
			vms, err := timeBenchRuns(ctx, *runs, func() error {
				cmd := exec.CommandContext(ctx, vips, p.path, "-s", "1200", "-o", out) // #nosec G204 -- our own arguments
				if b, err := cmd.CombinedOutput(); err != nil {
					return fmt.Errorf("vipsthumbnail: %w: %s", err, bytes.TrimSpace(b))
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("bench media: %s: %w", p.name, err)
			}
			theirs = append(theirs, vms)
			ratios = append(ratios, ms/vms)
			row += fmt.Sprintf("%.1f\t%.2f\t", vms, ms/vms)
		}
		fmt.Fprintln(tw, row)
	}
	summary := fmt.Sprintf("median\t\t\t\t%.1f\t%.1f\t", benchMedian(ours), benchMedian(rates))
	if vips != "" {
		summary += fmt.Sprintf("%.1f\t%.2f\t", benchMedian(theirs), benchMedian(ratios))
	}
	fmt.Fprintln(tw, summary)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench media: %w", err)
	}

	fmt.Fprintf(e.stdout, "\n%d photo(s), %d run(s) each, wall time per media.Derive call (decode, orient, thumbnail, watermarked preview, colours, pHash, encode).\n", len(photos), *runs)
	if vips != "" {
		fmt.Fprintln(e.stdout, "vips: `vipsthumbnail FILE -s 1200` as a process, start-up included; ours/vips is the median of the per-file ratios.")
	} else {
		fmt.Fprintln(e.stdout, "vipsthumbnail is not on PATH (Debian: libvips-tools): no comparison.")
	}
	if peakReset {
		fmt.Fprintf(e.stdout, "Peak RSS of this process while deriving: %s\n", benchPeakRSS())
	} else {
		fmt.Fprintf(e.stdout, "Peak RSS of this process (photo generation included): %s\n", benchPeakRSS())
	}
	return nil
}

type benchPhoto struct {
	name, path string
	info       media.Info
}

// findBenchPhotos lists the JPEG and PNG files in dir, by content rather than by name.
func findBenchPhotos(dir string) ([]benchPhoto, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usageError{fmt.Errorf("bench media: %w", err)}
	}
	var photos []benchPhoto
	for _, de := range entries {
		if !de.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, de.Name())
		info, err := inspectBenchFile(path)
		if err != nil || info.Format != media.JPEG && info.Format != media.PNG {
			continue // not a photo we process: skip it, as vipsthumbnail would refuse it too
		}
		photos = append(photos, benchPhoto{name: de.Name(), path: path, info: info})
	}
	return photos, nil
}

func inspectBenchFile(path string) (media.Info, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the directory
	if err != nil {
		return media.Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return media.Info{}, err
	}
	return media.Inspect(f, st.Size(), media.Limits{})
}

// timeBenchRuns runs fn n times and returns the median wall time in milliseconds.
func timeBenchRuns(ctx context.Context, n int, fn func() error) (float64, error) {
	ms := make([]float64, 0, n)
	for range n {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	return benchMedian(ms), nil
}

func benchMedian(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchMB(n int) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// benchPeakRSS reads the process's peak resident set size (VmHWM) from /proc/self/status.
func benchPeakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown (no /proc/self/status)"
	}
	defer f.Close()
	return parsePeakRSS(f)
}

// resetPeakRSS restarts the kernel's peak-RSS count (VmHWM) at the current RSS (Linux ≥ 4.0).
func resetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func parsePeakRSS(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return fmt.Sprintf("%.0f MB", float64(kb)/1024)
			}
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
