package search_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/search"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// flakyIndexer fails the first attempt at each product's version 2.
type flakyIndexer struct {
	mu    sync.Mutex
	calls map[string][]int64
}

func (f *flakyIndexer) IndexProduct(_ context.Context, id string, version int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := 0
	for _, v := range f.calls[id] {
		if v == version {
			seen++
		}
	}
	f.calls[id] = append(f.calls[id], version)
	if version == 2 && seen == 0 {
		return errors.New("search engine unavailable")
	}
	return nil
}

func (f *flakyIndexer) callsOf(id string) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.calls[id]...)
}

// The workers `shop serve` runs (search.Workers) work the jobs product writes enqueue, and a
// failed attempt is retried later with backoff.
func TestIndexWorkers(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	store, err := postgres.Open(ctx, pgtest.NewDatabase(t), 8, log)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	_, err = store.Migrate(ctx)
	require.NoError(t, err)

	ix := &flakyIndexer{calls: map[string][]int64{}}
	c, err := river.NewClient(riverpgxv5.New(store.Pool()), &river.Config{
		Logger:  log,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers: search.Workers(ix),
	})
	require.NoError(t, err)
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() { _ = c.Stop(context.WithoutCancel(ctx)) })

	// job returns the state, attempt and scheduled time of one product version's job.
	job := func(id string, version int64) (string, int, time.Time) {
		var s string
		var attempt int
		var at time.Time
		require.NoError(t, store.Pool().QueryRow(ctx, `SELECT state::text, attempt, scheduled_at FROM river_job
			WHERE kind = 'search_index' AND args->>'product_id' = $1 AND (args->>'version')::bigint = $2`, id, version).
			Scan(&s, &attempt, &at))
		return s, attempt, at
	}

	p, err := store.CreateProduct(ctx, shop.NewProduct{SKU: "IDX-1", Name: "Indexed", Currency: "USD", Category: "x"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { s, _, _ := job(p.ID, 1); return s == "completed" }, 20*time.Second, 50*time.Millisecond)
	assert.Equal(t, []int64{1}, ix.callsOf(p.ID))

	name := "Indexed, renamed"
	_, err = store.UpdateProduct(ctx, p.ID, shop.ProductPatch{Name: &name})
	require.NoError(t, err)
	require.Eventually(t, func() bool { s, _, _ := job(p.ID, 2); return s != "available" && s != "running" }, 20*time.Second, 20*time.Millisecond)
	s, attempt, at := job(p.ID, 2)
	if s == "retryable" {
		assert.Equal(t, 1, attempt)
		assert.True(t, at.After(time.Now().Add(-time.Second)), "the retry waits (backoff), it is not immediate")
	}
	require.Eventually(t, func() bool { s, _, _ := job(p.ID, 2); return s == "completed" }, 30*time.Second, 100*time.Millisecond,
		"the failed attempt is retried")
	assert.Equal(t, []int64{1, 2, 2}, ix.callsOf(p.ID))
}
