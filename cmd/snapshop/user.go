package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/config"
)

// runUser handles `snapshop user create`.
func runUser(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New(`usage: snapshop user create --username U --email E --role admin|contributor|buyer [--password P]`)}
	}
	var username, email, role, password string
	cfg, _, err := loadConfig("user create", args[1:], e, func(c *config.Config, fs *flag.FlagSet) {
		c.BindCommon(fs)
		fs.StringVar(&username, "username", "", "username (required)")
		fs.StringVar(&email, "email", "", "email address (required)")
		fs.StringVar(&role, "role", "buyer", "admin, contributor or buyer")
		fs.StringVar(&password, "password", "", "password; if omitted, read from the first line of standard input")
	})
	if err != nil {
		return err
	}
	r, ok := app.ParseRole(role)
	if !ok {
		return usageError{fmt.Errorf("--role %q: want admin, contributor or buyer", role)}
	}
	if password == "" {
		if f, ok := e.stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprint(e.stderr, "Password (will be echoed): ")
			}
		}
		if password, err = readLine(e.stdin); err != nil {
			return fmt.Errorf("read password from standard input: %w", err)
		}
	}
	log := newLogger(cfg, e.stderr)
	db, err := openStore(ctx, cfg, log, cfg.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts, err := auth.NewService(db, auth.Options{Logger: log})
	if err != nil {
		return err
	}
	u, err := accounts.CreateUser(ctx, auth.NewAccount{Email: email, Username: username, Password: password, Role: r})
	if fields := app.ErrorFields(err); fields != nil {
		return usageError{fmt.Errorf("cannot create user: %s", describeFields(fields))}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s %q <%s>\n", u.Role, u.Username, u.Email)
	return nil
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if errors.Is(err, io.EOF) && line != "" {
		err = nil // a last line without a newline
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// describeFields renders field errors as one line: "email: …; password: …".
func describeFields(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	return strings.Join(parts, "; ")
}
