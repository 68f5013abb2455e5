package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/config"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/search/synthetic"
)

// runBenchHTTP measures the whole server over HTTP on a generated catalogue:
//
//	snapshop bench http [--images N] [--clients N] [--duration D | --requests N] [--routes list] [--postgres URL] [--cpuprofile FILE]
//
// It writes the catalogue into a fresh database, starts the real server (the Main of
// `snapshop serve`) in this process on a loopback port, waits until its search index is built,
// then drives one route after another from --clients concurrent keep-alive clients and reports
// per route requests/s, latency percentiles and errors, and the process's peak memory.
func runBenchHTTP(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("snapshop bench http", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var o benchHTTPOptions
	var routes string
	fs.IntVar(&o.images, "images", 100_000, "published images in the generated catalogue")
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients, each on its own keep-alive connection")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each route is driven")
	fs.IntVar(&o.requests, "requests", 0, "send this many requests per route instead of driving it for --duration")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "untimed load on each route before it is measured")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the synthetic catalogue, queries and prefixes")
	fs.StringVar(&routes, "routes", strings.Join(httpRouteNames(), ","), "comma-separated routes to drive, in this order")
	fs.StringVar(&o.dir, "dir", "", "directory for the server's data (default: a temporary one)")
	fs.BoolVar(&o.keep, "keep", false, "keep the data directory and the server's log after the run")
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL URL: run the server on a fresh schema of it, dropped afterwards (default: SQLite)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured load (server and load generator) to this file")
	fs.IntVar(&o.maxInFlight, "max-in-flight", 0, "the server's --max-in-flight: requests computed at once, the rest queued in order (0: its default)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: snapshop bench http [flags]\n\nStarts the server on a generated catalogue and drives its pages and API from\nconcurrent clients; reports requests/s, latency and errors per route, and peak memory.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, r := range strings.Split(routes, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if !slices.Contains(httpRouteNames(), r) {
			return usageError{fmt.Errorf("--routes: unknown route %q (want some of %s)", r, strings.Join(httpRouteNames(), ", "))}
		}
		o.routes = append(o.routes, r)
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	case o.images < 1 || o.images > 10_000_000:
		return usageError{errors.New("--images must be between 1 and 10000000")}
	case o.clients < 1 || o.clients > 10_000:
		return usageError{errors.New("--clients must be between 1 and 10000")}
	case set["duration"] && set["requests"]:
		return usageError{errors.New("give --duration or --requests, not both")}
	case o.requests < 0:
		return usageError{errors.New("--requests must be positive")}
	case o.requests == 0 && o.duration <= 0:
		return usageError{errors.New("--duration must be positive")}
	case o.maxInFlight < 0:
		return usageError{errors.New("--max-in-flight must not be negative")}
	case o.warmup < 0:
		return usageError{errors.New("--warmup must not be negative")}
	case len(o.routes) == 0:
		return usageError{errors.New("--routes names no route")}
	}
	return benchHTTP(ctx, o, e)
}

// benchHTTPOptions are the flags of `snapshop bench http`.
type benchHTTPOptions struct {
	images, clients int
	duration        time.Duration // per route, when requests is 0
	requests        int           // per route; 0: for duration
	warmup          time.Duration
	seed            int64
	routes          []string
	dir             string
	keep            bool
	postgres        string
	cpuprofile      string
	maxInFlight     int
}

// The routes the load generator drives, in their default order: first the machine's ceiling.
const (
	routeStatic    = "static"
	routeHome      = "home"
	routeSearch    = "search"
	routeAPISearch = "api-search"
	routeImage     = "image"
	routeRelated   = "related"
	routeSuggest   = "suggest"
)

func httpRouteNames() []string {
	return []string{routeStatic, routeHome, routeSearch, routeAPISearch, routeImage, routeRelated, routeSuggest}
}

// httpRouteLabel is how the report names a route.
func httpRouteLabel(name string) string {
	return map[string]string{
		routeStatic:    "static asset",
		routeHome:      "home page",
		routeSearch:    "search page",
		routeAPISearch: "search API",
		routeImage:     "image page",
		routeRelated:   "more like this",
		routeSuggest:   "suggest",
	}[name]
}

// httpRouteResult is one route's measurement.
type httpRouteResult struct {
	name    string
	example string // one of the paths requested
	paths   int    // how many distinct paths
	res     *httpLoadResult
	peakKB  int64         // the process's peak RSS during the route
	cpu     time.Duration // CPU time of the whole process (server and load generator)
	busy    float64       // the share of the machine's CPU time anything used; -1: unknown
	loadAvg string
}

// cpuPerRequest is the process's CPU time per completed request: unlike requests/s, it
// hardly moves when other programs compete for the CPUs.
func (r *httpRouteResult) cpuPerRequest() time.Duration {
	return r.cpu / time.Duration(max(len(r.res.lat), 1))
}

// ours is the share of the machine's CPU time this process used during the route.
func (r *httpRouteResult) ours() float64 {
	return r.cpu.Seconds() / (r.res.elapsed.Seconds() * float64(runtime.NumCPU()))
}

// benchMachineCPU reads the machine's busy and total CPU time (in clock ticks) from
// /proc/stat: with other programs busy, the server gets only a share of the CPUs, and
// requests/s fall with it while CPU per request does not. Zeros when unknown.
func benchMachineCPU() (busy, total uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0
		}
		total += n
		if i != 3 && i != 4 { // idle and iowait
			busy += n
		}
	}
	return busy, total
}

func benchPercent(f float64) string {
	if f < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

// benchCPUTime is the CPU time (user and system) this process has used so far.
func benchCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// httpQueries is how many queries and prefixes the search routes cycle through.
const httpQueries = 2000

func benchHTTP(ctx context.Context, o benchHTTPOptions, e env) (err error) {
	out := e.stdout
	dir, cleanup, err := benchWorkDir("http", o.dir, o.keep, out, "data", "server.log")
	if err != nil {
		return err
	}
	defer cleanup()
	dataDir, logPath := filepath.Join(dir, "data"), filepath.Join(dir, "server.log")

	load := "for " + o.duration.String()
	if o.requests > 0 {
		load = benchThousands(int64(o.requests)) + " requests"
	}
	fmt.Fprintf(out, "HTTP: %s synthetic images (seed %d); %d concurrent clients, each route %s after %s of warm-up; %d CPUs, Go %s.\n",
		benchThousands(int64(o.images)), o.seed, o.clients, load, o.warmup, runtime.NumCPU(), runtime.Version())

	vars := map[string]string{
		"SNAPSHOP_DATA":      dataDir,
		"SNAPSHOP_ADDR":      "127.0.0.1:0",
		"SNAPSHOP_LOG_LEVEL": "info", // the default: every request is logged, as in production
	}
	if o.maxInFlight != 0 {
		vars["SNAPSHOP_MAX_IN_FLIGHT"] = strconv.Itoa(o.maxInFlight)
	}
	dbName := "SQLite (" + filepath.Join(dataDir, "snapshop.db") + ")"
	if o.postgres != "" {
		dsn, version, drop, err := benchPostgresSchema(ctx, o.postgres, "bench_http_")
		if err != nil {
			return fmt.Errorf("bench http: %w", err)
		}
		defer func() { err = errors.Join(err, drop()) }()
		vars["DATABASE_URL"] = dsn
		dbName = "PostgreSQL " + version
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return fmt.Errorf("bench http: configuration: %w", err)
	}
	fmt.Fprintf(out, "Database: %s\n", dbName)

	cat, err := benchHTTPSeed(ctx, cfg, o, out)
	if err != nil {
		return fmt.Errorf("bench http: %w", err)
	}

	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600) // #nosec G304 -- our own temporary path
	if err != nil {
		return fmt.Errorf("bench http: %w", err)
	}
	defer logFile.Close()
	srv, err := benchHTTPStart(ctx, cfg, logFile, out)
	if err != nil {
		return fmt.Errorf("bench http: %w", err)
	}
	defer func() { err = errors.Join(err, srv.stop()) }()

	routes, err := benchHTTPPaths(ctx, srv.addr, o, cat)
	if err != nil {
		return fmt.Errorf("bench http: %w", err)
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile) // #nosec G304 -- a path the user named
		if err != nil {
			return fmt.Errorf("bench http: cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench http: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	benchFreeMemory()
	fmt.Fprintf(out, "Serving, before load: %s\n\n", benchRSSNow())
	var results []*httpRouteResult
	var peakKB int64
	for _, name := range o.routes {
		r, err := benchHTTPRoute(ctx, srv.addr, o, name, routes[name], out)
		if err != nil {
			return fmt.Errorf("bench http: %s: %w", httpRouteLabel(name), err)
		}
		results = append(results, r)
		peakKB = max(peakKB, r.peakKB)
	}
	fmt.Fprintf(out, "\nAfter the load: %s\n", benchRSSNow())
	if o.cpuprofile != "" {
		pprof.StopCPUProfile()
		fmt.Fprintf(out, "CPU profile of the measured load: %s (go tool pprof -top %s)\n", o.cpuprofile, o.cpuprofile)
	}
	if err := srv.stop(); err != nil {
		return fmt.Errorf("bench http: server: %w", err)
	}
	benchHTTPServerLog(out, logPath)
	printBenchHTTP(out, o, results, srv.startPeakKB, peakKB)

	var failed []string
	for _, r := range results {
		if r.res.errors > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d errors", httpRouteLabel(r.name), r.res.errors))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("bench http: %s", strings.Join(failed, "; "))
	}
	return nil
}

// benchHTTPSeed migrates the configured database and fills it with the catalogue.
func benchHTTPSeed(ctx context.Context, cfg config.Config, o benchHTTPOptions, out io.Writer) (*httpCatalogue, error) {
	dbc, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{Dialect: dbc.Dialect, DSN: dbc.DSN})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	start := time.Now()
	cat, err := seedHTTPCatalogue(ctx, db, o.images, o.seed, time.Now())
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	fmt.Fprintf(out, "Seeded %s published images in %s (%s images/s), through the store.\n",
		benchThousands(int64(o.images)), took.Round(time.Millisecond), benchRate(o.images, took))
	return cat, nil
}

// httpServer is the server under test, running in this process.
type httpServer struct {
	addr        string
	startPeakKB int64 // peak RSS while starting: opening the database, building the index
	cancel      context.CancelFunc
	done        chan error
	stopped     bool
	err         error
}

// benchHTTPStart starts the server as `snapshop serve` does, and waits until /readyz says it
// can serve: its search index is built from the database.
func benchHTTPStart(ctx context.Context, cfg config.Config, log io.Writer, out io.Writer) (*httpServer, error) {
	benchFreeMemory()
	start := time.Now()
	m := NewMain(cfg, io.Discard, log)
	runCtx, cancel := context.WithCancel(ctx)
	s := &httpServer{cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- m.Run(runCtx) }()
	select {
	case <-m.Ready():
	case err := <-s.done:
		cancel()
		s.stopped = true
		return nil, fmt.Errorf("server did not start: %w", err)
	}
	s.addr = m.Addr()
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get("http://" + s.addr + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), s.stop())
		case err := <-s.done:
			s.stopped, s.err = true, err
			return nil, fmt.Errorf("server stopped while starting: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.startPeakKB = benchPeakRSSKB()
	fmt.Fprintf(out, "Server ready on %s in %s (the search index built from the database); peak RSS while starting %s.\n",
		s.addr, time.Since(start).Round(time.Millisecond), benchKB(s.startPeakKB))
	return s, nil
}

// stop shuts the server down as SIGTERM would, and waits for it.
func (s *httpServer) stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	s.cancel()
	s.err = <-s.done
	return s.err
}

// benchHTTPPaths lists the paths each route requests: queries and prefixes from the synthetic
// search log, images spread over the catalogue, and the hashed name of the site's logo as a
// browser finds it in a page.
func benchHTTPPaths(ctx context.Context, addr string, o benchHTTPOptions, cat *httpCatalogue) (map[string][]string, error) {
	queries, filters := synthetic.Queries(httpQueries, o.seed), synthetic.Filters(httpQueries, o.seed)
	var pages, api []string
	for i, q := range queries {
		v := url.Values{"q": {q}}
		f := filters[i]
		if len(f.Category) > 0 {
			v["category"] = f.Category
		}
		if len(f.Orientation) > 0 {
			v["orientation"] = f.Orientation
		}
		// Some visitors sort, some page on.
		switch i % 20 {
		case 3, 13:
			v.Set("sort", "newest")
		case 7:
			v.Set("sort", "popular")
		case 11:
			v.Set("page", "2")
		}
		pages = append(pages, "/search?"+v.Encode())
		api = append(api, "/api/v1/search?"+v.Encode())
	}
	var suggest []string
	for _, p := range synthetic.Prefixes(httpQueries, o.seed) {
		suggest = append(suggest, "/api/v1/suggest?q="+url.QueryEscape(p))
	}
	// Each image page then asks for its "More like this" cards.
	images, related := make([]string, len(cat.slugs)), make([]string, len(cat.slugs))
	for i, s := range cat.slugs {
		images[i] = "/images/" + s
		related[i] = "/images/" + app.PublicIDFromSlug(s) + "/related"
	}
	logo, err := benchHTTPAsset(ctx, addr, "img/logo")
	if err != nil {
		return nil, err
	}
	return map[string][]string{
		routeStatic: {logo}, routeHome: {"/"}, routeSearch: pages, routeAPISearch: api, routeImage: images, routeRelated: related, routeSuggest: suggest,
	}, nil
}

// benchHTTPAsset finds a static file's hashed path in the home page.
func benchHTTPAsset(ctx context.Context, addr, prefix string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("home page: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("home page: %w", err)
	}
	re := regexp.MustCompile(`/static/` + regexp.QuoteMeta(prefix) + `\.[0-9a-f]+\.[a-z]+`)
	path := re.Find(body)
	if resp.StatusCode != http.StatusOK || path == nil {
		return "", fmt.Errorf("home page (HTTP %d) links no /static/%s.*", resp.StatusCode, prefix)
	}
	return string(path), nil
}

// benchHTTPRoute warms a route up, then measures it.
func benchHTTPRoute(ctx context.Context, addr string, o benchHTTPOptions, name string, paths []string, out io.Writer) (*httpRouteResult, error) {
	label := httpRouteLabel(name)
	if o.warmup > 0 {
		l := httpLoad{addr: addr, paths: paths, clients: o.clients, duration: o.warmup}
		l.run(ctx)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &httpRouteResult{name: name, example: paths[0], paths: len(paths), loadAvg: benchLoadAvg()}
	_ = resetPeakRSS()
	l := httpLoad{addr: addr, paths: paths, clients: o.clients, duration: o.duration, requests: o.requests}
	cpu := benchCPUTime()
	busy0, total0 := benchMachineCPU()
	r.res = l.run(ctx)
	r.cpu = benchCPUTime() - cpu
	r.busy = -1
	if busy1, total1 := benchMachineCPU(); total1 > total0 {
		r.busy = float64(busy1-busy0) / float64(total1-total0)
	}
	r.peakKB = benchPeakRSSKB()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := benchPercentiles(r.res.lat)
	n := len(r.res.lat)
	fmt.Fprintf(out, "%s: %s requests (%s paths) in %s: %s req/s; p50 %s, p90 %s, p99 %s, max %s ms; %d errors; %s a response; %s ms CPU a request; this process used %s of the CPUs, the machine %s; peak RSS %s; load %s\n",
		label, benchThousands(int64(n)), benchThousands(int64(r.paths)), r.res.elapsed.Round(time.Millisecond), benchRate(n, r.res.elapsed),
		benchMS(p[0]), benchMS(p[1]), benchMS(p[2]), benchMS(p[3]), r.res.errors, benchHTTPSize(r.res.bytes/int64(max(n, 1))),
		benchMS(r.cpuPerRequest()), benchPercent(r.ours()), benchPercent(r.busy), benchKB(r.peakKB), r.loadAvg)
	if r.res.errors > 0 {
		msgs := slices.SortedFunc(maps.Keys(r.res.samples), func(a, b string) int { return cmp.Compare(r.res.samples[b], r.res.samples[a]) })
		for _, m := range msgs[:min(5, len(msgs))] {
			fmt.Fprintf(out, "%s:   %d× %s\n", label, r.res.samples[m], m)
		}
	}
	return r, nil
}

// benchHTTPServerLog counts the server's warnings and errors, and shows the first few: a
// fast server that logs errors is not a fast server.
func benchHTTPServerLog(out io.Writer, path string) {
	f, err := os.Open(path) // #nosec G304 -- our own log
	if err != nil {
		fmt.Fprintf(out, "Server log: %v\n", err)
		return
	}
	defer f.Close()
	var lines, requests int
	var bad []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		lines++
		if strings.Contains(line, "msg=request ") {
			requests++
		}
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			bad = append(bad, line)
		}
	}
	fmt.Fprintf(out, "Server log: %s lines (%s requests logged), %d warnings and errors\n", benchThousands(int64(lines)), benchThousands(int64(requests)), len(bad))
	for _, l := range bad[:min(5, len(bad))] {
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		fmt.Fprintf(out, "  %s\n", l)
	}
}

// printBenchHTTP prints the table and the targets.
func printBenchHTTP(out io.Writer, o benchHTTPOptions, results []*httpRouteResult, startPeakKB, servePeakKB int64) {
	fmt.Fprintf(out, "\n%s images, %d clients:\n", benchThousands(int64(o.images)), o.clients)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\treq/s\tp50 ms\tp99 ms\tmax ms\terrors\tCPU ms/req\tCPUs ours/all\tpeak RSS\tload avg\t")
	byName := map[string]*httpRouteResult{}
	for _, r := range results {
		byName[r.name] = r
		p := benchPercentiles(r.res.lat)
		n := len(r.res.lat)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", httpRouteLabel(r.name), benchThousands(int64(n)), benchRate(n, r.res.elapsed),
			benchMS(p[0]), benchMS(p[2]), benchMS(p[3]), r.res.errors, benchMS(r.cpuPerRequest()),
			benchPercent(r.ours())+" / "+benchPercent(r.busy), benchKB(r.peakKB), r.loadAvg)
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "Peak RSS of the process (server and load generator): %s while starting (index build), %s while serving.\n",
		benchKB(startPeakKB), benchKB(servePeakKB))

	scale := ""
	if o.images != 100_000 || o.clients != 64 {
		scale = " (set for 100,000 images and 64 clients; this run differs)"
	}
	fmt.Fprintf(out, "\nThe issue's targets%s:\n", scale)
	check := func(ok bool, format string, args ...any) {
		mark := "FAIL"
		if ok {
			mark = "ok  "
		}
		fmt.Fprintf(out, "  %s %s\n", mark, fmt.Sprintf(format, args...))
	}
	for _, t := range []struct {
		name string
		rate float64
	}{{routeSearch, 1000}, {routeImage, 3000}} {
		r := byName[t.name]
		if r == nil {
			continue
		}
		n := len(r.res.lat)
		rate := float64(n) / r.res.elapsed.Seconds()
		p99 := benchPercentiles(r.res.lat)[2]
		check(rate >= t.rate && p99 < 100*time.Millisecond && r.res.errors == 0,
			"%s: %.0f req/s ≥ %.0f, p99 %s ms < 100, %d errors (with %s of the CPUs; all %d at %s ms a request would make ~%.0f req/s)",
			httpRouteLabel(t.name), rate, t.rate, benchMS(p99), r.res.errors,
			benchPercent(r.ours()), runtime.NumCPU(), benchMS(r.cpuPerRequest()), float64(runtime.NumCPU())/max(r.cpuPerRequest().Seconds(), 1e-9))
	}
	if servePeakKB > 0 {
		check(servePeakKB < 500*1024, "peak RSS while serving %s < 500 MB", benchKB(servePeakKB))
	}
	if startPeakKB > 0 {
		check(startPeakKB < 500*1024, "peak RSS while starting %s < 500 MB (a first start: the index is built from the database)", benchKB(startPeakKB))
	}
	if r := byName[routeStatic]; r != nil {
		fmt.Fprintf(out, "  (the machine's ceiling, the same server's rate for a %s static file: %s req/s)\n",
			benchHTTPSize(r.res.bytes/int64(max(len(r.res.lat), 1))), benchRate(len(r.res.lat), r.res.elapsed))
	}
}

// benchHTTPSize renders a response size.
func benchHTTPSize(n int64) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d B", n)
	}
	return benchBytes(uint64(n)) // #nosec G115 -- positive
}
