package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/snapshop/snapshop/app"
)

// translate turns driver errors that callers must tell apart into *app.Error:
// a unique violation becomes EConflict naming the column; a lost connection,
// or a query the database did not answer before its deadline, EUnavailable.
// Anything else is returned unchanged (an internal error).
func translate(err error) error {
	if err == nil {
		return nil
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err
	}
	if col, ok := uniqueViolation(err); ok {
		return &app.Error{
			Code:    app.EConflict,
			Message: fmt.Sprintf("That %s is already taken.", strings.ReplaceAll(col, "_", " ")),
			Fields:  map[string]string{col: "is already taken"},
			Err:     err,
		}
	}
	if isConnectionError(err) || errors.Is(err, context.DeadlineExceeded) {
		// A deadline passing means the database did not answer in time
		// (the web layer bounds every request): to the caller it is down.
		return app.Unavailable(err)
	}
	return err
}

// uniqueViolation returns the column a unique constraint failed on. SQLite
// names it in the message ("UNIQUE constraint failed: users.email");
// PostgreSQL names the constraint, which our migrations call <table>_<col>_key.
func uniqueViolation(err error) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code != "23505" {
			return "", false
		}
		col := strings.TrimSuffix(strings.TrimPrefix(pgErr.ConstraintName, pgErr.TableName+"_"), "_key")
		return col, true
	}
	msg := err.Error()
	const marker = "UNIQUE constraint failed: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return "", false
	}
	rest := msg[i+len(marker):]
	if j := strings.IndexAny(rest, ", )"); j >= 0 {
		rest = rest[:j]
	}
	if k := strings.LastIndexByte(rest, '.'); k >= 0 {
		rest = rest[k+1:]
	}
	return rest, true
}

// isConnectionError reports whether err means the database could not be
// reached, as opposed to a query it refused.
func isConnectionError(err error) bool {
	var connErr *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		// database/sql does not export this one; a closed pool (shutdown,
		// or a test standing in for a lost database) cannot serve either.
		strings.Contains(err.Error(), "sql: database is closed")
}
