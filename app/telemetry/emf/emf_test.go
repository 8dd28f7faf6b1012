package emf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/shopstack/shopstack/app/telemetry/emf"
)

// setup is a local provider (not the global one) reading into the exporter, as SetupEMF wires it.
func setup(t *testing.T) (*sdkmetric.MeterProvider, func() []map[string]any) {
	t.Helper()
	var out bytes.Buffer
	exp := emf.New(&out)
	reader := sdkmetric.NewManualReader(sdkmetric.WithTemporalitySelector(exp.Temporality))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader),
		sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceName("shop-lite"))))
	flush := func() []map[string]any {
		var rm metricdata.ResourceMetrics
		require.NoError(t, reader.Collect(context.Background(), &rm))
		require.NoError(t, exp.Export(context.Background(), &rm))
		var lines []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if l == "" {
				continue
			}
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &m), l)
			lines = append(lines, m)
		}
		out.Reset()
		return lines
	}
	return mp, flush
}

func find(lines []map[string]any, metric string, member, value string) map[string]any {
	for _, l := range lines {
		if _, ok := l[metric]; ok && (member == "" || l[member] == value) {
			return l
		}
	}
	return nil
}

func directive(t *testing.T, line map[string]any) map[string]any {
	t.Helper()
	aws, ok := line["_aws"].(map[string]any)
	require.True(t, ok, "an _aws member")
	assert.IsType(t, float64(0), aws["Timestamp"])
	cwm := aws["CloudWatchMetrics"].([]any)
	require.Len(t, cwm, 1)
	return cwm[0].(map[string]any)
}

func TestOrderCountersAreEMFLines(t *testing.T) {
	t.Parallel()
	mp, flush := setup(t)
	m := mp.Meter("test")
	placed, err := m.Int64Counter("orders.placed")
	require.NoError(t, err)
	refused, err := m.Int64Counter("orders.refused")
	require.NoError(t, err)
	other, err := m.Int64Counter("something.else")
	require.NoError(t, err)
	ctx := context.Background()
	placed.Add(ctx, 2)
	refused.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", "insufficient_stock")))
	other.Add(ctx, 5)

	lines := flush()
	require.Len(t, lines, 2, "only the published metrics: %v", lines)
	p := find(lines, "orders.placed", "", "")
	require.NotNil(t, p)
	assert.EqualValues(t, 2, p["orders.placed"])
	assert.Equal(t, "shop-lite", p["service.name"])
	d := directive(t, p)
	assert.Equal(t, "shopstack", d["Namespace"])
	assert.Equal(t, []any{[]any{"service.name"}}, d["Dimensions"], "no reason member, so no reason set")
	assert.Equal(t, []any{map[string]any{"Name": "orders.placed", "Unit": "Count"}}, d["Metrics"])

	r := find(lines, "orders.refused", "reason", "insufficient_stock")
	require.NotNil(t, r)
	assert.EqualValues(t, 1, r["orders.refused"])
	assert.Equal(t, []any{[]any{"service.name"}, []any{"service.name", "reason"}}, directive(t, r)["Dimensions"])

	// Delta: what happened since the last line, and nothing when nothing happened.
	assert.Empty(t, flush())
	placed.Add(ctx, 1)
	lines = flush()
	require.Len(t, lines, 1)
	assert.EqualValues(t, 1, lines[0]["orders.placed"])
}

func TestRequestsByStatusClassAndLatency(t *testing.T) {
	t.Parallel()
	mp, flush := setup(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/orders", func(w http.ResponseWriter, r *http.Request) {
		if l, ok := otelhttp.LabelerFromContext(r.Context()); ok {
			l.Add(semconv.HTTPRoute("/api/orders"))
		}
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	h := otelhttp.NewHandler(mux, "http.server", otelhttp.WithMeterProvider(mp))
	for _, m := range []string{http.MethodGet, http.MethodGet, http.MethodPost} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(m, "/api/orders", nil))
	}

	lines := flush()
	ok := find(lines, emf.RequestsMetric, emf.StatusClass, "2xx")
	require.NotNil(t, ok, "%v", lines)
	assert.EqualValues(t, 2, ok[emf.RequestsMetric])
	assert.Equal(t, "/api/orders", ok[emf.Route])
	stats := ok[emf.DurationMetric].(map[string]any)
	assert.EqualValues(t, 2, stats["Count"])
	for _, k := range []string{"Sum", "Min", "Max"} {
		assert.Contains(t, stats, k)
	}
	d := directive(t, ok)
	assert.Equal(t, []any{[]any{"service.name"}, []any{"service.name", "http.route"}, []any{"service.name", "status_class"}},
		d["Dimensions"])
	assert.Contains(t, d["Metrics"], map[string]any{"Name": emf.DurationMetric, "Unit": "Seconds"})
	assert.Contains(t, d["Metrics"], map[string]any{"Name": emf.RequestsMetric, "Unit": "Count"})

	conflict := find(lines, emf.RequestsMetric, emf.StatusClass, "4xx")
	require.NotNil(t, conflict)
	assert.EqualValues(t, 1, conflict[emf.RequestsMetric])
	assert.Equal(t, "POST", conflict["http.request.method"])
}
