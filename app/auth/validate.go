package auth

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/snapshop/snapshop/app"
)

// Account rules.
const (
	MinPasswordLength = 8   // characters
	MaxPasswordBytes  = 512 // bounds hashing work
	MinUsernameLength = 3
	MaxUsernameLength = 30
	maxEmailLength    = 254
)

// NormalizeEmail trims and lowercases an address, so that Ann@X.com and
// ann@x.com are one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeUsername trims and lowercases a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewAccount is what sign-up and `snapshop user create` supply.
type NewAccount struct {
	Email    string
	Username string
	Password string
	Role     app.Role
}

// Normalize applies NormalizeEmail and NormalizeUsername.
func (a *NewAccount) Normalize() {
	a.Email = NormalizeEmail(a.Email)
	a.Username = NormalizeUsername(a.Username)
}

// Validate returns a message per invalid field, or nil. It expects a
// normalised account.
func (a *NewAccount) Validate() map[string]string {
	errs := map[string]string{}
	if msg := validateEmail(a.Email); msg != "" {
		errs["email"] = msg
	}
	if msg := validateUsername(a.Username); msg != "" {
		errs["username"] = msg
	}
	if msg := validatePassword(a.Password, a.Username, a.Email); msg != "" {
		errs["password"] = msg
	}
	if _, ok := app.ParseRole(string(a.Role)); !ok {
		errs["role"] = "Choose buyer or contributor."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func validateEmail(email string) string {
	if email == "" {
		return "Enter your email address."
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailLength || addr.Name != "" {
		return "Enter a valid email address, like name@example.com."
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "Enter a valid email address, like name@example.com."
	}
	return ""
}

func validateUsername(name string) string {
	if name == "" {
		return "Choose a username."
	}
	if n := len(name); n < MinUsernameLength || n > MaxUsernameLength {
		return "Use 3 to 30 characters."
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '_' || r == '-'))
		if !ok {
			return "Use lowercase letters, digits, - and _, starting with a letter or digit."
		}
	}
	return ""
}

func validatePassword(pw, username, email string) string {
	switch {
	case pw == "":
		return "Choose a password."
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return "Use at least 8 characters."
	case len(pw) > MaxPasswordBytes:
		return "Use at most 512 bytes."
	case strings.EqualFold(pw, username) || strings.EqualFold(pw, email):
		return "Your password must differ from your username and email."
	}
	return ""
}
