package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/telemetry"
)

// telemetryFlushTimeout bounds the last export at shutdown, after the HTTP server and the
// workers have stopped, so a collector that does not answer cannot hold the task past its
// stop timeout.
const telemetryFlushTimeout = 5 * time.Second

// startTelemetry installs OpenTelemetry from the OTEL_* variables (nothing is exported without
// OTEL_EXPORTER_OTLP_ENDPOINT) and publishes the store's pool metrics. The returned function
// flushes and stops the exporters; it is never nil.
func startTelemetry(ctx context.Context, store *postgres.Store, log *slog.Logger) (func(), error) {
	shutdown, err := telemetry.Setup(ctx)
	if err != nil {
		return nil, err
	}
	if err := telemetry.RecordPool(store.Pool()); err != nil {
		_ = shutdown(ctx)
		return nil, err
	}
	if err := telemetry.RecordJobQueue(store.JobCounts); err != nil {
		_ = shutdown(ctx)
		return nil, err
	}
	log.Info("telemetry", "otlp_endpoint", telemetry.Endpoint())
	return func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), telemetryFlushTimeout)
		defer cancel()
		if err := shutdown(fctx); err != nil {
			log.Warn("telemetry: flush at shutdown", "err", err)
		}
	}, nil
}
