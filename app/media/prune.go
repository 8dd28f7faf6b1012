package media

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// UploadMaxAge is how long an upload slot may stay unused (no product's picture) before
// PruneWorker deletes it with its bytes.
const UploadMaxAge = 24 * time.Hour

// PruneInterval is how often the upload_prune job runs.
const PruneInterval = time.Hour

// PruneArgs asks for the unused uploads older than UploadMaxAge to be deleted.
type PruneArgs struct{}

// Kind is the job's name in river_job.kind.
func (PruneArgs) Kind() string { return "upload_prune" }

// InsertOpts: the default queue; unique among jobs not yet finished, so a slow prune never has
// a second one queued behind it; one attempt, since the next tick is the retry.
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PruneJob is the periodic upload_prune, every PruneInterval (River's leader inserts it, so a
// fleet of instances prunes once per tick).
func PruneJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(PruneInterval),
		func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "upload_prune", RunOnStart: true})
}

// UploadPruner deletes unused upload slots; postgres.Store implements it.
type UploadPruner interface {
	// PruneUploads deletes the upload slots created before before that no product has as its
	// picture, at most limit of them, calling remove for each one's object before the row's
	// delete commits (an error keeps the row). It returns how many it deleted.
	PruneUploads(ctx context.Context, before time.Time, limit int, remove func(ctx context.Context, key string) error) (int, error)
}

// PruneWorker deletes the upload slots and their bytes that no product took within UploadMaxAge.
type PruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	Store   Store
	Uploads UploadPruner
	Log     *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// pruneBatch is how many uploads one round deletes.
const pruneBatch = 500

// Work deletes unused uploads in rounds of pruneBatch until none is left.
func (w *PruneWorker) Work(ctx context.Context, _ *river.Job[PruneArgs]) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	before, total := now().Add(-UploadMaxAge), 0
	for {
		n, err := w.Uploads.PruneUploads(ctx, before, pruneBatch, w.Store.Delete)
		total += n
		if err != nil {
			return err
		}
		if n < pruneBatch {
			break
		}
	}
	if total > 0 {
		w.Log.Info("unused uploads deleted", "count", total)
	}
	return nil
}
