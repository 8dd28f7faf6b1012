package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// An intent created while its order was cancelled (before any intent was stored, so nothing was
// queued to cancel) is not attached to the dead order: its cancel is queued instead, and the
// pending order's own intent attaches once, idempotently.
func TestAttachIntentOnlyToAPendingOrder(t *testing.T) {
	s := openInstance(t, postgres.WithPayments("stripe", time.Hour))
	ctx := context.Background()
	u := newUser(t)
	p := newProduct(t, 5, 500)
	place := func(key string) string {
		t.Helper()
		res, err := s.PlaceOrder(ctx, u.ID, key, shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 1}}},
			func(o shop.Order) ([]byte, error) { return []byte(o.ID), nil })
		require.NoError(t, err)
		return string(res.Body)
	}
	cancelJobs := func(orderID, intentID string) (n int) {
		t.Helper()
		require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1
			AND args->>'order_id' = $2 AND args->>'intent_id' = $3`, payment.CancelIntentArgs{}.Kind(), orderID, intentID).Scan(&n))
		return n
	}

	live := place(key())
	require.NoError(t, s.AttachIntent(ctx, live, "pi_live"))
	require.NoError(t, s.AttachIntent(ctx, live, "pi_live"), "the same intent again is a no-op")
	assert.Error(t, s.AttachIntent(ctx, live, "pi_other"), "one intent per order")

	dead := place(key())
	_, err := s.CancelPending(ctx, u.ID, dead)
	require.NoError(t, err)
	require.Zero(t, cancelJobs(dead, "pi_late"))
	err = s.AttachIntent(ctx, dead, "pi_late")
	require.ErrorIs(t, err, payment.ErrNotPending)
	got, err := s.GetOrder(ctx, u.ID, dead)
	require.NoError(t, err)
	assert.Equal(t, shop.StatusCancelled, got.Status)
	assert.Empty(t, got.Payment.IntentID, "the late intent is not attached")
	assert.Equal(t, 1, cancelJobs(dead, "pi_late"), "its cancel is queued instead")
}
