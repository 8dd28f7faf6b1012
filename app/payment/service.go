package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopstack/shopstack/app/shop"
)

// Outcome is what applying an event did, for the log and the payment_events table.
type Outcome string

// The outcomes of Store.ApplyEvent.
const (
	OutcomePaid           Outcome = "paid"
	OutcomeFailed         Outcome = "failure_recorded"
	OutcomeExpired        Outcome = "expired"
	OutcomeRefundQueued   Outcome = "refund_queued"
	OutcomeNoChange       Outcome = "no_change"
	OutcomeDuplicate      Outcome = "duplicate"
	OutcomeUnknownOrder   Outcome = "unknown_order"
	OutcomeIntentMismatch Outcome = "intent_mismatch"
)

// Store keeps the orders' payment state. Every method that changes an order's status does it
// with a conditional update (WHERE status = the status it leaves) in one transaction with the
// stock it returns and the jobs it enqueues (CancelIntentArgs, RefundArgs), so a webhook, the
// expiry job and a shopper's cancel racing for one order end in exactly one outcome.
type Store interface {
	GetOrder(ctx context.Context, userID, orderID string) (shop.Order, error)
	// AttachIntent stores the intent created for a pending order; a different intent already
	// stored is an error (one intent per order).
	AttachIntent(ctx context.Context, orderID, intentID string) error
	// ApplyEvent handles a verified event once (by its id): succeeded makes a pending order
	// paid, or queues a refund when the order already expired or was cancelled; failed records
	// the message; canceled expires a pending order and returns its stock.
	ApplyEvent(ctx context.Context, ev Event) (Outcome, error)
	// CancelPending cancels the user's pending order, returns its stock and queues the
	// intent's cancel. shop.CodeNotCancellable when the order is no longer pending.
	CancelPending(ctx context.Context, userID, orderID string) (shop.Order, error)
	// CancelPaid cancels the user's paid order, refunded by refundID, and returns its stock.
	CancelPaid(ctx context.Context, userID, orderID, refundID string) (shop.Order, error)
	// ExpireDue expires up to limit pending orders past their expires_at: stock returned and
	// the intent's cancel queued, order by order. It returns how many it expired.
	ExpireDue(ctx context.Context, limit int) (int, error)
	// SetRefund records the refund of an order's payment.
	SetRefund(ctx context.Context, orderID, refundID string) error
}

// DefaultTimeout is SHOP_PAYMENT_TIMEOUT when unset: how long an unpaid order keeps its stock.
const DefaultTimeout = 30 * time.Minute

// MaxTimeout bounds SHOP_PAYMENT_TIMEOUT: a pending order whose intent could not be created
// (or stored) retries the create with the same idempotency key, which Stripe keeps for at least
// 24 hours, so within that window a retry can never make a second intent.
const MaxTimeout = 24 * time.Hour

// Service drives orders through the provider. With None it is off: On is false and the shop
// takes payment on delivery.
type Service struct {
	provider Provider
	store    Store
	log      *slog.Logger
}

// NewService builds the Service of provider p over st.
func NewService(p Provider, st Store, log *slog.Logger) *Service {
	return &Service{provider: p, store: st, log: log}
}

// On reports whether orders are paid through a provider.
func (s *Service) On() bool { return s != nil && s.provider.Name() != None{}.Name() }

// Provider is the service's provider.
func (s *Service) Provider() Provider { return s.provider }

// Checkout returns the user's order with its payment ready to confirm: for an order awaiting
// payment it reads its intent, or creates it the first time (with the order's idempotency key,
// so two racing first calls make one intent), and adds its client secret. If the provider cannot be reached the order is returned
// as it is, without a client secret, and the call is logged: the shopper retries by loading the
// order again, and an order whose intent never gets made expires at expires_at like any unpaid
// order, so its stock is never held for longer.
func (s *Service) Checkout(ctx context.Context, userID, orderID string) (shop.Order, error) {
	o, err := s.store.GetOrder(ctx, userID, orderID)
	if err != nil || o.Status != shop.StatusPendingPayment || o.Payment == nil {
		return o, err
	}
	if o.Payment.ExpiresAt != nil && !o.Payment.ExpiresAt.After(time.Now()) {
		return o, nil // the expiry job is about to take it; a new confirmation would only be refunded
	}
	var intent Intent
	if o.Payment.IntentID != "" {
		intent, err = s.provider.Intent(ctx, o.Payment.IntentID)
	} else {
		intent, err = s.provider.CreateIntent(ctx, o)
	}
	if err != nil {
		s.log.WarnContext(ctx, "payment: the intent could not be created or read; the order stays pending until it is retried or expires",
			"order_id", o.ID, "err", err)
		return o, nil
	}
	if o.Payment.IntentID == "" {
		if err := s.store.AttachIntent(ctx, o.ID, intent.ID); errors.Is(err, ErrNotPending) {
			return s.store.GetOrder(ctx, userID, orderID) // as it is now, without a client secret
		} else if err != nil {
			return shop.Order{}, fmt.Errorf("checkout: %w", err)
		}
	}
	o.Payment.IntentID, o.Payment.ClientSecret = intent.ID, intent.ClientSecret
	return o, nil
}

// Cancel cancels an order that went through the provider: a paid order is refunded first (the
// refund's idempotency key is the order's, so a retried or concurrent cancel makes one refund),
// then cancelled with its stock returned; a pending order is cancelled and its intent's cancel
// queued. handled is false for any other order (placed, or already final), which the caller
// cancels (or refuses) as before.
func (s *Service) Cancel(ctx context.Context, userID, orderID string) (o shop.Order, handled bool, err error) {
	o, err = s.store.GetOrder(ctx, userID, orderID)
	if err != nil {
		return shop.Order{}, true, err
	}
	switch o.Status {
	case shop.StatusPendingPayment:
		o, err = s.store.CancelPending(ctx, userID, orderID)
		return o, true, err
	case shop.StatusPaid:
		refundID, err := s.provider.Refund(ctx, o.Payment.IntentID, o.ID)
		if err != nil {
			return shop.Order{}, true, shop.Errorf(shop.CodeUnavailable, "the payment provider could not refund the order; try again")
		}
		o, err = s.store.CancelPaid(ctx, userID, orderID, refundID)
		return o, true, err
	}
	return o, false, nil
}

// HandleWebhook verifies and applies one webhook delivery. A signature that does not verify
// is shop.CodeInvalidSignature and changes nothing; an event about an order the shop does not
// know, or with another intent than the order's, is logged and answered as handled, so the
// provider stops redelivering it.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) error {
	ev, err := s.provider.ParseEvent(payload, signature)
	if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrOff) {
		return shop.Errorf(shop.CodeInvalidSignature, "the Stripe-Signature header does not verify this payload")
	}
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	if ev.Type == "" {
		s.log.InfoContext(ctx, "payment webhook: event ignored", "event_id", ev.ID)
		return nil
	}
	outcome, err := s.store.ApplyEvent(ctx, ev)
	if err != nil {
		return fmt.Errorf("webhook: apply %s: %w", ev.ID, err)
	}
	level := slog.LevelInfo
	if outcome == OutcomeUnknownOrder || outcome == OutcomeIntentMismatch {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "payment webhook", "event_id", ev.ID, "type", string(ev.Type),
		"intent_id", ev.IntentID, "order_id", ev.OrderID, "outcome", string(outcome))
	return nil
}
