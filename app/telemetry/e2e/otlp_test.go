// Package e2e_test exports through telemetry.Setup to a real OTLP/HTTP endpoint the test
// serves (built on the collector's protobuf messages), configured only by OTEL_* variables.
// It is its own package because Setup installs the global providers once per process.
package e2e_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/shopstack/shopstack/app/telemetry"
	"github.com/shopstack/shopstack/app/telemetry/internal/shoptest"
)

// collector is an OTLP/HTTP receiver: it decodes what arrives at /v1/traces and /v1/metrics.
type collector struct {
	mu      sync.Mutex
	traces  []*coltracepb.ExportTraceServiceRequest
	metrics []*colmetricpb.ExportMetricsServiceRequest
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want a protobuf POST", http.StatusBadRequest)
		return
	}
	var resp proto.Message
	c.mu.Lock()
	defer c.mu.Unlock()
	switch r.URL.Path {
	case "/v1/traces":
		req := &coltracepb.ExportTraceServiceRequest{}
		err, resp = proto.Unmarshal(body, req), &coltracepb.ExportTraceServiceResponse{}
		c.traces = append(c.traces, req)
	case "/v1/metrics":
		req := &colmetricpb.ExportMetricsServiceRequest{}
		err, resp = proto.Unmarshal(body, req), &colmetricpb.ExportMetricsServiceResponse{}
		c.metrics = append(c.metrics, req)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, _ := proto.Marshal(resp)
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func TestOrderTraceReachesAnOTLPEndpoint(t *testing.T) {
	col := &collector{}
	endpoint := httptest.NewServer(col)
	defer endpoint.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_SERVICE_NAME", "shop-e2e")
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
	t.Setenv("OTEL_METRIC_EXPORT_INTERVAL", "60000")

	shutdown, err := telemetry.Setup(context.Background())
	require.NoError(t, err)
	srv := shoptest.Server(t, slog.New(slog.DiscardHandler))
	shoptest.PlaceOrder(t, srv.URL)
	// Shutdown flushes the batched spans and the last metric collection.
	require.NoError(t, shutdown(context.Background()))

	col.mu.Lock()
	defer col.mu.Unlock()
	var order *tracepb.Span
	byTrace := map[string][]string{} // trace id -> instrumentation scopes
	services := map[string]bool{}
	for _, req := range col.traces {
		for _, rs := range req.GetResourceSpans() {
			services[resourceAttr(rs.GetResource().GetAttributes(), "service.name")] = true
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					byTrace[string(s.GetTraceId())] = append(byTrace[string(s.GetTraceId())], ss.GetScope().GetName())
					if s.GetName() == "POST /api/orders" && s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
						order = s
					}
				}
			}
		}
	}
	require.NotNil(t, order, "the order's server span did not arrive (%d trace exports)", len(col.traces))
	assert.Contains(t, byTrace[string(order.GetTraceId())], "github.com/exaring/otelpgx", "no database span in the order's trace")
	assert.Equal(t, map[string]bool{"shop-e2e": true}, services)
	assert.True(t, metricArrived(col.metrics, telemetry.OrdersPlacedMetric), "orders.placed did not arrive")
	assert.True(t, metricArrived(col.metrics, "http.server.request.duration"), "http.server.request.duration did not arrive")
}

func resourceAttr(kvs []*commonpb.KeyValue, key string) string {
	for _, kv := range kvs {
		if kv.GetKey() == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

func metricArrived(reqs []*colmetricpb.ExportMetricsServiceRequest, name string) bool {
	for _, req := range reqs {
		for _, rm := range req.GetResourceMetrics() {
			for _, sm := range rm.GetScopeMetrics() {
				for _, m := range sm.GetMetrics() {
					if m.GetName() == name {
						return true
					}
				}
			}
		}
	}
	return false
}
