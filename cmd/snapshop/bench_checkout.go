package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
	"github.com/snapshop/snapshop/app/ledger"
	"github.com/snapshop/snapshop/app/store"
)

// runBenchCheckout measures wallet purchases per second through the real commerce service,
// on SQLite and on PostgreSQL:
//
//	snapshop bench checkout [--buyers N] [--duration D | --purchases N] [--images N] [--postgres URL] [--sqlite-dir DIR]
//
// For each database it sets up a fresh, migrated database with approved images from a few
// contributors and --buyers buyers whose wallets are funded through TopUp and the sandbox card
// page; then every buyer, in a goroutine of its own, buys one standard licence after another
// of images it does not hold yet, from its wallet, each with its own idempotency key. At the end
// the books must balance (ledger.Verify), every purchase must have made one licence and one
// order, and every wallet must hold what was funded less what was spent.
func runBenchCheckout(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("snapshop bench checkout", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var o benchCheckoutOptions
	fs.IntVar(&o.buyers, "buyers", 32, "concurrent buyers, each with its own account and wallet")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long the buyers buy, per database")
	fs.IntVar(&o.purchases, "purchases", 0, "buy this many licences in all instead of buying for --duration")
	fs.IntVar(&o.images, "images", 2000, "approved images on sale")
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL URL; a fresh schema is created and dropped (default: $SNAPSHOP_TEST_POSTGRES, else PostgreSQL is skipped)")
	fs.StringVar(&o.sqliteDir, "sqlite-dir", "", "directory for the SQLite database (default: a temporary one); the database is removed afterwards")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: snapshop bench checkout [flags]\n\nTimes wallet purchases through the commerce service from concurrent buyers,\non SQLite and on PostgreSQL, and checks the books afterwards.\n\nFlags:")
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
	if !set["postgres"] {
		o.postgres, _ = e.lookup("SNAPSHOP_TEST_POSTGRES")
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	case o.buyers < 1 || o.buyers > 10_000:
		return usageError{errors.New("--buyers must be between 1 and 10000")}
	case o.images < 1 || o.images > 10_000_000:
		return usageError{errors.New("--images must be between 1 and 10000000")}
	case set["duration"] && set["purchases"]:
		return usageError{errors.New("give --duration or --purchases, not both")}
	case o.purchases < 0:
		return usageError{errors.New("--purchases must be positive")}
	case o.purchases == 0 && o.duration <= 0:
		return usageError{errors.New("--duration must be positive")}
	case o.purchases > 0 && (o.purchases+o.buyers-1)/o.buyers > o.images:
		return usageError{fmt.Errorf("%d purchases by %d buyers need at least %d images: each buyer buys an image once", o.purchases, o.buyers, (o.purchases+o.buyers-1)/o.buyers)}
	}
	if o.postgres != "" {
		if _, err := pgx.ParseConfig(o.postgres); err != nil {
			return usageError{fmt.Errorf("--postgres: %w", err)}
		}
	}
	return benchCheckout(ctx, o, e)
}

// benchCheckoutOptions are the flags of `snapshop bench checkout`.
type benchCheckoutOptions struct {
	buyers, images int
	purchases      int           // in all; 0: buy for duration
	duration       time.Duration // per database, when purchases is 0
	postgres       string
	sqliteDir      string
}

// perBuyer is the most licences one buyer can buy in a run: its share of --purchases, or, when
// buying for a duration, every image.
func (o benchCheckoutOptions) perBuyer() int {
	if o.purchases > 0 {
		return (o.purchases + o.buyers - 1) / o.buyers
	}
	return o.images
}

// quota is how many purchases buyer i makes with --purchases (the remainder goes to the first
// buyers), 0 when buying for a duration.
func (o benchCheckoutOptions) quota(i int) int {
	if o.purchases == 0 {
		return 0
	}
	q := o.purchases / o.buyers
	if i < o.purchases%o.buyers {
		q++
	}
	return q
}

const (
	// checkoutContributors is how many contributors the images are spread over.
	checkoutContributors = 4
	// checkoutPackID is the wallet top-up, sized to the run, that funds each buyer once.
	checkoutPackID = "bench"
	// checkoutBatch is how many images are inserted per transaction while setting up.
	checkoutBatch = 500
	// checkoutErrorSamples is how many distinct purchase errors are printed per database.
	checkoutErrorSamples = 10
)

// checkoutImagePrice is the standard price image i is given: most use the platform's price
// ($3.00), some their contributor's own, as in a real catalogue. None costs more than
// checkoutMaxPrice.
func checkoutImagePrice(i int) int64 {
	switch {
	case i%5 == 4:
		return 500
	case i%7 == 6:
		return 200
	}
	return 0 // the platform's StandardCents
}

// checkoutMaxPrice is the most a standard licence of any bench image costs.
const checkoutMaxPrice = 500

// checkoutResult is what was measured and checked on one database.
type checkoutResult struct {
	name    string
	skipped string // why the database did not run; empty if it did
	info    string
	setup   time.Duration

	purchases int
	failures  int
	errs      map[string]int // message → count
	exhausted int            // buyers who bought every image before the time was up
	elapsed   time.Duration
	lat       []time.Duration
	peakRSSKB int64

	funded, spent, wallets int64
	licences, orders       int64
	verifyErr              error
	problems               []string // every failed check, for the exit status
}

// benchCheckout runs the benchmark on SQLite, then on PostgreSQL when there is a URL, prints the
// comparison and fails if any purchase failed or any check did not hold.
func benchCheckout(ctx context.Context, o benchCheckoutOptions, e env) error {
	out := e.stdout
	what := fmt.Sprintf("for %s per database", o.duration)
	if o.purchases > 0 {
		what = fmt.Sprintf("%s purchases per database", benchThousands(int64(o.purchases)))
	}
	fmt.Fprintf(out, "Checkout: %d concurrent buyers, %s approved images from %d contributors, one standard licence per order paid from the wallet, %s; %d CPUs.\n\n",
		o.buyers, benchThousands(int64(o.images)), min(checkoutContributors, o.images), what, runtime.NumCPU())

	// An interruption surfaces as whatever the statement it cut short returned; report it as
	// the interruption it is.
	failed := func(name string, err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("bench checkout: %s: interrupted: %w", name, context.Cause(ctx))
		}
		return fmt.Errorf("bench checkout: %s: %w", name, err)
	}
	var results []*checkoutResult
	r, err := benchCheckoutSQLite(ctx, o, out, newCheckoutLog(e.stderr))
	if err != nil {
		return failed("sqlite", err)
	}
	results = append(results, r)
	if o.postgres == "" {
		fmt.Fprint(out, "postgres: skipped (no --postgres URL and SNAPSHOP_TEST_POSTGRES is not set)\n\n")
		results = append(results, &checkoutResult{name: "postgres", skipped: "no URL"})
	} else {
		r, err := benchCheckoutPostgres(ctx, o, out, newCheckoutLog(e.stderr))
		if err != nil {
			return failed("postgres", err)
		}
		results = append(results, r)
	}
	if err := printBenchCheckout(out, o, results); err != nil {
		return err
	}
	var problems []string
	for _, r := range results {
		for _, p := range r.problems {
			problems = append(problems, r.name+": "+p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("bench checkout: %s", strings.Join(problems, "; "))
	}
	return nil
}

// benchCheckoutSQLite runs the benchmark on a fresh SQLite file, removed afterwards.
func benchCheckoutSQLite(ctx context.Context, o benchCheckoutOptions, out io.Writer, log *checkoutLog) (*checkoutResult, error) {
	const name = "bench-checkout.db"
	dir, cleanup, err := benchWorkDir("checkout", o.sqliteDir, false, out, sqliteFiles(name)...)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	path := filepath.Join(dir, name)
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, DSN: path, Logger: slog.New(log)})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	info := fmt.Sprintf("%s (glebarez/go-sqlite %s, modernc.org/sqlite %s; WAL, synchronous=NORMAL, immediate transactions)",
		path, benchModuleVersion("github.com/glebarez/go-sqlite"), benchModuleVersion("modernc.org/sqlite"))
	return benchCheckoutRun(ctx, o, out, log, "sqlite", info, db)
}

// benchCheckoutPostgres runs the benchmark in a fresh schema of the PostgreSQL database at
// o.postgres, dropped afterwards (also after Ctrl-C).
func benchCheckoutPostgres(ctx context.Context, o benchCheckoutOptions, out io.Writer, log *checkoutLog) (r *checkoutResult, err error) {
	dsn, version, drop, err := benchPostgresSchema(ctx, o.postgres, "bench_checkout_")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, drop()) }()
	db, err := store.Open(ctx, store.Options{Dialect: store.Postgres, DSN: dsn, Logger: slog.New(log)})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return benchCheckoutRun(ctx, o, out, log, "postgres", "PostgreSQL "+version+" through the store's GORM + pgx/v5 "+benchModuleVersion("github.com/jackc/pgx/v5"), db)
}

// benchPostgresSchema creates a fresh schema, named prefix and random letters, in the database
// at base. It returns a connection string whose search_path is that schema, the server's
// version, and a function that drops the schema with everything in it; the drop runs even when
// ctx has been cancelled.
func benchPostgresSchema(ctx context.Context, base, prefix string) (dsn, version string, drop func() error, err error) {
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return "", "", nil, usageError{fmt.Errorf("--postgres: %w", err)}
	}
	admin := stdlib.OpenDB(*cfg)
	if err := admin.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err != nil {
		_ = admin.Close()
		return "", "", nil, fmt.Errorf("connect: %w", err)
	}
	schema := prefix + app.RandomToken(6)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		return "", "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	drop = func() error {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(dctx, "DROP SCHEMA "+schema+" CASCADE")
		if err != nil {
			err = fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return errors.Join(err, admin.Close())
	}
	if u, perr := url.Parse(base); perr == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else {
		dsn = base + " search_path=" + schema // the key=value form
	}
	return dsn, version + ", schema " + schema, drop, nil
}

// checkoutBuyer is one buyer of a run. Its results are written by its own goroutine only.
type checkoutBuyer struct {
	index  int
	user   *app.User
	offset int // where in the image list this buyer starts buying
	quota  int // how many purchases to make; 0: until the deadline
	funded int64

	bought    int
	failures  int
	spent     int64
	lat       []time.Duration
	errs      map[string]int
	exhausted bool
}

// benchCheckoutRun sets up db, times the purchases and checks the books.
func benchCheckoutRun(ctx context.Context, o benchCheckoutOptions, out io.Writer, log *checkoutLog, name, info string, db *store.DB) (*checkoutResult, error) {
	r := &checkoutResult{name: name, info: info, errs: map[string]int{}}
	fmt.Fprintf(out, "%s: %s\n", name, info)
	start := time.Now()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // never fails (Go ≥ 1.24)
	const baseURL = "http://bench.invalid"
	packCents := int64(o.perBuyer()) * checkoutMaxPrice
	svc, err := commerce.NewService(db, ledger.New(db), commerce.Options{
		Prices:   app.Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 100_000},
		Packs:    append(commerce.DefaultPacks(), commerce.Pack{ID: checkoutPackID, PriceCents: packCents}),
		Provider: commerce.NewSandbox(secret, baseURL),
		Signer:   commerce.NewSigner(secret),
		BaseURL:  baseURL,
		Logger:   slog.New(log),
	})
	if err != nil {
		return nil, fmt.Errorf("commerce service: %w", err)
	}
	images, err := checkoutCatalogue(ctx, db, o.images)
	if err != nil {
		return nil, err
	}
	buyers, err := checkoutBuyers(ctx, db, svc, o)
	if err != nil {
		return nil, err
	}
	r.setup = time.Since(start)
	for _, b := range buyers {
		r.funded += b.funded
	}
	fmt.Fprintf(out, "%s: set up in %s: %s images, %d buyers funded with %s each (one TopUp + SandboxPay of a bench-sized pack)\n",
		name, r.setup.Round(time.Millisecond), benchThousands(int64(len(images))), len(buyers), benchDollars(buyers[0].funded))

	if o.purchases > 0 {
		fmt.Fprintf(out, "%s: %d buyers buying %s licences…\n", name, len(buyers), benchThousands(int64(o.purchases)))
	} else {
		fmt.Fprintf(out, "%s: %d buyers buying for %s…\n", name, len(buyers), o.duration)
	}
	benchFreeMemory()
	r.elapsed = checkoutBuy(ctx, svc, buyers, images, o.duration)
	r.peakRSSKB = benchPeakRSSKB()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, b := range buyers {
		r.purchases += b.bought
		r.failures += b.failures
		r.spent += b.spent
		r.lat = append(r.lat, b.lat...)
		for msg, n := range b.errs {
			r.errs[msg] += n
		}
		if b.exhausted {
			r.exhausted++
		}
	}
	p := benchPercentiles(r.lat)
	fmt.Fprintf(out, "%s: %s purchases, %s errors in %s: %s purchases/s; latency p50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n",
		name, benchThousands(int64(r.purchases)), benchThousands(int64(r.failures)), r.elapsed.Round(time.Millisecond), benchRate(r.purchases, r.elapsed),
		benchMS(p[0]), benchMS(p[1]), benchMS(p[2]), benchMS(p[3]))
	if r.failures > 0 {
		r.problems = append(r.problems, fmt.Sprintf("%d purchases failed", r.failures))
		msgs := slices.SortedFunc(maps.Keys(r.errs), func(a, b string) int { return cmp.Compare(r.errs[b], r.errs[a]) })
		for i, msg := range msgs {
			if i == checkoutErrorSamples {
				fmt.Fprintf(out, "%s:   … and %d other errors\n", name, len(msgs)-i)
				break
			}
			fmt.Fprintf(out, "%s:   %d× %s\n", name, r.errs[msg], msg)
		}
	}
	if n, top := log.slowQueries(3); n > 0 {
		fmt.Fprintf(out, "%s: %s statements took longer than the store's slow-query threshold; the most frequent:\n", name, benchThousands(int64(n)))
		for _, q := range top {
			fmt.Fprintf(out, "%s:   %s× (max %s ms) %s\n", name, benchThousands(int64(q.count)), benchMS(q.max), q.sql)
		}
	}
	if r.exhausted > 0 {
		fmt.Fprintf(out, "%s: note: %d buyers bought every image before the time was up; raise --images\n", name, r.exhausted)
	}
	if err := checkoutVerify(ctx, db, svc, buyers, r); err != nil {
		return nil, err
	}
	verdict := "passed"
	if r.verifyErr != nil {
		verdict = "FAILED: " + r.verifyErr.Error()
	}
	fmt.Fprintf(out, "%s: ledger.Verify %s\n", name, verdict)
	fmt.Fprintf(out, "%s: %s licences and %s licence orders for %s purchases; wallets hold %s = %s funded − %s spent (%s)\n\n",
		name, benchThousands(r.licences), benchThousands(r.orders), benchThousands(int64(r.purchases)),
		benchDollars(r.wallets), benchDollars(r.funded), benchDollars(r.spent), checkoutOK(r.wallets == r.funded-r.spent))
	return r, nil
}

// checkoutCatalogue creates the contributors and their approved images, returning the images'
// public IDs.
func checkoutCatalogue(ctx context.Context, db *store.DB, n int) ([]string, error) {
	contributors := make([]*app.User, min(checkoutContributors, n))
	for i := range contributors {
		u, err := checkoutUser(ctx, db, fmt.Sprintf("bench-contributor-%d", i+1), app.RoleContributor)
		if err != nil {
			return nil, err
		}
		contributors[i] = u
	}
	ids := make([]string, 0, n)
	for lo := 0; lo < n; lo += checkoutBatch {
		err := db.InTx(ctx, func(ctx context.Context) error {
			for i := lo; i < min(lo+checkoutBatch, n); i++ {
				img := &app.Image{
					ContributorID: contributors[i%len(contributors)].ID, Status: app.StatusApproved,
					Title: fmt.Sprintf("Bench photo %d", i+1), SHA256: fmt.Sprintf("%064x", i+1),
					FileSize: 1_000_000, Format: "jpeg", OriginalKey: fmt.Sprintf("originals/bench-%d", i+1),
					Width: 6000, Height: 4000, Orientation: app.Landscape, Megapixels: 24,
					PriceCents: checkoutImagePrice(i),
				}
				if err := db.CreateImage(ctx, img); err != nil {
					return err
				}
				ids = append(ids, img.PublicID)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("create images: %w", err)
		}
	}
	return ids, nil
}

// checkoutBuyers creates o.buyers buyers and funds each wallet through the same path a buyer's
// browser takes: a top-up order, then the sandbox card page paying it.
func checkoutBuyers(ctx context.Context, db *store.DB, svc *commerce.Service, o benchCheckoutOptions) ([]*checkoutBuyer, error) {
	buyers := make([]*checkoutBuyer, o.buyers)
	for i := range buyers {
		u, err := checkoutUser(ctx, db, fmt.Sprintf("bench-buyer-%d", i+1), app.RoleBuyer)
		if err != nil {
			return nil, err
		}
		top, err := svc.TopUp(ctx, u, fmt.Sprintf("bench-topup-%d", i+1), checkoutPackID)
		if err != nil {
			return nil, fmt.Errorf("top up buyer %d: %w", i+1, err)
		}
		paid, err := svc.SandboxPay(ctx, u, top.Order.ProviderSession, commerce.SandboxCardApproved)
		if err != nil {
			return nil, fmt.Errorf("pay buyer %d's top-up: %w", i+1, err)
		}
		if paid.Status != app.OrderPaid {
			return nil, fmt.Errorf("buyer %d's top-up is %s after paying, not paid", i+1, paid.Status)
		}
		buyers[i] = &checkoutBuyer{
			index: i, user: u, offset: i * o.images / o.buyers, quota: o.quota(i),
			funded: paid.CreditCents, errs: map[string]int{},
		}
	}
	return buyers, nil
}

// checkoutUser creates an active account that never signs in.
func checkoutUser(ctx context.Context, db *store.DB, name string, role app.Role) (*app.User, error) {
	u := &app.User{Username: name, Email: name + "@bench.invalid", PasswordHash: "x", Role: role}
	if err := db.CreateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return u, nil
}

// checkoutBuy runs every buyer in a goroutine of its own until its quota is bought, or, without
// quotas, until d has passed, and returns the wall time from the first purchase to the last.
// Buyers stop early, without counting an error, when ctx is cancelled.
func checkoutBuy(ctx context.Context, svc *commerce.Service, buyers []*checkoutBuyer, images []string, d time.Duration) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for _, b := range buyers {
		wg.Go(func() { b.buy(ctx, svc, images, deadline) })
	}
	wg.Wait()
	return time.Since(start)
}

// buy makes b's purchases: the images from b.offset on, one standard licence an order.
func (b *checkoutBuyer) buy(ctx context.Context, svc *commerce.Service, images []string, deadline time.Time) {
	for k := 0; ; k++ {
		switch {
		case ctx.Err() != nil:
			return
		case b.quota > 0 && b.bought+b.failures >= b.quota:
			return
		case b.quota == 0 && !time.Now().Before(deadline):
			return
		case k >= len(images):
			b.exhausted = true
			return
		}
		req := commerce.OrderRequest{
			Payment: app.PayWallet,
			Items:   []commerce.Line{{ImageID: images[(b.offset+k)%len(images)], License: app.LicenseStandard}},
		}
		t := time.Now()
		res, err := svc.CreateOrder(ctx, b.user, fmt.Sprintf("bench-order-%d-%d", b.index+1, k+1), req)
		lat := time.Since(t)
		switch {
		case err != nil && ctx.Err() != nil:
			return // interrupted: not the service's failure
		case err != nil:
			b.fail(err.Error())
		case res.Replayed:
			b.fail("a fresh idempotency key was answered as a replay")
		case res.Order.Status != app.OrderPaid:
			b.fail(fmt.Sprintf("a wallet order is %s, not paid", res.Order.Status))
		default:
			b.bought++
			b.spent += res.Order.TotalCents
			b.lat = append(b.lat, lat)
		}
	}
}

func (b *checkoutBuyer) fail(msg string) {
	b.failures++
	b.errs[msg]++
}

// checkoutVerify checks the books after a run and records in r what it found: the ledger
// balances, each buyer holds one licence per purchase and has one licence order per purchase,
// and each wallet holds what was funded less what was spent. Only a failure to read is
// returned as an error; a check that does not hold is added to r.problems.
func checkoutVerify(ctx context.Context, db *store.DB, svc *commerce.Service, buyers []*checkoutBuyer, r *checkoutResult) error {
	if err := svc.Ledger().Verify(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("verify: %w", err)
		}
		r.verifyErr = err
		r.problems = append(r.problems, "ledger.Verify: "+err.Error())
	}
	var badLicences, badOrders, badWallets []string
	for _, b := range buyers {
		lics, err := db.ListLicenses(ctx, store.LicenseFilter{BuyerID: b.user.ID})
		if err != nil {
			return fmt.Errorf("verify: buyer %d: %w", b.index+1, err)
		}
		_, orders, err := db.ListOrders(ctx, store.OrderFilter{BuyerID: b.user.ID, Kind: app.OrderLicenses, Statuses: []app.OrderStatus{app.OrderPaid}, Limit: 1})
		if err != nil {
			return fmt.Errorf("verify: buyer %d: %w", b.index+1, err)
		}
		balance, err := svc.Ledger().WalletBalance(ctx, b.user.ID)
		if err != nil {
			return fmt.Errorf("verify: buyer %d: %w", b.index+1, err)
		}
		r.licences += int64(len(lics))
		r.orders += orders
		r.wallets += balance
		if len(lics) != b.bought {
			badLicences = append(badLicences, fmt.Sprintf("buyer %d holds %d for %d purchases", b.index+1, len(lics), b.bought))
		}
		if orders != int64(b.bought) {
			badOrders = append(badOrders, fmt.Sprintf("buyer %d has %d for %d purchases", b.index+1, orders, b.bought))
		}
		if balance != b.funded-b.spent {
			badWallets = append(badWallets, fmt.Sprintf("buyer %d's holds %s, not %s − %s", b.index+1, benchDollars(balance), benchDollars(b.funded), benchDollars(b.spent)))
		}
	}
	if len(badLicences) > 0 {
		r.problems = append(r.problems, "licences: "+strings.Join(badLicences, ", "))
	}
	if len(badOrders) > 0 {
		r.problems = append(r.problems, "paid licence orders: "+strings.Join(badOrders, ", "))
	}
	if len(badWallets) > 0 {
		r.problems = append(r.problems, "wallets: "+strings.Join(badWallets, ", "))
	}
	return nil
}

// printBenchCheckout prints the databases side by side.
func printBenchCheckout(out io.Writer, o benchCheckoutOptions, results []*checkoutResult) error {
	fmt.Fprintf(out, "== checkout: %d buyers, %s images ==\n\n", o.buyers, benchThousands(int64(o.images)))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "\t"
	for _, r := range results {
		header += r.name + "\t"
	}
	fmt.Fprintln(tw, header)
	row := func(label string, cell func(r *checkoutResult) string) {
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
	pct := func(i int) func(r *checkoutResult) string {
		return func(r *checkoutResult) string { return benchMS(benchPercentiles(r.lat)[i]) }
	}
	row("purchases", func(r *checkoutResult) string { return benchThousands(int64(r.purchases)) })
	row("errors", func(r *checkoutResult) string { return benchThousands(int64(r.failures)) })
	row("time", func(r *checkoutResult) string { return r.elapsed.Round(time.Millisecond).String() })
	row("purchases/s", func(r *checkoutResult) string { return benchRate(r.purchases, r.elapsed) })
	row("p50 (ms)", pct(0))
	row("p90 (ms)", pct(1))
	row("p99 (ms)", pct(2))
	row("max (ms)", pct(3))
	row("ledger.Verify", func(r *checkoutResult) string { return checkoutOK(r.verifyErr == nil) })
	row("licences = purchases", func(r *checkoutResult) string { return checkoutOK(r.licences == int64(r.purchases)) })
	row("paid orders = purchases", func(r *checkoutResult) string { return checkoutOK(r.orders == int64(r.purchases)) })
	row("wallets = funded − spent", func(r *checkoutResult) string { return checkoutOK(r.wallets == r.funded-r.spent) })
	row("setup (untimed)", func(r *checkoutResult) string { return r.setup.Round(time.Millisecond).String() })
	row("peak RSS (this process)", func(r *checkoutResult) string { return benchKB(r.peakRSSKB) })
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench checkout: %w", err)
	}
	fmt.Fprintln(out)
	return nil
}

func checkoutOK(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAILED"
}

// benchDollars formats cents as dollars with thousands separators: $6,000.00.
func benchDollars(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%s.%02d", sign, benchThousands(c/100), c%100)
}

// checkoutLog is the slog handler of a run: it counts the store's "slow query" warnings by
// statement instead of printing each (under contention there are thousands), and passes every
// other warning and error on to the text handler it wraps. Its state is shared with the
// handlers WithAttrs and WithGroup derive from it.
type checkoutLog struct {
	next slog.Handler
	slow *checkoutSlowLog
}

type checkoutSlowLog struct {
	mu    sync.Mutex
	count int
	by    map[string]*checkoutSlowQuery
}

// checkoutSlowQuery is one statement, its numbers elided, that was slow.
type checkoutSlowQuery struct {
	sql   string
	count int
	max   time.Duration
}

func newCheckoutLog(w io.Writer) *checkoutLog {
	return &checkoutLog{
		next: slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}),
		slow: &checkoutSlowLog{by: map[string]*checkoutSlowQuery{}},
	}
}

// Enabled implements slog.Handler: warnings and errors.
func (l *checkoutLog) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

// Handle implements slog.Handler.
func (l *checkoutLog) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Message != "slow query" {
		if err := l.next.Handle(ctx, rec); err != nil {
			return fmt.Errorf("log: %w", err)
		}
		return nil
	}
	var sql string
	var dur time.Duration
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "sql":
			sql = a.Value.String()
		case "dur":
			dur = a.Value.Duration()
		}
		return true
	})
	key := checkoutStatement(sql)
	l.slow.mu.Lock()
	defer l.slow.mu.Unlock()
	l.slow.count++
	q := l.slow.by[key]
	if q == nil {
		q = &checkoutSlowQuery{sql: key}
		l.slow.by[key] = q
	}
	q.count++
	q.max = max(q.max, dur)
	return nil
}

// WithAttrs implements slog.Handler.
func (l *checkoutLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &checkoutLog{next: l.next.WithAttrs(attrs), slow: l.slow}
}

// WithGroup implements slog.Handler.
func (l *checkoutLog) WithGroup(name string) slog.Handler {
	return &checkoutLog{next: l.next.WithGroup(name), slow: l.slow}
}

// slowQueries returns how many slow statements were logged and the n most frequent.
func (l *checkoutLog) slowQueries(n int) (int, []checkoutSlowQuery) {
	l.slow.mu.Lock()
	defer l.slow.mu.Unlock()
	all := make([]checkoutSlowQuery, 0, len(l.slow.by))
	for _, q := range l.slow.by {
		all = append(all, *q)
	}
	slices.SortFunc(all, func(a, b checkoutSlowQuery) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.sql, b.sql))
	})
	return l.slow.count, all[:min(n, len(all))]
}

// checkoutStatement shortens a logged statement to its shape: whitespace collapsed, numbers
// and quoted strings replaced by ?, at most 160 characters.
func checkoutStatement(sql string) string {
	var b strings.Builder
	space := false
	var prev rune // the last character written
	emit := func(c rune) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(c)
		prev = c
	}
	inQuote := false
	for _, c := range sql {
		word := prev == '_' || prev >= 'a' && prev <= 'z' || prev >= 'A' && prev <= 'Z' || prev >= '0' && prev <= '9'
		switch {
		case inQuote:
			inQuote = c != '\''
		case c == '\'':
			inQuote = true
			emit('?')
		case c >= '0' && c <= '9' && word && prev != '?':
			emit(c) // part of a name such as t1
		case c >= '0' && c <= '9':
			if prev != '?' || space {
				emit('?')
			}
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			space = true
		default:
			emit(c)
		}
	}
	out := b.String()
	if r := []rune(out); len(r) > 160 {
		out = string(r[:159]) + "…"
	}
	return out
}
