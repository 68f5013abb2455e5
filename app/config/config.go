package config

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything a Snapshop process can be told at start.
type Config struct {
	Addr            string        // listen address, host:port
	DataDir         string        // SQLite file, blobs, index, secret key
	BaseURL         string        // public URL of the site; derived from Addr when empty
	DatabaseURL     string        // postgres://… or a SQLite path/URL; empty means DataDir/snapshop.db
	LogFormat       string        // text or json
	LogLevel        string        // debug, info, warn, error
	TrustedProxies  string        // comma-separated CIDRs whose X-Forwarded-For is believed
	SecretKey       string        // hex, ≥ 32 bytes; empty means generate and keep in DataDir
	Migrate         bool          // apply pending migrations at start
	Dev             bool          // read views and static files from disk
	Demo            bool          // fill demo accounts and data
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM
	Workers         int           // image-processing workers; 0 means one per core
	MaxInFlight     int           // page and API requests computing at once; 0 means four per core
	Watermark       string        // text tiled across previews
	Uploads         Uploads
	S3              S3
	Prices          Prices
	Stripe          Stripe
}

// Prices are the platform's licence prices, in cents, and how sales split.
type Prices struct {
	StandardCents  int64 // default price of a standard licence
	ExtendedCents  int64 // default price of an extended licence
	MinCents       int64 // lowest standard price a contributor may set
	MaxCents       int64 // highest standard price a contributor may set
	ShareBP        int64 // contributors' default share of a sale, in basis points
	PayoutMinCents int64 // balance a contributor needs to request a payout
}

// Stripe selects Stripe for card payments when SecretKey is set; otherwise
// the built-in sandbox takes them.
type Stripe struct {
	SecretKey     string
	WebhookSecret string
}

// Uploads are the limits on what contributors may upload.
type Uploads struct {
	MaxFileMB     int     // per file
	MinMegapixels float64 // per image
	MaxMegapixels float64
	MaxFiles      int // per request
	MaxDrafts     int // unsubmitted images per contributor
	MaxPending    int // images awaiting review per contributor
}

// S3 selects S3-compatible object storage for blobs when Bucket is set;
// otherwise blobs live under DataDir/blobs.
type S3 struct {
	Endpoint  string // host[:port]
	Region    string
	Bucket    string
	Prefix    string
	AccessKey string
	SecretKey string
	Insecure  bool // plain HTTP
	PathStyle bool
}

// Default returns the configuration `snapshop serve` uses when told nothing.
func Default() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "data",
		LogFormat:       "text",
		LogLevel:        "info",
		Migrate:         true,
		ShutdownTimeout: 20 * time.Second,
		Watermark:       "snapshop",
		Prices:          Prices{StandardCents: 300, ExtendedCents: 3000, MinCents: 100, MaxCents: 10_000, ShareBP: 6000, PayoutMinCents: 2500},
		Uploads: Uploads{
			MaxFileMB:     50,
			MinMegapixels: 4,
			MaxMegapixels: 100,
			MaxFiles:      100,
			MaxDrafts:     500,
			MaxPending:    100,
		},
	}
}

// LookupFunc reads one environment variable, like os.LookupEnv.
type LookupFunc func(key string) (string, bool)

// env lists, for each setting, the variables that may carry it and where the
// value goes. DATABASE_URL is read as well as SNAPSHOP_DATABASE_URL because it
// is what every hosting platform sets.
func (c *Config) env() []envVar {
	return []envVar{
		{[]string{"SNAPSHOP_ADDR"}, stringVar(&c.Addr)},
		{[]string{"SNAPSHOP_DATA"}, stringVar(&c.DataDir)},
		{[]string{"SNAPSHOP_BASE_URL"}, stringVar(&c.BaseURL)},
		{[]string{"SNAPSHOP_DATABASE_URL", "DATABASE_URL"}, stringVar(&c.DatabaseURL)},
		{[]string{"SNAPSHOP_LOG_FORMAT"}, stringVar(&c.LogFormat)},
		{[]string{"SNAPSHOP_LOG_LEVEL"}, stringVar(&c.LogLevel)},
		{[]string{"SNAPSHOP_TRUSTED_PROXIES"}, stringVar(&c.TrustedProxies)},
		{[]string{"SNAPSHOP_SECRET_KEY"}, stringVar(&c.SecretKey)},
		{[]string{"SNAPSHOP_MIGRATE"}, boolVar(&c.Migrate)},
		{[]string{"SNAPSHOP_DEV"}, boolVar(&c.Dev)},
		{[]string{"SNAPSHOP_SHUTDOWN_TIMEOUT"}, durationVar(&c.ShutdownTimeout)},
		{[]string{"SNAPSHOP_WORKERS"}, intVar(&c.Workers)},
		{[]string{"SNAPSHOP_MAX_IN_FLIGHT"}, intVar(&c.MaxInFlight)},
		{[]string{"SNAPSHOP_WATERMARK"}, stringVar(&c.Watermark)},
		{[]string{"SNAPSHOP_MAX_UPLOAD_MB"}, intVar(&c.Uploads.MaxFileMB)},
		{[]string{"SNAPSHOP_MIN_MEGAPIXELS"}, floatVar(&c.Uploads.MinMegapixels)},
		{[]string{"SNAPSHOP_MAX_MEGAPIXELS"}, floatVar(&c.Uploads.MaxMegapixels)},
		{[]string{"SNAPSHOP_MAX_FILES"}, intVar(&c.Uploads.MaxFiles)},
		{[]string{"SNAPSHOP_MAX_DRAFTS"}, intVar(&c.Uploads.MaxDrafts)},
		{[]string{"SNAPSHOP_MAX_PENDING"}, intVar(&c.Uploads.MaxPending)},
		{[]string{"SNAPSHOP_S3_ENDPOINT"}, stringVar(&c.S3.Endpoint)},
		{[]string{"SNAPSHOP_S3_REGION", "AWS_REGION"}, stringVar(&c.S3.Region)},
		{[]string{"SNAPSHOP_S3_BUCKET"}, stringVar(&c.S3.Bucket)},
		{[]string{"SNAPSHOP_S3_PREFIX"}, stringVar(&c.S3.Prefix)},
		{[]string{"SNAPSHOP_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID"}, stringVar(&c.S3.AccessKey)},
		{[]string{"SNAPSHOP_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"}, stringVar(&c.S3.SecretKey)},
		{[]string{"SNAPSHOP_S3_INSECURE"}, boolVar(&c.S3.Insecure)},
		{[]string{"SNAPSHOP_S3_PATH_STYLE"}, boolVar(&c.S3.PathStyle)},
		{[]string{"SNAPSHOP_PRICE_STANDARD_CENTS"}, int64Var(&c.Prices.StandardCents)},
		{[]string{"SNAPSHOP_PRICE_EXTENDED_CENTS"}, int64Var(&c.Prices.ExtendedCents)},
		{[]string{"SNAPSHOP_PRICE_MIN_CENTS"}, int64Var(&c.Prices.MinCents)},
		{[]string{"SNAPSHOP_PRICE_MAX_CENTS"}, int64Var(&c.Prices.MaxCents)},
		{[]string{"SNAPSHOP_CONTRIBUTOR_SHARE_BP"}, int64Var(&c.Prices.ShareBP)},
		{[]string{"SNAPSHOP_PAYOUT_MIN_CENTS"}, int64Var(&c.Prices.PayoutMinCents)},
		{[]string{"SNAPSHOP_STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY"}, stringVar(&c.Stripe.SecretKey)},
		{[]string{"SNAPSHOP_STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"}, stringVar(&c.Stripe.WebhookSecret)},
	}
}

type envVar struct {
	names []string
	set   func(string) error
}

func stringVar(p *string) func(string) error {
	return func(s string) error { *p = s; return nil }
}

func boolVar(p *bool) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		*p = v
		return nil
	}
}

func intVar(p *int) func(string) error {
	return func(s string) error {
		v, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("want a whole number")
		}
		*p = v
		return nil
	}
}

func int64Var(p *int64) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("want a whole number")
		}
		*p = v
		return nil
	}
}

func floatVar(p *float64) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errors.New("want a number")
		}
		*p = v
		return nil
	}
}

func durationVar(p *time.Duration) func(string) error {
	return func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("want a duration such as 20s")
		}
		*p = v
		return nil
	}
}

// FromEnv returns the defaults overridden by environment variables.
func FromEnv(lookup LookupFunc) (Config, error) {
	c := Default()
	for _, v := range c.env() {
		for _, name := range v.names {
			s, ok := lookup(name)
			if !ok || s == "" {
				continue
			}
			if err := v.set(s); err != nil {
				return c, fmt.Errorf("%s=%q: %w", name, s, err)
			}
			break
		}
	}
	return c, nil
}

// BindCommon registers the flags every subcommand understands, defaulting to
// the values already in c (so flags override the environment).
func (c *Config) BindCommon(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (SQLite file, blobs, index, secret key) [SNAPSHOP_DATA]")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL, or a SQLite file; default <data>/snapshop.db [DATABASE_URL]")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json [SNAPSHOP_LOG_FORMAT]")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error [SNAPSHOP_LOG_LEVEL]")
}

// BindServe registers the flags of `snapshop serve`.
func (c *Config) BindServe(fs *flag.FlagSet) {
	c.BindCommon(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address [SNAPSHOP_ADDR]")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public base URL, e.g. https://snapshop.example [SNAPSHOP_BASE_URL]")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated CIDRs of proxies whose X-Forwarded-For is trusted [SNAPSHOP_TRUSTED_PROXIES]")
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply database migrations at start [SNAPSHOP_MIGRATE]")
	fs.BoolVar(&c.Dev, "dev", c.Dev, "read templates and static files from disk on every request [SNAPSHOP_DEV]")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "create demo accounts and a demo catalogue")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "grace period for in-flight requests on shutdown [SNAPSHOP_SHUTDOWN_TIMEOUT]")
	fs.IntVar(&c.Workers, "workers", c.Workers, "image-processing workers; 0 means one per core [SNAPSHOP_WORKERS]")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "page and API requests computed at once, the rest queued in order; 0 means four per core [SNAPSHOP_MAX_IN_FLIGHT]")
}

// Validate checks every setting and fills the derived ones (BaseURL from Addr).
// Its error is one line naming the setting at fault.
func (c *Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("addr %q: want host:port, such as :8080", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("addr %q: port must be a number from 0 to 65535", c.Addr)
	}
	if c.DataDir == "" {
		return errors.New("data: must not be empty")
	}
	if c.BaseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base-url %q: want an absolute http:// or https:// URL", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if _, err := c.Database(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log-format %q: want text or json", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		return err
	}
	if c.SecretKey != "" {
		if b, err := hex.DecodeString(c.SecretKey); err != nil || len(b) < 32 {
			return errors.New("secret key: SNAPSHOP_SECRET_KEY must be at least 64 hex digits (32 bytes)")
		}
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("shutdown-timeout %s: must be positive", c.ShutdownTimeout)
	}
	if c.Workers < 0 || c.Workers > 256 {
		return fmt.Errorf("workers %d: want 0 (one per core) to 256", c.Workers)
	}
	if c.MaxInFlight < 0 || c.MaxInFlight > 4096 {
		return fmt.Errorf("max-in-flight %d: want 0 (four per core) to 4096", c.MaxInFlight)
	}
	return c.validateUploads()
}

func (c *Config) validateUploads() error {
	u := c.Uploads
	switch {
	case u.MaxFileMB < 1 || u.MaxFileMB > 1024:
		return fmt.Errorf("SNAPSHOP_MAX_UPLOAD_MB %d: want 1 to 1024", u.MaxFileMB)
	case u.MinMegapixels < 0 || u.MaxMegapixels <= 0 || u.MinMegapixels > u.MaxMegapixels:
		return fmt.Errorf("megapixel limits %g–%g: want 0 ≤ min ≤ max", u.MinMegapixels, u.MaxMegapixels)
	case u.MaxMegapixels > 500:
		return fmt.Errorf("SNAPSHOP_MAX_MEGAPIXELS %g: at most 500 (decoding needs about 4 bytes a pixel)", u.MaxMegapixels)
	case u.MaxFiles < 1 || u.MaxFiles > 1000:
		return fmt.Errorf("SNAPSHOP_MAX_FILES %d: want 1 to 1000", u.MaxFiles)
	case u.MaxDrafts < 1 || u.MaxPending < 1:
		return errors.New("SNAPSHOP_MAX_DRAFTS and SNAPSHOP_MAX_PENDING must be at least 1")
	}
	if p := c.Prices; p.StandardCents < 1 || p.ExtendedCents < p.StandardCents || p.ExtendedCents > 1_000_000 {
		return fmt.Errorf("prices %d/%d cents: want 1 ≤ standard ≤ extended ≤ 1000000", p.StandardCents, p.ExtendedCents)
	}
	if p := c.Prices; p.MinCents < 1 || p.MinCents > p.StandardCents || p.MaxCents < p.StandardCents {
		return fmt.Errorf("price bounds %d–%d cents: want 1 ≤ min ≤ standard price (%d) ≤ max", p.MinCents, p.MaxCents, p.StandardCents)
	}
	if p := c.Prices; p.ShareBP < 1 || p.ShareBP > 10_000 {
		return fmt.Errorf("SNAPSHOP_CONTRIBUTOR_SHARE_BP %d: want 1–10000 basis points", p.ShareBP)
	}
	if c.Prices.PayoutMinCents < 1 {
		return errors.New("SNAPSHOP_PAYOUT_MIN_CENTS must be at least 1")
	}
	if (c.Stripe.SecretKey == "") != (c.Stripe.WebhookSecret == "") {
		return errors.New("Stripe: set both SNAPSHOP_STRIPE_SECRET_KEY and SNAPSHOP_STRIPE_WEBHOOK_SECRET, or neither (the sandbox)")
	}
	if c.S3.Bucket != "" && (c.S3.Endpoint == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		return errors.New("S3 storage: SNAPSHOP_S3_BUCKET needs SNAPSHOP_S3_ENDPOINT, SNAPSHOP_S3_ACCESS_KEY and SNAPSHOP_S3_SECRET_KEY")
	}
	return nil
}

// Secure reports whether the site is served over HTTPS, so cookies must be Secure.
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Level returns the parsed log level (Validate has checked it).
func (c *Config) Level() slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return lvl
}

// TrustedProxyPrefixes parses TrustedProxies.
func (c *Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies %q: want CIDRs such as 10.0.0.0/8", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// Database says which database to open.
type Database struct {
	Dialect string // "sqlite" or "postgres"
	DSN     string // for sqlite, a file path; for postgres, the URL
}

// Database returns the dialect and DSN: PostgreSQL for postgres:// URLs,
// otherwise a SQLite file (DataDir/snapshop.db when none is named).
func (c *Config) Database() (Database, error) {
	s := c.DatabaseURL
	switch {
	case s == "":
		return Database{Dialect: "sqlite", DSN: filepath.Join(c.DataDir, "snapshop.db")}, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return Database{}, fmt.Errorf("database-url: not a valid postgres URL (%s)", maskURL(s))
		}
		return Database{Dialect: "postgres", DSN: s}, nil
	case strings.HasPrefix(s, "sqlite://"):
		return Database{Dialect: "sqlite", DSN: strings.TrimPrefix(s, "sqlite://")}, nil
	case strings.HasPrefix(s, "sqlite:"):
		return Database{Dialect: "sqlite", DSN: strings.TrimPrefix(s, "sqlite:")}, nil
	case strings.Contains(s, "://"):
		return Database{}, fmt.Errorf("database-url: unsupported scheme in %s (want postgres:// or a SQLite file)", maskURL(s))
	default:
		return Database{Dialect: "sqlite", DSN: s}, nil
	}
}

// LogValue prints the effective configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	secret := "generated"
	if c.SecretKey != "" {
		secret = "set"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("data", c.DataDir),
		slog.String("base_url", c.BaseURL),
		slog.String("database_url", maskURL(c.DatabaseURL)),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.String("trusted_proxies", c.TrustedProxies),
		slog.String("secret_key", secret),
		slog.Bool("migrate", c.Migrate),
		slog.Bool("dev", c.Dev),
		slog.Bool("demo", c.Demo),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.Int("workers", c.Workers),
		slog.Int("max_in_flight", c.MaxInFlight),
		slog.Any("uploads", c.Uploads),
		slog.String("blobs", c.blobsDescription()),
		slog.Any("prices", c.Prices),
		slog.String("payments", c.PaymentProvider()),
	)
}

// PaymentProvider names the provider card payments go through.
func (c Config) PaymentProvider() string {
	if c.Stripe.SecretKey != "" {
		return "stripe"
	}
	return "sandbox"
}

// maskURL hides the password in a URL, leaving the rest for diagnosis.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if strings.Contains(s, "@") {
			return "(unparseable URL)"
		}
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// blobsDescription says where blobs go, without credentials.
func (c Config) blobsDescription() string {
	if c.S3.Bucket == "" {
		return "local:" + filepath.Join(c.DataDir, "blobs")
	}
	return "s3://" + c.S3.Endpoint + "/" + c.S3.Bucket + "/" + c.S3.Prefix
}
