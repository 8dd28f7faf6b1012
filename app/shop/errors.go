package shop

import (
	"errors"
	"fmt"
	"time"
)

// Code names a class of failure. The transport maps codes to HTTP statuses; clients may rely on them.
type Code string

// Error codes.
const (
	CodeInternal               Code = "internal"
	CodeUnavailable            Code = "unavailable"
	CodeMalformedJSON          Code = "malformed_json"
	CodeInvalidInput           Code = "invalid_input"
	CodeNotFound               Code = "not_found"
	CodeUnauthenticated        Code = "unauthenticated"
	CodeForbidden              Code = "forbidden"
	CodeCrossSiteRequest       Code = "cross_site_request"
	CodeInvalidCredentials     Code = "invalid_credentials" //nolint:gosec // an error code, not a credential
	CodeTooManyAttempts        Code = "too_many_attempts"
	CodeEmailTaken             Code = "email_taken"
	CodeSKUTaken               Code = "sku_taken"
	CodeInsufficientStock      Code = "insufficient_stock"
	CodeUnknownProduct         Code = "unknown_product"
	CodeMixedCurrency          Code = "mixed_currency"
	CodeNotCancellable         Code = "not_cancellable"
	CodeStockWouldGoNegative   Code = "stock_would_go_negative"
	CodeIdempotencyKeyRequired Code = "idempotency_key_required"
	CodeIdempotencyKeyReused   Code = "idempotency_key_reused"
	CodeBusy                   Code = "busy"
	CodeUnsupportedMediaType   Code = "unsupported_media_type"
	CodeInvalidSignature       Code = "invalid_signature"
	// CodeUploadSizeMismatch is an upload body that ended before (or ran past) its length.
	CodeUploadSizeMismatch Code = "upload_size_mismatch"
	// CodeAlreadyUploaded is a second upload to a slot that holds its bytes already.
	CodeAlreadyUploaded Code = "already_uploaded"
)

// Error is a failure the client may be told about. Its Message and Details are safe to show.
type Error struct {
	Code    Code
	Message string
	Details any
	// RetryAfter, when set, tells the client how long to wait (throttling, a busy server, an outage).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or CodeInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldError is one invalid input field, used as Details of CodeInvalidInput.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// fieldErrors collects FieldErrors and turns them into one *Error.
type fieldErrors []FieldError

func (f *fieldErrors) add(field, problem string) { *f = append(*f, FieldError{field, problem}) }

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalidInput, Message: "the request has invalid fields", Details: []FieldError(f)}
}

// invalidField is the CodeInvalidInput error of a single field.
func invalidField(field, problem string) error { return fieldErrors{{field, problem}}.err() }
