package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/shopstack/shopstack/internal/stripemock"
	"github.com/shopstack/shopstack/site"
)

// TestCheckoutPayOnDelivery: with payments off (the default) checkout and the
// order say "Pay on delivery".
func TestCheckoutPayOnDelivery(t *testing.T) {
	tb := newTab(t)
	tb.register("Grace Hopper")
	tb.addToCart("scarf", 1)
	tb.checkout()
	tb.untilText("#payment-note", "Pay on delivery")
	tb.click("#place-order")
	tb.untilText("h1", "Thank you")
	tb.untilText("#payment", "Pay on delivery")
	tb.open("/orders")
	tb.until("the order in the history", `document.querySelectorAll('.order-row').length === 1`)
	assert.Contains(t, tb.text(".order-row"), "Pay on delivery")
}

const e2eWebhookSecret = "whsec_e2e_test"

// payShop starts a second `shop serve` on the e2e database with Stripe payments on, against
// stripe-mock, and returns its base URL.
func payShop(t *testing.T) string {
	t.Helper()
	mock := stripemock.Start(t)
	addr, err := freeAddr()
	require.NoError(t, err)
	logPath := filepath.Join(t.TempDir(), "shop-payments.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	serve := exec.Command(shopBin, "serve")
	serve.Env = append(os.Environ(), "DATABASE_URL="+appDBURL, "SHOP_ADDR="+addr, "SHOP_SITE_DIR="+siteDist,
		"SHOP_STRIPE_SECRET_KEY=sk_test_e2e", "SHOP_STRIPE_WEBHOOK_SECRET="+e2eWebhookSecret,
		"SHOP_STRIPE_PUBLISHABLE_KEY=pk_test_e2e", "SHOP_STRIPE_API_BASE="+mock.URL,
		// The first instance works the queue; this one serves only (no payment job is made here).
		"SHOP_WORKERS=0")
	serve.Stdout, serve.Stderr = logFile, logFile
	require.NoError(t, serve.Start())
	t.Cleanup(func() {
		stop(serve)
		_ = logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("payments shop log:\n%s", tail(b, 4000))
		}
	})
	base := "http://" + addr
	require.NoError(t, waitReady(base+"/api/readyz", 60*time.Second))
	res, err := http.Get(base + "/")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, site.PaymentsContentSecurityPolicy, res.Header.Get("Content-Security-Policy"),
		"with payments on the storefront's CSP allows Stripe.js")
	return base
}

// TestCheckoutWithStripe: with payments on, the order waits for its payment with its items
// reserved; this machine cannot reach js.stripe.com, so the page says the card form could not
// load; a signed payment_intent.succeeded sent to the webhook makes the page show it paid.
func TestCheckoutWithStripe(t *testing.T) {
	tb := newTab(t)
	tb.base = payShop(t)
	tb.register("Katherine Johnson")
	before := stockOf(t, "scarf")
	tb.addToCart("scarf", 1)
	tb.checkout()
	tb.untilText("#payment-note", "You pay by card")
	tb.click("#place-order")
	tb.untilText("h1", "pay to complete")
	tb.untilText(".order-head", "Awaiting payment")
	assert.Equal(t, before-1, stockOf(t, "scarf"), "the unit is reserved")
	tb.untilText("#stripe-unavailable", "could not be loaded")
	tb.shot("payment-pending")

	orderID := strings.TrimSuffix(strings.TrimPrefix(tb.path(), "/orders/"), "?placed=1")
	conn, err := pgx.Connect(context.Background(), appDBURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var intentID string
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT payment_intent_id FROM orders WHERE id = $1`, orderID).Scan(&intentID))

	payload, err := json.Marshal(map[string]any{"id": "evt_e2e_" + randHex(6), "object": "event", "type": "payment_intent.succeeded",
		"api_version": "2024-06-20", "data": map[string]any{"object": map[string]any{"id": intentID, "object": "payment_intent",
			"metadata": map[string]string{"order_id": orderID}}}})
	require.NoError(t, err)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: e2eWebhookSecret})
	req, err := http.NewRequest(http.MethodPost, tb.base+"/api/payments/stripe/webhook", strings.NewReader(string(payload)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signed.Header)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	tb.untilText(".order-head", "Paid")
	tb.untilText("h1", "Thank you, your order is paid")
	tb.untilText("#payment", "Paid")
	tb.shot("payment-paid")
	tb.open("/orders")
	tb.until("the order in the history", `document.querySelectorAll('.order-row').length === 1`)
	assert.Contains(t, tb.text(".order-row"), "Paid by card")
}
