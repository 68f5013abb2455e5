// Package config holds Snapshop's one Config struct: defaults that let
// `snapshop serve` run with no configuration, overrides from SNAPSHOP_*
// environment variables and then command-line flags, and validation at start.
//
// It reads the environment only through a lookup function its caller passes
// in, so tests never touch the real environment. It imports only the standard
// library and app.
package config
