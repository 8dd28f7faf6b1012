package stripe_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/stripe"
	"github.com/shopstack/shopstack/internal/stripemock"
)

const whsec = "whsec_test_secret"

func newProvider(t *testing.T) (*stripe.Provider, *stripemock.Server) {
	t.Helper()
	mock := stripemock.Start(t)
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: whsec, APIBase: mock.URL,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	return p, mock
}

func TestIntentCancelRefundRequests(t *testing.T) {
	p, mock := newProvider(t)
	ctx := context.Background()
	order := shop.Order{ID: "0b7c6a52-4a4f-4c1e-9d3e-1f0a2b3c4d5e", TotalCents: 4599, Currency: "EUR"}

	intent, err := p.CreateIntent(ctx, order)
	require.NoError(t, err)
	assert.NotEmpty(t, intent.ID)
	assert.NotEmpty(t, intent.ClientSecret)
	creates := mock.Requests("POST", "/v1/payment_intents")
	require.Len(t, creates, 1)
	f := creates[0].Form
	assert.Equal(t, "4599", f.Get("amount"))
	assert.Equal(t, "eur", f.Get("currency"))
	assert.Equal(t, order.ID, f.Get("metadata[order_id]"))
	assert.Equal(t, "true", f.Get("automatic_payment_methods[enabled]"))
	assert.Equal(t, payment.IdempotencyKey("intent", order.ID), creates[0].IdempotencyKey)

	// A second create for the same order carries the same key: Stripe answers it with the same intent.
	_, err = p.CreateIntent(ctx, order)
	require.NoError(t, err)
	creates = mock.Requests("POST", "/v1/payment_intents")
	require.Len(t, creates, 2)
	assert.Equal(t, creates[0].IdempotencyKey, creates[1].IdempotencyKey)

	again, err := p.Intent(ctx, "pi_abc")
	require.NoError(t, err)
	assert.NotEmpty(t, again.ClientSecret)
	assert.Len(t, mock.Requests("GET", "/v1/payment_intents/pi_abc"), 1)

	require.NoError(t, p.Cancel(ctx, "pi_abc", order.ID))
	cancels := mock.Requests("POST", "/v1/payment_intents/pi_abc/cancel")
	require.Len(t, cancels, 1)
	assert.Equal(t, "abandoned", cancels[0].Form.Get("cancellation_reason"))
	assert.Equal(t, payment.IdempotencyKey("cancel", order.ID), cancels[0].IdempotencyKey)

	refundID, err := p.Refund(ctx, "pi_abc", order.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, refundID)
	refunds := mock.Requests("POST", "/v1/refunds")
	require.Len(t, refunds, 1)
	assert.Equal(t, "pi_abc", refunds[0].Form.Get("payment_intent"))
	assert.Equal(t, order.ID, refunds[0].Form.Get("metadata[order_id]"))
	assert.Equal(t, payment.IdempotencyKey("refund", order.ID), refunds[0].IdempotencyKey)
}

func TestCreateIntentFailsWhenStripeIsDown(t *testing.T) {
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: whsec, APIBase: "http://127.0.0.1:1",
		Timeout: 2 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	_, err = p.CreateIntent(context.Background(), shop.Order{ID: "x", TotalCents: 1, Currency: "EUR"})
	require.Error(t, err)
}

func eventPayload(t *testing.T, id, typ, apiVersion string, object map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": apiVersion,
		"data": map[string]any{"object": object}})
	require.NoError(t, err)
	return b
}

func TestParseEvent(t *testing.T) {
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: whsec,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	failed := eventPayload(t, "evt_1", "payment_intent.payment_failed", "2019-02-19", map[string]any{
		"id": "pi_1", "object": "payment_intent", "metadata": map[string]string{"order_id": "o1"},
		"last_payment_error": map[string]any{"message": "Your card was declined."}})
	sign := func(payload []byte, secret string, at time.Time) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
	}

	t.Run("an old api_version still parses", func(t *testing.T) {
		ev, err := p.ParseEvent(failed, sign(failed, whsec, time.Now()))
		require.NoError(t, err)
		assert.Equal(t, payment.Event{ID: "evt_1", Type: payment.EventFailed, IntentID: "pi_1", OrderID: "o1",
			FailureMessage: "Your card was declined."}, ev)
	})
	t.Run("another event type is read but has no type", func(t *testing.T) {
		other := eventPayload(t, "evt_2", "charge.refunded", "2025-01-27", map[string]any{"id": "ch_1"})
		ev, err := p.ParseEvent(other, sign(other, whsec, time.Now()))
		require.NoError(t, err)
		assert.Equal(t, payment.Event{ID: "evt_2"}, ev)
	})
	for name, header := range map[string]string{
		"wrong secret":     sign(failed, "whsec_other", time.Now()),
		"too old":          sign(failed, whsec, time.Now().Add(-6*time.Minute)),
		"no header":        "",
		"garbage header":   "t=abc,v1=zz",
		"tampered payload": sign(append([]byte(" "), failed...), whsec, time.Now()),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.ParseEvent(failed, header)
			assert.ErrorIs(t, err, payment.ErrBadSignature)
		})
	}
}
