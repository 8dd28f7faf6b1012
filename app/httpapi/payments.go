package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/shopstack/shopstack/app/shop"
)

// stripeWebhookPath is where Stripe delivers events; register https://<site>/api/payments/stripe/webhook.
const stripeWebhookPath = "/api/payments/stripe/webhook"

// checkout answers a placed (or replayed) order with its payment ready: the order as it is now,
// with the intent's client secret while it awaits payment. The stored response of the
// idempotency key is the order as it was committed, before the intent existed; reading the
// order again also makes a replay show its current state (paid, expired).
func (a *api) checkout(c echo.Context, body []byte) error {
	var placed struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &placed); err != nil || placed.ID == "" {
		return fmt.Errorf("checkout: read the placed order's id: %w", err)
	}
	o, err := a.payments.Checkout(c.Request().Context(), currentUser(c).ID, placed.ID)
	if err != nil {
		return err
	}
	return orderJSON(c, http.StatusCreated, o)
}

// paymentConfig tells the storefront how orders are paid: "none" (on delivery) or "stripe"
// with the publishable key Stripe.js needs. Nothing in it is secret.
func (a *api) paymentConfig(c echo.Context) error {
	if !a.payments.On() {
		return c.JSON(http.StatusOK, map[string]string{"provider": "none"})
	}
	return c.JSON(http.StatusOK, map[string]string{"provider": a.payments.Provider().Name(), "publishable_key": a.publishableKey})
}

// stripeWebhook receives Stripe's events. It reads no session and is exempt from the
// cross-site check (crosssite.go): the signature over the raw body is its authentication, so
// the body is verified exactly as it arrived (within the body limit), before anything is parsed.
func (a *api) stripeWebhook(c echo.Context) error {
	if !a.payments.On() || a.payments.Provider().Name() != "stripe" {
		return shop.Errorf(shop.CodeNotFound, "payments through Stripe are not configured")
	}
	body, err := a.readBody(c)
	if err != nil {
		return err
	}
	if err := a.payments.HandleWebhook(c.Request().Context(), body, c.Request().Header.Get("Stripe-Signature")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"received": true})
}
