// Package search keeps search engines in step with the catalog. Every product write enqueues a
// search_index job (IndexArgs) in its own transaction (postgres.Store, the transactional
// outbox), so a committed write always has its job and a rolled-back one never has; the
// workers `shop serve` runs (SHOP_WORKERS) hand each job to an Indexer.
//
// Its subpackage searchtest holds the contract every shop.ProductSearcher adapter passes.
package search

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// IndexArgs asks for one product, as of one version, to be brought into the search index.
// Version is the product's version after the write (products.version), so a repeat of the
// same write is one job (unique by args), while two writes are two.
type IndexArgs struct {
	ProductID string `json:"product_id"`
	Version   int64  `json:"version"`
}

// Kind is the job's name in river_job.kind.
func (IndexArgs) Kind() string { return "search_index" }

// InsertOpts: unique by product id and version among jobs not yet finished or cancelled, and
// retried with River's exponential backoff (attempt^4 seconds, plus jitter) up to 10 times,
// about 4 hours in all, before the job is discarded.
func (IndexArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Indexer brings a search engine up to date with one product.
type Indexer interface {
	IndexProduct(ctx context.Context, productID string, version int64) error
}

// PostgresIndexer is the Indexer of the embedded PostgreSQL search, which needs no work: its
// index (the generated tsvector, its GIN index and the lexeme table) is written by the product
// write's own transaction. Its jobs still run, so the queue behaves the same whichever engine
// is configured, and an engine added later starts with a working outbox.
type PostgresIndexer struct{}

// IndexProduct does nothing; see PostgresIndexer.
func (PostgresIndexer) IndexProduct(context.Context, string, int64) error { return nil }

// IndexWorker works search_index jobs.
type IndexWorker struct {
	river.WorkerDefaults[IndexArgs]
	Indexer Indexer
}

// Work indexes the job's product. An error makes River retry the job later.
func (w *IndexWorker) Work(ctx context.Context, job *river.Job[IndexArgs]) error {
	return w.Indexer.IndexProduct(ctx, job.Args.ProductID, job.Args.Version)
}

// Timeout bounds one attempt, so a hung search engine cannot hold a worker.
func (w *IndexWorker) Timeout(*river.Job[IndexArgs]) time.Duration { return 30 * time.Second }

// Workers registers every worker of the shop's queue.
func Workers(ix Indexer) *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &IndexWorker{Indexer: ix})
	return w
}
