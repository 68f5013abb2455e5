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
	)
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
