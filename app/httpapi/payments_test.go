package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/shopstack/shopstack/app/httpapi"
	"github.com/shopstack/shopstack/app/payment"
	"github.com/shopstack/shopstack/app/postgres"
	"github.com/shopstack/shopstack/app/shop"
	"github.com/shopstack/shopstack/app/stripe"
	"github.com/shopstack/shopstack/internal/stripemock"
)

const testWebhookSecret = "whsec_shop_test"

// payShop is the application with Stripe payments on, against stripe-mock.
type payShop struct {
	base  string
	store *postgres.Store
	svc   *payment.Service
	mock  *stripemock.Server
	jobs  *river.Client[pgx.Tx] // with workers: the client working the payment queue
}

// newPayShop serves the application with payments through Stripe (stripe-mock behind the
// recording proxy), unpaid orders expiring after timeout. With workers, River works the
// payment jobs and the periodic expiry sweep, as `shop serve` does.
func newPayShop(t *testing.T, timeout time.Duration, workers bool) *payShop {
	t.Helper()
	mock := stripemock.Start(t)
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(logBuf.String(), "\n") {
				if strings.Contains(l, `"level":"ERROR"`) {
					t.Log(l)
				}
			}
		}
	})
	s, err := postgres.Open(context.Background(), dbURL, 16, log, postgres.WithPayments("stripe", timeout))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_shop", WebhookSecret: testWebhookSecret, APIBase: mock.URL, Log: log})
	require.NoError(t, err)
	svc := payment.NewService(p, s, log)
	cfg := appConfig(s, log)
	cfg.Payments, cfg.StripePublishableKey = svc, "pk_test_shop"
	e, err := httpapi.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	if workers {
		// The payment queue only: the package's own client works the default queue (search,
		// pictures, invoices), whose workers this one does not have.
		w := river.NewWorkers()
		svc.AddWorkers(w)
		queues := map[string]river.QueueConfig{}
		svc.AddQueues(queues, 4)
		rc, err := river.NewClient(riverpgxv5.New(s.Pool()), &river.Config{Logger: slog.New(slog.DiscardHandler),
			Queues: queues, Workers: w,
			PeriodicJobs: svc.PeriodicJobs(timeout), FetchPollInterval: 100 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, rc.Start(context.Background()))
		t.Cleanup(func() { _ = rc.Stop(context.Background()) })
		return &payShop{base: srv.URL, store: s, svc: svc, mock: mock, jobs: rc}
	}
	return &payShop{base: srv.URL, store: s, svc: svc, mock: mock}
}

func (p *payShop) client(t *testing.T) (*client, shop.User) {
	c, u := registered(t)
	c.base = p.base
	return c, u
}

// place orders qty of product and returns the order answered.
func (p *payShop) place(t *testing.T, c *client, productID string, qty int) shop.Order {
	t.Helper()
	r := c.do("POST", "/api/orders", orderBody(productID, qty), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	return o
}

// signedEvent is a Stripe event about intentID of orderID, signed with secret as Stripe would.
func signedEvent(t *testing.T, secret, id, typ, intentID, orderID string, extra map[string]any) ([]byte, string) {
	t.Helper()
	obj := map[string]any{"id": intentID, "object": "payment_intent", "metadata": map[string]string{"order_id": orderID}}
	for k, v := range extra {
		obj[k] = v
	}
	payload, err := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ,
		"api_version": "2020-08-27", "created": time.Now().Unix(), "data": map[string]any{"object": obj}})
	require.NoError(t, err)
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
	return payload, sp.Header
}

var eventSeq = time.Now().UnixNano()

func eventID() string { eventSeq++; return fmt.Sprintf("evt_test_%d", eventSeq) }

// deliver sends a signed event to the webhook, as Stripe does: no cookie, no Origin.
func (p *payShop) deliver(t *testing.T, payload []byte, signature string) response {
	t.Helper()
	c := newClient(t)
	c.base = p.base
	return c.do("POST", "/api/payments/stripe/webhook", payload, "Stripe-Signature", signature)
}

func (p *payShop) event(t *testing.T, typ string, o shop.Order, extra map[string]any) response {
	t.Helper()
	payload, sig := signedEvent(t, testWebhookSecret, eventID(), typ, o.Payment.IntentID, o.ID, extra)
	return p.deliver(t, payload, sig)
}

func getOrder(t *testing.T, c *client, id string) shop.Order {
	t.Helper()
	r := c.do("GET", "/api/orders/"+id, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	return o
}

func eventOutcome(t *testing.T, id string) string {
	t.Helper()
	var outcome string
	err := store.Pool().QueryRow(context.Background(), `SELECT outcome FROM payment_events WHERE id = $1`, id).Scan(&outcome)
	require.NoError(t, err)
	return outcome
}

func TestPaymentsOffIsPayOnDelivery(t *testing.T) {
	t.Parallel()
	c, _ := registered(t)
	r := c.do("GET", "/api/payments/config", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"provider":"none"}`, string(r.body))

	p := newProduct(t, 3, 500)
	r = c.do("POST", "/api/orders", orderBody(p.ID, 1), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	assert.Equal(t, shop.StatusPlaced, o.Status)
	assert.Nil(t, o.Payment)
	assert.NotContains(t, string(r.body), `"payment"`)

	payload, sig := signedEvent(t, testWebhookSecret, eventID(), "payment_intent.succeeded", "pi_x", o.ID, nil)
	r = newClient(t).do("POST", "/api/payments/stripe/webhook", payload, "Stripe-Signature", sig)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, shop.StatusPlaced, getOrder(t, c, o.ID).Status)
}

func TestStripeCheckoutCreatesTheIntent(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	r := c.do("GET", "/api/payments/config", nil)
	assert.JSONEq(t, `{"provider":"stripe","publishable_key":"pk_test_shop"}`, string(r.body))

	p := newProduct(t, 5, 1250)
	k := key()
	before := time.Now()
	r = c.do("POST", "/api/orders", orderBody(p.ID, 2), "Idempotency-Key", k)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var o shop.Order
	r.json(t, &o)
	assert.Equal(t, shop.StatusPendingPayment, o.Status)
	require.NotNil(t, o.Payment)
	assert.Equal(t, "stripe", o.Payment.Provider)
	assert.NotEmpty(t, o.Payment.IntentID)
	assert.NotEmpty(t, o.Payment.ClientSecret)
	require.NotNil(t, o.Payment.ExpiresAt)
	assert.WithinDuration(t, before.Add(30*time.Minute), *o.Payment.ExpiresAt, 5*time.Second)
	assert.Equal(t, 3, stockOf(t, p.ID), "the stock is reserved as for a placed order")

	creates := ps.mock.Requests("POST", "/v1/payment_intents")
	require.Len(t, creates, 1)
	assert.Equal(t, "2500", creates[0].Form.Get("amount"))
	assert.Equal(t, "usd", creates[0].Form.Get("currency"))
	assert.Equal(t, o.ID, creates[0].Form.Get("metadata[order_id]"))
	assert.Equal(t, payment.IdempotencyKey("intent", o.ID), creates[0].IdempotencyKey)

	t.Run("a replay answers the same order and intent", func(t *testing.T) {
		r := c.do("POST", "/api/orders", orderBody(p.ID, 2), "Idempotency-Key", k)
		require.Equal(t, http.StatusCreated, r.status)
		assert.Equal(t, "true", r.header.Get("Idempotent-Replayed"))
		var again shop.Order
		r.json(t, &again)
		assert.Equal(t, o.ID, again.ID)
		assert.NotEmpty(t, again.Payment.ClientSecret)
		assert.Equal(t, o.Payment.IntentID, again.Payment.IntentID)
		assert.Len(t, ps.mock.Requests("POST", "/v1/payment_intents"), 1, "no second intent")
		assert.Len(t, ps.mock.Requests("GET", "/v1/payment_intents/"+o.Payment.IntentID), 1, "the stored intent is read for its secret")
		assert.Equal(t, 3, stockOf(t, p.ID))
	})
	t.Run("the client secret only on the owner's order page", func(t *testing.T) {
		assert.NotEmpty(t, getOrder(t, c, o.ID).Payment.ClientSecret)
		r := c.do("GET", "/api/orders", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.NotContains(t, string(r.body), "client_secret")
		assert.Contains(t, string(r.body), o.Payment.IntentID)
		other, _ := ps.client(t)
		assert.Equal(t, http.StatusNotFound, other.do("GET", "/api/orders/"+o.ID, nil).status)
	})
	t.Run("cancelling a pending order returns the stock and cancels the intent", func(t *testing.T) {
		r := c.do("POST", "/api/orders/"+o.ID+"/cancel", nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var cancelled shop.Order
		r.json(t, &cancelled)
		assert.Equal(t, shop.StatusCancelled, cancelled.Status)
		assert.Equal(t, 5, stockOf(t, p.ID))
		assert.Equal(t, 1, queuedJobs(t, "payment_cancel_intent", o.ID))
		assert.Equal(t, http.StatusConflict, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
		assert.Equal(t, 5, stockOf(t, p.ID))
	})
}

// queuedJobs counts the River jobs of kind for an order.
func queuedJobs(t *testing.T, kind, orderID string) int {
	t.Helper()
	var n int
	require.NoError(t, store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'order_id' = $2`, kind, orderID).Scan(&n))
	return n
}

func TestStripeWebhook(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	p := newProduct(t, 10, 700)
	o := ps.place(t, c, p.ID, 1)

	t.Run("bad signature: 400, nothing changed", func(t *testing.T) {
		id := eventID()
		payload, _ := signedEvent(t, testWebhookSecret, id, "payment_intent.succeeded", o.Payment.IntentID, o.ID, nil)
		_, wrong := signedEvent(t, "whsec_someone_else", id, "payment_intent.succeeded", o.Payment.IntentID, o.ID, nil)
		for _, sig := range []string{wrong, "", "t=1,v1=00"} {
			r := ps.deliver(t, payload, sig)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalid_signature", r.errorCode(t))
		}
		assert.Equal(t, shop.StatusPendingPayment, getOrder(t, c, o.ID).Status)
		var n int
		require.NoError(t, store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM payment_events WHERE id = $1`, id).Scan(&n))
		assert.Zero(t, n, "an unverified event is not recorded")
	})
	t.Run("failure: stays pending with the message, the shopper may retry", func(t *testing.T) {
		r := ps.event(t, "payment_intent.payment_failed", o, map[string]any{"last_payment_error": map[string]any{"message": "Your card was declined."}})
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		got := getOrder(t, c, o.ID)
		assert.Equal(t, shop.StatusPendingPayment, got.Status)
		assert.Equal(t, "Your card was declined.", got.Payment.LastError)
		assert.NotEmpty(t, got.Payment.ClientSecret, "the same intent can be confirmed again")
	})
	var paidEvent []byte
	var paidSig string
	t.Run("success: paid", func(t *testing.T) {
		paidEvent, paidSig = signedEvent(t, testWebhookSecret, eventID(), "payment_intent.succeeded", o.Payment.IntentID, o.ID, nil)
		require.Equal(t, http.StatusOK, ps.deliver(t, paidEvent, paidSig).status)
		got := getOrder(t, c, o.ID)
		assert.Equal(t, shop.StatusPaid, got.Status)
		require.NotNil(t, got.Payment.PaidAt)
		assert.Empty(t, got.Payment.LastError)
		assert.Empty(t, got.Payment.ClientSecret, "a paid order needs no client secret")
		assert.Equal(t, 9, stockOf(t, p.ID))
	})
	t.Run("replay: 200, no-op", func(t *testing.T) {
		var ev struct{ ID string }
		require.NoError(t, json.Unmarshal(paidEvent, &ev))
		require.Equal(t, http.StatusOK, ps.deliver(t, paidEvent, paidSig).status)
		assert.Equal(t, string(payment.OutcomePaid), eventOutcome(t, ev.ID), "the first delivery's outcome stays")
		assert.Equal(t, shop.StatusPaid, getOrder(t, c, o.ID).Status)
	})
	t.Run("out of order: a failure after the success changes nothing", func(t *testing.T) {
		r := ps.event(t, "payment_intent.payment_failed", o, map[string]any{"last_payment_error": map[string]any{"message": "late"}})
		require.Equal(t, http.StatusOK, r.status)
		got := getOrder(t, c, o.ID)
		assert.Equal(t, shop.StatusPaid, got.Status)
		assert.Empty(t, got.Payment.LastError)
		r = ps.event(t, "payment_intent.canceled", o, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, shop.StatusPaid, getOrder(t, c, o.ID).Status)
	})
	t.Run("unknown order: 200 and logged", func(t *testing.T) {
		ghost := shop.Order{ID: "7d1f4a9e-0000-4000-8000-000000000000", Payment: &shop.Payment{IntentID: "pi_ghost"}}
		r := ps.event(t, "payment_intent.succeeded", ghost, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, logBuf.String(), `"order_id":"`+ghost.ID+`","outcome":"unknown_order"`)
		ghost.ID = "not-an-order"
		assert.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", ghost, nil).status)
	})
	t.Run("another intent than the order's: 200, nothing changed", func(t *testing.T) {
		o2 := ps.place(t, c, p.ID, 1)
		other := o2
		other.Payment = &shop.Payment{IntentID: "pi_not_this_orders"}
		require.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", other, nil).status)
		assert.Equal(t, shop.StatusPendingPayment, getOrder(t, c, o2.ID).Status)
	})
	t.Run("an event type the shop does not use is acknowledged", func(t *testing.T) {
		payload, sig := signedEvent(t, testWebhookSecret, eventID(), "charge.succeeded", "ch_1", o.ID, nil)
		assert.Equal(t, http.StatusOK, ps.deliver(t, payload, sig).status)
	})
	t.Run("cancelling a paid order refunds it and returns the stock", func(t *testing.T) {
		r := c.do("POST", "/api/orders/"+o.ID+"/cancel", nil)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var got shop.Order
		r.json(t, &got)
		assert.Equal(t, shop.StatusCancelled, got.Status)
		assert.NotEmpty(t, got.Payment.RefundID)
		assert.Equal(t, 9, stockOf(t, p.ID), "one unit back; the other pending order keeps its unit")
		refunds := ps.mock.Requests("POST", "/v1/refunds")
		require.Len(t, refunds, 1)
		assert.Equal(t, o.Payment.IntentID, refunds[0].Form.Get("payment_intent"))
		assert.Equal(t, payment.IdempotencyKey("refund", o.ID), refunds[0].IdempotencyKey)
		assert.Equal(t, http.StatusConflict, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
	})
}

func TestExpiryReturnsStockAndRefundsALatePayment(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, time.Second, true)
	c, u := ps.client(t)
	// Polled from Eventually's goroutine, so read without require.
	current := func(id string) shop.Order { o, _ := ps.store.GetOrder(context.Background(), u.ID, id); return o }
	p := newProduct(t, 4, 300)
	o := ps.place(t, c, p.ID, 3)
	assert.Equal(t, 1, stockOf(t, p.ID))

	// River enqueues periodic jobs on its elected leader only, and the package's other client (the
	// default queue's) may be the leader here: the sweep is also enqueued by hand, as the leader of a
	// deployment (every instance has the same periodic jobs) would.
	require.Eventually(t, func() bool {
		if current(o.ID).Status == shop.StatusExpired {
			return true
		}
		// An insert error shows as the order never expiring.
		_, _ = ps.jobs.Insert(context.Background(), payment.ExpireArgs{}, &river.InsertOpts{Queue: payment.Queue})
		return false
	}, 20*time.Second, 200*time.Millisecond)
	assert.Equal(t, 4, stockOf(t, p.ID), "expiry returns the stock")
	// This test's workers work the whole database's payment queue, other tests' jobs too, and
	// stripe-mock gives every intent the same id: this order's cancel is the one with its key.
	cancels := func() (n int) {
		for _, r := range ps.mock.Requests("POST", "/v1/payment_intents/"+o.Payment.IntentID+"/cancel") {
			if r.IdempotencyKey == payment.IdempotencyKey("cancel", o.ID) {
				n++
			}
		}
		return n
	}
	require.Eventually(t, func() bool { return cancels() >= 1 }, 10*time.Second, 100*time.Millisecond,
		"the expiry job cancels the intent")
	assert.Equal(t, 1, cancels(), "one cancel for the order")

	require.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", o, nil).status)
	require.Eventually(t, func() bool { p := current(o.ID).Payment; return p != nil && p.RefundID != "" }, 10*time.Second, 100*time.Millisecond,
		"a payment after expiry is refunded")
	got := getOrder(t, c, o.ID)
	assert.Equal(t, shop.StatusExpired, got.Status)
	// The workers work the whole database's queue, other tests' jobs too: count this order's.
	var refunds []stripemock.Request
	for _, r := range ps.mock.Requests("POST", "/v1/refunds") {
		if r.Form.Get("metadata[order_id]") == o.ID {
			refunds = append(refunds, r)
		}
	}
	require.Len(t, refunds, 1)
	assert.Equal(t, payment.IdempotencyKey("refund", o.ID), refunds[0].IdempotencyKey)
	assert.Equal(t, 4, stockOf(t, p.ID))
	assert.Equal(t, http.StatusConflict, c.do("POST", "/api/orders/"+o.ID+"/cancel", nil).status)
}

// TestWebhookRacingExpiry sends each order's success while the expiry sweep runs on it: every
// order ends either paid (its stock sold) or expired with a refund queued (its stock back),
// never both and never neither.
func TestWebhookRacingExpiry(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, time.Second, false)
	c, _ := ps.client(t)
	const n = 24
	p := newProduct(t, n, 100)
	orders := make([]shop.Order, n)
	for i := range orders {
		orders[i] = ps.place(t, c, p.ID, 1)
	}
	assert.Equal(t, 0, stockOf(t, p.ID))
	time.Sleep(time.Until(*orders[n-1].Payment.ExpiresAt) + 50*time.Millisecond)

	done := make(chan error, 1)
	go func() {
		for {
			m, err := ps.store.ExpireDue(context.Background(), 1)
			if err != nil || m == 0 {
				done <- err
				return
			}
		}
	}()
	for _, o := range orders {
		require.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", o, nil).status)
	}
	require.NoError(t, <-done)

	paid := 0
	for _, o := range orders {
		got := getOrder(t, c, o.ID)
		switch got.Status {
		case shop.StatusPaid:
			paid++
			assert.Zero(t, queuedJobs(t, "payment_refund", o.ID), "a paid order is not refunded")
		case shop.StatusExpired:
			assert.Equal(t, 1, queuedJobs(t, "payment_refund", o.ID), "an expired order's late payment is refunded")
		default:
			t.Errorf("order %s ended %s", o.ID, got.Status)
		}
	}
	assert.Equal(t, n-paid, stockOf(t, p.ID), "exactly the expired orders' stock came back")
	t.Logf("%d of %d orders paid, %d expired and refunded", paid, n, n-paid)
}

func TestOrderTransitionsAreEnforcedInSQL(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	p := newProduct(t, 2, 100)
	o := ps.place(t, c, p.ID, 1)
	ctx := context.Background()
	_, err := store.Pool().Exec(ctx, `UPDATE orders SET status = 'expired' WHERE id = $1`, o.ID)
	require.NoError(t, err)
	for _, to := range []string{"pending_payment", "paid", "placed"} {
		_, err := store.Pool().Exec(ctx, `UPDATE orders SET status = $2 WHERE id = $1`, o.ID, to)
		require.Error(t, err, "expired → %s", to)
		assert.True(t, strings.Contains(err.Error(), "SH422"), err.Error())
	}
	plain, _ := registered(t) // payments off: a placed order
	r := plain.do("POST", "/api/orders", orderBody(p.ID, 1), "Idempotency-Key", key())
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var placed shop.Order
	r.json(t, &placed)
	_, err = store.Pool().Exec(ctx, `UPDATE orders SET status = 'paid', paid_at = now(), payment_provider = 'stripe' WHERE id = $1`, placed.ID)
	require.Error(t, err, "placed → paid")
	assert.Contains(t, err.Error(), "SH422")
	_, err = store.Pool().Exec(ctx, `UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, placed.ID)
	require.NoError(t, err, "placed → cancelled is allowed")
}

// TestStripeDown: an intent that cannot be created leaves the order pending (201, stock
// reserved, no client secret) and the next read of the order creates it; a refund that cannot
// be made leaves a paid order paid, its stock sold.
func TestStripeDown(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	p := newProduct(t, 3, 900)

	ps.mock.SetFailing(true)
	o := ps.place(t, c, p.ID, 1)
	assert.Equal(t, shop.StatusPendingPayment, o.Status)
	assert.Empty(t, o.Payment.IntentID)
	assert.Empty(t, o.Payment.ClientSecret)
	assert.Equal(t, 2, stockOf(t, p.ID))
	assert.Contains(t, logBuf.String(), `"msg":"payment: the intent could not be created or read; the order stays pending until it is retried or expires","order_id":"`+o.ID+`"`)

	ps.mock.SetFailing(false)
	got := getOrder(t, c, o.ID)
	assert.NotEmpty(t, got.Payment.IntentID)
	assert.NotEmpty(t, got.Payment.ClientSecret)
	for _, r := range ps.mock.Requests("POST", "/v1/payment_intents") {
		assert.Equal(t, payment.IdempotencyKey("intent", o.ID), r.IdempotencyKey, "every attempt carries the order's key")
	}

	require.Equal(t, http.StatusOK, ps.event(t, "payment_intent.succeeded", got, nil).status)
	ps.mock.SetFailing(true)
	r := c.do("POST", "/api/orders/"+o.ID+"/cancel", nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "unavailable", r.errorCode(t))
	assert.Equal(t, shop.StatusPaid, getOrder(t, c, o.ID).Status)
	assert.Equal(t, 2, stockOf(t, p.ID))

	ps.mock.SetFailing(false)
	r = c.do("POST", "/api/orders/"+o.ID+"/cancel", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, 3, stockOf(t, p.ID))
	for _, r := range ps.mock.Requests("POST", "/v1/refunds") {
		assert.Equal(t, payment.IdempotencyKey("refund", o.ID), r.IdempotencyKey, "the retried refund has the same key")
	}
}

// TestWebhookIsExemptFromTheCrossSiteCheck: Stripe's delivery is authenticated by its signature,
// so headers a browser would send cross-site do not refuse it, while the same headers on any
// other state-changing path still do.
func TestWebhookIsExemptFromTheCrossSiteCheck(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	p := newProduct(t, 2, 100)
	o := ps.place(t, c, p.ID, 1)
	payload, sig := signedEvent(t, testWebhookSecret, eventID(), "payment_intent.succeeded", o.Payment.IntentID, o.ID, nil)
	hook := newClient(t)
	hook.base = ps.base
	r := hook.do("POST", "/api/payments/stripe/webhook", payload, "Stripe-Signature", sig,
		"Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, shop.StatusPaid, getOrder(t, c, o.ID).Status)
	r = c.do("POST", "/api/orders/"+o.ID+"/cancel", nil, "Origin", "https://elsewhere.example", "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Equal(t, shop.StatusPaid, getOrder(t, c, o.ID).Status)
}

func TestPruneDropsOldPaymentEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old, recent := eventID(), eventID()
	_, err := store.Pool().Exec(ctx, `INSERT INTO payment_events (id, type, intent_id, order_id, outcome, received_at)
		VALUES ($1, 'succeeded', 'pi_x', 'x', 'no_change', now() - interval '31 days'),
		       ($2, 'succeeded', 'pi_x', 'x', 'no_change', now() - interval '29 days')`, old, recent)
	require.NoError(t, err)
	require.NoError(t, store.Prune(ctx))
	var ids []string
	rows, err := store.Pool().Query(ctx, `SELECT id FROM payment_events WHERE id = ANY($1)`, []string{old, recent})
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{recent}, ids)
}

// The console sees an order awaiting payment with its payment, can filter by that status, and
// its cancel on the customer's behalf goes through the payment rules (the intent's cancel).
func TestConsoleSeesAndCancelsAnOrderAwaitingPayment(t *testing.T) {
	t.Parallel()
	ps := newPayShop(t, 30*time.Minute, false)
	c, _ := ps.client(t)
	a := admin(t)
	a.base = ps.base
	p := newProduct(t, 5, 900)
	o := ps.place(t, c, p.ID, 2)
	require.Equal(t, shop.StatusPendingPayment, o.Status)

	var page shop.AdminOrderPage
	r := a.do("GET", "/api/admin/orders?status=pending_payment&limit=100", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.json(t, &page)
	i := slices.IndexFunc(page.Items, func(x shop.AdminOrder) bool { return x.ID == o.ID })
	require.GreaterOrEqual(t, i, 0, "the pending order is listed under its status")
	require.NotNil(t, page.Items[i].Payment, "with its payment")
	assert.Equal(t, "stripe", page.Items[i].Payment.Provider)
	assert.Empty(t, page.Items[i].Payment.ClientSecret, "never the client secret")

	r = a.do("POST", "/api/admin/orders/"+o.ID+"/cancel", nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var got shop.Order
	r.json(t, &got)
	assert.Equal(t, shop.StatusCancelled, got.Status)
	assert.Equal(t, 5, stockOf(t, p.ID), "the reservation is returned")
}
