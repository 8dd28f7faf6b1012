package shop

import "time"

// Payment is an order's payment through a provider, as the order JSON shows it.
type Payment struct {
	Provider string `json:"provider"`
	// IntentID is the provider's payment (a Stripe PaymentIntent), empty until it was created.
	IntentID string `json:"intent_id,omitempty"`
	// ClientSecret lets the shopper's browser confirm the payment. It is never stored: it is
	// read from the provider for the order's owner only, on the order's own page while the
	// order awaits payment (POST /api/orders, GET /api/orders/{id}), never in lists.
	ClientSecret string `json:"client_secret,omitempty"`
	// RefundID is the provider's refund of a cancelled paid order, or of a payment that came
	// after its order expired.
	RefundID string `json:"refund_id,omitempty"`
	// LastError is the provider's message for the last failed attempt to pay (the shopper may
	// retry while the order is pending_payment).
	LastError string     `json:"last_error,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	PaidAt    *time.Time `json:"paid_at,omitempty"`
}
