package telemetry

import (
	"context"
	"fmt"
	"io"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/shopstack/shopstack/app/telemetry/emf"
)

// SetupEMF is Setup for the Lambda function, which has no collector beside it: a global meter
// provider whose metrics the returned flush writes to w (stdout, which Lambda sends to CloudWatch
// Logs) as embedded metric format lines, in delta temporality. The function calls flush after
// every invocation, before Lambda may freeze the process; there is no background goroutine (a
// periodic reader would tick in a frozen process). service.name comes from OTEL_SERVICE_NAME as
// in Setup. No traces are exported.
func SetupEMF(ctx context.Context, w io.Writer) (flush func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	res, err := resource.New(ctx, resource.WithAttributes(semconv.ServiceName(DefaultServiceName)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	exp := emf.New(w)
	reader := sdkmetric.NewManualReader(sdkmetric.WithTemporalitySelector(exp.Temporality))
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res)))
	return func(ctx context.Context) error {
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(ctx, &rm); err != nil {
			return fmt.Errorf("telemetry: collect: %w", err)
		}
		return exp.Export(ctx, &rm)
	}, nil
}
