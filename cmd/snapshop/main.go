// Command snapshop runs the Snapshop stock-photo marketplace.
//
//	snapshop serve [--demo] [flags]    run the web server
//	snapshop migrate [flags]           apply database migrations
//	snapshop user create [flags]       create an account (the first admin)
//	snapshop reindex [flags]           rebuild the search indexes
//	snapshop worker [flags]            process images without serving (PostgreSQL)
//	snapshop bench media [flags]       benchmark the image pipeline
//	snapshop bench checkout [flags]    benchmark wallet purchases
//	snapshop bench http [flags]        benchmark the server over HTTP
//
// Every flag can also be set through a SNAPSHOP_* environment variable; run a
// subcommand with -h for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/snapshop/snapshop/app/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	err := run(ctx, os.Args[1:], env{lookup: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "snapshop:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "snapshop:", err)
		os.Exit(1)
	}
}

// env is the outside world a command may touch, so tests can supply their own.
type env struct {
	lookup config.LookupFunc
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// usageError is bad input on the command line or in the environment: it exits 2.
type usageError struct{ error }

const usage = `Snapshop — a stock-photo marketplace.

Usage:
  snapshop serve [--demo] [flags]   run the web server (default :8080, data in ./data)
  snapshop migrate [flags]          apply pending database migrations
  snapshop user create [flags]      create an account, e.g. the first admin
  snapshop reindex [flags]          rebuild every server's search index (no downtime)
  snapshop worker [flags]           process uploaded images without serving (extra processes, PostgreSQL)
  snapshop bench media [flags]      time the image pipeline (against vipsthumbnail if installed)
  snapshop bench search [flags]     time search on a synthetic catalogue against SQLite FTS5 and PostgreSQL
  snapshop bench checkout [flags]   time wallet purchases from concurrent buyers on SQLite and PostgreSQL
  snapshop bench http [flags]       drive the server's pages and API from concurrent clients on a generated catalogue

Run "snapshop <command> -h" for a command's flags.`

func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, usage)
		return usageError{errors.New("no command given")}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], e)
	case "migrate":
		return runMigrate(ctx, args[1:], e)
	case "user":
		return runUser(ctx, args[1:], e)
	case "reindex":
		return runReindex(ctx, args[1:], e)
	case "worker":
		return runWorker(ctx, args[1:], e)
	case "bench":
		return runBench(ctx, args[1:], e)
	case "help", "-h", "--help":
		fmt.Fprintln(e.stdout, usage)
		return nil
	}
	fmt.Fprintln(e.stderr, usage)
	return usageError{fmt.Errorf("unknown command %q", args[0])}
}

// runBench dispatches `snapshop bench <what>`.
func runBench(ctx context.Context, args []string, e env) error {
	if len(args) > 0 {
		switch args[0] {
		case "media":
			return runBenchMedia(ctx, args[1:], e)
		case "search":
			return runBenchSearch(ctx, args[1:], e)
		case "checkout":
			return runBenchCheckout(ctx, args[1:], e)
		case "http":
			return runBenchHTTP(ctx, args[1:], e)
		}
	}
	return usageError{errors.New("usage: snapshop bench media|search|checkout|http [flags]")}
}

// loadConfig reads the environment, then the flags bound by bind, then validates.
func loadConfig(name string, args []string, e env, bind func(*config.Config, *flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	cfg, err := config.FromEnv(e.lookup)
	if err != nil {
		return cfg, nil, usageError{fmt.Errorf("invalid configuration: %w", err)}
	}
	fs := flag.NewFlagSet("snapshop "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	bind(&cfg, fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, fs, err
		}
		return cfg, fs, usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fs, usageError{fmt.Errorf("invalid configuration: %w", err)}
	}
	return cfg, fs, nil
}
