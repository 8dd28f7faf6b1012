package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/telemetry"
)

// DefaultWorkers is SHOP_WORKERS when unset: jobs per instance worked at once.
const DefaultWorkers = 2

// workSet is what the workers work: search_index jobs go to indexer; the payment jobs (and the
// periodic expiry sweep, from paymentTimeout) to payments, when payments are on.
type workSet struct {
	indexer        search.Indexer
	payments       *payment.Service
	paymentTimeout time.Duration
}

// startWorkers starts n River workers for ws on the store's database (n = 0: none, for API-only
// instances) and returns what stops them, waiting for running jobs until its ctx ends.
func startWorkers(ctx context.Context, store *postgres.Store, ws workSet, n int, log *slog.Logger) (stop func(context.Context) error, err error) {
	if n == 0 {
		log.Info("background workers off (SHOP_WORKERS=0)")
		return func(context.Context) error { return nil }, nil
	}
	workers := search.Workers(ws.indexer)
	ws.payments.AddWorkers(workers)
	c, err := river.NewClient(riverpgxv5.New(store.Pool()), &river.Config{
		Logger:       log,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}},
		Workers:      workers,
		PeriodicJobs: ws.payments.PeriodicJobs(ws.paymentTimeout),
		// A span per job, continuing the trace of the request that enqueued it.
		Middleware: []rivertype.Middleware{telemetry.RiverMiddleware()},
	})
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	// Not ctx itself: SIGTERM cancels it, and the workers must stop after the HTTP server,
	// through stop, not at once.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("workers: start: %w", err)
	}
	log.Info("background workers started", "workers", n)
	return c.Stop, nil
}
