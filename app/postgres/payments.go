package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/shop"
)

// paymentPolicy is how the Store takes new orders: without a provider (the zero value) they are
// placed; with one they are pending_payment until expires_at, created_at + timeout, holding
// their stock by the same decrement as a placed order.
type paymentPolicy struct {
	provider string
	timeout  time.Duration
}

// WithPayments makes new orders pending_payment through provider, reserved for timeout.
// Default: placed (pay on delivery); an empty provider, "none" or timeout <= 0 keeps it.
func WithPayments(provider string, timeout time.Duration) Option {
	return func(s *Store) {
		if provider != "" && provider != (payment.None{}).Name() && timeout > 0 {
			s.payments = paymentPolicy{provider: provider, timeout: timeout}
		}
	}
}

// start sets a new order's status and, with a provider, its payment deadline.
func (p paymentPolicy) start(o *shop.Order) {
	if p.provider == "" {
		o.Status = shop.StatusPlaced
		return
	}
	expires := o.CreatedAt.Add(p.timeout)
	o.Status, o.Payment = shop.StatusPendingPayment, &shop.Payment{Provider: p.provider, ExpiresAt: &expires}
}

func paymentProvider(o shop.Order) *string {
	if o.Payment == nil {
		return nil
	}
	return &o.Payment.Provider
}

func paymentExpiresAt(o shop.Order) *time.Time {
	if o.Payment == nil {
		return nil
	}
	return o.Payment.ExpiresAt
}

// paymentColumns are the payment columns of an order read, in paymentRow.dest's order.
const paymentColumns = `o.payment_provider, o.payment_intent_id, o.payment_refund_id, o.payment_error, o.paid_at, o.expires_at`

type paymentRow struct {
	provider, intent, refund, errMsg *string
	paidAt, expiresAt                *time.Time
}

func (p *paymentRow) dest() []any {
	return []any{&p.provider, &p.intent, &p.refund, &p.errMsg, &p.paidAt, &p.expiresAt}
}

// payment is the order's Payment, nil for an order taken without a provider.
func (p *paymentRow) payment() *shop.Payment {
	if p.provider == nil {
		return nil
	}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return &shop.Payment{Provider: *p.provider, IntentID: str(p.intent), RefundID: str(p.refund),
		LastError: str(p.errMsg), PaidAt: utc(p.paidAt), ExpiresAt: utc(p.expiresAt)}
}

// AttachIntent stores the intent of a pending order; the same intent again is a no-op. An order
// that stopped waiting for payment while the intent was being created (a cancel or the expiry
// committed in between, with no intent to cancel yet) does not take it: the intent's cancel is
// queued in the same transaction and payment.ErrNotPending returned, so no shopper is handed a
// client secret for a dead order.
func (s *Store) AttachIntent(ctx context.Context, orderID, intentID string) error {
	notPending := false // the transaction commits the queued cancel; the caller then learns why
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE orders SET payment_intent_id = $2
			WHERE id = $1 AND status = 'pending_payment' AND payment_provider IS NOT NULL
			  AND (payment_intent_id IS NULL OR payment_intent_id = $2)`, orderID, intentID)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var status string
		var current *string
		if err := tx.QueryRow(ctx, `SELECT status, payment_intent_id FROM orders WHERE id = $1`, orderID).
			Scan(&status, &current); err != nil {
			return err
		}
		if status == shop.StatusPendingPayment {
			return fmt.Errorf("order %s has another intent than %s", orderID, intentID)
		}
		if current == nil || *current != intentID {
			if _, err := s.jobs.InsertTx(ctx, tx, payment.CancelIntentArgs{OrderID: orderID, IntentID: intentID}, nil); err != nil {
				return fmt.Errorf("enqueue cancel intent: %w", err)
			}
		}
		notPending = true
		return nil
	})
	if err == nil && notPending {
		return payment.ErrNotPending
	}
	return mapError("attach intent", err)
}

// SetRefund records the refund of an expired or cancelled order's payment.
func (s *Store) SetRefund(ctx context.Context, orderID, refundID string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE orders SET payment_refund_id = $2
		WHERE id = $1 AND status IN ('expired', 'cancelled') AND payment_intent_id IS NOT NULL`, orderID, refundID)
	return mapError("set refund", err)
}

// ApplyEvent handles a verified provider event once: its id is claimed in payment_events in
// the same transaction as the change it causes, so a redelivery (even a concurrent one, which
// waits on the first's unique key) finds it and changes nothing. The order row is locked
// (FOR UPDATE) before its status is read, which serialises the event with the expiry job and
// a shopper's cancel: whichever commits first decides, and the other sees its result.
func (s *Store) ApplyEvent(ctx context.Context, ev payment.Event) (payment.Outcome, error) {
	var outcome payment.Outcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO payment_events (id, type, intent_id, order_id, outcome) VALUES ($1, $2, $3, $4, '')
			ON CONFLICT (id) DO NOTHING`, ev.ID, string(ev.Type), ev.IntentID, ev.OrderID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			outcome = payment.OutcomeDuplicate
			return nil
		}
		if outcome, err = s.applyEvent(ctx, tx, ev); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE payment_events SET outcome = $2 WHERE id = $1`, ev.ID, string(outcome))
		return err
	})
	if err != nil {
		return "", mapError("apply payment event", err)
	}
	return outcome, nil
}

func (s *Store) applyEvent(ctx context.Context, tx pgx.Tx, ev payment.Event) (payment.Outcome, error) {
	id, ok := shop.ParseID(ev.OrderID)
	if !ok {
		return payment.OutcomeUnknownOrder, nil
	}
	var status string
	var intent, refund *string
	err := tx.QueryRow(ctx, `SELECT status, payment_intent_id, payment_refund_id FROM orders WHERE id = $1 FOR UPDATE`, id).
		Scan(&status, &intent, &refund)
	if errors.Is(err, pgx.ErrNoRows) {
		return payment.OutcomeUnknownOrder, nil
	}
	if err != nil {
		return "", err
	}
	switch {
	case intent != nil && *intent != ev.IntentID, intent == nil && status != shop.StatusPendingPayment:
		return payment.OutcomeIntentMismatch, nil
	case intent == nil:
		// The intent was made but storing its id failed (Checkout): the signed event, with the
		// order id we put in its metadata, is as good a source.
		if _, err := tx.Exec(ctx, `UPDATE orders SET payment_intent_id = $2 WHERE id = $1`, id, ev.IntentID); err != nil {
			return "", err
		}
	}
	pending := status == shop.StatusPendingPayment
	switch {
	case ev.Type == payment.EventSucceeded && pending:
		_, err = tx.Exec(ctx, `UPDATE orders SET status = 'paid', paid_at = $2, payment_error = NULL WHERE id = $1`, id, s.now())
		return payment.OutcomePaid, err
	case ev.Type == payment.EventSucceeded && refund == nil && (status == shop.StatusExpired || status == shop.StatusCancelled):
		_, err = s.jobs.InsertTx(ctx, tx, payment.RefundArgs{OrderID: id, IntentID: ev.IntentID}, nil)
		return payment.OutcomeRefundQueued, err
	case ev.Type == payment.EventFailed && pending:
		_, err = tx.Exec(ctx, `UPDATE orders SET payment_error = $2 WHERE id = $1`, id, failureMessage(ev.FailureMessage))
		return payment.OutcomeFailed, err
	case ev.Type == payment.EventCanceled && pending:
		// Cancelled at the provider (the dashboard, or its own expiry): it can no longer be paid.
		if _, err := expireOrder(ctx, tx, s.jobs, id, false); err != nil {
			return "", err
		}
		return payment.OutcomeExpired, nil
	}
	return payment.OutcomeNoChange, nil
}

// PaymentEventTTL is how long a handled event id is kept for deduplication: Stripe redelivers
// an event for up to 3 days, so a month is ample.
const PaymentEventTTL = 30 * 24 * time.Hour

func (s *Store) prunePaymentEvents(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM payment_events WHERE received_at < now() - $1::interval`, PaymentEventTTL)
	return err
}

// failureMessage is what the order shows of a failed attempt; the provider's message is meant
// for the shopper (e.g. "Your card was declined."), bounded here to keep the row small.
func failureMessage(m string) string {
	if m == "" {
		return "the payment did not go through"
	}
	if r := []rune(m); len(r) > 300 {
		return string(r[:300])
	}
	return m
}

// ExpireDue expires up to limit pending orders past their deadline, one transaction each, so a
// webhook waiting on one order's lock is not held up by the others.
func (s *Store) ExpireDue(ctx context.Context, limit int) (int, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text FROM orders WHERE status = 'pending_payment' AND expires_at <= $1
		ORDER BY expires_at LIMIT $2`, s.now(), limit)
	if err != nil {
		return 0, mapError("expire orders", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, mapError("expire orders", err)
	}
	n := 0
	for _, id := range ids {
		var expired bool
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			expired, err = expireOrder(ctx, tx, s.jobs, id, true)
			return err
		})
		if err != nil {
			return n, mapError("expire order "+id, err)
		}
		if expired {
			n++
		}
	}
	return n, nil
}

// expireOrder moves a pending order to expired, returns its stock and, when cancelIntent, queues
// its intent's cancel, in tx. The conditional update is the decision: if a webhook made the
// order paid first, it matches nothing and nothing happens.
func expireOrder(ctx context.Context, tx pgx.Tx, jobs jobInserter, orderID string, cancelIntent bool) (bool, error) {
	var intent *string
	err := tx.QueryRow(ctx, `
		UPDATE orders SET status = 'expired' WHERE id = $1 AND status = 'pending_payment'
		RETURNING payment_intent_id`, orderID).Scan(&intent)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := returnStock(ctx, tx, orderID); err != nil {
		return false, err
	}
	if cancelIntent && intent != nil {
		if _, err := jobs.InsertTx(ctx, tx, payment.CancelIntentArgs{OrderID: orderID, IntentID: *intent}, nil); err != nil {
			return false, fmt.Errorf("enqueue cancel intent: %w", err)
		}
	}
	return true, nil
}

// CancelPending cancels the user's order awaiting payment, returns its stock and queues the
// cancel of its intent, in one transaction.
func (s *Store) CancelPending(ctx context.Context, userID, orderID string) (shop.Order, error) {
	return s.cancelWith(ctx, userID, orderID, shop.StatusPendingPayment, "", func(ctx context.Context, tx pgx.Tx, intent *string) error {
		if intent == nil {
			return nil
		}
		_, err := s.jobs.InsertTx(ctx, tx, payment.CancelIntentArgs{OrderID: orderID, IntentID: *intent}, nil)
		return err
	})
}

// CancelPaid cancels the user's paid order, which refundID refunded, and returns its stock.
func (s *Store) CancelPaid(ctx context.Context, userID, orderID, refundID string) (shop.Order, error) {
	return s.cancelWith(ctx, userID, orderID, shop.StatusPaid, refundID, nil)
}

// cancelWith is the cancel transaction of an order in status from: the conditional update
// (a concurrent cancel, expiry or webhook that got there first makes it match nothing: 409),
// the stock returned, then also (if set) in the same transaction.
func (s *Store) cancelWith(ctx context.Context, userID, orderID, from, refundID string,
	also func(context.Context, pgx.Tx, *string) error) (shop.Order, error) {
	var order shop.Order
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var intent *string
		err := tx.QueryRow(ctx, `
			UPDATE orders SET status = 'cancelled', cancelled_at = now(),
			       payment_refund_id = coalesce(nullif($4, ''), payment_refund_id)
			WHERE id = $1 AND user_id = $2 AND status = $3
			RETURNING payment_intent_id`, orderID, userID, from, refundID).Scan(&intent)
		if errors.Is(err, pgx.ErrNoRows) {
			if _, err := getOrder(ctx, tx, userID, orderID); err != nil {
				return err
			}
			return shop.Errorf(shop.CodeNotCancellable, "the order can no longer be cancelled")
		}
		if err != nil {
			return err
		}
		if err := returnStock(ctx, tx, orderID); err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx, tx, intent); err != nil {
				return err
			}
		}
		order, err = getOrder(ctx, tx, userID, orderID)
		return err
	})
	if err != nil {
		return shop.Order{}, mapError("cancel order", err)
	}
	return order, nil
}
