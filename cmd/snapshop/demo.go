package main

import (
	"context"
	"fmt"
	"io"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
)

// demoAccounts are created by `serve --demo`, one per role.
var demoAccounts = []struct {
	username string
	role     app.Role
}{
	{"demo-admin", app.RoleAdmin},
	{"demo-contributor", app.RoleContributor},
	{"demo-buyer", app.RoleBuyer},
}

// seedDemo makes sure the demo accounts exist and gives each a fresh random
// password, printed once: a demo never runs on a guessable password.
func seedDemo(ctx context.Context, accounts *auth.Service, out io.Writer) error {
	fmt.Fprintln(out, "Demo accounts (passwords are new at every start):")
	for _, d := range demoAccounts {
		password := app.RandomToken(8)
		u, err := accounts.UserByUsername(ctx, d.username)
		switch app.ErrorCode(err) {
		case app.ENotFound:
			_, err = accounts.CreateUser(ctx, auth.NewAccount{
				Email: d.username + "@demo.snapshop.test", Username: d.username, Password: password, Role: d.role,
			})
		case "":
			err = accounts.SetPassword(ctx, u.ID, password)
		}
		if err != nil {
			return fmt.Errorf("demo account %s: %w", d.username, err)
		}
		fmt.Fprintf(out, "  %-12s  login: %-17s  password: %s\n", d.role, d.username, password)
	}
	return nil
}
