package app

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The web layer maps each to one HTTP status
// in one place; nothing below it knows about HTTP.
const (
	EInvalid      = "invalid"          // the input is wrong; Fields may say where
	ENotFound     = "not_found"        // no such thing, or not visible to the caller
	EConflict     = "conflict"         // the change clashes with existing state
	EUnauthorized = "unauthorized"     // not signed in, or bad credentials
	EPayment      = "payment_required" // not enough money in the wallet
	EGone         = "gone"             // existed, but no longer usable (an expired link)
	EForbidden    = "forbidden"        // signed in, but not allowed
	ETooMany      = "rate_limited"     // slow down
	ETooLarge     = "too_large"        // a body or file over its limit
	EUnavailable  = "unavailable"      // a dependency (the database) is down
	EInternal     = "internal"         // a bug or an unexpected failure; never shown in detail
)

// Error is a failure a user can be told about: a code from the list above, a
// human message, and for EInvalid the message per input field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Err     error // the underlying cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error carrying a message per field.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EInvalid, Message: "Please correct the highlighted fields.", Fields: fields}
}

// Unavailable wraps a cause that means a dependency cannot be reached.
func Unavailable(err error) *Error {
	return &Error{Code: EUnavailable, Message: "The service is temporarily unavailable. Please try again shortly.", Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message: their details belong in logs only.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "Something went wrong on our side. It has been logged; please try again."
}

// ErrorFields returns the per-field messages of an EInvalid error, or nil.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
