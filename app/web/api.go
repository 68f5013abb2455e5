package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

// decodeJSON reads a JSON request body into v; a malformed body is a 400.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		if errors.Is(err, io.EOF) {
			return echo.NewHTTPError(http.StatusBadRequest, "the request body is empty; send a JSON object")
		}
		return echo.NewHTTPError(http.StatusBadRequest, "the request body is not valid JSON")
	}
	return nil
}

type tokenRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

type tokenResponse struct {
	Token string `json:"token"`
}

// apiCreateToken exchanges a login and password for an API token.
func (s *Server) apiCreateToken(c echo.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Login == "" || req.Password == "" {
		return app.Invalid(map[string]string{"login": "Send login (email or username) and password."})
	}
	ctx := c.Request().Context()
	u, err := s.auth.Authenticate(ctx, req.Login, req.Password)
	if err != nil {
		return err
	}
	token, err := s.auth.IssueToken(ctx, u, req.Name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, tokenResponse{Token: token})
}

// apiRevokeCurrentToken revokes the token that authenticated this request.
func (s *Server) apiRevokeCurrentToken(c echo.Context) error {
	t, ok := c.Get(tokenContextKey).(*app.APIToken)
	if !ok {
		return app.Errorf(app.EUnauthorized, "Call this with the token to revoke in Authorization: Bearer <token>.")
	}
	if err := s.auth.RevokeToken(c.Request().Context(), t.UserID, t.PublicID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type meResponse struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Role     string `json:"role"`
}

func (s *Server) apiMe(c echo.Context) error {
	u := currentUser(c)
	return c.JSON(http.StatusOK, meResponse{ID: u.PublicID, Username: u.Username, Email: u.Email, Role: string(u.Role)})
}
