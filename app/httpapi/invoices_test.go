package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/shop"
)

// errorMessage is the message of an error answer.
func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	var e httpapi.ErrorBody
	r.json(t, &e)
	return e.Error.Message
}

// TestCreditNoteDownload: the owner of a cancelled order downloads its credit note (202 until
// the job made it); anyone else, and an order not cancelled, is a 404.
func TestCreditNoteDownload(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	p := newProduct(t, 10, 1500)
	r := c.do("POST", "/api/orders", orderBody(p.ID, 2), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	path := "/api/orders/" + o.ID + "/credit-note"

	r = c.do("GET", path, nil)
	require.Equal(t, http.StatusNotFound, r.status, string(r.body))
	assert.Equal(t, "no credit note: the order is not cancelled", r.errorMessage(t))

	require.Equal(t, http.StatusOK, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
	r = waitForDoc(t, c, path)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, "application/pdf", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="`+o.Number+`-credit.pdf"`, r.header.Get("Content-Disposition"))
	text := pdfText(t, r.body)
	assert.Contains(t, text, "Credit note "+o.Number)
	assert.Contains(t, text, "-USD 30.00")

	other, _ := registered(t)
	assert.Equal(t, http.StatusNotFound, other.do("GET", path, nil).status)
	assert.Equal(t, http.StatusUnauthorized, newClient(t).do("GET", path, nil).status)
}

// TestInvoiceFollowsPayment: with Stripe on, an order awaiting payment has no invoice (404, not
// 202 forever); the payment makes it, and the cancel of the paid order its credit note. An
// order cancelled or expired unpaid never has either.
func TestInvoiceFollowsPayment(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	p := newProduct(t, 10, 700)
	doc := func(o shop.Order, name string) response { return c.do("GET", "/api/orders/"+o.ID+"/"+name, nil) }

	t.Run("paid: invoice, then the credit note on cancel", func(t *testing.T) {
		o := ps.place(t, c, p.ID, 1)
		r := doc(o, "invoice")
		require.Equal(t, http.StatusNotFound, r.status, string(r.body))
		assert.Equal(t, "no invoice yet: the order awaits payment", r.errorMessage(t))
		require.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", o, nil).status)
		r = waitForDoc(t, c, "/api/orders/"+o.ID+"/invoice")
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		assert.Contains(t, pdfText(t, r.body), "Invoice "+o.Number)
		require.Equal(t, http.StatusOK, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
		r = waitForDoc(t, c, "/api/orders/"+o.ID+"/credit-note")
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		assert.Contains(t, pdfText(t, r.body), "Credit note "+o.Number)
	})
	t.Run("cancelled unpaid: neither", func(t *testing.T) {
		o := ps.place(t, c, p.ID, 1)
		require.Equal(t, http.StatusOK, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
		for _, name := range []string{"invoice", "credit-note"} {
			r := doc(o, name)
			require.Equal(t, http.StatusNotFound, r.status, string(r.body))
			assert.Contains(t, r.errorMessage(t), "the order was never paid")
		}
	})
	t.Run("expired unpaid: no invoice", func(t *testing.T) {
		o := ps.place(t, c, p.ID, 1)
		_, err := store.Pool().Exec(context.Background(), `UPDATE orders SET expires_at = now() - interval '1 minute' WHERE id = $1`, o.ID)
		require.NoError(t, err)
		_, err = ps.store.ExpireDue(context.Background(), 100)
		require.NoError(t, err)
		require.Equal(t, shop.StatusExpired, getOrder(t, c, o.ID).Status)
		r := doc(o, "invoice")
		require.Equal(t, http.StatusNotFound, r.status, string(r.body))
		assert.Equal(t, "no invoice: the order was never paid", r.errorMessage(t))
		assert.Zero(t, queuedJobs(t, "invoice", o.ID), "no job was queued for it")
	})
}
