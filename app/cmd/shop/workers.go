package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/telemetry"
)

// DefaultWorkers is SHOP_WORKERS when unset: jobs per instance worked at once.
const DefaultWorkers = 2

// startWorkers starts n River workers of the service's jobs (jobWorkers) on the store's database (n = 0: none, for
// API-only instances) and returns what stops them, waiting for running jobs until its ctx ends.
func startWorkers(ctx context.Context, store *postgres.Store, svc *service, n int, log *slog.Logger) (stop func(context.Context) error, err error) {
	if n == 0 {
		log.Info("background workers off (SHOP_WORKERS=0)")
		return func(context.Context) error { return nil }, nil
	}
	c, err := newWorkerClient(store, svc, n, log, nil)
	if err != nil {
		return nil, err
	}
	// Not ctx itself: SIGTERM cancels it, and the workers must stop after the HTTP server,
	// through stop, not at once.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("workers: start: %w", err)
	}
	log.Info("background workers started", "workers", n)
	return c.Stop, nil
}

// newWorkerClient is a River client working the default queue with n workers on the service's jobs. tune, when set, adjusts the config (the Lambda work event polls only).
func newWorkerClient(store *postgres.Store, svc *service, n int, log *slog.Logger, tune func(*river.Config)) (*river.Client[pgx.Tx], error) {
	cfg := &river.Config{
		Logger:  log,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}},
		Workers: svc.jobs,
		// A span per job, continuing the trace of the request that enqueued it.
		Middleware:   []rivertype.Middleware{telemetry.RiverMiddleware()},
		PeriodicJobs: slices.Clone(svc.periodic),
	}
	svc.payments.AddQueues(cfg.Queues, n)
	addSearchSync(cfg, store, svc.indexer)
	if tune != nil {
		tune(cfg)
	}
	c, err := river.NewClient(riverpgxv5.New(store.Pool()), cfg)
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	return c, nil
}

// addSearchSync adds the periodic search_sync job when the engine is a separate index
// (OpenSearch): it brings over what changed without a job of its own (orders' stock). The
// PostgreSQL search reads the products table itself and needs none.
func addSearchSync(cfg *river.Config, store *postgres.Store, ix search.Indexer) {
	bulk, ok := ix.(search.BulkIndexer)
	if !ok {
		return
	}
	river.AddWorker(cfg.Workers, &search.SyncWorker{Feed: store, Index: bulk})
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, search.SyncJob())
}
