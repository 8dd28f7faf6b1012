package search

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// SyncInterval is how often the search_sync job runs: the most an order's stock change waits
// before the engine is sent it (plus the engine's refresh).
const SyncInterval = 3 * time.Second

// syncPage is how many products one bulk request carries.
const syncPage = 500

// SyncArgs asks for every product changed since the last sync to be sent to the engine again.
// It carries nothing: the watermark lives in PostgreSQL (search_sync).
type SyncArgs struct{}

// Kind is the job's name in river_job.kind.
func (SyncArgs) Kind() string { return "search_sync" }

// InsertOpts: one attempt, since the next tick is the retry (a sync that fails leaves the
// watermark, so the next one sends the same rows); unique among jobs not yet finished, so a
// slow sync never has a second one queued behind it.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ChangeFeed reads the products changed since the last sync; postgres.Store implements it.
type ChangeFeed interface {
	SyncSearchChanges(ctx context.Context, page int, send func(context.Context, []Document) error) (int, error)
}

// BulkIndexer writes documents to the engine, each kept only if newer than its copy.
type BulkIndexer interface {
	IndexDocuments(ctx context.Context, docs []Document) error
}

// SyncWorker works search_sync jobs.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	Feed  ChangeFeed
	Index BulkIndexer
}

// Work sends the changed products to the engine.
func (w *SyncWorker) Work(ctx context.Context, _ *river.Job[SyncArgs]) error {
	_, err := w.Feed.SyncSearchChanges(ctx, syncPage, w.Index.IndexDocuments)
	return err
}

// Timeout bounds one sync, so a hung engine cannot hold a worker.
func (w *SyncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 30 * time.Second }

// SyncJob is the periodic job that inserts a search_sync every SyncInterval (River's leader
// inserts it, so a fleet of instances syncs once per tick).
func SyncJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SyncInterval),
		func() (river.JobArgs, *river.InsertOpts) { return SyncArgs{}, nil },
		&river.PeriodicJobOpts{ID: "search_sync", RunOnStart: true})
}
