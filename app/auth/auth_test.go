package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
	"github.com/snapshop/snapshop/app/store"
	"github.com/snapshop/snapshop/app/store/storetest"
)

var ctx = context.Background()

// cheap keeps tests fast; production uses auth.DefaultHashParams.
var cheap = auth.HashParams{Memory: 64, Time: 1, Threads: 1}

func newService(t *testing.T, db *store.DB) *auth.Service {
	t.Helper()
	s, err := auth.NewService(db, auth.Options{Hash: cheap, Logger: storetest.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ann() auth.NewAccount {
	return auth.NewAccount{Email: " Ann@Example.COM ", Username: "Ann_1", Password: "correct horse", Role: app.RoleBuyer}
}

func TestSignUpNormalisesAndHashes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		u, err := s.SignUp(ctx, ann())
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ann@example.com" || u.Username != "ann_1" || u.Role != app.RoleBuyer {
			t.Fatalf("user = %+v", u)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(u.PasswordHash, "horse") {
			t.Fatalf("password hash %q", u.PasswordHash)
		}
	})
}

func TestSignUpRefusesBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.SignUp(ctx, ann()); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			edit  func(*auth.NewAccount)
			field string
		}{
			{"empty email", func(a *auth.NewAccount) { a.Email = "" }, "email"},
			{"bad email", func(a *auth.NewAccount) { a.Email = "ann@localhost" }, "email"},
			{"display name", func(a *auth.NewAccount) { a.Email = "Ann <ann@x.com>" }, "email"},
			{"short username", func(a *auth.NewAccount) { a.Username = "ab" }, "username"},
			{"username chars", func(a *auth.NewAccount) { a.Username = "ann smith" }, "username"},
			{"leading dash", func(a *auth.NewAccount) { a.Username = "-ann" }, "username"},
			{"short password", func(a *auth.NewAccount) { a.Password = "1234567" }, "password"},
			{"password is username", func(a *auth.NewAccount) { a.Username = "bobbybobby"; a.Password = "BobbyBobby" }, "password"},
			{"admin by sign-up", func(a *auth.NewAccount) { a.Role = app.RoleAdmin }, "role"},
			{"no role", func(a *auth.NewAccount) { a.Role = "" }, "role"},
			{"duplicate email", func(a *auth.NewAccount) { a.Email = "ANN@example.com" }, "email"},
			{"duplicate username", func(a *auth.NewAccount) { a.Username = "Ann_1" }, "username"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := auth.NewAccount{Email: "fresh@example.com", Username: "fresh", Password: "correct horse", Role: app.RoleBuyer}
				c.edit(&a)
				_, err := s.SignUp(ctx, a)
				if app.ErrorCode(err) != app.EInvalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				if app.ErrorFields(err)[c.field] == "" {
					t.Fatalf("no message for %s in %v", c.field, app.ErrorFields(err))
				}
			})
		}
		list, err := s.ListUsers(ctx, "", "", 10, 0)
		if err != nil || list.Total != 1 {
			t.Fatalf("bad sign-ups created accounts: total %d, err %v", list.Total, err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		created, err := s.SignUp(ctx, ann())
		if err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"ann_1", "ANN_1", "ann@example.com", " Ann@Example.com "} {
			u, err := s.Authenticate(ctx, login, "correct horse")
			if err != nil || u.ID != created.ID {
				t.Fatalf("login %q: %v", login, err)
			}
		}
		_, wrongPw := s.Authenticate(ctx, "ann_1", "wrong horse")
		_, unknown := s.Authenticate(ctx, "nobody", "correct horse")
		if app.ErrorCode(wrongPw) != app.EUnauthorized || app.ErrorCode(unknown) != app.EUnauthorized {
			t.Fatalf("wrong password %v, unknown user %v", wrongPw, unknown)
		}
		if app.ErrorMessage(wrongPw) != app.ErrorMessage(unknown) {
			t.Fatalf("messages differ, revealing which accounts exist: %q vs %q", app.ErrorMessage(wrongPw), app.ErrorMessage(unknown))
		}
	})
}

func TestRepeatedFailuresThrottleTheAccount(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, err := auth.NewService(db, auth.Options{Hash: cheap, LoginFailures: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignUp(ctx, ann()); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := s.Authenticate(ctx, "ann_1", "nope nope"); app.ErrorCode(err) != app.EUnauthorized {
				t.Fatalf("failure: %v", err)
			}
		}
		// Now even the right password is refused, under either login.
		_, err = s.Authenticate(ctx, "ANN_1", "correct horse")
		if app.ErrorCode(err) != app.ETooMany {
			t.Fatalf("throttled account: %v", err)
		}
		if !strings.Contains(app.ErrorMessage(err), "minute") {
			t.Fatalf("message does not say how long: %q", app.ErrorMessage(err))
		}
		// Another account is unaffected.
		b := ann()
		b.Email, b.Username = "bob@example.com", "bob"
		if _, err := s.SignUp(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "bob", "correct horse"); err != nil {
			t.Fatalf("bob throttled by ann's failures: %v", err)
		}
	})
}

func TestPasswordsAreRehashedWhenParametersChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		old := newService(t, db)
		u, err := old.SignUp(ctx, ann())
		if err != nil {
			t.Fatal(err)
		}
		stronger, err := auth.NewService(db, auth.Options{Hash: auth.HashParams{Memory: 128, Time: 2, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stronger.Authenticate(ctx, "ann_1", "correct horse"); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.PasswordHash, "m=128,t=2") {
			t.Fatalf("hash not upgraded: %s", got.PasswordHash)
		}
		if _, err := stronger.Authenticate(ctx, "ann_1", "correct horse"); err != nil {
			t.Fatalf("sign-in after rehash: %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		u, err := s.SignUp(ctx, ann())
		if err != nil {
			t.Fatal(err)
		}
		token, err := s.IssueToken(ctx, u, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "snap_") || len(token) < 40 {
			t.Fatalf("token %q", token)
		}
		got, tok, err := s.TokenUser(ctx, token)
		if err != nil || got.ID != u.ID || tok.Name != "ci" {
			t.Fatalf("TokenUser: %+v %+v %v", got, tok, err)
		}
		if tok.TokenHash == token || strings.Contains(tok.TokenHash, token[5:]) {
			t.Fatal("token stored in clear")
		}
		for _, bad := range []string{"", "snap_", token + "x", "Bearer " + token, strings.ToUpper(token)} {
			if _, _, err := s.TokenUser(ctx, bad); app.ErrorCode(err) != app.EUnauthorized {
				t.Fatalf("bad token %q: %v", bad, err)
			}
		}
		if err := s.RevokeToken(ctx, u.ID, tok.PublicID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.TokenUser(ctx, token); app.ErrorCode(err) != app.EUnauthorized {
			t.Fatalf("revoked token still works: %v", err)
		}
	})
}

func TestHasherRejectsTamperedHashes(t *testing.T) {
	h := auth.NewHasher(cheap)
	good, err := h.Hash(ctx, "secret password")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(ctx, "secret password", good); !ok || err != nil {
		t.Fatalf("verify own hash: %v %v", ok, err)
	}
	if ok, _ := h.Verify(ctx, "Secret password", good); ok {
		t.Fatal("wrong password verified")
	}
	for _, bad := range []string{
		"", "plain", strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "m=64", "m=99999999", 1), // would allocate ~100 GB
		strings.Replace(good, "t=1", "t=0", 1),
	} {
		if _, err := h.Verify(ctx, "secret password", bad); err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}
