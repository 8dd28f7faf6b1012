package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/shop"
)

// invoiceJobs counts the invoice jobs of an order, by document.
func invoiceJobs(t *testing.T, orderID, doc string) int {
	t.Helper()
	var n int
	require.NoError(t, store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job
		WHERE kind = 'invoice' AND args->>'order_id' = $1 AND args->>'kind' = $2`, orderID, doc).Scan(&n))
	return n
}

// TestInvoiceJobsCommitWithTheOrder: the trigger enqueues the invoice job in the order's own
// transaction (a refused order leaves none), and the credit note's with the cancel, once.
func TestInvoiceJobsCommitWithTheOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newUser(t)
	p := newProduct(t, 2, 500)
	render := func(o shop.Order) ([]byte, error) { return []byte(o.ID), nil }

	_, err := store.PlaceOrder(ctx, u.ID, "too-many", shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 3}}}, render)
	require.Equal(t, shop.CodeInsufficientStock, shop.ErrorCode(err))
	var jobs int
	require.NoError(t, store.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'invoice'
		AND NOT EXISTS (SELECT 1 FROM orders WHERE id::text = args->>'order_id')`).Scan(&jobs))
	assert.Zero(t, jobs, "no job without its order")

	addr := &shop.ShippingAddress{Name: "A", Line1: "B", City: "C", Country: "DE"}
	res, err := store.PlaceOrder(ctx, u.ID, "ok", shop.OrderRequest{Lines: []shop.OrderLine{{ProductID: p.ID, Quantity: 1}},
		ShippingAddress: addr}, render)
	require.NoError(t, err)
	orderID := string(res.Body)
	assert.Equal(t, 1, invoiceJobs(t, orderID, shop.DocInvoice))
	assert.Zero(t, invoiceJobs(t, orderID, shop.DocCreditNote))
	o, err := store.GetOrder(ctx, u.ID, orderID)
	require.NoError(t, err)
	assert.Equal(t, addr, o.ShippingAddress)
	assert.NotZero(t, shop.OrderSeq(o.Number))

	_, err = store.CancelOrder(ctx, u.ID, orderID)
	require.NoError(t, err)
	_, err = store.AdminCancelOrder(ctx, orderID)
	assert.Equal(t, shop.CodeNotCancellable, shop.ErrorCode(err))
	assert.Equal(t, 1, invoiceJobs(t, orderID, shop.DocCreditNote), "one credit note, however many cancels are tried")
}

// TestProductImagesOnlyFromTheCurrentUpload: a job of a superseded upload sets nothing.
func TestProductImagesOnlyFromTheCurrentUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProduct(t, 1, 100)
	u := newUser(t)
	for range 2 {
		k := shop.NewUploadKey()
		require.NoError(t, store.CreateUpload(ctx, shop.Upload{Key: k, ContentType: "image/png", SizeBytes: 10, CreatedBy: u.ID}))
		_, err := store.SetProductImage(ctx, p.ID, k)
		require.NoError(t, err)
	}
	old := shop.ProductImages{Thumb: "/t1", Card: "/c1", Full: "/f1"}
	ok, err := store.SetProductImages(ctx, p.ID, 1, old)
	require.NoError(t, err)
	assert.False(t, ok, "version 1 was superseded by version 2")
	got, err := store.GetProduct(ctx, p.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Images)

	cur := shop.ProductImages{Thumb: "/t2", Card: "/c2", Full: "/f2"}
	ok, err = store.SetProductImages(ctx, p.ID, 2, cur)
	require.NoError(t, err)
	assert.True(t, ok)
	got, err = store.GetProduct(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, &cur, got.Images)
	assert.Equal(t, "/c2", got.ImageURL)
}
