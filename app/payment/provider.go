// Package payment takes an order's money through a payment provider: the Provider interface
// (None, the default: pay on delivery; Stripe in app/stripe), the Service that drives an order
// from pending_payment to paid, expired or cancelled, and the background jobs that talk to the
// provider after a transaction decided to (cancel an intent, refund a payment, expire unpaid
// orders). It imports neither Echo nor pgx: postgres.Store implements its Store.
package payment

import (
	"context"
	"errors"

	"github.com/shopstack/shopstack/app/shop"
)

// Provider is a payment service. Every call that creates or changes something at the provider
// carries an idempotency key derived from the order id (IdempotencyKey), so a retried request,
// a repeated job or two racing cancels never make a second intent or a second refund.
type Provider interface {
	// Name is the provider's name in the order JSON and the orders table ("none", "stripe").
	Name() string
	// CreateIntent creates (or, for the same order, returns again) the payment of o's total in
	// o's currency, with the order id in its metadata.
	CreateIntent(ctx context.Context, o shop.Order) (Intent, error)
	// Intent reads an existing intent (for its client secret).
	Intent(ctx context.Context, intentID string) (Intent, error)
	// Cancel cancels an intent nobody paid. ErrIntentFinal: it already succeeded or was
	// cancelled, and there is nothing left to do.
	Cancel(ctx context.Context, intentID, orderID string) error
	// Refund refunds an intent's payment in full and returns the refund's id.
	Refund(ctx context.Context, intentID, orderID string) (refundID string, err error)
	// ParseEvent verifies a webhook delivery's signature and reads the event. ErrBadSignature
	// when it does not verify; an Event with an empty Type for events the shop does not use.
	ParseEvent(payload []byte, signature string) (Event, error)
}

// Intent is a created payment: ClientSecret lets the shopper's browser confirm it.
type Intent struct {
	ID           string
	ClientSecret string
}

// EventType is what a provider event means for its order.
type EventType string

// The provider events the shop acts on.
const (
	EventSucceeded EventType = "succeeded"
	EventFailed    EventType = "failed"
	EventCanceled  EventType = "canceled"
)

// Event is a verified provider event about one intent.
type Event struct {
	ID       string
	Type     EventType
	IntentID string
	// OrderID is the order id from the intent's metadata, as CreateIntent put it there.
	OrderID string
	// FailureMessage is the provider's explanation of a failed attempt (EventFailed).
	FailureMessage string
}

// Errors of the providers.
var (
	ErrBadSignature = errors.New("payment: the webhook signature does not verify")
	ErrIntentFinal  = errors.New("payment: the intent already succeeded or was cancelled")
	ErrOff          = errors.New("payment: no payment provider is configured")
	// ErrNotPending: the order stopped waiting for payment (cancelled, expired) while its intent
	// was being created; the new intent's cancel is queued instead of attaching it.
	ErrNotPending = errors.New("payment: the order no longer awaits payment")
)

// IdempotencyKey is the provider idempotency key of operation op ("intent", "cancel",
// "refund") on an order: one intent, one cancel and at most one refund per order, whoever asks.
func IdempotencyKey(op, orderID string) string { return "shopstack-order-" + orderID + "-" + op }

// None is the provider of a shop that takes payment on delivery: orders are placed, unpaid,
// and nothing is ever sent anywhere. It is the default.
type None struct{}

// Name is "none".
func (None) Name() string { return "none" }

// CreateIntent fails with ErrOff.
func (None) CreateIntent(context.Context, shop.Order) (Intent, error) { return Intent{}, ErrOff }

// Intent fails with ErrOff.
func (None) Intent(context.Context, string) (Intent, error) { return Intent{}, ErrOff }

// Cancel fails with ErrOff.
func (None) Cancel(context.Context, string, string) error { return ErrOff }

// Refund fails with ErrOff.
func (None) Refund(context.Context, string, string) (string, error) { return "", ErrOff }

// ParseEvent fails with ErrOff.
func (None) ParseEvent([]byte, string) (Event, error) { return Event{}, ErrOff }
