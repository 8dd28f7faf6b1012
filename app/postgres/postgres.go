// Package postgres is the storage adapter of the shop: a pgx pool, the embedded migrations,
// and the transactions that keep inventory consistent under concurrency.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is this service's advisory lock key ("shopmigr"), held while migrating so
// that several instances starting together apply each migration exactly once.
const migrationLockID int64 = 0x73686f706d696772

// Store is the shop's storage on PostgreSQL: it implements shop.ProductStore,
// shop.AccountStore and shop.OrderStore.
type Store struct {
	pool     *pgxpool.Pool
	log      *slog.Logger
	now      func() time.Time
	accounts accountPolicy
	// jobs enqueues background jobs inside the store's transactions (jobs.go).
	jobs *river.Client[pgx.Tx]
	// group batches concurrent orders per product (groupcommit.go); nil places each order alone.
	group *batcher
	// soldOut refuses orders for products known to be sold out (soldout.go); nil when off.
	soldOut *soldOut
	stats   groupCounters
	// hook, set only by tests, may fail a group transaction before it writes.
	hook func([]*groupEntry) error
	// stopListener ends the sold-out listener; Close waits for listenerDone.
	stopListener context.CancelFunc
	listenerDone chan struct{}
	// payments is how new orders are taken: placed, or pending a provider's payment (payments.go).
	payments paymentPolicy
}

var (
	_ shop.ProductStore = (*Store)(nil)
	_ shop.AccountStore = (*Store)(nil)
	_ shop.OrderStore   = (*Store)(nil)
	_ payment.Store     = (*Store)(nil)
)

// DefaultWait is how long Connect waits, by default, for a database that does not answer yet.
// Aurora Serverless v2 paused at 0 ACU takes about 15 s to resume; an RDS failover up to 30 s.
const DefaultWait = 60 * time.Second

// defaultConnectTimeout bounds one connection attempt when the URL sets no connect_timeout,
// so a request during an outage gets its 503 in seconds instead of waiting for TCP to give up.
const defaultConnectTimeout = 5 * time.Second

// Options configure Connect. Only URL is required.
type Options struct {
	// URL is the PostgreSQL URL (DATABASE_URL); libpq's PG* variables fill what it leaves out.
	URL string
	// MaxConns caps the pool. Default (<= 0): pgxpool's, max(4, CPUs).
	MaxConns int32
	// Wait is how long Connect retries a database that cannot be reached yet. Default DefaultWait.
	Wait time.Duration
	// Password, when set, supplies the password of every new connection, so a rotated
	// credential is picked up without a restart. Default nil: the URL's or PGPASSWORD's, fixed
	// at start.
	Password PasswordSource
	// Log receives the wait's progress and the store's warnings. Required.
	Log *slog.Logger
}

// Open is Connect with the default wait and the URL's own password.
func Open(ctx context.Context, databaseURL string, maxConns int32, log *slog.Logger, opts ...Option) (*Store, error) {
	return Connect(ctx, Options{URL: databaseURL, MaxConns: maxConns, Log: log}, opts...)
}

// Connect opens a pool on opts.URL and waits until the server answers. A server that cannot be
// reached is retried until opts.Wait has passed; any other failure (a refused password, a
// missing database) ends the wait at once. storeOpts tune the store (see Option).
func Connect(ctx context.Context, opts Options, storeOpts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	// Every statement and batch a child span of the caller's (no-op without telemetry.Setup).
	cfg.ConnConfig.Tracer = telemetry.PgxTracer()
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if opts.Password != nil {
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			pw, err := opts.Password.Password(ctx, cc.Host, cc.Port, cc.User)
			if err != nil {
				return fmt.Errorf("postgres: password for %s@%s: %w", cc.User, cc.Host, err)
			}
			cc.Password = pw
			return nil
		}
	}
	if opts.Wait <= 0 {
		opts.Wait = DefaultWait
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	if err := waitForServer(ctx, pool, opts.Wait, opts.Log); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	jobs, err := newJobClient(pool, opts.Log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	st := &Store{pool: pool, log: opts.Log, now: time.Now, accounts: defaultAccountPolicy(), jobs: jobs,
		group: newBatcher(), soldOut: newSoldOut()}
	for _, o := range storeOpts {
		o(st)
	}
	st.startListener()
	return st, nil
}

// waitForServer pings until the server answers, retrying while it cannot be reached (see
// unreachable), with a backoff from 250 ms to 5 s, for at most wait.
func waitForServer(parent context.Context, pool *pgxpool.Pool, wait time.Duration, log *slog.Logger) error {
	start := time.Now()
	deadline := start.Add(wait)
	ctx, cancel := context.WithDeadline(parent, deadline)
	defer cancel()
	backoff := 250 * time.Millisecond
	var cause error // the last failure that was not just the end of the wait
	for attempt := 1; ; attempt++ {
		err := pool.Ping(ctx)
		if cause == nil || ctx.Err() == nil {
			cause = err
		}
		switch {
		case err == nil:
			if attempt > 1 {
				log.Info("database answering", "attempts", attempt, "waited", time.Since(start).Round(time.Millisecond).String())
			}
			return nil
		case parent.Err() != nil:
			return parent.Err()
		case !unreachable(err):
			return err
		case ctx.Err() != nil:
			return fmt.Errorf("no answer within %s (%d attempts): %w", wait, attempt, cause)
		}
		pause := min(backoff, time.Until(deadline))
		log.Info("database not answering yet; retrying", "attempt", attempt, "retry_in", pause.Round(time.Millisecond).String(), "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// Close stops the sold-out listener and closes the pool, waiting for acquired connections to
// be released.
func (s *Store) Close() {
	if s.stopListener != nil {
		s.stopListener()
		<-s.listenerDone
	}
	s.pool.Close()
}

// startListener runs the sold-out set's LISTEN connection, if the set is on.
func (s *Store) startListener() {
	if s.soldOut == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopListener, s.listenerDone = cancel, make(chan struct{})
	go func() {
		defer close(s.listenerDone)
		s.soldOut.listen(ctx, s.pool, s.log)
	}()
}

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
	var v int32
	err := s.withMigrationLock(ctx, "migrate", func(conn *pgxpool.Conn) error {
		m, err := s.migrator(ctx, conn)
		if err != nil {
			return err
		}
		m.OnStart = func(seq int32, name, direction, _ string) {
			s.log.Info("applying migration", "sequence", seq, "name", name, "direction", direction)
		}
		if err := m.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := s.migrateRiver(ctx); err != nil {
			return err
		}
		if v, err = m.GetCurrentVersion(ctx); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		return nil
	})
	return v, err
}

// CheckSchema returns the schema version and fails unless every migration of this build has
// been applied: `shop serve` runs as the application role, which cannot run DDL, so it checks
// instead of migrating. A newer schema is fine (migrations only add), an older one is not.
func (s *Store) CheckSchema(ctx context.Context) (int32, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, mapError("check schema: acquire connection", err)
	}
	defer conn.Release()
	want, err := latestVersion()
	if err != nil {
		return 0, err
	}
	var v int32
	err = conn.QueryRow(ctx, "SELECT version FROM public.schema_version").Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedTable {
		v, err = 0, nil
	}
	if err != nil {
		return 0, mapError("check schema", err)
	}
	if v < want {
		return v, fmt.Errorf("check schema: the database is at schema version %d, this build needs %d: run `shop migrate` with the migration credentials first", v, want)
	}
	return v, nil
}

// migrator loads the embedded migrations for conn, creating tern's version table if missing.
func (s *Store) migrator(ctx context.Context, conn *pgxpool.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn.Conn(), "public.schema_version")
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := m.LoadMigrations(migrations()); err != nil {
		return nil, fmt.Errorf("migrate: load: %w", err)
	}
	return m, nil
}

// latestVersion is the version the embedded migrations bring a database to: tern numbers
// them 1, 2, 3 ... without gaps.
func latestVersion() (int32, error) {
	paths, err := migrate.FindMigrations(migrations())
	if err != nil {
		return 0, fmt.Errorf("migrate: find migrations: %w", err)
	}
	return int32(len(paths)), nil //nolint:gosec // a handful of embedded files
}

func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded tree always has the folder
	}
	return sub
}

// withMigrationLock runs f on one connection while holding the migration advisory lock, so
// that instances starting together run DDL and grants one after the other.
func (s *Store) withMigrationLock(ctx context.Context, op string, f func(*pgxpool.Conn) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return mapError(op+": acquire connection", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return mapError(op+": take advisory lock", err)
	}
	defer func() {
		// A fresh context: the lock must be released even if ctx was cancelled mid-way.
		unlockCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", migrationLockID); err != nil {
			s.log.Error(op+": release advisory lock", "err", err)
		}
	}()
	return f(conn)
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

// errUnavailable is what a request learns while the database cannot be reached.
var errUnavailable = &shop.Error{Code: shop.CodeUnavailable, RetryAfter: 5 * time.Second,
	Message: "the shop cannot reach its database right now; try again in a few seconds"}

// mapError turns PostgreSQL errors that a client can cause into domain errors, by SQLSTATE and
// constraint name (never by message), and a database that cannot be reached into
// shop.CodeUnavailable, keeping the cause for the log; it wraps everything with op.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *shop.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", op, errUnavailable, err)
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

// unreachable reports whether err means that the database could not be reached or went away:
// no connection could be made (refused, reset, timed out, DNS), one broke mid-use, or the
// server said it is shutting down, starting up or full. This is the one place that decides
// it, for every request (mapError) and for the startup wait. A refused password or a missing
// database is not an outage but a configuration error, and a cancelled request is the client's.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgerrcode.AdminShutdown, pgerrcode.CrashShutdown, pgerrcode.CannotConnectNow, pgerrcode.TooManyConnections:
			return true
		}
		return pgerrcode.IsConnectionException(pgErr.Code)
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
