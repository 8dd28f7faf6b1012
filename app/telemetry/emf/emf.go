// Package emf writes OpenTelemetry metrics as CloudWatch embedded metric format (EMF) log lines,
// for a process without a collector next to it (the shop as a Lambda function): CloudWatch Logs
// turns each line into metrics, no agent and no PutMetricData call needed.
//
// It publishes what the collector's awsemf exporter publishes for the Fargate service, under the
// same namespace, names and dimensions, so the alarms and the dashboard read both alike: the
// order counters by service.name (and reason), and per HTTP request the latency
// (http.server.request.duration, a statistic set in seconds) and a request count
// (http.server.requests) by service.name, by http.route and by status class (2xx, 4xx, 5xx).
//
// The OpenTelemetry Go SDK has no EMF exporter of its own (the one AWS maintains, awsemf, is a
// collector component); this is a metric Exporter of the SDK, so the instruments stay the same.
package emf

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Names of what is published besides the instruments' own.
const (
	// Namespace is the CloudWatch namespace (components.ServiceMetricsNamespace).
	Namespace = "shopstack"
	// ServiceName is the dimension carrying OTEL_SERVICE_NAME (components.ServiceNameDimension).
	ServiceName = "service.name"
	// RequestsMetric counts HTTP requests; with StatusClass it is the requests by status class.
	RequestsMetric = "http.server.requests"
	// DurationMetric is otelhttp's request duration histogram.
	DurationMetric = "http.server.request.duration"
	// StatusClass is the dimension "2xx", "3xx", "4xx" or "5xx" from the response status.
	StatusClass = "status_class"
	// Route is the dimension of the Echo route (/api/orders/:id), never the raw path.
	Route = "http.route"
)

// counters are the Sum instruments published, with the dimension sets each line declares (a set
// is declared only when the line has all its members, as EMF requires).
var counters = map[string][][]string{
	"orders.placed":    {{ServiceName}},
	"orders.refused":   {{ServiceName}, {ServiceName, "reason"}},
	"logins.throttled": {{ServiceName}},
}

var requestDimensions = [][]string{{ServiceName}, {ServiceName, Route}, {ServiceName, StatusClass}}

// Exporter is an sdkmetric.Exporter writing one EMF JSON line per data point to W, in delta
// temporality (each line holds what happened since the previous export, which is how CloudWatch
// adds EMF values up).
type Exporter struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// New returns an Exporter writing to w (the function's stdout, which Lambda sends to CloudWatch Logs).
func New(w io.Writer) *Exporter { return &Exporter{w: w, now: time.Now} }

// Temporality implements sdkmetric.Exporter: delta for every instrument.
func (*Exporter) Temporality(sdkmetric.InstrumentKind) metricdata.Temporality {
	return metricdata.DeltaTemporality
}

// Aggregation implements sdkmetric.Exporter: the SDK's defaults.
func (*Exporter) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

// ForceFlush implements sdkmetric.Exporter; nothing is buffered.
func (*Exporter) ForceFlush(context.Context) error { return nil }

// Shutdown implements sdkmetric.Exporter.
func (*Exporter) Shutdown(context.Context) error { return nil }

// Export implements sdkmetric.Exporter: the published metrics of rm, one line per data point;
// any other metric is left out (it would be a custom metric billed per series).
func (e *Exporter) Export(_ context.Context, rm *metricdata.ResourceMetrics) error {
	service, _ := rm.Resource.Set().Value(semconv.ServiceNameKey)
	var lines []record
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			lines = append(lines, records(service.AsString(), m)...)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ts := e.now().UnixMilli()
	for _, r := range lines {
		b, err := r.marshal(ts)
		if err != nil {
			return fmt.Errorf("emf: %w", err)
		}
		// One Write per line, so a line is never split between concurrent writers of stdout.
		if _, err := e.w.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("emf: write: %w", err)
		}
	}
	return nil
}

// record is one EMF line: its members (dimension values) and its metric values.
type record struct {
	members map[string]string
	dims    [][]string
	metrics []metricValue
}

type metricValue struct {
	name, unit string
	value      any
}

func records(service string, m metricdata.Metrics) []record {
	if sets, ok := counters[m.Name]; ok {
		sum, ok := m.Data.(metricdata.Sum[int64])
		if !ok {
			return nil
		}
		var out []record
		for _, dp := range sum.DataPoints {
			r := record{members: members(service, dp.Attributes, "reason")}
			r.dims = present(sets, r.members)
			r.metrics = []metricValue{{name: m.Name, unit: "Count", value: dp.Value}}
			out = append(out, r)
		}
		return out
	}
	if m.Name != DurationMetric {
		return nil
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		return nil
	}
	var out []record
	for _, dp := range h.DataPoints {
		if dp.Count == 0 {
			continue
		}
		r := record{members: members(service, dp.Attributes, Route, string(semconv.HTTPRequestMethodKey))}
		if code, ok := dp.Attributes.Value(semconv.HTTPResponseStatusCodeKey); ok {
			r.members[StatusClass] = strconv.FormatInt(code.AsInt64()/100, 10) + "xx"
		}
		r.dims = present(requestDimensions, r.members)
		stats := map[string]any{"Count": dp.Count, "Sum": dp.Sum}
		if v, ok := dp.Min.Value(); ok {
			stats["Min"] = v
		}
		if v, ok := dp.Max.Value(); ok {
			stats["Max"] = v
		}
		r.metrics = []metricValue{
			{name: DurationMetric, unit: "Seconds", value: stats},
			{name: RequestsMetric, unit: "Count", value: dp.Count},
		}
		out = append(out, r)
	}
	return out
}

// members are the line's string members: service.name and those of keys the data point has.
func members(service string, attrs attribute.Set, keys ...string) map[string]string {
	m := map[string]string{ServiceName: service}
	for _, k := range keys {
		if v, ok := attrs.Value(attribute.Key(k)); ok {
			m[k] = v.String()
		}
	}
	return m
}

// present keeps the dimension sets all of whose members the line has.
func present(sets [][]string, members map[string]string) [][]string {
	var out [][]string
	for _, set := range sets {
		ok := true
		for _, d := range set {
			if _, has := members[d]; !has {
				ok = false
			}
		}
		if ok {
			out = append(out, set)
		}
	}
	return out
}

func (r record) marshal(ts int64) ([]byte, error) {
	type metricDef struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	}
	defs := make([]metricDef, 0, len(r.metrics))
	line := map[string]any{}
	for k, v := range r.members {
		line[k] = v
	}
	for _, m := range r.metrics {
		defs = append(defs, metricDef{Name: m.name, Unit: m.unit})
		line[m.name] = m.value
	}
	line["_aws"] = map[string]any{
		"Timestamp": ts,
		"CloudWatchMetrics": []map[string]any{{
			"Namespace": Namespace, "Dimensions": r.dims, "Metrics": defs,
		}},
	}
	return json.Marshal(line)
}
