package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/auth"
)

const (
	pageSignup = "signup"
	pageLogin  = "login"
)

// signupForm is the sign-up form as posted.
type signupForm struct {
	Email    string
	Username string
	Password string
	Role     string
}

func (f *signupForm) account() auth.NewAccount {
	a := auth.NewAccount{Email: f.Email, Username: f.Username, Password: f.Password, Role: app.Role(f.Role)}
	a.Normalize()
	return a
}

// Validate returns a message per invalid field: the account rules, plus that
// the public form offers only buyer and contributor accounts.
func (f *signupForm) Validate() map[string]string {
	a := f.account()
	errs := a.Validate()
	if a.Role != app.RoleBuyer && a.Role != app.RoleContributor {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["role"] = "Choose whether you want to buy or to sell photos."
	}
	return errs
}

type signupPage struct {
	Page
	Form   signupForm
	Errors map[string]string
}

func (s *Server) signupForm(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, "/account")
	}
	data := signupPage{Page: s.page(c, "Create your account"), Form: signupForm{Role: string(app.RoleBuyer)}}
	return s.renderPage(c, http.StatusOK, pageSignup, &data)
}

func (s *Server) signupSubmit(c echo.Context) error {
	f := signupForm{
		Email:    c.FormValue("email"),
		Username: c.FormValue("username"),
		Password: c.FormValue("password"),
		Role:     c.FormValue("role"),
	}
	errs := f.Validate()
	if errs == nil {
		u, err := s.auth.SignUp(c.Request().Context(), f.account())
		if err == nil {
			if err := s.signIn(c, u); err != nil {
				return err
			}
			s.flash(c, "success", fmt.Sprintf("Welcome to Snapshop, %s.", u.Username))
			return redirect(c, "/account")
		}
		if app.ErrorCode(err) != app.EInvalid {
			return err
		}
		errs = app.ErrorFields(err)
	}
	f.Password = "" // never sent back
	data := signupPage{Page: s.page(c, "Create your account"), Form: f, Errors: errs}
	return s.renderPage(c, http.StatusUnprocessableEntity, pageSignup, &data)
}

type loginPage struct {
	Page
	Login string
	Next  string
	Error string
}

func (s *Server) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if currentUser(c) != nil {
		return redirect(c, orDefault(next, "/account"))
	}
	data := loginPage{Page: s.page(c, "Sign in"), Next: next}
	return s.renderPage(c, http.StatusOK, pageLogin, &data)
}

func (s *Server) loginSubmit(c echo.Context) error {
	login, next := c.FormValue("login"), safeNext(c.FormValue("next"))
	u, err := s.auth.Authenticate(c.Request().Context(), login, c.FormValue("password"))
	if err != nil {
		status, ok := map[string]int{
			app.EUnauthorized: http.StatusUnauthorized,
			app.ETooMany:      http.StatusTooManyRequests,
			app.EForbidden:    http.StatusForbidden,
		}[app.ErrorCode(err)]
		if !ok {
			return err
		}
		data := loginPage{Page: s.page(c, "Sign in"), Login: login, Next: next, Error: app.ErrorMessage(err)}
		return s.renderPage(c, status, pageLogin, &data)
	}
	if err := s.signIn(c, u); err != nil {
		return err
	}
	return redirect(c, orDefault(next, "/account"))
}

func (s *Server) logout(c echo.Context) error {
	if err := s.sessions.Destroy(c.Request().Context()); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	s.flash(c, "success", "You have signed out.")
	return redirect(c, "/")
}

// signIn binds the session to u under a fresh token, so a token planted
// before sign-in (session fixation) is worthless after it.
func (s *Server) signIn(c echo.Context, u *app.User) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	s.sessions.Put(ctx, sessionUserKey, u.ID)
	c.Set(userContextKey, u)
	return nil
}

// safeNext returns next if it is a path on this site, else "": a sign-in
// link must not be able to send the user to another site afterwards.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
