package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
)

// TestInvoicesFollowPayment: with payments on, an order awaiting payment has no invoice job;
// the payment enqueues it, and only an invoiced (placed or paid) order gets a credit note when
// cancelled. An order cancelled or expired unpaid gets neither.
func TestInvoicesFollowPayment(t *testing.T) {
	s := openInstance(t, postgres.WithPayments("stripe", time.Hour))
	ctx := context.Background()
	u := newUser(t)
	p := newProduct(t, 10, 500)
	pending := func(key string) string {
		t.Helper()
		res, err := s.PlaceOrder(ctx, u.ID, key, shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 1}}},
			func(o shop.Order) ([]byte, error) { return []byte(o.ID), nil })
		require.NoError(t, err)
		id := string(res.Body)
		require.Zero(t, invoiceJobs(t, id, shop.DocInvoice), "no invoice before the payment")
		return id
	}
	set := func(id, sql string) {
		t.Helper()
		_, err := s.Pool().Exec(ctx, `UPDATE orders SET `+sql+` WHERE id = $1`, id)
		require.NoError(t, err)
	}
	const cancel = `status = 'cancelled', cancelled_at = now()`

	paid := pending("paid")
	set(paid, `status = 'paid', paid_at = now()`)
	assert.Equal(t, 1, invoiceJobs(t, paid, shop.DocInvoice), "the payment enqueues the invoice")
	set(paid, cancel)
	assert.Equal(t, 1, invoiceJobs(t, paid, shop.DocCreditNote), "a paid order cancelled gets its credit note")
	assert.Equal(t, 1, invoiceJobs(t, paid, shop.DocInvoice))

	expired := pending("expired")
	set(expired, `status = 'expired'`)
	assert.Zero(t, invoiceJobs(t, expired, shop.DocInvoice), "an order expired unpaid is never invoiced")
	assert.Zero(t, invoiceJobs(t, expired, shop.DocCreditNote))

	cancelled := pending("cancelled")
	set(cancelled, cancel)
	assert.Zero(t, invoiceJobs(t, cancelled, shop.DocInvoice), "an order cancelled unpaid is never invoiced")
	assert.Zero(t, invoiceJobs(t, cancelled, shop.DocCreditNote), "nor credited")
}
