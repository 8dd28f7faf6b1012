package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/telemetry"
	"github.com/shopstack/shopstack/internal/pgtest"
)

// TestJobQueueDepth: the queue depth gauge reports, per state, the background jobs PostgreSQL
// holds; a product write without workers leaves its search_index job available.
func TestJobQueueDepth(t *testing.T) {
	ctx := context.Background()
	store, err := postgres.Open(ctx, pgtest.NewDatabase(t), 4, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(store.Close)
	_, err = store.Migrate(ctx)
	require.NoError(t, err)
	for _, sku := range []string{"QUEUE-1", "QUEUE-2"} {
		_, err = store.CreateProduct(ctx, shop.NewProduct{SKU: sku, Name: "Queued " + sku, PriceCents: 100,
			Currency: "USD", Stock: 1, Category: "kitchen"})
		require.NoError(t, err)
	}
	require.NoError(t, telemetry.RecordJobQueue(store.JobCounts))

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != telemetry.JobsQueuedMetric {
				continue
			}
			for _, dp := range m.Data.(metricdata.Gauge[int64]).DataPoints {
				state, _ := dp.Attributes.Value(telemetry.StateKey)
				got[state.AsString()] = max(got[state.AsString()], dp.Value)
			}
		}
	}
	assert.Equal(t, int64(2), got["available"], "%v", got)
	assert.Contains(t, got, "retryable")
}
