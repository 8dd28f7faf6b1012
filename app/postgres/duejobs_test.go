package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// TestDueJobs: what the Lambda work event waits for: available jobs, and scheduled or retryable
// ones whose time has come; not future, running or finished ones.
func TestDueJobs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := migratedStore(t, 2)
	var err error
	due := func() int64 {
		t.Helper()
		n, err := s.DueJobs(ctx)
		require.NoError(t, err)
		return n
	}
	assert.Zero(t, due())
	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "DUE-1", Name: "Due", Currency: "USD", Category: "x"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, due(), "the product's search_index job is available")

	set := func(state, at string) {
		t.Helper()
		_, err := s.Pool().Exec(ctx, `UPDATE river_job SET state = $1::river_job_state, scheduled_at = now() + $2::interval,
			attempted_at = CASE WHEN $1 = 'available' THEN NULL ELSE now() END,
			finalized_at = CASE WHEN $1 IN ('completed', 'discarded', 'cancelled') THEN now() END`, state, at)
		require.NoError(t, err)
	}
	tests := []struct {
		state, at string
		want      int64
	}{
		{"scheduled", "1 hour", 0}, {"scheduled", "-1 second", 1},
		{"retryable", "1 hour", 0}, {"retryable", "-1 second", 1},
		{"running", "-1 second", 0}, {"completed", "-1 second", 0},
	}
	for _, tt := range tests {
		set(tt.state, tt.at)
		assert.Equal(t, tt.want, due(), "%s at now() + %s", tt.state, tt.at)
	}
}

// TestPendingJobs: when the Lambda work marker must next connect for the unfinished jobs, and the
// highest unfinished id, which grows with each job enqueued.
func TestPendingJobs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := migratedStore(t, 2)
	_, _, ok, err := s.PendingJobs(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "nothing pending on a new database")

	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "PEND-1", Name: "Pending", Currency: "USD", Category: "x"})
	require.NoError(t, err)
	start := time.Now()
	next, first, ok, err := s.PendingJobs(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.WithinDuration(t, start, next, 5*time.Second, "an available job is due now")

	set := func(state, scheduled, attempted string) {
		t.Helper()
		_, err := s.Pool().Exec(ctx, `UPDATE river_job SET state = $1::river_job_state, scheduled_at = now() + $2::interval,
			attempted_at = now() + $3::interval,
			finalized_at = CASE WHEN $1 IN ('completed', 'discarded', 'cancelled') THEN now() END`, state, scheduled, attempted)
		require.NoError(t, err)
	}
	tests := []struct {
		name                        string
		state, scheduled, attempted string
		want                        time.Duration // from now
		pending                     bool
	}{
		{"a scheduled job at its time", "scheduled", "10 minutes", "0", 10 * time.Minute, true},
		{"a retryable job at its retry", "retryable", "3 minutes", "-1 minute", 3 * time.Minute, true},
		{"a running job when River would rescue it", "running", "-10 minutes", "-10 minutes", postgres.JobRescueAfter - 10*time.Minute, true},
		{"a running job past its rescue: back in a few minutes, not every tick", "running", "-2 hours", "-2 hours", postgres.JobRescueRetry, true},
		{"a finished job needs nothing", "completed", "-1 minute", "-1 minute", 0, false},
	}
	for _, tt := range tests {
		set(tt.state, tt.scheduled, tt.attempted)
		now := time.Now()
		next, _, ok, err := s.PendingJobs(ctx)
		require.NoError(t, err)
		require.Equal(t, tt.pending, ok, tt.name)
		if tt.pending {
			assert.WithinDuration(t, now.Add(tt.want), next, 5*time.Second, tt.name)
		}
	}

	_, err = s.CreateProduct(ctx, shop.NewProduct{SKU: "PEND-2", Name: "Pending too", Currency: "USD", Category: "x"})
	require.NoError(t, err)
	_, second, ok, err := s.PendingJobs(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Greater(t, second, first, "a new job raises the highest unfinished id")
}
