package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// ErrorBody is the one error shape of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details"`
}

var statusOf = map[shop.Code]int{
	shop.CodeMalformedJSON:          http.StatusBadRequest,
	shop.CodeInvalidInput:           http.StatusUnprocessableEntity,
	shop.CodeNotFound:               http.StatusNotFound,
	shop.CodeUnauthenticated:        http.StatusUnauthorized,
	shop.CodeForbidden:              http.StatusForbidden,
	shop.CodeCrossSiteRequest:       http.StatusForbidden,
	shop.CodeUnavailable:            http.StatusServiceUnavailable,
	shop.CodeInvalidCredentials:     http.StatusUnauthorized,
	shop.CodeTooManyAttempts:        http.StatusTooManyRequests,
	shop.CodeEmailTaken:             http.StatusConflict,
	shop.CodeSKUTaken:               http.StatusConflict,
	shop.CodeInsufficientStock:      http.StatusConflict,
	shop.CodeUnknownProduct:         http.StatusUnprocessableEntity,
	shop.CodeMixedCurrency:          http.StatusUnprocessableEntity,
	shop.CodeNotCancellable:         http.StatusConflict,
	shop.CodeStockWouldGoNegative:   http.StatusConflict,
	shop.CodeIdempotencyKeyRequired: http.StatusBadRequest,
	shop.CodeIdempotencyKeyReused:   http.StatusUnprocessableEntity,
	shop.CodeBusy:                   http.StatusServiceUnavailable,
	shop.CodeUnsupportedMediaType:   http.StatusUnsupportedMediaType,
	shop.CodeInvalidSignature:       http.StatusBadRequest,
	shop.CodeUploadSizeMismatch:     http.StatusBadRequest,
	shop.CodeAlreadyUploaded:        http.StatusConflict,
}

// Codes for failures detected by the transport itself.
var echoCodes = map[int]string{
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusServiceUnavailable:    "not_ready",
}

// handleError is the application's only error handler: domain codes become statuses, every
// error gets the same JSON shape, and internal errors are logged but never shown.
func (a *api) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := http.StatusInternalServerError, ErrorDetail{Code: string(shop.CodeInternal), Message: "internal error; the request id identifies it in the logs"}
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	var se *shop.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &se) && statusOf[se.Code] != 0:
		status, body = statusOf[se.Code], ErrorDetail{Code: string(se.Code), Message: se.Message, Details: se.Details}
		if se.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(se.RetryAfter.Seconds())))
		}
		if se.Code == shop.CodeUnavailable {
			a.outage.report("database unavailable", err, requestID)
		}
	case errors.As(err, &he) && he.Code < 500:
		status = he.Code
		code, ok := echoCodes[he.Code]
		if !ok {
			code = "http_" + strconv.Itoa(he.Code)
		}
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		body = ErrorDetail{Code: code, Message: msg}
	case errors.As(err, &he) && he.Code == http.StatusServiceUnavailable:
		status, body = he.Code, ErrorDetail{Code: echoCodes[he.Code], Message: "the database is not answering"}
		a.outage.report("not ready: database unavailable", he.Internal, requestID)
	default:
		a.log.Error("internal error", "err", err, "request_id", requestID,
			"method", c.Request().Method, "path", c.Request().URL.Path)
	}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(status)
	} else {
		werr = c.JSON(status, ErrorBody{Error: body})
	}
	if werr != nil {
		a.log.Warn("write error response", "err", werr)
	}
}
