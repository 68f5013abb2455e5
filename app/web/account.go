package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

const pageAccount = "account"

type accountPage struct {
	Page
	Tokens    []app.APIToken
	NewToken  string // shown once, right after it is made
	TokenName string
	Errors    map[string]string
}

func (s *Server) account(c echo.Context) error {
	return s.renderAccount(c, http.StatusOK, accountPage{})
}

func (s *Server) renderAccount(c echo.Context, status int, data accountPage) error {
	data.Page = s.page(c, "Your account")
	tokens, err := s.auth.Tokens(c.Request().Context(), data.User.ID)
	if err != nil {
		return err
	}
	data.Tokens = tokens
	return s.renderPage(c, status, pageAccount, &data)
}

// accountCreateToken issues an API token and shows it once. It renders
// rather than redirects: the token must not be parked in the session store.
func (s *Server) accountCreateToken(c echo.Context) error {
	name := c.FormValue("name")
	token, err := s.auth.IssueToken(c.Request().Context(), currentUser(c), name)
	if app.ErrorCode(err) == app.EInvalid {
		return s.renderAccount(c, http.StatusUnprocessableEntity, accountPage{TokenName: name, Errors: app.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	return s.renderAccount(c, http.StatusCreated, accountPage{NewToken: token})
}

func (s *Server) accountRevokeToken(c echo.Context) error {
	if err := s.auth.RevokeToken(c.Request().Context(), currentUser(c).ID, c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "success", "The API token was revoked. Programs using it can no longer sign in.")
	return redirect(c, "/account")
}
