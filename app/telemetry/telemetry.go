// Package telemetry is the shop's OpenTelemetry: traces and metrics over OTLP, configured only
// by the standard OTEL_* environment variables, W3C trace context in and out, the shop's own
// metrics (orders, cache, throttled logins) and the hooks that instrument HTTP, pgx, go-redis
// and River.
//
// Without OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_ / _METRICS_ form) nothing is exported:
// the global providers stay OpenTelemetry's no-op ones, and only the trace context of an
// incoming request is carried through (into the logs' trace_id and onward).
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// DefaultServiceName is service.name when OTEL_SERVICE_NAME (and OTEL_RESOURCE_ATTRIBUTES) set none.
const DefaultServiceName = "shop"

// Setup installs the global propagator (W3C trace context) and, for each signal whose OTLP
// endpoint is set, an SDK provider exporting to it. The exporters, the sampler, the batch span
// processor and the periodic metric reader read their OTEL_* variables themselves. The returned
// shutdown flushes what is buffered and stops the exporters; it is never nil.
func Setup(ctx context.Context) (shutdown func(context.Context) error, err error) {
	return setup(ctx, os.Getenv)
}

func setup(ctx context.Context, getenv func(string) string) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	noop := func(context.Context) error { return nil }
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return noop, nil
	}
	traces, metrics := enabled(getenv, "TRACES"), enabled(getenv, "METRICS")
	if !traces && !metrics {
		return noop, nil
	}
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName(DefaultServiceName)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	var shutdowns []func(context.Context) error
	shutdown := func(ctx context.Context) error {
		var errs []error
		for _, s := range shutdowns {
			errs = append(errs, s(ctx))
		}
		return errors.Join(errs...)
	}
	if traces {
		tp, err := tracerProvider(ctx, getenv, res)
		if err != nil {
			return nil, err
		}
		otel.SetTracerProvider(tp)
		shutdowns = append(shutdowns, tp.Shutdown)
	}
	if metrics {
		mp, err := meterProvider(ctx, getenv, res)
		if err != nil {
			_ = shutdown(ctx)
			return nil, err
		}
		otel.SetMeterProvider(mp)
		shutdowns = append(shutdowns, mp.Shutdown)
	}
	return shutdown, nil
}

// enabled reports whether signal ("TRACES" or "METRICS") has an OTLP endpoint and is not
// switched off by OTEL_<signal>_EXPORTER=none.
func enabled(getenv func(string) string, signal string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_"+signal+"_EXPORTER")), "none") {
		return false
	}
	return strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")) != "" ||
		strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT")) != ""
}

// protocol is OTEL_EXPORTER_OTLP_<signal>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else
// http/protobuf; only http/protobuf is built in (the sidecar collector listens for it).
func protocol(getenv func(string) string, signal string) error {
	p := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_" + signal + "_PROTOCOL"))
	if p == "" {
		p = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_PROTOCOL"))
	}
	if p != "" && p != "http/protobuf" {
		return fmt.Errorf("telemetry: OTEL_EXPORTER_OTLP_PROTOCOL=%q: this service exports only http/protobuf", p)
	}
	return nil
}

func tracerProvider(ctx context.Context, getenv func(string) string, res *resource.Resource) (*sdktrace.TracerProvider, error) {
	if err := protocol(getenv, "TRACES"); err != nil {
		return nil, err
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: trace exporter: %w", err)
	}
	// The sampler (OTEL_TRACES_SAMPLER, _ARG) and the batcher (OTEL_BSP_*) come from the environment.
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(Redactor()), sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res)), nil
}

func meterProvider(ctx context.Context, getenv func(string) string, res *resource.Resource) (*sdkmetric.MeterProvider, error) {
	if err := protocol(getenv, "METRICS"); err != nil {
		return nil, err
	}
	exp, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: metric exporter: %w", err)
	}
	// OTEL_METRIC_EXPORT_INTERVAL and _TIMEOUT are read by the periodic reader.
	return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)),
		sdkmetric.WithResource(res)), nil
}

// Endpoint describes where OTLP goes, for the start-up log: the endpoint variables, or "(none)".
func Endpoint() string {
	var parts []string
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	if len(parts) == 0 || strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return "(none: nothing exported)"
	}
	return strings.Join(parts, " ")
}
