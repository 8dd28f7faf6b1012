package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/media"
	"github.com/shopstack/shopstack/app/shop"
)

// upload makes an upload slot with its bytes in files, created age ago.
func upload(t *testing.T, files media.Store, by string, age time.Duration) string {
	t.Helper()
	ctx := context.Background()
	var key string
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT 'uploads/' || gen_random_uuid()`).Scan(&key))
	require.NoError(t, store.CreateUpload(ctx, shop.Upload{Key: key, ContentType: "image/png", SizeBytes: 3, CreatedBy: by}))
	_, err := store.Pool().Exec(ctx, `UPDATE uploads SET created_at = now() - make_interval(secs => $2) WHERE key = $1`,
		key, age.Seconds())
	require.NoError(t, err)
	require.NoError(t, files.Put(ctx, key, "image/png", strings.NewReader("png"), 3))
	return key
}

func uploadExists(t *testing.T, files media.Store, key string) (row, object bool) {
	t.Helper()
	_, err := store.Upload(context.Background(), key)
	row = err == nil
	_, err = files.Stat(context.Background(), key)
	return row, err == nil
}

// TestUnusedUploadsArePruned: the periodic upload_prune job (run on start, as `shop serve`
// schedules it) deletes the slots older than a day that no product took, with their bytes; a
// product's picture and a fresh slot stay, and an object that cannot be deleted keeps its row.
func TestUnusedUploadsArePruned(t *testing.T) {
	ctx := context.Background()
	files, err := media.NewLocal(t.TempDir(), "/media")
	require.NoError(t, err)
	u := newUser(t)
	unused := upload(t, files, u.ID, 25*time.Hour)
	fresh := upload(t, files, u.ID, 23*time.Hour)
	taken := upload(t, files, u.ID, 48*time.Hour)
	p := newProduct(t, 1, 100)
	_, err = store.Pool().Exec(ctx, `UPDATE products SET image_key = $2 WHERE id = $1`, p.ID, taken)
	require.NoError(t, err)

	w := river.NewWorkers()
	river.AddWorker(w, &media.PruneWorker{Store: files, Uploads: store, Log: slog.New(slog.DiscardHandler)})
	rc, err := river.NewClient(riverpgxv5.New(store.Pool()), &river.Config{Logger: slog.New(slog.DiscardHandler),
		Queues: map[string]river.QueueConfig{"upload_prune_test": {MaxWorkers: 1}}, Workers: w,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) {
				return media.PruneArgs{}, &river.InsertOpts{Queue: "upload_prune_test"}
			},
			&river.PeriodicJobOpts{RunOnStart: true})},
		FetchPollInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	events, cancel := rc.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	require.NoError(t, rc.Start(ctx))
	t.Cleanup(func() { _ = rc.Stop(context.Background()) })
	select {
	case ev := <-events:
		require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%v", ev.Job.Errors)
	case <-time.After(20 * time.Second):
		t.Fatal("no upload_prune within 20 s")
	}

	row, obj := uploadExists(t, files, unused)
	assert.False(t, row, "the unused slot is deleted")
	assert.False(t, obj, "and its bytes")
	for _, key := range []string{fresh, taken} {
		row, obj = uploadExists(t, files, key)
		assert.True(t, row && obj, "%s stays", key)
	}

	stuck := upload(t, files, u.ID, 25*time.Hour)
	broken := errors.New("store down")
	n, err := store.PruneUploads(ctx, time.Now().Add(-media.UploadMaxAge), 100, func(context.Context, string) error { return broken })
	require.ErrorIs(t, err, broken)
	assert.Zero(t, n)
	row, _ = uploadExists(t, files, stuck)
	assert.True(t, row, "the row stays while its object could not be deleted")
}

// The job is unique while queued or running, on the default queue, one attempt per tick.
func TestPruneArgs(t *testing.T) {
	opts := media.PruneArgs{}.InsertOpts()
	assert.Equal(t, "upload_prune", media.PruneArgs{}.Kind())
	assert.True(t, opts.UniqueOpts.ByArgs)
	assert.Empty(t, opts.Queue, "the default queue")
}
