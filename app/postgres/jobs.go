package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/telemetry"
)

// newJobClient is the insert-only River client product writes enqueue with: it has no queues
// and works nothing; the workers of `shop serve` are a separate client (cmd/shop).
func newJobClient(pool *pgxpool.Pool, log *slog.Logger) (*river.Client[pgx.Tx], error) {
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log,
		Middleware: []rivertype.Middleware{telemetry.RiverMiddleware()}})
	if err != nil {
		return nil, fmt.Errorf("postgres: job client: %w", err)
	}
	return c, nil
}

// migrateRiver applies River's own migrations (river_job, river_queue, ...) while the caller
// holds the shop's migration advisory lock, so instances starting together still migrate one at
// a time. rivermigrate runs each migration in its own transaction (one adds an enum value a
// later one uses, which PostgreSQL refuses inside one transaction) on a pool of its own, one
// connection, closed afterwards: on the store's pool a SHOP_DB_MAX_CONNS=1 would wait forever
// for the connection the lock holder keeps.
func (s *Store) migrateRiver(ctx context.Context) error {
	cfg := s.pool.Config()
	cfg.MaxConns, cfg.MinConns = 1, 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: s.log})
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	for _, v := range res.Versions {
		s.log.Info("applied river migration", "version", v.Version, "name", v.Name)
	}
	return nil
}

// enqueueIndex adds the search_index job of a product write to the write's transaction.
func (s *Store) enqueueIndex(ctx context.Context, tx pgx.Tx, productID string, version int64) error {
	if _, err := s.jobs.InsertTx(ctx, tx, search.IndexArgs{ProductID: productID, Version: version}, nil); err != nil {
		return fmt.Errorf("enqueue search_index: %w", err)
	}
	return nil
}

// JobCounts is the number of background jobs per state that is waiting or running (available,
// scheduled, retryable, running), for the queue-depth metric. States without jobs are 0.
func (s *Store) JobCounts(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{"available": 0, "scheduled": 0, "retryable": 0, "running": 0}
	rows, err := s.pool.Query(ctx, `SELECT state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY state`)
	if err != nil {
		return nil, mapError("job counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, mapError("job counts", err)
		}
		counts[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, mapError("job counts", err)
	}
	return counts, nil
}

// DueJobs is the number of background jobs a worker could take now: available ones, and
// scheduled or retryable ones whose time has come (River's leader moves those to available).
// The Lambda work event stops when none is left.
func (s *Store) DueJobs(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM river_job
		WHERE state = 'available' OR (state IN ('scheduled', 'retryable') AND scheduled_at <= now())`).Scan(&n)
	if err != nil {
		return 0, mapError("due jobs", err)
	}
	return n, nil
}

// JobRescueAfter is when River takes back a job left running by a worker that went away (River's
// default RescueStuckJobsAfter), so the time such a job needs a worker again.
const JobRescueAfter = time.Hour

// JobRescueRetry is how often a work event comes back for a job left running past JobRescueAfter
// that no event has rescued yet (River's leader rescues it, when it gets to run).
const JobRescueRetry = 5 * time.Minute

// PendingJobs is when the earliest unfinished job needs a worker (an available one now, a
// scheduled or retryable one at its time, a running one when River would rescue it, and no sooner
// than JobRescueRetry from now) and the highest unfinished job id, which grows with every job
// enqueued; ok is false when there is no unfinished job. The Lambda work event schedules its next
// connecting tick by it (app/wake).
func (s *Store) PendingJobs(ctx context.Context) (next time.Time, maxID int64, ok bool, err error) {
	var at *time.Time
	var id *int64
	err = s.pool.QueryRow(ctx, `SELECT min(CASE WHEN state = 'running' THEN greatest(attempted_at + $1::interval, now() + $2::interval)
		WHEN state = 'available' THEN least(scheduled_at, now()) ELSE scheduled_at END), max(id)
		FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running')`, JobRescueAfter, JobRescueRetry).Scan(&at, &id)
	if err != nil {
		return time.Time{}, 0, false, mapError("pending jobs", err)
	}
	if at == nil || id == nil {
		return time.Time{}, 0, false, nil
	}
	return *at, *id, true, nil
}

// jobInserter is what a transaction needs of the job client to enqueue (the outbox).
type jobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}
