package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// DefaultDatabaseURL is the local PostgreSQL, database shop.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable"

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
	ViewerHost      string
	AllowedOrigins  []string
	DBWait          time.Duration
	DBPasswordFile  string
	DBIAMAuth       bool
	// DBRegion is the AWS region of the database, for IAM authentication only.
	DBRegion string
	AppRole  string
	Abuse    abuseConfig
	Workers  int
	Cache    cacheConfig
	Search   searchConfig
	Media    mediaConfig
	Shop     shop.Identity
	Flash    flashConfig
	Payments paymentConfig
	// WorkMarker is SHOP_WORK_MARKER, the work event's s3:// mark; Lambda only (checkLambdaConfig).
	WorkMarker string
}

// loadConfig reads and checks every variable before anything starts, and reports every bad
// one at once, each naming its variable and what it wants.
func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		DatabaseURL:     getenv("DATABASE_URL"),
		Addr:            getenv("SHOP_ADDR"),
		SiteDir:         getenv("SHOP_SITE_DIR"),
		AdminEmail:      strings.TrimSpace(getenv("SHOP_ADMIN_EMAIL")),
		AdminPassword:   getenv("SHOP_ADMIN_PASSWORD"),
		ShutdownTimeout: 20 * time.Second,
		ClientIPHeader:  strings.TrimSpace(getenv("SHOP_CLIENT_IP_HEADER")),
		ViewerHost:      strings.TrimSpace(getenv("SHOP_VIEWER_HOST_HEADER")),
		DBWait:          postgres.DefaultWait,
		DBPasswordFile:  getenv("SHOP_DB_PASSWORD_FILE"),
		AppRole:         postgres.DefaultAppRole,
		Workers:         DefaultWorkers,
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = DefaultDatabaseURL
	}
	if cfg.Addr == "" {
		cfg.Addr = ":8080"
	}
	var errs []error
	bad := func(err error) { errs = append(errs, err) }

	dbConfig, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		// pgconn masks the password in its parse errors.
		bad(fmt.Errorf("DATABASE_URL: %w", err))
	}
	if _, _, err := checkAddr(cfg.Addr); err != nil {
		bad(err)
	}
	if cfg.SiteDir != "" {
		if _, err := os.Stat(filepath.Join(cfg.SiteDir, "index.html")); err != nil {
			bad(fmt.Errorf("SHOP_SITE_DIR=%q: want a folder holding index.html (run `make site`): %w", cfg.SiteDir, err))
		}
	}
	if v := getenv("SHOP_DB_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > 1000 {
			bad(fmt.Errorf("SHOP_DB_MAX_CONNS=%q: want an integer from 1 to 1000", v))
		}
		cfg.MaxConns = int32(n)
	}
	if d, err := duration(getenv, "SHOP_SHUTDOWN_TIMEOUT", "20s"); err != nil {
		bad(err)
	} else if d > 0 {
		cfg.ShutdownTimeout = d
	}
	if d, err := duration(getenv, "SHOP_DB_WAIT", "60s"); err != nil {
		bad(err)
	} else if d > 0 {
		cfg.DBWait = d
	}
	if err := httpapi.CheckClientIPHeader(cfg.ClientIPHeader); err != nil {
		bad(fmt.Errorf("SHOP_CLIENT_IP_HEADER: %w", err))
	}
	if err := httpapi.CheckClientIPHeader(cfg.ViewerHost); err != nil {
		bad(fmt.Errorf("SHOP_VIEWER_HOST_HEADER: %w", err))
	}
	for _, o := range strings.Split(getenv("SHOP_ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		n, err := httpapi.NormalizeOrigin(o)
		if err != nil {
			bad(fmt.Errorf("SHOP_ALLOWED_ORIGINS: %w", err))
			continue
		}
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, n)
	}
	if v := getenv("SHOP_DB_APP_ROLE"); v != "" {
		cfg.AppRole = v
	}
	if err := postgres.CheckRoleName(cfg.AppRole); err != nil {
		bad(fmt.Errorf("SHOP_DB_APP_ROLE: %w", err))
	}
	if v := getenv("SHOP_WORKERS"); v != "" {
		if _, err := fmt.Sscan(v, &cfg.Workers); err != nil || cfg.Workers < 0 || cfg.Workers > 100 {
			bad(fmt.Errorf("SHOP_WORKERS=%q: want an integer from 0 (off) to 100", v))
		}
	}
	if cfg.Cache, err = loadCacheConfig(getenv); err != nil {
		bad(err)
	}
	if cfg.Search, err = loadSearchConfig(getenv); err != nil {
		bad(err)
	}
	if cfg.Media, err = loadMediaConfig(getenv); err != nil {
		bad(err)
	}
	if cfg.Payments, err = loadPaymentConfig(getenv); err != nil {
		bad(err)
	}
	if cfg.Shop, err = loadShopConfig(getenv); err != nil {
		bad(err)
	}
	errs = append(errs, cfg.credentials(getenv, dbConfig)...)
	errs = append(errs, cfg.admin()...)
	var abuseErrs []error
	cfg.Abuse, abuseErrs = loadAbuseConfig(getenv)
	errs = append(errs, abuseErrs...)
	var flashErrs []error
	cfg.Flash, flashErrs = loadFlashConfig(getenv)
	errs = append(errs, flashErrs...)
	return cfg, errors.Join(errs...)
}

// credentials checks how the service gets its database password: the URL or PGPASSWORD
// (default), a file read at every new connection, or an RDS IAM token per connection.
func (c *config) credentials(getenv func(string) string, db *pgx.ConnConfig) []error {
	var errs []error
	if v := getenv("SHOP_DB_IAM_AUTH"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SHOP_DB_IAM_AUTH=%q: want true or false", v))
		}
		c.DBIAMAuth = b
	}
	if c.DBPasswordFile != "" {
		if c.DBIAMAuth {
			errs = append(errs, errors.New("SHOP_DB_PASSWORD_FILE and SHOP_DB_IAM_AUTH=true exclude each other: choose one source of the database password"))
		}
		if _, err := postgres.PasswordFile(c.DBPasswordFile).Password(context.Background(), "", 0, ""); err != nil {
			errs = append(errs, fmt.Errorf("SHOP_DB_PASSWORD_FILE=%q: %w", c.DBPasswordFile, err))
		}
	}
	if !c.DBIAMAuth || db == nil {
		return errs
	}
	// RDS accepts IAM tokens only over TLS; sslmode prefer and allow may try without it.
	plain := db.TLSConfig == nil
	for _, f := range db.Fallbacks {
		plain = plain || f.TLSConfig == nil
	}
	if plain {
		errs = append(errs, errors.New("SHOP_DB_IAM_AUTH=true needs TLS on every connection: set sslmode=require or verify-full in DATABASE_URL"))
	}
	if region, err := postgres.RDSRegion(db.Host); err == nil {
		c.DBRegion = region
	} else if c.DBRegion = getenv("AWS_REGION"); c.DBRegion == "" {
		errs = append(errs, fmt.Errorf("SHOP_DB_IAM_AUTH=true needs the database's AWS region: DATABASE_URL's host %q is %w, and AWS_REGION is not set", db.Host, err))
	}
	return errs
}

func (c *config) admin() []error {
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return []error{errors.New("SHOP_ADMIN_EMAIL and SHOP_ADMIN_PASSWORD must be set together")}
	}
	if c.AdminEmail == "" {
		return nil
	}
	var errs []error
	if email, err := shop.ParseEmail(c.AdminEmail); err != nil {
		errs = append(errs, fmt.Errorf("SHOP_ADMIN_EMAIL=%q: %w", c.AdminEmail, err))
	} else {
		c.AdminEmail = email
	}
	if n := len([]rune(c.AdminPassword)); n < shop.MinPasswordLen || n > shop.MaxPasswordLen {
		errs = append(errs, fmt.Errorf("SHOP_ADMIN_PASSWORD must be %d to %d characters", shop.MinPasswordLen, shop.MaxPasswordLen))
	}
	return errs
}

// duration parses a positive duration variable; 0 when unset.
func duration(getenv func(string) string, name, example string) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as %s", name, v, example)
	}
	return d, nil
}

// checkAddr splits a listen address (SHOP_ADDR) into host and port, which must be numeric.
func checkAddr(addr string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("SHOP_ADDR=%q: want host:port or :port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("SHOP_ADDR=%q: want a numeric port from 1 to 65535", addr)
	}
	return host, port, nil
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
		slog.String("SHOP_VIEWER_HOST_HEADER", c.ViewerHost),
		slog.String("SHOP_ALLOWED_ORIGINS", strings.Join(c.AllowedOrigins, ",")),
		slog.String("SHOP_DB_WAIT", c.DBWait.String()),
		slog.String("SHOP_DB_PASSWORD_FILE", c.DBPasswordFile),
		slog.Bool("SHOP_DB_IAM_AUTH", c.DBIAMAuth),
		slog.String("SHOP_DB_APP_ROLE", c.AppRole),
		slog.Int("SHOP_HASH_CONCURRENCY", c.Abuse.HashConcurrency),
		slog.String("hash_concurrency_from", c.Abuse.HashConcurrencyFrom),
		slog.Int("SHOP_REGISTER_LIMIT", c.Abuse.RegisterLimit),
		slog.String("SHOP_REGISTER_WINDOW", c.Abuse.RegisterWindow.String()),
		slog.Int("SHOP_WORKERS", c.Workers),
		c.Cache.urlAttr(), c.Cache.passwordAttr(), c.Search.logAttr(), c.Media.logAttr(),
		slog.String("SHOP_NAME", c.Shop.Name), slog.String("SHOP_CONTACT_EMAIL", c.Shop.ContactEmail),
		c.Flash.logAttr(), c.Payments.logAttr(),
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

// storeOptions are the store's options from every part of the config that sets some.
func (c config) storeOptions() []postgres.Option {
	return slices.Concat(c.Abuse.storeOptions(), c.Flash.storeOptions(), c.Payments.storeOptions())
}
