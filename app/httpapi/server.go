// Package httpapi is the HTTP transport of the shop: an Echo v4 application that serves the
// JSON API under /api and, optionally, the storefront's static files at /.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

// DefaultBodyLimit caps request bodies; the largest legitimate body (a 50-line order) is a few KiB.
const DefaultBodyLimit = 64 << 10

// Pinger is what the readiness check needs: the service is ready while Ping succeeds.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config holds the dependencies of the HTTP application. The stores and Search are required;
// one storage adapter (postgres.Store) usually implements them all.
type Config struct {
	Products shop.ProductStore
	Search   shop.ProductSearcher
	Accounts shop.AccountStore
	Orders   shop.OrderStore
	// Admin, Images and Invoices serve the admin console, uploads and invoices.
	Admin    shop.AdminStore
	Images   shop.ImageStore
	Invoices shop.InvoiceStore
	// Media keeps pictures and invoices; a *media.Local is also served at /media/ and takes
	// uploads at PUT /api/admin/uploads/<key>.
	Media media.Store
	// Shop is the shop's identity (GET /api/shop).
	Shop      shop.Identity
	Readiness Pinger
	Log       *slog.Logger
	// SiteDir, when set, is served at / (see site.go); the API stays under /api.
	SiteDir string
	// BodyLimit caps request bodies in bytes. Default DefaultBodyLimit.
	BodyLimit int64
	// ClientIPHeader, when set, names a header a private or loopback peer (the load balancer)
	// sets to the client's address; see ClientIPExtractor. Default "": X-Forwarded-For.
	ClientIPHeader string
	// AllowedOrigins are origins (scheme://host[:port]) whose pages may send state-changing
	// requests besides the request's own origin; see refuseCrossSite. Default none: same-origin only.
	AllowedOrigins []string
	// ViewerHostHeader, when set, names a header a private or loopback peer (the load balancer
	// behind CloudFront) sets to the Host the viewer asked for; the cross-site check takes the
	// request's own origin from it, since the Host that reaches the service is the origin's.
	// Default "": the Host header.
	ViewerHostHeader string
	// OutageLogInterval is how often, at most, a database outage is logged at WARN.
	// Default DefaultOutageLogInterval.
	OutageLogInterval time.Duration
	// Payments takes orders' money through a provider (payments.go). Default nil, or a
	// Service of payment.None: orders are placed and paid on delivery.
	Payments *payment.Service
	// StripePublishableKey is the pk_... key the storefront's Stripe.js uses, served by
	// GET /api/payments/config when payments are on.
	StripePublishableKey string
}

// New builds the Echo application with every route and middleware.
func New(cfg Config) (*echo.Echo, error) {
	if cfg.Products == nil || cfg.Search == nil || cfg.Accounts == nil || cfg.Orders == nil || cfg.Readiness == nil {
		return nil, errors.New("httpapi.Config: Products, Search, Accounts, Orders and Readiness are required")
	}
	console := cfg.Admin != nil && cfg.Images != nil && cfg.Invoices != nil && cfg.Media != nil
	if !console && (cfg.Admin != nil || cfg.Images != nil || cfg.Invoices != nil || cfg.Media != nil) {
		return nil, errors.New("httpapi.Config: Admin, Images, Invoices and Media go together (all or none)")
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if err := CheckClientIPHeader(cfg.ClientIPHeader); err != nil {
		return nil, fmt.Errorf("httpapi.Config.ClientIPHeader: %w", err)
	}
	if err := CheckClientIPHeader(cfg.ViewerHostHeader); err != nil {
		return nil, fmt.Errorf("httpapi.Config.ViewerHostHeader: %w", err)
	}
	origins, err := allowedOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("httpapi.Config.AllowedOrigins: %w", err)
	}
	if cfg.OutageLogInterval <= 0 {
		cfg.OutageLogInterval = DefaultOutageLogInterval
	}
	a := &api{products: cfg.Products, search: cfg.Search, accounts: cfg.Accounts, orders: cfg.Orders, readiness: cfg.Readiness,
		admin: cfg.Admin, images: cfg.Images, invoices: cfg.Invoices, media: cfg.Media, shopInfo: cfg.Shop,
		log: cfg.Log, bodyLimit: cfg.BodyLimit, allowedOrigins: origins, viewerHostHeader: cfg.ViewerHostHeader,
		outage:   &outageLog{log: cfg.Log, interval: cfg.OutageLogInterval},
		payments: cfg.Payments, publishableKey: cfg.StripePublishableKey}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	// Behind CloudFront and the load balancer, X-Forwarded-For is appended by trusted proxies
	// on private addresses, or ClientIPHeader carries the viewer's address; a client-supplied
	// value from the internet is not believed. c.RealIP() uses it (throttling, request logs).
	e.IPExtractor = ClientIPExtractor(cfg.ClientIPHeader)
	e.Use(telemetry.Route, requestID, a.logRequests, middleware.RecoverWithConfig(middleware.RecoverConfig{
		// A panic becomes an internal error: logged with its stack, answered with the error shape.
		DisableStackAll: true,
		LogErrorFunc: func(_ echo.Context, err error, stack []byte) error {
			return fmt.Errorf("panic: %w\n%s", err, stack)
		},
	}), a.limitBody, apiHeaders, a.refuseCrossSite, requireJSON)

	// No group middleware: Echo would register catch-all routes for it, turning 405s into 404s.
	g := e.Group("/api")
	g.GET("/healthz", a.healthz)
	g.GET("/readyz", a.readyz)
	g.GET("/openapi.yaml", serveOpenAPI)
	g.GET("/products", a.listProducts)
	g.GET("/products/:id", a.getProduct)
	g.POST("/auth/register", a.register)
	g.POST("/auth/login", a.login)
	g.POST("/auth/logout", a.logout)
	g.GET("/me", a.me, a.requireUser)
	g.POST("/orders", a.placeOrder, a.requireUser)
	g.GET("/orders", a.listOrders, a.requireUser)
	g.GET("/orders/:id", a.getOrder, a.requireUser)
	g.POST("/orders/:id/cancel", a.cancelOrder, a.requireUser)
	g.GET("/shop", a.getShop)
	g.GET("/payments/config", a.paymentConfig)
	g.POST(stripeWebhookPath[len("/api"):], a.stripeWebhook)
	g.POST("/admin/products", a.createProduct, a.requireUser, requireAdmin)
	g.PATCH("/admin/products/:id", a.updateProduct, a.requireUser, requireAdmin)
	g.POST("/admin/products/:id/stock", a.adjustStock, a.requireUser, requireAdmin)
	if console {
		a.consoleRoutes(e, g, cfg.Media)
	}

	if cfg.SiteDir != "" {
		static, err := newStatic(cfg.SiteDir, a.payments.On())
		if err != nil {
			return nil, err
		}
		// site.SPAFallback never rewrites /api/..., so unknown API paths stay JSON 404s.
		e.GET("/*", static.serve)
		e.HEAD("/*", static.serve)
	}
	return e, nil
}

// consoleRoutes are the routes of the admin console, uploads, invoices and local media.
func (a *api) consoleRoutes(e *echo.Echo, g *echo.Group, store media.Store) {
	g.GET("/orders/:id/invoice", a.getInvoice, a.requireUser)
	g.GET("/orders/:id/credit-note", a.getCreditNote, a.requireUser)
	g.GET("/admin/products", a.adminProducts, a.requireUser, requireAdmin)
	g.GET("/admin/products/:id/stock-movements", a.stockMovements, a.requireUser, requireAdmin)
	g.POST("/admin/products/:id/image", a.setProductImage, a.requireUser, requireAdmin)
	g.POST("/admin/uploads", a.createUpload, a.requireUser, requireAdmin)
	e.PUT(localUploadRoute, a.putUpload, a.requireUser, requireAdmin)
	g.GET("/admin/orders", a.adminOrders, a.requireUser, requireAdmin)
	g.POST("/admin/orders/:id/cancel", a.adminCancelOrder, a.requireUser, requireAdmin)
	if _, ok := store.(*media.Local); ok {
		e.GET(mediaPrefix+"*", a.serveMedia)
		e.HEAD(mediaPrefix+"*", a.serveMedia)
	}
}

// NewServer wraps h in an http.Server with timeouts, so slow or idle clients cannot hold
// connections open indefinitely.
func NewServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
