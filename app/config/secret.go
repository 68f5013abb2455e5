package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const secretFile = "secret.key"

// LoadSecretKey returns the server's signing key: SNAPSHOP_SECRET_KEY when set,
// otherwise the key kept in DataDir/secret.key, generated on first start.
// Several processes sharing one database must share the key: set it in the
// environment for them.
func (c *Config) LoadSecretKey() ([]byte, error) {
	if c.SecretKey != "" {
		return hex.DecodeString(c.SecretKey)
	}
	path := filepath.Join(c.DataDir, secretFile)
	b, err := os.ReadFile(path) // #nosec G304 -- the operator's data directory, not request input
	switch {
	case err == nil:
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < 32 {
			return nil, fmt.Errorf("secret key file %s is corrupt: delete it to generate a new one", path)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate secret key: %w", err)
	}
	// O_EXCL: if another process won the race, use its key instead.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- as above
	if errors.Is(err, fs.ErrExist) {
		return c.LoadSecretKey()
	}
	if err != nil {
		return nil, fmt.Errorf("create secret key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return key, nil
}
