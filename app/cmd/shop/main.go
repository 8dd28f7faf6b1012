// Command shop is the shop service.
//
//	shop serve     migrate, ensure the admin (if configured), serve HTTP until SIGTERM/SIGINT
//	shop migrate   apply pending migrations and exit
//	shop createdb  create the database named in DATABASE_URL if it does not exist
//	shop seed      load the demo catalog (idempotent)
//	shop ensure-admin  create or update the admin from SHOP_ADMIN_EMAIL / SHOP_ADMIN_PASSWORD
//	shop healthcheck   exit 0 when the server on SHOP_ADDR answers GET /api/healthz (container health check)
//
// Configuration comes only from the environment; see app/README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shopstack/shopstack/app/cache"
	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// DefaultDatabaseURL is the local PostgreSQL, database shop.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable"

const usage = `usage: shop <serve|migrate|createdb|seed|ensure-admin|healthcheck>

environment:
  DATABASE_URL         PostgreSQL URL (default ` + DefaultDatabaseURL + `)
  SHOP_ADDR            listen address (default :8080)
  SHOP_SITE_DIR        serve the storefront from this folder at / (default: API only)
  SHOP_ADMIN_EMAIL     ensure this admin account exists at start (optional)
  SHOP_ADMIN_PASSWORD  its password (required with SHOP_ADMIN_EMAIL)
  SHOP_DB_MAX_CONNS    pool size (default: pgxpool's, max(4, CPUs))
  SHOP_SHUTDOWN_TIMEOUT  how long in-flight requests may take to finish (default 20s)
  SHOP_CLIENT_IP_HEADER  header the load balancer sets to the client's IP, e.g. X-Viewer-Ip
                         (default: the right-most public X-Forwarded-For hop)
  SHOP_CACHE_URL       redis://[user@]host:port or rediss://... (default: no cache)
  SHOP_CACHE_PASSWORD  the cache's AUTH / ACL password`

func main() {
	if len(os.Args) == 2 && os.Args[1] == "healthcheck" {
		// A probe run every few seconds by the container runtime: no config
		// validation, no database, no JSON log; one line on stderr when unhealthy.
		if err := healthcheck(context.Background(), os.Getenv("SHOP_ADDR")); err != nil {
			fmt.Fprintln(os.Stderr, "shop healthcheck:", oneLine(err.Error()))
			os.Exit(1)
		}
		return
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(context.Background(), os.Args[1:], os.Getenv, log); err != nil {
		log.Error("shop failed", "err", err)
		os.Exit(1)
	}
}

// config is the effective configuration.
type config struct {
	DatabaseURL     string
	Addr            string
	SiteDir         string
	AdminEmail      string
	AdminPassword   string
	MaxConns        int32
	ShutdownTimeout time.Duration
	ClientIPHeader  string
	Cache           cacheConfig
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		DatabaseURL:     getenv("DATABASE_URL"),
		Addr:            getenv("SHOP_ADDR"),
		SiteDir:         getenv("SHOP_SITE_DIR"),
		AdminEmail:      strings.TrimSpace(getenv("SHOP_ADMIN_EMAIL")),
		AdminPassword:   getenv("SHOP_ADMIN_PASSWORD"),
		ShutdownTimeout: 20 * time.Second,
		ClientIPHeader:  strings.TrimSpace(getenv("SHOP_CLIENT_IP_HEADER")),
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = DefaultDatabaseURL
	}
	if cfg.Addr == "" {
		cfg.Addr = ":8080"
	}
	if v := getenv("SHOP_DB_MAX_CONNS"); v != "" {
		var n int32
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 || n > 1000 {
			return cfg, fmt.Errorf("SHOP_DB_MAX_CONNS=%q: want an integer from 1 to 1000", v)
		}
		cfg.MaxConns = n
	}
	if v := getenv("SHOP_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("SHOP_SHUTDOWN_TIMEOUT=%q: want a positive duration such as 20s", v)
		}
		cfg.ShutdownTimeout = d
	}
	if err := httpapi.CheckClientIPHeader(cfg.ClientIPHeader); err != nil {
		return cfg, fmt.Errorf("SHOP_CLIENT_IP_HEADER: %w", err)
	}
	var err error
	if cfg.Cache, err = loadCacheConfig(getenv); err != nil {
		return cfg, err
	}
	if (cfg.AdminEmail == "") != (cfg.AdminPassword == "") {
		return cfg, errors.New("SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD must be set together")
	}
	if cfg.AdminEmail != "" {
		if _, ok := shop.ParseEmail(cfg.AdminEmail); !ok {
			return cfg, fmt.Errorf("SHOP_ADMIN_EMAIL=%q is not an email address", cfg.AdminEmail)
		}
		if n := len([]rune(cfg.AdminPassword)); n < shop.MinPasswordLen || n > shop.MaxPasswordLen {
			return cfg, fmt.Errorf("SHOP_ADMIN_PASSWORD must be %d to %d characters", shop.MinPasswordLen, shop.MaxPasswordLen)
		}
	}
	return cfg, nil
}

// logValue is the config as logged: the password and any secret in the URL are masked.
func (c config) logValue() slog.Value {
	admin := "(none)"
	if c.AdminEmail != "" {
		admin = c.AdminEmail
	}
	pw := ""
	if c.AdminPassword != "" {
		pw = "*****"
	}
	return slog.GroupValue(
		slog.String("DATABASE_URL", redactURL(c.DatabaseURL)),
		slog.String("SHOP_ADDR", c.Addr),
		slog.String("SHOP_SITE_DIR", c.SiteDir),
		slog.String("SHOP_ADMIN_EMAIL", admin),
		slog.String("SHOP_ADMIN_PASSWORD", pw),
		slog.Int("SHOP_DB_MAX_CONNS", int(c.MaxConns)),
		slog.String("SHOP_SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String()),
		slog.String("SHOP_CLIENT_IP_HEADER", c.ClientIPHeader),
		c.Cache.urlAttr(), c.Cache.passwordAttr(),
	)
}

// redactURL masks the password and any password query parameter of a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable, hidden)"
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

func run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	if len(args) != 1 {
		return errors.New(usage)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if args[0] == "createdb" {
		created, err := postgres.CreateDatabase(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		log.Info("database ready", "created", created, "url", redactURL(cfg.DatabaseURL))
		return nil
	}
	switch args[0] {
	case "serve", "migrate", "seed", "ensure-admin":
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}

	log.Info("config", "command", args[0], "config", cfg.logValue())
	store, err := postgres.Open(ctx, cfg.DatabaseURL, cfg.MaxConns, log)
	if err != nil {
		return err
	}
	defer store.Close()

	switch args[0] {
	case "migrate":
		v, err := store.Migrate(ctx)
		if err != nil {
			return err
		}
		log.Info("migrated", "version", v)
		return nil
	case "seed":
		added, images, err := store.SeedProducts(ctx, shop.DemoCatalog())
		if err != nil {
			return err
		}
		log.Info("demo catalog loaded", "added", added, "images_updated", images, "catalog_size", len(shop.DemoCatalog()))
		return nil
	case "ensure-admin":
		if cfg.AdminEmail == "" {
			return errors.New("ensure-admin needs SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD")
		}
		return ensureAdmin(ctx, store, cfg, log)
	}
	return serve(ctx, store, cfg, log)
}

func ensureAdmin(ctx context.Context, store *postgres.Store, cfg config, log *slog.Logger) error {
	u, err := store.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword, "Admin")
	if err != nil {
		return err
	}
	log.Info("admin account ready", "email", u.Email, "id", u.ID)
	return nil
}

func serve(ctx context.Context, store *postgres.Store, cfg config, log *slog.Logger) error {
	v, err := store.Migrate(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "version", v)
	if cfg.AdminEmail != "" {
		if err := ensureAdmin(ctx, store, cfg, log); err != nil {
			return err
		}
	}
	c, closeCache, err := openCache(ctx, cfg.Cache, log)
	if err != nil {
		return err
	}
	defer closeCache()
	e, err := httpapi.New(httpapi.Config{
		Products: cache.NewProducts(store, c), Accounts: cache.NewAccounts(store, c), Orders: cache.NewOrders(store, c),
		Readiness: store,
		Log:       log, SiteDir: cfg.SiteDir, ClientIPHeader: cfg.ClientIPHeader,
	})
	if err != nil {
		return err
	}
	srv := httpapi.NewServer(cfg.Addr, e, log)

	go prune(ctx, store, log)

	errCh := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", cfg.Addr)
		errCh <- srv.ListenAndServe()
	}()
	select {
	case err := <-errCh:
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errCh; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// prune deletes expired sessions, idempotency keys and login failures hourly. Every instance
// runs it; the deletes are idempotent.
func prune(ctx context.Context, store *postgres.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := store.Prune(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
