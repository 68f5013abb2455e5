package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func load(t *testing.T, vars map[string]string, args ...string) (Config, error) {
	t.Helper()
	c, err := FromEnv(env(vars))
	if err != nil {
		return c, err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.BindServe(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestDefaultsRunWithNoConfiguration(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "data" || c.BaseURL != "http://localhost:8080" || !c.Migrate {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	db, _ := c.Database()
	if db.Dialect != "sqlite" || db.DSN != filepath.Join("data", "snapshop.db") {
		t.Fatalf("default database = %+v", db)
	}
	if c.Secure() {
		t.Fatal("http base URL reported secure")
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := load(t, map[string]string{
		"SNAPSHOP_ADDR":     "127.0.0.1:9000",
		"SNAPSHOP_BASE_URL": "https://env.example/",
		"DATABASE_URL":      "postgres://u:hunter2@db:5432/snap",
		"SNAPSHOP_MIGRATE":  "false",
	}, "--addr", ":7000", "--log-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":7000" {
		t.Errorf("addr = %q, flag should win", c.Addr)
	}
	if c.BaseURL != "https://env.example" || !c.Secure() {
		t.Errorf("base url = %q", c.BaseURL)
	}
	if c.Migrate {
		t.Error("SNAPSHOP_MIGRATE=false ignored")
	}
	db, _ := c.Database()
	if db.Dialect != "postgres" {
		t.Errorf("dialect = %q", db.Dialect)
	}
	if c.LogFormat != "json" {
		t.Errorf("log format = %q", c.LogFormat)
	}
}

func TestSnapshopDatabaseURLWinsOverDatabaseURL(t *testing.T) {
	c, err := load(t, map[string]string{"SNAPSHOP_DATABASE_URL": "sqlite:/tmp/x.db", "DATABASE_URL": "postgres://h/db"})
	if err != nil {
		t.Fatal(err)
	}
	if db, _ := c.Database(); db.Dialect != "sqlite" || db.DSN != "/tmp/x.db" {
		t.Fatalf("database = %+v", db)
	}
}

func TestInvalidConfigurationIsOneClearLine(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"addr", nil, []string{"--addr", "8080"}, "addr"},
		{"port", nil, []string{"--addr", ":99999"}, "port"},
		{"base url", nil, []string{"--base-url", "ftp://x"}, "base-url"},
		{"db scheme", map[string]string{"DATABASE_URL": "mysql://x/y"}, nil, "database-url"},
		{"log format", nil, []string{"--log-format", "xml"}, "log-format"},
		{"log level", map[string]string{"SNAPSHOP_LOG_LEVEL": "loud"}, nil, "log-level"},
		{"proxies", nil, []string{"--trusted-proxies", "10.0.0.0/8,nonsense"}, "trusted-proxies"},
		{"secret", map[string]string{"SNAPSHOP_SECRET_KEY": "abcd"}, nil, "secret key"},
		{"bool env", map[string]string{"SNAPSHOP_MIGRATE": "perhaps"}, nil, "SNAPSHOP_MIGRATE"},
		{"duration env", map[string]string{"SNAPSHOP_SHUTDOWN_TIMEOUT": "soon"}, nil, "SNAPSHOP_SHUTDOWN_TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.vars, tc.args...)
			if err == nil {
				t.Fatal("accepted invalid configuration")
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q should be one line naming %q", msg, tc.want)
			}
		})
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c := Default()
	c.DatabaseURL = "postgres://snap:hunter2@db/snap"
	c.SecretKey = strings.Repeat("ab", 32)
	s := c.LogValue().String()
	if strings.Contains(s, "hunter2") || strings.Contains(s, c.SecretKey) {
		t.Fatalf("secret in log value: %s", s)
	}
}

func TestSecretKeyIsGeneratedOnceAndKept(t *testing.T) {
	c := Default()
	c.DataDir = filepath.Join(t.TempDir(), "nested")
	k1, err := c.LoadSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.LoadSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 || string(k1) != string(k2) {
		t.Fatalf("key not stable: %x vs %x", k1, k2)
	}
	st, err := os.Stat(filepath.Join(c.DataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file mode %v, want 0600", st.Mode().Perm())
	}
	if err := os.WriteFile(filepath.Join(c.DataDir, "secret.key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoadSecretKey(); err == nil {
		t.Fatal("corrupt key file accepted")
	}
}

func TestUploadAndStorageSettings(t *testing.T) {
	c, err := load(t, map[string]string{
		"SNAPSHOP_MAX_UPLOAD_MB": "20", "SNAPSHOP_MIN_MEGAPIXELS": "2.5", "SNAPSHOP_WORKERS": "3", "SNAPSHOP_MAX_IN_FLIGHT": "12",
		"SNAPSHOP_S3_BUCKET": "photos", "SNAPSHOP_S3_ENDPOINT": "minio:9000",
		"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "very-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Uploads.MaxFileMB != 20 || c.Uploads.MinMegapixels != 2.5 || c.Workers != 3 || c.Uploads.MaxFiles != 100 || c.MaxInFlight != 12 {
		t.Fatalf("uploads %+v workers %d max in flight %d", c.Uploads, c.Workers, c.MaxInFlight)
	}
	if c.S3.AccessKey != "AKIA" || c.S3.SecretKey != "very-secret" {
		t.Fatalf("S3 credentials from AWS_* not read: %+v", c.S3)
	}
	if s := c.LogValue().String(); strings.Contains(s, "very-secret") || !strings.Contains(s, "s3://minio:9000/photos") {
		t.Fatalf("log value: %s", s)
	}
	for name, vars := range map[string]map[string]string{
		"bucket without keys": {"SNAPSHOP_S3_BUCKET": "photos"},
		"min above max":       {"SNAPSHOP_MIN_MEGAPIXELS": "200"},
		"zero files":          {"SNAPSHOP_MAX_FILES": "0"},
		"not a number":        {"SNAPSHOP_MAX_UPLOAD_MB": "lots"},
		"negative workers":    {"SNAPSHOP_WORKERS": "-1"},
		"negative in flight":  {"SNAPSHOP_MAX_IN_FLIGHT": "-1"},
	} {
		if _, err := load(t, vars); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
