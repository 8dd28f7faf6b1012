// Package stripe is the payment.Provider of Stripe: PaymentIntents for an order's total, their
// cancel and refund, each with an idempotency key derived from the order id, and the webhook's
// signature check (stripe-go's webhook package, default 5-minute tolerance, any api_version).
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
)

// Config configures the Provider.
type Config struct {
	// SecretKey is the account's secret (sk_live_..., sk_test_...) or restricted (rk_...) key.
	// Required. Never logged.
	SecretKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_...). Required.
	WebhookSecret string
	// APIBase, when set, replaces https://api.stripe.com (tests: stripe-mock).
	APIBase string
	// Timeout bounds one API request. Default 20 s.
	Timeout time.Duration
	// Log receives stripe-go's own warnings and errors. Required.
	Log *slog.Logger
}

// Provider is the Stripe payment.Provider.
type Provider struct {
	client        *stripeapi.Client
	webhookSecret string
}

var _ payment.Provider = (*Provider)(nil)

// New builds the Provider of cfg.
func New(cfg Config) (*Provider, error) {
	if cfg.SecretKey == "" || cfg.WebhookSecret == "" || cfg.Log == nil {
		return nil, errors.New("stripe: SecretKey, WebhookSecret and Log are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	bc := &stripeapi.BackendConfig{
		HTTPClient:    &http.Client{Timeout: cfg.Timeout},
		LeveledLogger: slogLogger{cfg.Log},
	}
	if cfg.APIBase != "" {
		bc.URL = stripeapi.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	client := stripeapi.NewClient(cfg.SecretKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(bc)))
	return &Provider{client: client, webhookSecret: cfg.WebhookSecret}, nil
}

// Name is "stripe".
func (*Provider) Name() string { return "stripe" }

// CreateIntent creates the PaymentIntent of o's total (in the currency's smallest unit, which
// total_cents is) with automatic payment methods, the order id in its metadata.
func (p *Provider) CreateIntent(ctx context.Context, o shop.Order) (payment.Intent, error) {
	params := &stripeapi.PaymentIntentCreateParams{
		Amount:                  stripeapi.Int64(o.TotalCents),
		Currency:                stripeapi.String(strings.ToLower(o.Currency)),
		AutomaticPaymentMethods: &stripeapi.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripeapi.Bool(true)},
	}
	params.AddMetadata("order_id", o.ID)
	params.SetIdempotencyKey(payment.IdempotencyKey("intent", o.ID))
	pi, err := p.client.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: create payment intent: %w", err)
	}
	return payment.Intent{ID: pi.ID, ClientSecret: pi.ClientSecret}, nil
}

// Intent reads the intent for its client secret.
func (p *Provider) Intent(ctx context.Context, intentID string) (payment.Intent, error) {
	pi, err := p.client.V1PaymentIntents.Retrieve(ctx, intentID, nil)
	if err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: read payment intent: %w", err)
	}
	return payment.Intent{ID: pi.ID, ClientSecret: pi.ClientSecret}, nil
}

// Cancel cancels the intent; payment.ErrIntentFinal when Stripe says it can no longer be
// cancelled (it succeeded, or is cancelled already).
func (p *Provider) Cancel(ctx context.Context, intentID, orderID string) error {
	params := &stripeapi.PaymentIntentCancelParams{CancellationReason: stripeapi.String("abandoned")}
	params.SetIdempotencyKey(payment.IdempotencyKey("cancel", orderID))
	_, err := p.client.V1PaymentIntents.Cancel(ctx, intentID, params)
	var se *stripeapi.Error
	if errors.As(err, &se) && se.Code == stripeapi.ErrorCodePaymentIntentUnexpectedState {
		return payment.ErrIntentFinal
	}
	if err != nil {
		return fmt.Errorf("stripe: cancel payment intent: %w", err)
	}
	return nil
}

// Refund refunds the intent's payment in full.
func (p *Provider) Refund(ctx context.Context, intentID, orderID string) (string, error) {
	params := &stripeapi.RefundCreateParams{PaymentIntent: stripeapi.String(intentID)}
	params.AddMetadata("order_id", orderID)
	params.SetIdempotencyKey(payment.IdempotencyKey("refund", orderID))
	r, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return "", fmt.Errorf("stripe: refund: %w", err)
	}
	return r.ID, nil
}

// eventTypes maps the PaymentIntent events the shop registers for to what they mean.
var eventTypes = map[stripeapi.EventType]payment.EventType{
	"payment_intent.succeeded":      payment.EventSucceeded,
	"payment_intent.payment_failed": payment.EventFailed,
	"payment_intent.canceled":       payment.EventCanceled,
}

// ParseEvent verifies the Stripe-Signature header (default tolerance) and reads the event's
// intent id, metadata.order_id and failure message, whatever the event's api_version: an
// account's default version may differ from stripe-go's, and only these stable fields are read.
func (p *Provider) ParseEvent(payload []byte, signature string) (payment.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, p.webhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	switch {
	case errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature),
		errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrTooOld):
		return payment.Event{}, fmt.Errorf("%w: %w", payment.ErrBadSignature, err)
	case err != nil:
		return payment.Event{}, fmt.Errorf("stripe: read event: %w", err)
	}
	t, ok := eventTypes[ev.Type]
	if !ok || ev.Data == nil {
		return payment.Event{ID: ev.ID}, nil
	}
	var pi struct {
		ID               string            `json:"id"`
		Metadata         map[string]string `json:"metadata"`
		LastPaymentError *struct {
			Message string `json:"message"`
		} `json:"last_payment_error"`
	}
	if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
		return payment.Event{}, fmt.Errorf("stripe: read event %s: %w", ev.ID, err)
	}
	out := payment.Event{ID: ev.ID, Type: t, IntentID: pi.ID, OrderID: pi.Metadata["order_id"]}
	if pi.LastPaymentError != nil {
		out.FailureMessage = pi.LastPaymentError.Message
	}
	return out, nil
}

// slogLogger is stripe-go's LeveledLoggerInterface on the service's logger. stripe-go logs
// request failures, never the API key.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Debugf(string, ...any) {}
func (l slogLogger) Infof(string, ...any)  {}
func (l slogLogger) Warnf(format string, v ...any) {
	l.log.Warn("stripe: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Errorf(format string, v ...any) {
	l.log.Error("stripe: " + fmt.Sprintf(format, v...))
}
