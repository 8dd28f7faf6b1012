package telemetry

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler wraps the HTTP application: one server span per request (continuing a W3C
// traceparent from the caller) and the http.server.request.duration histogram. Route names the
// span and labels the metric once Echo has routed the request. The health checks the load
// balancer sends every few seconds are not traced.
func Handler(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "http.server",
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
		otelhttp.WithFilter(func(r *http.Request) bool {
			return r.URL.Path != "/api/healthz" && r.URL.Path != "/api/readyz"
		}))
}

// Route is Echo middleware, first in the chain: it names the request's server span
// "METHOD /route" after the matched route (c.Path(), e.g. /api/orders/:id, never the raw path
// with its ids) and adds http.route to the span and the request metrics.
func Route(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if route := c.Path(); route != "" {
			req := c.Request()
			span := trace.SpanFromContext(req.Context())
			span.SetName(req.Method + " " + route)
			span.SetAttributes(semconv.HTTPRoute(route))
			if l, ok := otelhttp.LabelerFromContext(req.Context()); ok {
				l.Add(semconv.HTTPRoute(route))
			}
		}
		return next(c)
	}
}
