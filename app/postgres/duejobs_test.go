package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// TestDueJobs: what the Lambda work event waits for: available jobs, and scheduled or retryable
// ones whose time has come; not future, running or finished ones.
func TestDueJobs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, pgtest.NewDatabase(t), 2, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Migrate(ctx)
	require.NoError(t, err)
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
