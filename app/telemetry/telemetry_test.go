package telemetry_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/shopstack/shopstack/app/telemetry"
	"github.com/shopstack/shopstack/app/telemetry/internal/shoptest"
)

// The SDK with in-memory exporters, installed once: instruments created before the first
// SetMeterProvider follow only that one.
var (
	spans  = tracetest.NewInMemoryExporter()
	reader = sdkmetric.NewManualReader()
)

func TestMain(m *testing.M) {
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(telemetry.Redactor()), sdktrace.WithSyncer(spans)))
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	os.Exit(m.Run())
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// TestOrderTelemetryHasNoPersonalData drives register, login and an order through the real
// handler and PostgreSQL: no span, attribute, event or metric label carries the shopper's
// email, name, password, session token or cookie; the order's server span and its database
// spans are one trace, and the request's log line carries that trace id.
func TestOrderTelemetryHasNoPersonalData(t *testing.T) {
	var logs lockedBuffer
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&logs, nil)))
	srv := shoptest.Server(t, log)
	spans.Reset()
	who := shoptest.PlaceOrder(t, srv.URL)

	got := spans.GetSpans()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	rawSpans, err := json.Marshal(got)
	require.NoError(t, err)
	rawMetrics, err := json.Marshal(rm)
	require.NoError(t, err)
	for what, v := range map[string]string{"email": who.Email, "name": who.Name, "password": who.Password,
		"session token": who.Token, "cookie": who.Cookie, "IP address": who.IP, "email's local part": strings.Split(who.Email, "@")[0]} {
		assert.False(t, strings.Contains(string(rawSpans), v), "the %s (%q) is in a span", what, v)
		assert.False(t, strings.Contains(string(rawMetrics), v), "the %s (%q) is in a metric", what, v)
	}

	order := serverSpan(t, got, "POST /api/orders")
	assert.Equal(t, "/api/orders", attr(order, "http.route"))
	assert.Empty(t, attr(order, "client.address"), "the viewer's IP is on the span")
	assert.Empty(t, attr(order, "user_agent.original"), "the browser is on the span")
	var db []tracetest.SpanStub
	for _, s := range got {
		if s.InstrumentationScope.Name == "github.com/exaring/otelpgx" && s.SpanContext.TraceID() == order.SpanContext.TraceID() {
			db = append(db, s)
		}
	}
	require.NotEmpty(t, db, "no database span in the order's trace")
	assert.True(t, descends(got, db[0], order.SpanContext.SpanID()), "the database span is not under the server span")
	serverSpan(t, got, "POST /api/auth/register")
	serverSpan(t, got, "POST /api/auth/login")

	assert.Equal(t, order.SpanContext.TraceID().String(), requestLogTraceID(t, logs.buf.String(), "/api/orders"))
	assertMetrics(t, rm)
}

func serverSpan(t *testing.T, got tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, s := range got {
		if s.Name == name && s.SpanKind == trace.SpanKindServer {
			return s
		}
	}
	t.Fatalf("no server span %q", name)
	return tracetest.SpanStub{}
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

// descends reports whether s has ancestor among got's spans.
func descends(got tracetest.SpanStubs, s tracetest.SpanStub, ancestor trace.SpanID) bool {
	for range len(got) {
		if s.Parent.SpanID() == ancestor {
			return true
		}
		found := false
		for _, p := range got {
			if p.SpanContext.SpanID() == s.Parent.SpanID() {
				s, found = p, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return false
}

func requestLogTraceID(t *testing.T, logs, route string) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "request" && line["route"] == route {
			id, _ := line["trace_id"].(string)
			return id
		}
	}
	t.Fatalf("no request log line for %s in\n%s", route, logs)
	return ""
}

// assertMetrics checks the order counter and the per-route request duration.
func assertMetrics(t *testing.T, rm metricdata.ResourceMetrics) {
	t.Helper()
	var placed int64
	routes := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if m.Name == telemetry.OrdersPlacedMetric {
					for _, p := range d.DataPoints {
						placed += p.Value
					}
				}
			case metricdata.Histogram[float64]:
				if m.Name == "http.server.request.duration" {
					for _, p := range d.DataPoints {
						if v, ok := p.Attributes.Value("http.route"); ok {
							routes[v.AsString()] = true
						}
					}
				}
			}
		}
	}
	assert.GreaterOrEqual(t, placed, int64(1), "orders.placed")
	assert.True(t, routes["/api/orders"], "http.server.request.duration has no http.route=/api/orders: %v", routes)
}

// TestMetricNamesMatchTheAlarms reads the names the alarms expect from the components'
// source (importing components would build Pulumi into this test).
func TestMetricNamesMatchTheAlarms(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../components/api_alarms.go", nil, 0)
	require.NoError(t, err)
	want := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				want[vs.Names[0].Name], _ = strconv.Unquote(lit.Value)
			}
		}
		return true
	})
	assert.Equal(t, want["OrdersPlacedMetric"], telemetry.OrdersPlacedMetric)
	assert.Equal(t, want["OrdersRefusedMetric"], telemetry.OrdersRefusedMetric)
	assert.Equal(t, "service.name", want["ServiceNameDimension"], "the resource attribute the metrics carry")
	assert.Equal(t, "shopstack", want["ServiceMetricsNamespace"], "the namespace the collector publishes under")
}

func TestSetupWithoutEndpointExportsNothing(t *testing.T) {
	before := otel.GetTracerProvider()
	shutdown, err := telemetry.SetupEnv(context.Background(), func(string) string { return "" })
	require.NoError(t, err)
	require.NoError(t, shutdown(context.Background()))
	assert.Same(t, before, otel.GetTracerProvider(), "a provider was installed without an endpoint")
}

func TestSetupRefusesAnUnsupportedProtocol(t *testing.T) {
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
	_, err := telemetry.SetupEnv(context.Background(), func(k string) string { return env[k] })
	require.ErrorContains(t, err, "http/protobuf")
}
