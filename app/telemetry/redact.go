package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// redacted are attributes instrumentations record that identify a person: the viewer's IP
// address (from X-Forwarded-For) and browser. Their values are blanked as each span starts.
var redacted = []attribute.Key{"client.address", "user_agent.original"}

// Redactor is the span processor that blanks the redacted attributes; Setup installs it, and
// tests with their own provider should too.
func Redactor() sdktrace.SpanProcessor { return redactor{} }

type redactor struct{}

func (redactor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	for _, kv := range s.Attributes() {
		for _, k := range redacted {
			if kv.Key == k {
				s.SetAttributes(k.String(""))
			}
		}
	}
}

func (redactor) OnEnd(sdktrace.ReadOnlySpan)      {}
func (redactor) Shutdown(context.Context) error   { return nil }
func (redactor) ForceFlush(context.Context) error { return nil }
