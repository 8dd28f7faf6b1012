// Package postgres is the storage adapter of the shop: a pgx pool, the embedded migrations,
// and the transactions that keep inventory consistent under concurrency.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river"

	"github.com/shopstack/shopstack/app/shop"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is this service's advisory lock key ("shopmigr"), held while migrating so
// that several instances starting together apply each migration exactly once.
const migrationLockID int64 = 0x73686f706d696772

// Store is the shop's storage on PostgreSQL: it implements shop.ProductStore,
// shop.AccountStore and shop.OrderStore.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	now  func() time.Time
	// jobs enqueues background jobs inside the store's transactions (jobs.go).
	jobs *river.Client[pgx.Tx]
}

var (
	_ shop.ProductStore = (*Store)(nil)
	_ shop.AccountStore = (*Store)(nil)
	_ shop.OrderStore   = (*Store)(nil)
)

// Open connects a pool to databaseURL and checks that the server answers. maxConns <= 0 keeps
// pgxpool's default.
func Open(ctx context.Context, databaseURL string, maxConns int32, log *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	jobs, err := newJobClient(pool, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, log: log, now: time.Now, jobs: jobs}, nil
}

// Close closes the pool, waiting for acquired connections to be released.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool to the benchmark and tests that inspect the database directly.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Migrate applies every pending migration, the shop's and then River's, under an advisory lock
// and returns the shop's schema version.
func (s *Store) Migrate(ctx context.Context) (int32, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return 0, fmt.Errorf("migrate: take advisory lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must be released even if ctx was cancelled mid-way.
		unlockCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", migrationLockID); err != nil {
			s.log.Error("migrate: release advisory lock", "err", err)
		}
	}()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "public.schema_version")
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if err := m.LoadMigrations(sub); err != nil {
		return 0, fmt.Errorf("migrate: load: %w", err)
	}
	m.OnStart = func(seq int32, name, direction, _ string) {
		s.log.Info("applying migration", "sequence", seq, "name", name, "direction", direction)
	}
	if err := m.Migrate(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	if err := s.migrateRiver(ctx); err != nil {
		return 0, err
	}
	v, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	return v, nil
}

// CreateDatabase creates the database named in databaseURL if it does not exist, connecting to
// the server's "postgres" maintenance database. It returns whether it created it.
func CreateDatabase(ctx context.Context, databaseURL string) (bool, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return false, fmt.Errorf("create database: parse URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("create database: connect to %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("create database: %w", err)
	}
	if exists {
		return false, nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == pgerrcode.DuplicateDatabase {
			return false, nil
		}
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	return true, nil
}

// constraintErrors maps constraint names to the domain error they mean. These are last lines
// of defence: the code checks first, so a client normally never causes one.
var constraintErrors = map[string]*shop.Error{
	"products_sku_key":            shop.Errorf(shop.CodeSKUTaken, "a product with this SKU already exists"),
	"users_email_lower_key":       shop.Errorf(shop.CodeEmailTaken, "an account with this email already exists"),
	"products_stock_check":        shop.Errorf(shop.CodeStockWouldGoNegative, "stock cannot go below zero"),
	"order_items_product_id_fkey": shop.Errorf(shop.CodeUnknownProduct, "an order line names a product that does not exist"),
}

// mapError turns PostgreSQL errors that a client can cause into domain errors, by SQLSTATE and
// constraint name (never by message), and wraps everything with op.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgerrcode.UniqueViolation, pgerrcode.CheckViolation, pgerrcode.ForeignKeyViolation:
			if e, ok := constraintErrors[pgErr.ConstraintName]; ok {
				return fmt.Errorf("%s: %w", op, e)
			}
		case pgerrcode.NumericValueOutOfRange:
			return fmt.Errorf("%s: %w", op, shop.Errorf(shop.CodeInvalidInput, "a number is out of range"))
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
