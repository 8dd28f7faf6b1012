// Command shop is the shop service.
//
//	shop serve     check the schema, ensure the admin (if configured), serve HTTP until SIGTERM/SIGINT
//	shop migrate   apply pending migrations, ensure the application role and its grants, and exit
//	shop createdb  create the database named in DATABASE_URL if it does not exist
//	shop seed      load the demo catalog (idempotent)
//	shop ensure-admin  create or update the admin from SHOP_ADMIN_EMAIL / SHOP_ADMIN_PASSWORD
//	shop search reindex  rebuild the OpenSearch index behind its alias (SHOP_SEARCH_URL)
//	shop healthcheck   exit 0 when the server on SHOP_ADDR answers GET /api/healthz (container health check)
//	shop lambda    serve Lambda events (Function URL, work, migrate); also the default as `bootstrap`
//
// Configuration comes only from the environment; see app/README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

const usage = `usage: shop <serve|lambda|migrate|createdb|seed|ensure-admin|search reindex|healthcheck>

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
  SHOP_VIEWER_HOST_HEADER header the proxy sets to the viewer's Host, e.g. X-Viewer-Host (default: Host)
  SHOP_ALLOWED_ORIGINS   comma-separated origins whose pages may send state-changing
                         requests, e.g. https://shop.example.com (default: same-origin only)
  SHOP_DB_WAIT           how long to wait at start for a database that does not answer (default 60s)
  SHOP_DB_PASSWORD_FILE  read the database password from this file for every new connection
  SHOP_DB_IAM_AUTH       true: an RDS IAM token for every new connection (default false)
  SHOP_DB_APP_ROLE       the role migrate creates and grants for serve (default shop_app)
  SHOP_HASH_CONCURRENCY  password hashes at once (default: sized from the memory limit, at most CPUs - 1)
  SHOP_REGISTER_LIMIT    registrations per client IP per window (default 20)
  SHOP_REGISTER_WINDOW   that window (default 1h)
  SHOP_WORKERS           background jobs worked at once by serve; 0 turns the workers off (default 2)
  SHOP_CACHE_URL       redis://[user@]host:port or rediss://... (default: no cache)
  SHOP_CACHE_PASSWORD  the cache's AUTH / ACL password
  SHOP_SEARCH_URL      OpenSearch endpoint for product search (default: PostgreSQL search)
  SHOP_SEARCH_ROLE_ARN role to assume to sign OpenSearch requests (SigV4; default unsigned)
  SHOP_SEARCH_INDEX    the alias searched and written (default products)
  SHOP_SEARCH_MEMORY   true: answer PostgreSQL search from an in-process copy at most 1 s old (default false)
  SHOP_MEDIA_DIR       keep pictures and invoices in this folder (default $XDG_STATE_HOME/shopstack/media)
  SHOP_MEDIA_BUCKET    keep them in this S3 bucket instead (needs AWS_REGION)
  SHOP_MEDIA_PUBLIC_BASE the public URL prefix of pictures (default /media)
  SHOP_NAME, SHOP_ADDRESS, SHOP_CONTACT_EMAIL, SHOP_RETURNS_DAYS, SHOP_CURRENCY
                       the shop's identity, on invoices and GET /api/shop (defaults: the demo shop)
  SHOP_STRIPE_SECRET_KEY  take payments with Stripe (default: none, pay on delivery)
  SHOP_STRIPE_WEBHOOK_SECRET  the webhook's signing secret (required with the key)
  SHOP_STRIPE_PUBLISHABLE_KEY the pk_... key for the storefront's Stripe.js
  SHOP_STRIPE_API_BASE another Stripe API endpoint (tests: stripe-mock)
  SHOP_PAYMENT_TIMEOUT how long an unpaid order keeps its stock (default 30m, at most 24h)
  OTEL_EXPORTER_OTLP_ENDPOINT  send traces and metrics over OTLP/HTTP here (default: none);
                       the other OTEL_* variables as OpenTelemetry defines them (app/README.md)`

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
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	args := os.Args[1:]
	if lambdaMode(os.Args[0], args, os.Getenv) {
		args = []string{"lambda"}
	}
	if err := run(context.Background(), args, os.Getenv, log); err != nil {
		log.Error("shop failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	if isSearchCommand(args) {
		args = []string{"search reindex"}
	}
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
	case "serve", "migrate", "seed", "ensure-admin", "search reindex":
	case "lambda":
		if err := checkLambdaConfig(&cfg, getenv); err != nil {
			return err
		}
		log.Info("config", "command", args[0], "config", cfg.logValue())
		return runLambda(ctx, cfg, log)
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}

	log.Info("config", "command", args[0], "config", cfg.logValue())
	password, err := passwordSource(ctx, cfg)
	if err != nil {
		return err
	}
	store, err := postgres.Connect(ctx, postgres.Options{URL: cfg.DatabaseURL, MaxConns: cfg.MaxConns,
		Wait: cfg.DBWait, Password: password, Log: log}, cfg.storeOptions()...)
	if err != nil {
		return fmt.Errorf("%w (SHOP_DB_WAIT=%s)", err, cfg.DBWait)
	}
	defer store.Close()

	switch args[0] {
	case "migrate":
		v, err := store.Migrate(ctx)
		if err != nil {
			return err
		}
		if err := store.EnsureAppRole(ctx, cfg.AppRole); err != nil {
			return err
		}
		log.Info("migrated", "version", v, "app_role", cfg.AppRole)
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
	case "search reindex":
		return searchReindex(ctx, store, cfg.Search, log)
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

// passwordSource is where each new database connection gets its password: nil keeps the
// URL's or PGPASSWORD's.
func passwordSource(ctx context.Context, cfg config) (postgres.PasswordSource, error) {
	switch {
	case cfg.DBPasswordFile != "":
		return postgres.PasswordFile(cfg.DBPasswordFile), nil
	case cfg.DBIAMAuth:
		// The default chain: on ECS the task role, through the container credentials endpoint,
		// asked only when a token is signed and cached until shortly before it expires.
		aws, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.DBRegion))
		if err != nil {
			return nil, fmt.Errorf("SHOP_DB_IAM_AUTH: load AWS credentials: %w", err)
		}
		return postgres.RDSIAMAuth(cfg.DBRegion, aws.Credentials), nil
	}
	return nil, nil
}

func serve(ctx context.Context, store *postgres.Store, cfg config, log *slog.Logger) error {
	v, err := store.CheckSchema(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "version", v)
	stopTelemetry, err := startTelemetry(ctx, store, log)
	if err != nil {
		return err
	}
	defer stopTelemetry()
	svc, err := newService(ctx, store, cfg, log)
	if err != nil {
		return err
	}
	defer svc.close()
	srv := httpapi.NewServer(cfg.Addr, svc.handler, log)
	stopWorkers, err := startWorkers(ctx, store, svc, cfg.Workers, log)
	if err != nil {
		return err
	}

	// Listen before saying so: a port in use fails here, and "listening" is only ever true.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	log.Info("listening", "addr", cfg.Addr)
	go prune(ctx, store, log)
	if svc.searchIndex != nil {
		go svc.searchIndex.Run(ctx)
	}
	errCh := make(chan error, 1)
	go func() { errCh <- srv.Serve(ln) }()
	select {
	case err := <-errCh:
		return fmt.Errorf("serve on %s: %w", cfg.Addr, err)
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
	if err := stopWorkers(shutdownCtx); err != nil {
		return fmt.Errorf("stop workers: %w", err)
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
