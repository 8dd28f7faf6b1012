package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
)

type api struct {
	products  shop.ProductStore
	search    shop.ProductSearcher
	accounts  shop.AccountStore
	orders    shop.OrderStore
	admin     shop.AdminStore
	images    shop.ImageStore
	invoices  shop.InvoiceStore
	media     media.Store
	shopInfo  shop.Identity
	readiness Pinger
	log       *slog.Logger
	bodyLimit int64
	outage    *outageLog
	// allowedOrigins are normalised origins (NormalizeOrigin) trusted besides the request's own.
	allowedOrigins map[string]bool
	// viewerHostHeader is Config.ViewerHostHeader.
	viewerHostHeader string
	// payments is Config.Payments (nil: off); publishableKey is Config.StripePublishableKey.
	payments       *payment.Service
	publishableKey string
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID reuses a well-formed X-Request-Id from the load balancer or client, or makes one,
// and returns it in the response so a user's report can be matched to the logs.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !requestIDRE.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
			id = hex.EncodeToString(b[:])
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// logRequests writes one JSON log line per request.
func (a *api) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		level := slog.LevelInfo
		// A 503 is an outage (or not-ready) answer, reported once per interval by outageLog.
		if res.Status >= 500 && res.Status != http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		a.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.String("route", c.Path()),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

// limitBody rejects bodies over the route's limit (bodyLimitFor): at once when Content-Length
// says so, otherwise when reading passes the limit (readBody maps that to 413).
func (a *api) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		limit := a.bodyLimitFor(c.Path())
		if req.ContentLength > limit {
			return bodyTooLarge(limit)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// webhookBodyLimit caps Stripe's deliveries. Stripe documents no maximum event size, and a
// delivery refused as too large is retried for three days and then lost, so the limit sits far
// above the few KiB of the payment_intent events the shop takes (an older API version's
// embedded charges included) rather than at the general limit; the signature is checked over
// what arrives, so a large body costs one HMAC.
const webhookBodyLimit = 1 << 20

// bodyLimitFor is the body limit of a route: a local upload carries a picture, a Stripe
// webhook an event; everything else is a small JSON body (Config.BodyLimit).
func (a *api) bodyLimitFor(route string) int64 {
	switch route {
	case localUploadRoute:
		return shop.MaxUploadBytes
	case stripeWebhookPath:
		return max(webhookBodyLimit, a.bodyLimit)
	}
	return a.bodyLimit
}

// bodyTooLarge is the 413 that names the limit passed.
func bodyTooLarge(limit int64) error {
	size := strconv.FormatInt(limit, 10) + " bytes"
	switch {
	case limit%(1<<20) == 0:
		size += " (" + strconv.FormatInt(limit>>20, 10) + " MiB)"
	case limit%(1<<10) == 0:
		size += " (" + strconv.FormatInt(limit>>10, 10) + " KiB)"
	}
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is over this endpoint's limit of "+size)
}

func (a *api) readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, bodyTooLarge(tooLarge.Limit)
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "the request body could not be read")
	}
	return b, nil
}

// bodyAs reads the request body (readBody's limits and errors) and parses it with parse, whose
// error names the field at fault.
func bodyAs[T any](a *api, c echo.Context, parse func([]byte) (T, error)) (T, error) {
	b, err := a.readBody(c)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}

// requireJSON answers 415 to a state-changing request whose body is not JSON. Requests
// without a body (logout, cancel) need no Content-Type.
func requireJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if req.ContentLength == 0 && req.Header.Get(echo.HeaderContentType) == "" {
			return next(c)
		}
		if c.Path() == localUploadRoute {
			return next(c) // a picture; putUpload checks its type against the declared one
		}
		mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		if err != nil || mt != echo.MIMEApplicationJSON {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "state-changing requests must send Content-Type: application/json")
		}
		return next(c)
	}
}

// apiHeaders marks API responses as uncacheable, unframeable data. Static files get the
// storefront's headers instead (static.go).
func apiHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p != "/api" && !strings.HasPrefix(p, "/api/") {
			return next(c)
		}
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		return next(c)
	}
}

const sessionCookie = "shop_session"

const userKey = "user"

func (a *api) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" || len(ck.Value) > 100 {
			return shop.Errorf(shop.CodeUnauthenticated, "log in first")
		}
		u, err := a.accounts.UserBySession(c.Request().Context(), ck.Value)
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !currentUser(c).IsAdmin {
			return shop.Errorf(shop.CodeForbidden, "this needs an admin account")
		}
		return next(c)
	}
}

func currentUser(c echo.Context) shop.User {
	u, _ := c.Get(userKey).(shop.User)
	return u
}

func setSessionCookie(c echo.Context, s shop.Session) {
	// Secure is set whenever the browser used HTTPS (viaHTTPS); plain http:// is local development.
	c.SetCookie(&http.Cookie{ //nolint:gosec // HttpOnly, SameSite=Lax, Secure over HTTPS
		Name: sessionCookie, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		MaxAge:   int(time.Until(s.ExpiresAt).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: viaHTTPS(c),
	})
}

// viaHTTPS reports whether the browser used HTTPS. TLS ends at CloudFront or the ALB:
// c.Scheme() honours X-Forwarded-Proto, which the ALB sets to its own listener's protocol, so
// CloudFront's own CloudFront-Forwarded-Proto (the viewer's protocol) is checked too. A forged
// value only makes the client's own cookie stricter.
func viaHTTPS(c echo.Context) bool {
	return c.Scheme() == "https" || strings.EqualFold(c.Request().Header.Get("CloudFront-Forwarded-Proto"), "https")
}

func clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, //nolint:gosec // as setSessionCookie
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: viaHTTPS(c)})
}
