package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
)

// statusOf maps each app error code to its one HTTP status.
var statusOf = map[string]int{
	app.EInvalid:      http.StatusUnprocessableEntity,
	app.ENotFound:     http.StatusNotFound,
	app.EConflict:     http.StatusConflict,
	app.EUnauthorized: http.StatusUnauthorized,
	app.EForbidden:    http.StatusForbidden,
	app.EPayment:      http.StatusPaymentRequired,
	app.EGone:         http.StatusGone,
	app.ETooMany:      http.StatusTooManyRequests,
	app.ETooLarge:     http.StatusRequestEntityTooLarge,
	app.EUnavailable:  http.StatusServiceUnavailable,
	app.EInternal:     http.StatusInternalServerError,
}

// codeOf maps the statuses Echo itself produces (unknown route, wrong method,
// body too large, malformed JSON) back to app codes.
func codeOf(status int) string {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return app.ENotFound
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return app.EInvalid
	case http.StatusUnauthorized:
		return app.EUnauthorized
	case http.StatusForbidden:
		return app.EForbidden
	case http.StatusRequestEntityTooLarge:
		return app.ETooLarge
	case http.StatusTooManyRequests:
		return app.ETooMany
	case http.StatusServiceUnavailable:
		return app.EUnavailable
	}
	return app.EInternal
}

// problem is an error as shown to a client.
type problem struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func toProblem(err error) problem {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := codeOf(he.Code)
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" && he.Code < 500 {
			msg = strings.ToUpper(m[:1]) + m[1:] + "."
		}
		switch he.Code {
		case http.StatusNotFound:
			msg = "There is nothing at this address."
		case http.StatusMethodNotAllowed:
			return problem{Status: he.Code, Code: "method_not_allowed", Message: "This address does not accept that method."}
		}
		if code == app.EInternal {
			msg = app.ErrorMessage(err)
		}
		return problem{Status: he.Code, Code: code, Message: msg}
	}
	code := app.ErrorCode(err)
	if code == app.EInternal && errors.Is(err, context.DeadlineExceeded) {
		// Something the request waited on (the database, object storage,
		// search) did not answer before the request's deadline.
		err, code = app.Unavailable(err), app.EUnavailable
	}
	return problem{Status: statusOf[code], Code: code, Message: app.ErrorMessage(err), Fields: app.ErrorFields(err)}
}

// handleError is Echo's HTTPErrorHandler: the one place errors become
// responses. Server errors are logged with the request ID and shown to users
// only as a generic message; API clients get JSON, browsers an error page.
func (s *Server) handleError(err error, c echo.Context) {
	p := toProblem(err)
	req := c.Request()
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if p.Status >= 500 {
		s.log.ErrorContext(req.Context(), "request failed", "request_id", reqID, "method", req.Method, "path", req.URL.Path, "status", p.Status, "err", err)
	}
	if c.Response().Committed {
		return
	}
	if p.Status == http.StatusUnauthorized && !isAPI(c) && req.Method == http.MethodGet {
		// A page that needs an account: go and sign in, then come back.
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(req.URL.RequestURI()))
		return
	}
	if p.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	var rerr error
	switch {
	case req.Method == http.MethodHead:
		rerr = c.NoContent(p.Status)
	case isAPI(c):
		rerr = c.JSON(p.Status, map[string]problem{"error": p})
	default:
		rerr = s.renderErrorPage(c, p)
	}
	if rerr != nil {
		s.log.ErrorContext(req.Context(), "write error response", "request_id", reqID, "err", rerr)
	}
}

// errorPage is the data of the friendly 4xx/5xx page.
type errorPage struct {
	Page
	Status    int
	Heading   string
	Message   string
	RequestID string
}

const pageError = "error"

func (s *Server) renderErrorPage(c echo.Context, p problem) error {
	heading := map[int]string{
		http.StatusNotFound:            "We couldn’t find that page",
		http.StatusForbidden:           "You don’t have access to this page",
		http.StatusTooManyRequests:     "Slow down a little",
		http.StatusServiceUnavailable:  "Snapshop is briefly unavailable",
		http.StatusInternalServerError: "Something went wrong",
	}[p.Status]
	if heading == "" {
		heading = http.StatusText(p.Status)
	}
	data := errorPage{
		Page:      s.page(c, heading),
		Status:    p.Status,
		Heading:   heading,
		Message:   p.Message,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
	}
	if err := s.renderPage(c, p.Status, pageError, &data); err != nil {
		// The error page itself failed: fall back to plain text.
		return c.String(p.Status, fmt.Sprintf("%d %s\n", p.Status, http.StatusText(p.Status)))
	}
	return nil
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}
