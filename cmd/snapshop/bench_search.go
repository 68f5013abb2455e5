package main

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite": the pure-Go SQLite the project uses
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/sync/errgroup"

	"github.com/snapshop/snapshop/search"
	"github.com/snapshop/snapshop/search/synthetic"
)

// runBenchSearch compares the search index with SQLite FTS5 and PostgreSQL full-text search on
// the same synthetic catalogue and the same queries, in one run:
//
//	snapshop bench search [--images N] [--queries N] [--postgres URL] [--sqlite=false] ...
//
// Each engine loads the catalogue from the generator, then answers the query list four ways
// (plain, faceted, date-sorted, suggest) one query at a time, then faceted queries from
// --concurrency goroutines for --duration.
func runBenchSearch(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("snapshop bench search", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var o benchSearchOptions
	fs.IntVar(&o.images, "images", 100_000, "how many synthetic images to index")
	fs.IntVar(&o.queries, "queries", 500, "how many queries (and autocomplete prefixes) to time")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the synthetic catalogue and queries")
	fs.StringVar(&o.dir, "dir", "", "directory for the index and the SQLite database (default: a temporary one)")
	fs.BoolVar(&o.keep, "keep", false, "keep the index and the SQLite database after the run")
	fs.BoolVar(&o.snapshop, "snapshop", true, "benchmark Snapshop's own index (false: only the peers)")
	fs.BoolVar(&o.sqlite, "sqlite", true, "benchmark SQLite FTS5 (pure-Go driver)")
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL URL; a fresh schema is created and dropped (default: $SNAPSHOP_TEST_POSTGRES, else PostgreSQL is skipped)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "goroutines issuing faceted queries in the throughput run")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each throughput run")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: snapshop bench search [flags]\n\nTimes Snapshop's search index against SQLite FTS5 and PostgreSQL full-text search\non the same synthetic catalogue and queries.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	postgresSet := false
	fs.Visit(func(f *flag.Flag) { postgresSet = postgresSet || f.Name == "postgres" })
	if !postgresSet {
		o.postgres, _ = e.lookup("SNAPSHOP_TEST_POSTGRES")
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	case o.images < 1 || o.images > math.MaxUint32:
		return usageError{errors.New("--images must be between 1 and 4294967295")}
	case o.queries < 1:
		return usageError{errors.New("--queries must be at least 1")}
	case o.concurrency < 1:
		return usageError{errors.New("--concurrency must be at least 1")}
	case o.duration <= 0:
		return usageError{errors.New("--duration must be positive")}
	}
	return benchSearch(ctx, o, e)
}

type benchSearchOptions struct {
	images, queries int
	seed            int64
	dir             string
	keep            bool
	snapshop        bool
	sqlite          bool
	postgres        string
	concurrency     int
	duration        time.Duration
}

// benchKind is one of the four ways each engine is queried.
type benchKind int

const (
	kindPlain benchKind = iota
	kindFaceted
	kindNewest
	kindSuggest
	numKinds
)

func (k benchKind) String() string {
	return [...]string{"plain", "faceted", "date-sorted", "suggest"}[k]
}

// benchPerPage is the page size of every timed query, as on the /search page.
const benchPerPage = 48

// benchWarmup is how many queries of each kind run untimed before the timed ones.
const benchWarmup = 20

// benchEngine is one search engine, loaded with the catalogue.
type benchEngine interface {
	// query runs one request of kind k: the top benchPerPage IDs and the total (and, for
	// kindFaceted, the facet counts). It returns the total, or the number of suggestions.
	query(ctx context.Context, k benchKind, q string, f search.Filters) (int, error)
	close() error
}

// benchResult is what was measured of one engine.
type benchResult struct {
	name       string
	skipped    string // why the engine did not run; empty if it did
	load       time.Duration
	size       int64
	peakBuild  int64 // kB, ours only; 0: unknown
	peakServe  int64 // kB, ours only: open and every query
	open       time.Duration
	lat        [numKinds][]time.Duration // in query order
	totals     [numKinds][]int
	alloc      [numKinds]uint64 // Go bytes allocated per query by this process
	qps        float64
	anomalies  []string
	engineInfo string
	loadAvg    string // the machine's 1-minute load average when the engine started
}

// benchInputs are the queries every engine answers, identical for all.
type benchInputs struct {
	queries, warmQueries   []string
	filters, warmFilters   []search.Filters
	prefixes, warmPrefixes []string
}

func benchSearch(ctx context.Context, o benchSearchOptions, e env) error {
	out := e.stdout
	const indexName, sqliteName = "snapshop-index", "sqlite-fts5.db"
	dir, cleanup, err := benchWorkDir("search", o.dir, o.keep, out, append(sqliteFiles(sqliteName), indexName)...)
	if err != nil {
		return err
	}
	defer cleanup()
	indexDir, sqlitePath := filepath.Join(dir, indexName), filepath.Join(dir, sqliteName)

	in := benchInputs{
		queries:      synthetic.Queries(o.queries, o.seed),
		filters:      synthetic.Filters(o.queries, o.seed),
		prefixes:     synthetic.Prefixes(o.queries, o.seed),
		warmQueries:  synthetic.Queries(benchWarmup, o.seed+1_000_003),
		warmFilters:  synthetic.Filters(benchWarmup, o.seed+1_000_003),
		warmPrefixes: synthetic.Prefixes(benchWarmup, o.seed+1_000_003),
	}
	distinct := map[string]bool{}
	for _, q := range in.queries {
		distinct[strings.ToLower(q)] = true
	}
	fmt.Fprintf(out, "Catalogue: %s synthetic images (seed %d); %d queries (%d distinct), the same %d prefixes, on %d CPUs.\n",
		benchThousands(int64(o.images)), o.seed, len(in.queries), len(distinct), len(in.prefixes), runtime.NumCPU())
	docs := synthetic.Catalogue(o.images, o.seed)

	// The generator feeds every engine's load, so its own rate bounds theirs.
	start := time.Now()
	n := 0
	for range docs {
		n++
	}
	gen := time.Since(start)
	fmt.Fprintf(out, "Generating the catalogue alone: %s (%s images/s); every load rate below includes it.\n\n",
		gen.Round(time.Millisecond), benchThousands(int64(float64(n)/gen.Seconds())))

	results := make([]*benchResult, 0, 3)
	if o.snapshop {
		r, err := benchSnapshop(ctx, o, e, indexDir, docs, in)
		if err != nil {
			return fmt.Errorf("bench search: snapshop: %w", err)
		}
		results = append(results, r)
	}
	if o.sqlite {
		r, err := benchRunPeer(ctx, o, out, "sqlite-fts5", in, func() (benchEngine, *benchResult, error) {
			return openSQLiteBench(ctx, sqlitePath, o, docs)
		})
		if err != nil {
			return fmt.Errorf("bench search: sqlite: %w", err)
		}
		results = append(results, r)
	} else {
		results = append(results, &benchResult{name: "sqlite-fts5", skipped: "--sqlite=false"})
	}
	if o.postgres != "" {
		r, err := benchRunPeer(ctx, o, out, "postgres", in, func() (benchEngine, *benchResult, error) {
			return openPostgresBench(ctx, o.postgres, o, docs)
		})
		if err != nil {
			return fmt.Errorf("bench search: postgres: %w", err)
		}
		results = append(results, r)
	} else {
		fmt.Fprintln(out, "postgres: skipped (no --postgres URL and SNAPSHOP_TEST_POSTGRES is not set)")
		results = append(results, &benchResult{name: "postgres", skipped: "no URL"})
	}
	return printBenchSearch(out, o, in, results)
}

// benchSnapshop builds our index from the catalogue, reopens it as a server would, and times
// the query list against it. Peak RSS is measured per phase: the kernel's high-water mark is
// reset before each.
func benchSnapshop(ctx context.Context, o benchSearchOptions, e env, dir string, docs iter.Seq[search.Document], in benchInputs) (*benchResult, error) {
	out := e.stdout
	r := &benchResult{name: "snapshop", loadAvg: benchLoadAvg()}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := search.Options{Logger: logger}

	benchFreeMemory()
	fmt.Fprintf(out, "snapshop: building the index in %s…\n", dir)
	start := time.Now()
	ix, err := search.Build(ctx, dir, benchWithoutErrors(docs), 0, opts)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	r.load = time.Since(start)
	r.peakBuild = benchPeakRSSKB()
	if err := ix.Close(); err != nil {
		return nil, fmt.Errorf("close after build: %w", err)
	}
	if r.size, err = benchDirSize(dir); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "snapshop: built in %s (%s images/s), %s on disk, peak RSS %s\n",
		r.load.Round(time.Millisecond), benchRate(o.images, r.load), benchMiB(r.size), benchKB(r.peakBuild))
	fmt.Fprintf(out, "snapshop: after build and close: %s\n", benchRSSNow())

	// Serving starts from an index on disk, as `snapshop serve` does.
	benchFreeMemory()
	start = time.Now()
	ix, err = search.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer ix.Close()
	r.open = time.Since(start)
	if got := ix.Count(); got != o.images {
		r.anomalies = append(r.anomalies, fmt.Sprintf("the reopened index counts %d documents, not %d", got, o.images))
	}
	fmt.Fprintf(out, "snapshop: reopened in %s, peak RSS %s; %s\n", r.open.Round(time.Millisecond), benchKB(benchPeakRSSKB()), benchRSSNow())
	eng := &snapshopBench{ix: ix}
	if err := benchQueries(ctx, out, eng, r, in, o); err != nil {
		return nil, err
	}
	r.peakServe = benchPeakRSSKB()
	r.anomalies = append(r.anomalies, eng.anomalies()...)
	fmt.Fprintf(out, "snapshop: peak RSS while opening and serving: %s; %s\n\n", benchKB(r.peakServe), benchRSSNow())
	return r, nil
}

// benchRunPeer loads a peer engine and times the query list against it.
func benchRunPeer(ctx context.Context, o benchSearchOptions, out io.Writer, name string, in benchInputs, open func() (benchEngine, *benchResult, error)) (*benchResult, error) {
	benchFreeMemory()
	fmt.Fprintf(out, "%s: loading…\n", name)
	loadAvg := benchLoadAvg()
	eng, r, err := open()
	if err != nil {
		return nil, err
	}
	r.loadAvg = loadAvg
	if r.skipped != "" {
		fmt.Fprintf(out, "%s: skipped: %s\n\n", name, r.skipped)
		return r, nil
	}
	defer eng.close()
	fmt.Fprintf(out, "%s: %s\n", name, r.engineInfo)
	fmt.Fprintf(out, "%s: loaded in %s (%s images/s), %s on disk\n",
		name, r.load.Round(time.Millisecond), benchRate(o.images, r.load), benchMiB(r.size))
	if err := benchQueries(ctx, out, eng, r, in, o); err != nil {
		return nil, err
	}
	fmt.Fprintln(out)
	return r, nil
}

// benchQueries times the four kinds of query one at a time, each after an untimed warm-up,
// then the throughput of faceted queries from several goroutines.
func benchQueries(ctx context.Context, out io.Writer, eng benchEngine, r *benchResult, in benchInputs, o benchSearchOptions) error {
	for k := range numKinds {
		qs, fs, warmQs, warmFs := in.queries, in.filters, in.warmQueries, in.warmFilters
		if k == kindSuggest {
			qs, fs, warmQs, warmFs = in.prefixes, nil, in.warmPrefixes, nil
		}
		for i, q := range warmQs {
			if _, err := eng.query(ctx, k, q, benchFilter(warmFs, i)); err != nil {
				return fmt.Errorf("%s warm-up %q: %w", k, q, err)
			}
		}
		r.lat[k] = make([]time.Duration, len(qs))
		r.totals[k] = make([]int, len(qs))
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		allocated := ms.TotalAlloc
		for i, q := range qs {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := time.Now()
			total, err := eng.query(ctx, k, q, benchFilter(fs, i))
			r.lat[k][i] = time.Since(start)
			if err != nil {
				return fmt.Errorf("%s %q: %w", k, q, err)
			}
			r.totals[k][i] = total
		}
		runtime.ReadMemStats(&ms)
		r.alloc[k] = (ms.TotalAlloc - allocated) / uint64(len(qs))
		p := benchPercentiles(r.lat[k])
		fmt.Fprintf(out, "%s: %-11s p50 %s  p90 %s  p99 %s  max %s ms; %s allocated a query\n",
			r.name, k, benchMS(p[0]), benchMS(p[1]), benchMS(p[2]), benchMS(p[3]), benchBytes(r.alloc[k]))
	}
	qps, err := benchThroughput(ctx, eng, in.queries, in.filters, o.concurrency, o.duration)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	r.qps = qps
	fmt.Fprintf(out, "%s: %.0f faceted queries/s from %d goroutines over %s\n", r.name, qps, o.concurrency, o.duration)
	return nil
}

func benchFilter(fs []search.Filters, i int) search.Filters {
	if i < len(fs) {
		return fs[i]
	}
	return search.Filters{}
}

// benchThroughput runs faceted queries from n goroutines, each starting at a different place in
// the list, for d, and returns the completed queries per second.
func benchThroughput(ctx context.Context, eng benchEngine, qs []string, fs []search.Filters, n int, d time.Duration) (float64, error) {
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		g.Go(func() error {
			for i := w * len(qs) / n; time.Now().Before(deadline); i++ {
				j := i % len(qs)
				if _, err := eng.query(gctx, kindFaceted, qs[j], fs[j]); err != nil {
					return fmt.Errorf("%q: %w", qs[j], err)
				}
				done.Add(1)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// snapshopBench queries our index and checks that answers are well formed: a fast wrong
// answer must not pass for a fast one.
type snapshopBench struct {
	ix        *search.Index
	shortPage atomic.Int64 // fewer IDs than min(total, page size)
	noFacets  atomic.Int64 // faceted result without the four facets the peers count
	example   atomic.Pointer[string]
}

func (s *snapshopBench) query(ctx context.Context, k benchKind, q string, f search.Filters) (int, error) {
	if k == kindSuggest {
		sug, err := s.ix.Suggest(ctx, q, 8)
		return len(sug), err
	}
	req := search.Request{Query: q, Sort: search.SortRelevance, PerPage: benchPerPage}
	switch k {
	case kindFaceted:
		req.Facets, req.Filters = true, f
	case kindNewest:
		req.Sort = search.SortNewest
	}
	res, err := s.ix.Search(ctx, req)
	if err != nil {
		return 0, err
	}
	if len(res.IDs) != min(res.Total, benchPerPage) {
		s.shortPage.Add(1)
		msg := fmt.Sprintf("%s %q: %d IDs for a total of %d", k, q, len(res.IDs), res.Total)
		s.example.CompareAndSwap(nil, &msg)
	}
	if k == kindFaceted && res.Total > 0 {
		for _, name := range []string{search.FacetCategory, search.FacetOrientation, search.FacetColor, search.FacetUse} {
			if len(res.Facets[name]) == 0 {
				s.noFacets.Add(1)
				msg := fmt.Sprintf("%s %q: no %s facet among %d results", k, q, name, res.Total)
				s.example.CompareAndSwap(nil, &msg)
				break
			}
		}
	}
	return res.Total, nil
}

func (s *snapshopBench) close() error { return s.ix.Close() }

func (s *snapshopBench) anomalies() []string {
	var out []string
	if n := s.shortPage.Load(); n > 0 {
		out = append(out, fmt.Sprintf("%d results whose page is shorter than min(total, %d)", n, benchPerPage))
	}
	if n := s.noFacets.Load(); n > 0 {
		out = append(out, fmt.Sprintf("%d faceted results missing a facet", n))
	}
	if ex := s.example.Load(); ex != nil {
		out = append(out, "first one: "+*ex)
	}
	return out
}

func benchWithoutErrors(docs iter.Seq[search.Document]) iter.Seq2[search.Document, error] {
	return func(yield func(search.Document, error) bool) {
		for d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// --- SQLite FTS5 ---

// sqliteBench is SQLite FTS5 through database/sql and the pure-Go driver: an images table,
// an external-content FTS5 table over its text (porter stemming), a side table of colours and
// a keyword table for suggestions.
type sqliteBench struct {
	db                          *sql.DB
	top, count, newest, suggest *sql.Stmt
	facetTop, facetCounts       [3]*sql.Stmt // by benchFilterSQL variant
	stmts                       []*sql.Stmt
}

const sqliteSchema = `
CREATE TABLE images (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL, keywords TEXT NOT NULL, description TEXT NOT NULL, contributor TEXT NOT NULL,
	category TEXT NOT NULL, category_name TEXT NOT NULL, orientation TEXT NOT NULL, use TEXT NOT NULL,
	released INTEGER NOT NULL, ai TEXT NOT NULL, price_cents INTEGER NOT NULL, megapixels REAL NOT NULL,
	approved_at INTEGER NOT NULL, sales INTEGER NOT NULL, views INTEGER NOT NULL
);
CREATE TABLE image_colors (image_id INTEGER NOT NULL, color TEXT NOT NULL, PRIMARY KEY (image_id, color)) WITHOUT ROWID;
CREATE TABLE keywords (keyword TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, freq INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE images_fts USING fts5(
	title, keywords, description, contributor, category_name,
	content='images', content_rowid='id', tokenize='porter unicode61'
);`

// sqliteBM25 weighs title and keywords above the description, and those above contributor and
// category name, as the index and the PostgreSQL setup do.
const sqliteBM25 = "bm25(images_fts, 5.0, 5.0, 2.0, 1.0, 1.0)"

// benchSQLiteBatch is the number of images per load transaction.
const benchSQLiteBatch = 10_000

func openSQLiteBench(ctx context.Context, path string, o benchSearchOptions, docs iter.Seq[search.Document]) (benchEngine, *benchResult, error) {
	r := &benchResult{name: "sqlite-fts5"}
	// WAL so that the throughput run's readers never block each other; a 64 MiB page cache per
	// connection (the default is 2 MiB) and memory-mapped reads, as a production setup would
	// configure. With mmap, connections share the OS page cache instead of each copying pages
	// into its own: measured at 100,000 images, 4 goroutines did 85 faceted queries/s with it,
	// 48 without.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)" +
		"&_pragma=cache_size(-65536)&_pragma=mmap_size(2147483648)&_pragma=temp_store(MEMORY)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open: %w", err)
	}
	s := &sqliteBench{db: db}
	ok := false
	defer func() {
		if !ok {
			_ = s.close()
		}
	}()
	db.SetMaxOpenConns(1) // loading is one writer
	var version string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version); err != nil {
		return nil, nil, fmt.Errorf("version: %w", err)
	}
	r.engineInfo = fmt.Sprintf("SQLite %s through github.com/glebarez/go-sqlite %s (modernc.org/sqlite %s): the PURE-GO driver, typically 2–3× slower than the cgo one",
		version, benchModuleVersion("github.com/glebarez/go-sqlite"), benchModuleVersion("modernc.org/sqlite"))

	start := time.Now()
	if _, err := db.ExecContext(ctx, sqliteSchema); err != nil {
		if strings.Contains(err.Error(), "no such module: fts5") {
			r.skipped = "this SQLite build has no FTS5 compiled in (" + r.engineInfo + ")"
			return nil, r, nil
		}
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	if err := s.load(ctx, docs); err != nil {
		return nil, nil, err
	}
	r.load = time.Since(start)
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			r.size += st.Size()
		}
	}
	if err := s.prepare(ctx, o.concurrency); err != nil {
		return nil, nil, err
	}
	ok = true
	return s, r, nil
}

// load inserts the catalogue in transactions of benchSQLiteBatch images, then builds the
// keyword table, merges the FTS5 segments and gathers statistics: everything a bulk load does
// before the database serves.
func (s *sqliteBench) load(ctx context.Context, docs iter.Seq[search.Document]) error {
	freq := map[string]int{}
	var tx *sql.Tx
	var img, col, fts *sql.Stmt
	begin := func() error {
		var err error
		if tx, err = s.db.BeginTx(ctx, nil); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		for _, p := range []struct {
			stmt **sql.Stmt
			sql  string
		}{
			{&img, `INSERT INTO images (id, title, keywords, description, contributor, category, category_name, orientation, use, released, ai, price_cents, megapixels, approved_at, sales, views) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
			{&col, `INSERT INTO image_colors (image_id, color) VALUES (?, ?)`},
			{&fts, `INSERT INTO images_fts (rowid, title, keywords, description, contributor, category_name) VALUES (?,?,?,?,?,?)`},
		} {
			if *p.stmt, err = tx.PrepareContext(ctx, p.sql); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("load: %w", err)
			}
		}
		return nil
	}
	if err := begin(); err != nil {
		return err
	}
	n := 0
	for d := range docs {
		kw := strings.Join(d.Keywords, ", ")
		if _, err := img.ExecContext(ctx, d.ID, d.Title, kw, d.Description, d.Contributor, d.Category, d.CategoryName,
			d.Orientation, d.Use, d.Released, d.AI, d.PriceCents, d.Megapixels, d.ApprovedAt.Unix(), d.Sales, d.Views); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("load image %d: %w", d.ID, err)
		}
		for _, c := range d.Colors {
			if _, err := col.ExecContext(ctx, d.ID, c); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("load image %d: %w", d.ID, err)
			}
		}
		if _, err := fts.ExecContext(ctx, d.ID, d.Title, kw, d.Description, d.Contributor, d.CategoryName); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("load image %d: %w", d.ID, err)
		}
		for _, k := range d.Keywords {
			freq[k]++
		}
		if n++; n%benchSQLiteBatch == 0 {
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("load: %w", err)
			}
			if err := begin(); err != nil {
				return err
			}
		}
	}
	kwStmt, err := tx.PrepareContext(ctx, `INSERT INTO keywords (keyword, freq) VALUES (?, ?)`)
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("load keywords: %w", err)
	}
	for k, c := range freq {
		if _, err := kwStmt.ExecContext(ctx, k, c); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("load keywords: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for _, q := range []string{
		`INSERT INTO images_fts (images_fts) VALUES ('optimize')`, // one b-tree per term: what a bulk load ends with
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load: %s: %w", q, err)
		}
	}
	return nil
}

// benchFilterSQL maps the benchmark's filters (none, one category or one orientation, as
// synthetic.Filters makes them) to a query variant and its argument.
func benchFilterSQL(f search.Filters) (variant int, arg string, err error) {
	switch {
	case len(f.Category) == 0 && len(f.Orientation) == 0:
		return 0, "", nil
	case len(f.Category) == 1 && len(f.Orientation) == 0:
		return 1, f.Category[0], nil
	case len(f.Orientation) == 1 && len(f.Category) == 0:
		return 2, f.Orientation[0], nil
	}
	return 0, "", fmt.Errorf("the benchmark does not translate filter %+v", f)
}

func (s *sqliteBench) prepare(ctx context.Context, conns int) error {
	s.db.SetMaxOpenConns(conns)
	s.db.SetMaxIdleConns(conns)
	prep := func(q string) (*sql.Stmt, error) {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", q, err)
		}
		s.stmts = append(s.stmts, st)
		return st, nil
	}
	var err error
	if s.top, err = prep(`SELECT rowid FROM images_fts WHERE images_fts MATCH ?1 ORDER BY ` + sqliteBM25 + ` LIMIT 48`); err != nil {
		return err
	}
	if s.count, err = prep(`SELECT count(*) FROM images_fts WHERE images_fts MATCH ?1`); err != nil {
		return err
	}
	if s.newest, err = prep(`SELECT i.id FROM images_fts JOIN images i ON i.id = images_fts.rowid WHERE images_fts MATCH ?1 ORDER BY i.approved_at DESC LIMIT 48`); err != nil {
		return err
	}
	// Case-insensitive prefix range on the NOCASE primary key: what LIKE 'pre%' becomes.
	if s.suggest, err = prep(`SELECT keyword FROM keywords WHERE keyword >= ?1 AND keyword < ?2 ORDER BY freq DESC LIMIT 8`); err != nil {
		return err
	}
	for v, cond := range []string{"", " AND i.category = ?2", " AND i.orientation = ?2"} {
		if s.facetTop[v], err = prep(`SELECT images_fts.rowid FROM images_fts JOIN images i ON i.id = images_fts.rowid WHERE images_fts MATCH ?1` + cond + ` ORDER BY ` + sqliteBM25 + ` LIMIT 48`); err != nil {
			return err
		}
		// One statement counts all four facets over the (filtered) match set, materialised once.
		if s.facetCounts[v], err = prep(`WITH m AS MATERIALIZED (SELECT i.id, i.category, i.orientation, i.use FROM images_fts JOIN images i ON i.id = images_fts.rowid WHERE images_fts MATCH ?1` + cond + `)
SELECT 0, category, count(*) FROM m GROUP BY category
UNION ALL SELECT 1, orientation, count(*) FROM m GROUP BY orientation
UNION ALL SELECT 2, use, count(*) FROM m GROUP BY use
UNION ALL SELECT 3, c.color, count(*) FROM m JOIN image_colors c ON c.image_id = m.id GROUP BY c.color`); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteBench) query(ctx context.Context, k benchKind, q string, f search.Filters) (int, error) {
	if k == kindSuggest {
		lo := strings.ToLower(q)
		return benchCollect(ctx, s.suggest, lo, benchPrefixEnd(lo))
	}
	match := fts5Query(q)
	if match == "" {
		return 0, nil
	}
	switch k {
	case kindPlain, kindNewest:
		top := s.top
		if k == kindNewest {
			top = s.newest
		}
		if _, err := benchCollect(ctx, top, match); err != nil {
			return 0, err
		}
		var total int
		if err := s.count.QueryRowContext(ctx, match).Scan(&total); err != nil {
			return 0, fmt.Errorf("count: %w", err)
		}
		return total, nil
	case kindFaceted:
		v, arg, err := benchFilterSQL(f)
		if err != nil {
			return 0, err
		}
		args := []any{match}
		if v > 0 {
			args = append(args, arg)
		}
		if _, err := benchCollect(ctx, s.facetTop[v], args...); err != nil {
			return 0, err
		}
		return benchFacetTotal(ctx, s.facetCounts[v], args...)
	}
	return 0, fmt.Errorf("unknown kind %d", k)
}

func (s *sqliteBench) close() error {
	for _, st := range s.stmts {
		_ = st.Close()
	}
	return s.db.Close()
}

// fts5Query turns a user's query into an FTS5 expression that cannot be a syntax error or an
// injection: each word becomes a quoted string, and juxtaposed strings must all match.
func fts5Query(q string) string {
	words := benchWords(q)
	for i, w := range words {
		words[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(words, " ")
}

// benchWords splits a query into lowercase words of letters and digits, the way both peers'
// tokenizers do.
func benchWords(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// benchPrefixEnd is the smallest string greater than every string starting with p, for a
// prefix range scan; "" when there is none (p is empty or all 0xFF bytes).
func benchPrefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// benchCollect runs a query returning one column and reads every row, as a caller hydrating
// the page would; it returns the row count.
func benchCollect(ctx context.Context, st *sql.Stmt, args ...any) (int, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	n := 0
	var v any
	for rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return 0, fmt.Errorf("scan: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("rows: %w", err)
	}
	return n, nil
}

// benchFacetTotal reads facet rows (facet number, value, count) and returns the total, which is
// the sum of the category counts: every image has exactly one category.
func benchFacetTotal(ctx context.Context, st *sql.Stmt, args ...any) (int, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var facet, count int
		var value string
		if err := rows.Scan(&facet, &value, &count); err != nil {
			return 0, fmt.Errorf("facets: %w", err)
		}
		if facet == 0 {
			total += count
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("facets: %w", err)
	}
	return total, nil
}

// --- PostgreSQL ---

// postgresBench is PostgreSQL full-text search in a schema of its own: a stored, weighted
// tsvector column with a GIN index, colours as an array, a keyword table with a
// text_pattern_ops index for suggestions.
type postgresBench struct {
	db                          *sql.DB
	schema                      string
	drop                        func() error // the schema, and the connection that made it
	top, count, newest, suggest *sql.Stmt
	facetTop, facetCounts       [3]*sql.Stmt
	stmts                       []*sql.Stmt
}

const postgresSchema = `
CREATE TABLE images (
	id integer NOT NULL,
	title text NOT NULL, keywords text NOT NULL, description text NOT NULL, contributor text NOT NULL,
	category text NOT NULL, category_name text NOT NULL, orientation text NOT NULL, colors text[] NOT NULL,
	use text NOT NULL, released boolean NOT NULL, ai text NOT NULL, price_cents integer NOT NULL,
	megapixels real NOT NULL, approved_at timestamptz NOT NULL, sales integer NOT NULL, views integer NOT NULL,
	tsv tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', keywords), 'A') ||
		setweight(to_tsvector('english', description), 'B') ||
		setweight(to_tsvector('english', contributor || ' ' || category_name), 'C')
	) STORED
);
CREATE TABLE keywords (keyword text NOT NULL, freq integer NOT NULL);`

func openPostgresBench(ctx context.Context, url string, o benchSearchOptions, docs iter.Seq[search.Document]) (benchEngine, *benchResult, error) {
	r := &benchResult{name: "postgres"}
	dsn, version, drop, err := benchPostgresSchema(ctx, url, "bench_search_")
	if err != nil {
		return nil, nil, err
	}
	p := &postgresBench{drop: drop}
	ok := false
	defer func() {
		if !ok {
			_ = p.close()
		}
	}()
	// Every connection works in the fresh schema (the DSN's search_path).
	// The server's planner settings stay at their defaults: forcing custom
	// plans, or random_page_cost 1.1, measured no better at 100,000 images
	// (custom plans chose sequential scans for words on a fifth of the
	// images and doubled p99).
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("--postgres: %w", err)}
	}
	p.db = stdlib.OpenDB(*cfg)
	if err := p.db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&p.schema); err != nil {
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	r.engineInfo = fmt.Sprintf("PostgreSQL %s, through github.com/jackc/pgx/v5 %s (database/sql)", version, benchModuleVersion("github.com/jackc/pgx/v5"))

	start := time.Now()
	if err := p.load(ctx, docs); err != nil {
		return nil, nil, err
	}
	r.load = time.Since(start)
	if err := p.db.QueryRowContext(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, p.schema).Scan(&r.size); err != nil {
		return nil, nil, fmt.Errorf("size: %w", err)
	}
	if err := p.prepare(ctx, o.concurrency); err != nil {
		return nil, nil, err
	}
	ok = true
	return p, r, nil
}

// load copies the catalogue in with COPY (the tsvector is computed as rows arrive), then
// builds the indexes and statistics, as a bulk load does.
func (p *postgresBench) load(ctx context.Context, docs iter.Seq[search.Document]) error {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, postgresSchema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	freq := map[string]int{}
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		next, stop := iter.Pull(docs)
		defer stop()
		cols := []string{"id", "title", "keywords", "description", "contributor", "category", "category_name", "orientation", "colors", "use", "released", "ai", "price_cents", "megapixels", "approved_at", "sales", "views"}
		_, err := pc.CopyFrom(ctx, pgx.Identifier{p.schema, "images"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			d, more := next()
			if !more {
				return nil, nil
			}
			for _, k := range d.Keywords {
				freq[k]++
			}
			return []any{int64(d.ID), d.Title, strings.Join(d.Keywords, ", "), d.Description, d.Contributor, d.Category, d.CategoryName,
				d.Orientation, d.Colors, d.Use, d.Released, d.AI, d.PriceCents, d.Megapixels, d.ApprovedAt, d.Sales, d.Views}, nil
		}))
		if err != nil {
			return fmt.Errorf("copy images: %w", err)
		}
		kws := make([][]any, 0, len(freq))
		for k, c := range freq {
			kws = append(kws, []any{k, c})
		}
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{p.schema, "keywords"}, []string{"keyword", "freq"}, pgx.CopyFromRows(kws)); err != nil {
			return fmt.Errorf("copy keywords: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for _, q := range []string{
		`SET maintenance_work_mem = '512MB'`, // GIN builds far faster with room to sort
		`ALTER TABLE images ADD PRIMARY KEY (id)`,
		`CREATE INDEX images_tsv ON images USING gin (tsv)`,
		`CREATE INDEX images_approved_at ON images (approved_at)`,
		`ALTER TABLE keywords ADD PRIMARY KEY (keyword)`,
		`CREATE INDEX keywords_prefix ON keywords (keyword text_pattern_ops)`,
		`VACUUM ANALYZE images`,
		`VACUUM ANALYZE keywords`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("load: %s: %w", q, err)
		}
	}
	return nil
}

func (p *postgresBench) prepare(ctx context.Context, conns int) error {
	p.db.SetMaxOpenConns(conns)
	p.db.SetMaxIdleConns(conns)
	prep := func(q string) (*sql.Stmt, error) {
		st, err := p.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", q, err)
		}
		p.stmts = append(p.stmts, st)
		return st, nil
	}
	var err error
	if p.top, err = prep(`SELECT id FROM images, websearch_to_tsquery('english', $1) q WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 48`); err != nil {
		return err
	}
	if p.count, err = prep(`SELECT count(*) FROM images WHERE tsv @@ websearch_to_tsquery('english', $1)`); err != nil {
		return err
	}
	if p.newest, err = prep(`SELECT id FROM images WHERE tsv @@ websearch_to_tsquery('english', $1) ORDER BY approved_at DESC LIMIT 48`); err != nil {
		return err
	}
	// The prefix range that LIKE 'pre%' becomes with text_pattern_ops, written out so that it
	// uses the index whatever the plan cache does with a parameter.
	if p.suggest, err = prep(`SELECT keyword FROM keywords WHERE keyword ~>=~ $1 AND keyword ~<~ $2 ORDER BY freq DESC LIMIT 8`); err != nil {
		return err
	}
	for v, cond := range []string{"", " AND category = $2", " AND orientation = $2"} {
		if p.facetTop[v], err = prep(`SELECT id FROM images, websearch_to_tsquery('english', $1) q WHERE tsv @@ q` + cond + ` ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 48`); err != nil {
			return err
		}
		if p.facetCounts[v], err = prep(`WITH m AS MATERIALIZED (SELECT category, orientation, use, colors FROM images WHERE tsv @@ websearch_to_tsquery('english', $1)` + cond + `)
SELECT 0, category, count(*) FROM m GROUP BY category
UNION ALL SELECT 1, orientation, count(*) FROM m GROUP BY orientation
UNION ALL SELECT 2, use, count(*) FROM m GROUP BY use
UNION ALL SELECT 3, c, count(*) FROM m, unnest(m.colors) c GROUP BY c`); err != nil {
			return err
		}
	}
	return nil
}

func (p *postgresBench) query(ctx context.Context, k benchKind, q string, f search.Filters) (int, error) {
	if k == kindSuggest {
		lo := strings.ToLower(q)
		return benchCollect(ctx, p.suggest, lo, benchPrefixEnd(lo))
	}
	// The same words the other engines get, so that quotes, dashes or "or" in a user's query
	// cannot mean something to websearch_to_tsquery alone.
	words := slices.DeleteFunc(benchWords(q), func(w string) bool { return w == "or" })
	if len(words) == 0 {
		return 0, nil
	}
	text := strings.Join(words, " ")
	switch k {
	case kindPlain, kindNewest:
		top := p.top
		if k == kindNewest {
			top = p.newest
		}
		if _, err := benchCollect(ctx, top, text); err != nil {
			return 0, err
		}
		var total int
		if err := p.count.QueryRowContext(ctx, text).Scan(&total); err != nil {
			return 0, fmt.Errorf("count: %w", err)
		}
		return total, nil
	case kindFaceted:
		v, arg, err := benchFilterSQL(f)
		if err != nil {
			return 0, err
		}
		args := []any{text}
		if v > 0 {
			args = append(args, arg)
		}
		if _, err := benchCollect(ctx, p.facetTop[v], args...); err != nil {
			return 0, err
		}
		return benchFacetTotal(ctx, p.facetCounts[v], args...)
	}
	return 0, fmt.Errorf("unknown kind %d", k)
}

// close drops the schema, whatever state the run ended in.
func (p *postgresBench) close() error {
	for _, st := range p.stmts {
		_ = st.Close()
	}
	if p.db != nil {
		_ = p.db.Close()
	}
	return p.drop()
}

// --- the report ---

func printBenchSearch(out io.Writer, o benchSearchOptions, in benchInputs, results []*benchResult) error {
	fmt.Fprintf(out, "\n== %s images, %d queries, seed %d ==\n\n", benchThousands(int64(o.images)), len(in.queries), o.seed)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "\t"
	for _, r := range results {
		header += r.name + "\t"
	}
	fmt.Fprintln(tw, header)
	row := func(label string, cell func(r *benchResult) string) {
		line := label + "\t"
		for _, r := range results {
			if r.skipped != "" {
				line += "—\t"
			} else {
				line += cell(r) + "\t"
			}
		}
		fmt.Fprintln(tw, line)
	}
	row("load rate (images/s)", func(r *benchResult) string { return benchRate(o.images, r.load) })
	row("load time", func(r *benchResult) string { return r.load.Round(100 * time.Millisecond).String() })
	row("size on disk", func(r *benchResult) string { return benchMiB(r.size) })
	ourRSS := func(kb func(r *benchResult) int64) func(r *benchResult) string {
		return func(r *benchResult) string {
			if r.name != "snapshop" {
				return "—" // the peers' memory is a server's or SQLite's page cache
			}
			return benchKB(kb(r))
		}
	}
	row("peak RSS, build", ourRSS(func(r *benchResult) int64 { return r.peakBuild }))
	row("peak RSS, open + queries", ourRSS(func(r *benchResult) int64 { return r.peakServe }))
	for k := range numKinds {
		row(k.String()+" p50 / p99 (ms)", func(r *benchResult) string {
			p := benchPercentiles(r.lat[k])
			return benchMS(p[0]) + " / " + benchMS(p[2])
		})
	}
	row(fmt.Sprintf("faceted q/s (%d goroutines)", o.concurrency), func(r *benchResult) string { return fmt.Sprintf("%.0f", r.qps) })
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench search: %w", err)
	}

	fmt.Fprintln(out, "\nAll latencies (ms): p50 / p90 / p99 / max")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, header)
	for k := range numKinds {
		row(k.String(), func(r *benchResult) string {
			p := benchPercentiles(r.lat[k])
			return fmt.Sprintf("%s / %s / %s / %s", benchMS(p[0]), benchMS(p[1]), benchMS(p[2]), benchMS(p[3]))
		})
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench search: %w", err)
	}

	fmt.Fprintln(out, "\nGo memory allocated a query in this process (for PostgreSQL, the client's side only)")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, header)
	for k := range numKinds {
		row(k.String(), func(r *benchResult) string { return benchBytes(r.alloc[k]) })
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench search: %w", err)
	}

	var ours *benchResult
	var peers []*benchResult
	for _, r := range results {
		switch {
		case r.skipped != "":
		case r.name == "snapshop":
			ours = r
		default:
			peers = append(peers, r)
		}
	}
	if ours != nil && len(peers) > 0 {
		printBenchRatios(out, ours, peers)
	}
	if ours != nil {
		printBenchTargets(out, o, ours, peers)
	}
	printBenchSlowest(out, results, in)
	printBenchAgreement(out, results, in)

	fmt.Fprintln(out, "\nHow it was measured:")
	fmt.Fprintf(out, "- The same catalogue, queries, filters and prefixes for every engine; each kind runs %d warm-up queries (another seed), then the list one query at a time, timed with time.Now around each call.\n", benchWarmup)
	fmt.Fprintln(out, "- plain: top 48 by relevance + total. faceted: the same + facet counts, with one category or orientation filter on half the queries; snapshop counts all its facets, the peers count four (category, orientation, colour, use) in one statement. date-sorted: top 48 newest + total. suggest: 8 keywords for a prefix, most used first.")
	fmt.Fprintln(out, "- sqlite-fts5: the pure-Go driver (glebarez/go-sqlite on modernc.org/sqlite), 2–3× slower than the cgo driver the issue's SQLite baseline used; external-content FTS5, porter unicode61, bm25 weights title 5 / keywords 5 / description 2 / others 1, 10,000-image transactions, then 'optimize' and ANALYZE; WAL, memory-mapped reads, 64 MiB page cache per connection; colours in a side table.")
	fmt.Fprintln(out, "- postgres: COPY, then primary key, GIN on a stored weighted tsvector (title and keywords A, description B, contributor and category C), a date index, VACUUM ANALYZE; websearch_to_tsquery + ts_rank_cd, prepared statements, the server's default settings but maintenance_work_mem 512MB for the index build. The server runs on this machine, sharing its CPUs; its memory is not in the RSS figures.")
	var loads []string
	for _, r := range results {
		if r.skipped == "" {
			loads = append(loads, r.name+" "+r.loadAvg)
		}
	}
	fmt.Fprintf(out, "- The machine's 1-minute load average as each engine started (anything above 0 is someone else's work competing for the %d CPUs): %s.\n", runtime.NumCPU(), strings.Join(loads, ", "))
	fmt.Fprintln(out, "- Load rates include generating the catalogue. Peak RSS is this process's VmHWM, reset before each phase (ours only: the peers' memory is the server's or SQLite's page cache).")
	for _, r := range results {
		for _, a := range r.anomalies {
			fmt.Fprintf(out, "! %s: %s\n", r.name, a)
		}
	}
	return nil
}

// printBenchRatios compares ours with the faster peer at each percentile: the peer's time
// divided by ours, so that 5× means five times faster than the best alternative.
func printBenchRatios(out io.Writer, ours *benchResult, peers []*benchResult) {
	fmt.Fprintln(out, "\nOurs against the faster peer at each percentile (peer's time ÷ ours; the issue asks ≥ 1× everywhere, ≥ 5× at p99):")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tp50\tp90\tp99\tmax\t")
	for k := range numKinds {
		op := benchPercentiles(ours.lat[k])
		line := k.String() + "\t"
		for i := range op {
			best, name := time.Duration(math.MaxInt64), ""
			for _, p := range peers {
				if v := benchPercentiles(p.lat[k])[i]; v < best {
					best, name = v, p.name
				}
			}
			line += fmt.Sprintf("%s (%s)\t", benchRatio(best, op[i]), name)
		}
		fmt.Fprintln(tw, line)
	}
	best, name := 0.0, ""
	for _, p := range peers {
		if p.qps > best {
			best, name = p.qps, p.name
		}
	}
	if best > 0 {
		fmt.Fprintf(tw, "faceted q/s\t%.1f× (%s)\t\t\t\t\n", ours.qps/best, name)
	}
	_ = tw.Flush()
}

// printBenchTargets checks the absolute targets, which are stated for 1,000,000 images.
func printBenchTargets(out io.Writer, o benchSearchOptions, ours *benchResult, peers []*benchResult) {
	scale := ""
	if o.images != 1_000_000 {
		scale = fmt.Sprintf(" — stated for 1,000,000 images; this run has %s", benchThousands(int64(o.images)))
	}
	fmt.Fprintf(out, "\nThe issue's targets%s:\n", scale)
	check := func(ok bool, format string, args ...any) {
		mark := "FAIL"
		if ok {
			mark = "ok  "
		}
		fmt.Fprintf(out, "  %s %s\n", mark, fmt.Sprintf(format, args...))
	}
	pct := func(k benchKind) [4]time.Duration { return benchPercentiles(ours.lat[k]) }
	for _, k := range []benchKind{kindFaceted, kindNewest} {
		p := pct(k)
		check(p[0] < 5*time.Millisecond && p[2] < 50*time.Millisecond, "%s p50 %s ms < 5, p99 %s ms < 50", k, benchMS(p[0]), benchMS(p[2]))
	}
	check(pct(kindPlain)[2] < 20*time.Millisecond, "plain p99 %s ms < 20", benchMS(pct(kindPlain)[2]))
	check(pct(kindSuggest)[2] < 5*time.Millisecond, "suggest p99 %s ms < 5", benchMS(pct(kindSuggest)[2]))
	check(ours.qps >= 100, "%.0f faceted queries/s ≥ 100 (on %d CPUs)", ours.qps, runtime.NumCPU())
	if ours.peakBuild > 0 {
		peak := max(ours.peakBuild, ours.peakServe)
		check(peak < 600*1024, "peak RSS %s < 600 MB", benchKB(peak))
	}
	perMillion := time.Duration(float64(ours.load) * 1e6 / float64(o.images))
	check(perMillion < 3*time.Minute, "full build %s (%s per million) < 3 min per million", ours.load.Round(time.Second), perMillion.Round(time.Second))
	if len(peers) > 0 {
		worst := math.Inf(1)
		for k := range numKinds {
			op := benchPercentiles(ours.lat[k])
			for i := range op {
				best := time.Duration(math.MaxInt64)
				for _, p := range peers {
					best = min(best, benchPercentiles(p.lat[k])[i])
				}
				worst = min(worst, float64(best)/float64(max(op[i], 1)))
			}
		}
		check(worst >= 1, "at every percentile at least as fast as the faster peer (worst ratio %.2f×)", worst)
	}
}

// printBenchSlowest names each engine's slowest queries of each kind, with their totals: where
// to look.
func printBenchSlowest(out io.Writer, results []*benchResult, in benchInputs) {
	for _, r := range results {
		if r.skipped != "" {
			continue
		}
		n := 2
		if r.name == "snapshop" {
			n = 3
		}
		fmt.Fprintf(out, "\nSlowest queries, %s:\n", r.name)
		for k := range numKinds {
			idx := make([]int, len(r.lat[k]))
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(r.lat[k][b], r.lat[k][a]) })
			var parts []string
			for _, i := range idx[:min(n, len(idx))] {
				parts = append(parts, benchDescribe(k, in, i, r.lat[k][i], r.totals[k][i]))
			}
			fmt.Fprintf(out, "  %-12s %s\n", k.String()+":", strings.Join(parts, "; "))
		}
	}
}

// benchDescribe names query i of kind k with its time and total.
func benchDescribe(k benchKind, in benchInputs, i int, d time.Duration, total int) string {
	if k == kindSuggest {
		return fmt.Sprintf("%q %s ms (%d suggestions)", in.prefixes[i], benchMS(d), total)
	}
	desc := fmt.Sprintf("%q %s ms (%s hits", in.queries[i], benchMS(d), benchThousands(int64(total)))
	if k == kindFaceted {
		if f := in.filters[i]; len(f.Category) > 0 {
			desc += ", category " + f.Category[0]
		} else if len(f.Orientation) > 0 {
			desc += ", orientation " + f.Orientation[0]
		}
	}
	return desc + ")"
}

// printBenchAgreement compares totals: engines analyse text differently (Bleve's and
// PostgreSQL's English stemmers, FTS5's Porter), so totals differ a little, but a fast engine
// that finds much less is not faster.
func printBenchAgreement(out io.Writer, results []*benchResult, in benchInputs) {
	fmt.Fprintln(out, "\nMatches (plain queries): totals per query, and queries with exactly the first engine's total:")
	var first *benchResult
	for _, r := range results {
		if r.skipped != "" || len(r.totals[kindPlain]) == 0 {
			continue
		}
		if first == nil {
			first = r
		}
		sum, same, zero := 0, 0, 0
		for i, t := range r.totals[kindPlain] {
			sum += t
			if t == first.totals[kindPlain][i] {
				same++
			}
			if t == 0 {
				zero++
			}
		}
		sorted := slices.Sorted(slices.Values(r.totals[kindPlain]))
		fmt.Fprintf(out, "  %-12s mean %s, median %s, p90 %s, none found for %d of %d, same total as %s for %d\n",
			r.name, benchThousands(int64(sum/len(sorted))), benchThousands(int64(sorted[len(sorted)/2])),
			benchThousands(int64(sorted[(len(sorted)*9)/10])), zero, len(sorted), first.name, same)
	}
}

// --- helpers ---

// benchPercentiles returns p50, p90, p99 and the maximum (nearest rank).
func benchPercentiles(d []time.Duration) [4]time.Duration {
	if len(d) == 0 {
		return [4]time.Duration{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return [4]time.Duration{at(0.50), at(0.90), at(0.99), s[len(s)-1]}
}

func benchMS(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 1:
		return strconv.FormatFloat(ms, 'f', 3, 64)
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64)
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	}
	return strconv.FormatFloat(ms, 'f', 0, 64)
}

func benchRatio(peer, ours time.Duration) string {
	r := float64(peer) / float64(max(ours, 1))
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.1f×", r)
}

func benchRate(n int, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return benchThousands(int64(float64(n) / d.Seconds()))
}

func benchBytes(n uint64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
}

func benchMiB(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }

func benchKB(kb int64) string {
	if kb <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MB", float64(kb)/1024)
}

func benchThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// benchDirSize adds up the sizes of the files under dir.
func benchDirSize(dir string) (int64, error) {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			size += info.Size()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("index size: %w", err)
	}
	return size, nil
}

// benchFreeMemory returns what the previous phase left to the OS and restarts the kernel's
// peak-RSS count, so that each phase's peak is its own.
func benchFreeMemory() {
	runtime.GC()
	debug.FreeOSMemory()
	_ = resetPeakRSS()
}

// benchPeakRSSKB is the process's peak resident set size (VmHWM) in kB, 0 when unknown.
func benchPeakRSSKB() int64 { return benchProcStatus("VmHWM") }

// benchProcStatus reads a kB figure of this process from /proc/self/status; 0 when unknown.
func benchProcStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb
		}
	}
	return 0
}

// benchRSSNow splits the current resident set, after a GC so that only what is kept counts:
// anonymous memory (the Go heap and the like) and file-backed pages (memory-mapped index files,
// which the kernel can drop and reread), with the Go heap in use for comparison. Peak RSS
// counts both kinds.
func benchRSSNow() string {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("after a GC, RSS %s anonymous + %s file-backed, Go heap in use %s",
		benchKB(benchProcStatus("RssAnon")), benchKB(benchProcStatus("RssFile")), benchMiB(int64(ms.HeapInuse))) // #nosec G115 -- a heap size
}

// benchLoadAvg is the 1-minute load average from /proc/loadavg, "unknown" elsewhere.
func benchLoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// benchModuleVersion is the version of a module linked into this binary.
func benchModuleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return "(unknown version)"
}
